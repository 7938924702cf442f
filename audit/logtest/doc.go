// Package logtest checks implementations of audit.Log against the
// behaviour Parley relies on, in the manner of testing/fstest: each
// implementation's own tests call Test with a constructor, and get one
// subtest per property.
//
// What it checks: an empty log; Append filling Seq, Prev, Hash and Time,
// ignoring chain fields it is given, cleaning and shortening text,
// refusing unknown kinds; 8 goroutines appending 25 records each into one
// unbroken chain of 200; Query and Verify seeing whole chains while others
// append; Query by since, until, user, skill, channel,
// value, kinds and limit, agreeing with audit.Filter.Match; Export as JSON
// Lines that decode to the same records and verify with audit.VerifyJSONL;
// maps copied in and out; cancelled contexts; and, with WithReopen, the
// chain going on after the log is opened again.
//
// Tampering is done differently to each store, so each store's tests do
// it themselves; Fill, Sample, WantIntact and WantBroken help them.
//
// This package imports audit and nothing else of Parley.
package logtest
