// Package sqlexec runs a configured SQL statement for a skill against a
// named database connection: PostgreSQL through pgx, or SQLite through the
// pure-Go modernc driver.
//
// A Spec holds a query such as
//
//	UPDATE accounts SET trial_ends = trial_ends + make_interval(days => :days)
//	WHERE name = :account
//
// whose :name placeholders name the skill's parameters. They are rewritten
// to the driver's bind parameters ($1 for PostgreSQL, ?1 for SQLite) when
// the executor is built, and the validated values travel separately from the
// statement text: no value is ever spliced into SQL. Placeholders inside
// string literals, quoted identifiers and comments are left alone, and "::"
// (a PostgreSQL cast) is never a placeholder.
//
// A skill only reads unless its Spec says Write: reads run in a read-only
// transaction (PostgreSQL's BEGIN READ ONLY; for SQLite a separate
// connection opened with mode=ro and query_only), so a statement that tries
// to write fails instead of changing anything. Every run has a deadline, and
// on PostgreSQL a statement_timeout as well; reads return at most a fixed
// number of rows, rendered as a plain-text table.
//
// The package owns connection pools, query compilation and result
// rendering. It must not import the dialog manager, the NLU pipeline or any
// store; the only Parley package it depends on is skills.
package sqlexec
