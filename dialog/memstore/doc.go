// Package memstore keeps conversation records and skill state in process
// memory. It is what Parley uses when no Redis is configured: fast and free
// of setup, but private to one process and gone when that process stops, so
// it only suits a single Parley process.
//
// A Store implements dialog.Store: each record expires TTL after its last
// write, expired records read as absent, and every successful write takes
// its version from one store-wide counter, so a key that is deleted (or
// expires) and is then written again never shows a version it had before.
// Expired records are dropped when touched and by a sweep that runs after
// enough writes to pay for it, so memory stays bounded without a background
// goroutine. Store.State returns a skills.State kept in the same Store,
// without expiry.
//
// Byte slices are copied on the way in and on the way out: callers may reuse
// their buffers and may modify what they are given.
//
// This package may import dialog and skills, and nothing else of Parley.
package memstore
