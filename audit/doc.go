// Package audit owns Parley's audit trail: the Record of every action that
// was executed, failed, refused, confirmed, cancelled, taught, approved or
// rejected, or that expired; the Log interface its stores implement; the
// hash chain that makes edits and deletions visible; redaction of secrets;
// and reading questions about the trail ("what did alice run today?") and
// answering them in a few chat lines.
//
// Stores live in their own packages: audit/filelog (a JSON Lines file, the
// default) and audit/pglog (PostgreSQL). audit/logtest checks both.
//
// # The chain
//
// Records are numbered 1, 2, 3… by the log. Each carries Prev, the Hash of
// the record before it ("" for record 1), and Hash, the lowercase hex
// SHA-256 of its canonical encoding, which covers every other field, Prev
// included. Changing a record changes its hash; deleting or moving one
// breaks the numbering or the Prev links of the records after it. Verify
// recomputes all of it and names the first record at fault (see Reason).
//
// # Canonical encoding, version 1
//
// The hash input is the line "parley-audit-v1\n" followed by these fields,
// in this order, each written as its name, ":", the length of its value in
// bytes (decimal), ":", the value, "\n":
//
//	seq          decimal, no sign or leading zeros
//	time         UTC, six fraction digits: 2026-03-02T10:42:07.123456Z
//	kind         executed, failed, refused, confirmed, cancelled, taught, approved, rejected or expired
//	user
//	channel
//	via
//	skill
//	params       decimal count of parameters, then for each parameter in
//	             ascending bytewise order of name: a "key" field with the
//	             name and a "value" field with the value
//	result
//	error
//	duration_ns  decimal nanoseconds, "-" first when negative
//	message
//	approver
//	prev
//
// Absent text is the empty value ("channel:0:\n"). Text is UTF-8, as the
// record holds it. Because every value is preceded by its length, no
// escaping is needed and no two records encode alike. The first record of
// a log, alice deploying app=checkout from the command line, encodes as:
//
//	parley-audit-v1
//	seq:1:1
//	time:27:2026-03-02T10:42:07.123456Z
//	kind:8:executed
//	user:5:alice
//	channel:0:
//	via:3:cli
//	skill:6:deploy
//	params:1:1
//	key:3:app
//	value:8:checkout
//	result:4:done
//	error:0:
//	duration_ns:10:1200000000
//	message:0:
//	approver:0:
//	prev:0:
//
// A record's JSON form (Export, the file store) holds the same values, so
// a program in any language can check an export: decode each line, build
// the encoding above, hash it, and compare with "hash" and with the next
// line's "prev".
//
// # Secrets
//
// A log stores what it is given. Callers pass parameters through Redact
// (skill parameters marked secret, and names such as "password" or
// "token") and the message through RedactText with the secret values, so
// that no secret reaches a record. Append shortens Result, Error and
// Message to MaxText characters.
//
// This package imports nothing of Parley.
package audit
