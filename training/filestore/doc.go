// Package filestore keeps Parley's taught examples and review queue in two
// append-only JSON Lines files in one directory, for a bot that runs without
// Redis.
//
// # Files
//
// taught.jsonl holds the examples and queue.jsonl the review queue. Every
// change appends one line, an event, and nothing is ever rewritten in place:
//
//	{"op":"taught","teaching":{"id":"3f9a0c1d2e4b","text":"restart apache","intent":"restart",...}}
//	{"op":"proposed","candidate":{"id":"9b1e77a0c4d2","text":"bounce apache","intent":"restart","count":1,...}}
//	{"op":"resolved","id":"9b1e77a0c4d2","approve":true,"intent":"restart","by":"alice","at":"..."}
//
// Open rebuilds the state by replaying both files. A "taught" event
// replaces any earlier example with the same training.Key (the text with
// case, repeated spaces and trailing punctuation aside). A "proposed" event
// whose id is already queued counts one more proposal of that candidate
// (its count field is the total after it, for people reading the file;
// replay counts the events); otherwise it queues a new candidate. A
// "resolved" event takes its id off the queue. Approving a candidate
// appends the "taught" event (source "review") before the "resolved" one,
// so a crash between the two leaves the example taught and the candidate
// still queued, which a second approval settles.
//
// Each line is written with one write(2) and synced before the call
// returns. A crash in the middle of a write loses at most that line: a final
// line without its newline that is not a valid event is ignored by Open and
// cut off, so that the next line does not run on from it. Any other line
// that is not a valid event makes Open fail with the file and line number.
// A write that fails is cut off the same way.
//
// The directory is created 0700 and the files 0600.
//
// # Processes
//
// A Store is safe for concurrent use. Before every call it reads whatever
// was appended to the files since it last looked, and while someone waits
// on Changes it also looks once a second, so a second process (a CLI
// teaching, say) that appends to the same directory is noticed. Writes of
// several processes are not coordinated, though: counts and approvals are
// exact only with one writing process at a time.
//
// This package imports training, and nothing else of Parley.
package filestore
