// Package dialog is Parley's per-person conversation manager. For each
// (user, channel, thread) it keeps a small finite-state record, asks for
// missing parameters one at a time, confirms risky actions, and hands
// validated calls to skill executors.
//
// The decision for one message is a pure function of the stored
// conversation and what the NLU understood (decide), built on
// github.com/looplab/fsm behind typed states and events; the Engine around
// it loads and stores records through a Store with compare-and-set, so a
// confirmation can never be acted on twice, even by two bot processes.
//
// It imports nlu for results and skills for the catalog, and no store
// implementation: memstore and redisstore live in their own packages.
package dialog
