// Package dedupe remembers which inbound chat events have been handled, so
// that an event a chat service delivers more than once (Slack re-delivers
// an event it believes was not acknowledged) is acted on exactly once.
//
// A Deduper answers, for an event id, whether this is its first sighting.
// Memory serves a single process; Redis is shared by every bot process
// that points at the same server and prefix, so two processes that both
// receive the same event still handle it once between them.
//
// # Failing closed
//
// When the Redis server cannot be reached, Redis.Seen returns an error and
// callers must not handle the event. Acting on an event whose first
// sighting cannot be proven risks running a dangerous skill twice (the
// re-delivered "yes"); dropping it costs a person one repeated message.
// The second failure is the one a ChatOps bot can afford.
//
// This package imports no other package of Parley.
package dedupe
