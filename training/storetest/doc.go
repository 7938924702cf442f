// Package storetest checks implementations of training.Store against the
// behaviour Parley relies on, in the manner of testing/fstest: each
// implementation's own tests call Test with a constructor and get one
// subtest per property.
//
// What it checks: teachings get an id and a time; examples come oldest
// first and the same phrasing taught again replaces the earlier intent;
// proposals are counted, not queued twice, when their text is the same but
// for case, repeated spaces and trailing punctuation and their intent is the
// same; approving teaches (source "review", by the reviewer, with the
// decision's intent when given) and needs an intent, rejecting does not
// teach, and an unknown or already resolved id is training.ErrUnknown;
// concurrent proposals all count and concurrent resolutions of one id let
// exactly one through; Changes fires after teaching and approving, for
// every subscriber, and a subscriber that went away holds nothing up;
// slices handed out are copies;
// and, with the Reopen option, that a store opened again holds everything.
//
// This package may import training and nlu, and nothing else of Parley.
package storetest
