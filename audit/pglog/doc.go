// Package pglog keeps Parley's audit trail in PostgreSQL, for bots that run
// as several processes or want their trail in a database.
//
// # Tables
//
// Open creates, when missing, the table of records (parley_audit unless
// WithTable names another) with indexes on time, lower(user_name) and
// skill:
//
//	parley_audit (seq bigint primary key, time timestamptz, kind text,
//	    user_name text, channel text, via text, skill text, params jsonb,
//	    result text, error text, duration_ns bigint, message text,
//	    approver text, prev text, hash text)
//
// and a one-row table, parley_audit_tip (seq, hash), the note of the last
// record written. Absent text is stored as the empty string, and absent
// params as NULL.
//
// # Appending
//
// Append runs one transaction: it takes pg_advisory_xact_lock on a key
// derived from the table's name, reads the tip, inserts the record that
// follows it, moves the tip and commits, which releases the lock. Appends
// of any number of processes on the same table therefore form one chain.
// Continuing from the tip rather than from the highest seq found means a
// row deleted from the end leaves a gap that the next record does not
// paper over.
//
// # What guards the records
//
// The role that creates the tables owns them, and an owner can always
// UPDATE and DELETE; REVOKE does not bind it. The guard is verification:
// Verify reads the rows and the tip from one snapshot and reports the
// first record edited, deleted, moved or replaced, including rows deleted
// from the end, which the tip exposes. Someone who can write to both
// tables and recompute hashes can forge a consistent history; to narrow
// that, let a separate role own the tables and grant the bot's role only
// SELECT and INSERT on the records and SELECT and UPDATE on the tip, and
// keep Verification.Head from time to time somewhere else.
//
// # Connections
//
// The Log keeps a small pool of its own (WithMaxConns, 4 by default) of
// pgx connections.
//
// This package imports audit and nothing else of Parley.
package pglog
