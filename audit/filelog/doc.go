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
// # Several processes
//
// Appends of the goroutines of one process are serialised by the Log. On
// Unix, processes appending to the same file (the bot server and "parley
// run" at the terminal) take turns under an exclusive flock(2): each
// append reads the last record again when the file grew since its own last
// one, and continues the chain from there, so the chain never forks. Query
// and Export read the records complete at the time, whoever wrote them.
// Where files cannot be locked, Append notices a file that grew behind its
// back and fails with ErrShared instead of forking it. Reading the file
// with ReadOnly, as "parley audit" does, takes no lock. Bots on several
// machines should use the PostgreSQL store, audit/pglog.
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
