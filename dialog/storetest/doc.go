// Package storetest checks implementations of dialog.Store and skills.State
// against the behaviour Parley relies on, in the manner of testing/fstest:
// each implementation's own tests call TestStore and TestState with a
// constructor, and get one subtest per property.
//
// What it checks for a Store: missing records, create, update and delete,
// refused stale versions, versions never coming back after a delete, keys
// kept apart, byte slices copied in and out, large and binary records,
// cancelled contexts, and compare-and-set under contention (one winner per
// round, no lost increments). Expiry depends on each implementation's clock
// and is left to its own tests.
//
// BenchmarkLoadSwap and BenchmarkLoadSwapParallel give every implementation
// the same benchmark.
//
// This package may import dialog and skills, and nothing else of Parley.
package storetest
