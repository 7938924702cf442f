// Package oncall answers "who is on call?" and "when is my next shift?" from
// rotations kept in configuration.
//
// A Rotation is a pure description: members in order, a shift length, a
// local hand-off time in a time zone, a start date and overrides. Its At and
// Next methods are deterministic functions of time, so they are easy to
// table-test; a Service wraps validated rotations and a clock and offers the
// oncall_who and oncall_next executors.
//
// Shifts that last a whole number of days hand off at the same local time of
// day on both sides of a daylight-saving change; other shift lengths are
// plain durations.
//
// This package owns no state and must not import the dialog manager, the
// NLU pipeline or any store.
package oncall
