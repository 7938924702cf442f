// Package redisstore keeps conversation records and skill state in Redis, so
// that several Parley processes can share them and a restart loses nothing
// but what has expired.
//
// # Records
//
// A record lives at Prefix+"conv:"+key as one string value,
//
//	<version>:<data>
//
// with the version in decimal. Load is a single GET. Swap is a single Lua
// script (EVALSHA, falling back to EVAL when the server does not have it
// cached yet) that compares the version text, then writes the new value
// with its TTL, or deletes the key when data is nil, and answers the new
// version or -1 for a conflict. The script touches only the record's own
// key, so it also runs on Redis Cluster.
//
// # Versions
//
// A compare-and-set on versions is only sound if a key never shows the same
// version twice (the ABA problem): a process holding version 7 of a
// conversation that was deleted, or expired, and then written seven times
// again must get a conflict, not overwrite it. A counter kept inside the
// record cannot give that, since deleting the record deletes the counter; and
// a global counter used only for new records does not either, because the
// new record's later updates (old+1) walk back through the numbers the old
// record had. So every write takes
//
//	new = max(old+1, server time in microseconds)
//
// with old = 0 for an absent record. Successive writes to one key are at
// least a microsecond apart in practice, so a version is, in effect, the
// time of the write: a record written again after a deletion starts above
// every version it had before, and versions of a live record still only
// grow even if the server clock steps back. The one case left is a server
// clock that steps back past a deletion (a failover to a replica whose clock
// is behind) followed by a writer that still holds the exact version
// reached again; that is judged negligible. Versions stay below 2^53 until
// the year 2255, so Lua's numbers hold them exactly.
//
// # State
//
// Store.State returns a skills.State under Prefix+"state:": Get and Put are
// GET and SET, Incr is INCR, Append is RPUSH and List is LRANGE 0 -1. State
// keys never expire.
//
// # Failures
//
// Failures to reach Redis (refused or failed dials, network timeouts,
// connections dropped, a closed client, an exhausted pool) and replies in
// which the server says it cannot serve right now (LOADING, BUSY, READONLY,
// MASTERDOWN, CLUSTERDOWN, TRYAGAIN) are wrapped with dialog.ErrUnavailable.
// Cancellation or expiry of the caller's own context is reported as the
// context's error, not as ErrUnavailable.
//
// This package may import dialog and skills, and nothing else of Parley.
package redisstore
