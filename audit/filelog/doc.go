// Package filelog keeps Parley's audit trail in one append-only JSON Lines
// file, for a bot that runs without PostgreSQL: the default setup.
//
// # The file
//
// Each record is one line, its audit.Record JSON form, the same as an
// export:
//
//	{"seq":1,"time":"2026-03-02T10:42:07.123456Z","kind":"executed","user":"alice","skill":"deploy","params":{"app":"checkout"},...,"prev":"","hash":"9c1f…"}
//
// The file is opened with O_APPEND and created 0600 in a directory created
// 0700. Each record is written with one write(2) and synced to disk before
// Append returns; a write that fails is cut off again, so the file holds
// only whole records. Nothing ever rewrites a line. Open reads only the last
// line, whatever the file's size, to learn the sequence number and hash to
// continue the chain from.
//
// A last line without its newline means a write was interrupted by a crash
// or the file was cut. Open refuses such a file for appending (the error
// wraps audit.ErrTorn) rather than guess: a person should look at it with
// "parley audit verify" first. A Log opened ReadOnly still reads it, and
// Verify reports the incomplete record.
//
// # One process per file
//
// Appends of the goroutines of one process are serialised by the Log. Two
// processes must not append to the same file: each would continue the chain
// from the record it saw last, and the chain would fork. Append notices a
// file that grew behind its back and fails with ErrShared instead of
// forking it, but the check is not a lock. Reading the file from another
// process, as "parley audit" does with ReadOnly, is fine. Bots that run as
// several processes should use the PostgreSQL store, audit/pglog.
//
// # What Verify cannot see
//
// The hash chain shows any record edited, deleted, inserted or moved, as
// long as a record follows it. Deleting whole records from the end of the
// file leaves a shorter chain that is intact: keep Verification.Head from an
// earlier verify (or an export) somewhere else to catch that.
//
// This package imports audit and nothing else of Parley.
package filelog
