package audit

import (
	"fmt"
)

// Reason says how a chain is broken.
type Reason int

// The reasons a chain breaks.
const (
	Intact     Reason = iota // nothing is wrong
	Edited                   // a record's contents do not match its hash
	Missing                  // records were deleted: a gap in Seq, or fewer than the log wrote
	Reordered                // a record is out of place, repeated, or holds another's contents
	Unlinked                 // a record's Prev is not the hash of the record before it
	Truncated                // the log ends in the middle of a record
	Unreadable               // something in the log is not a record at all
)

var reasonNames = [...]string{"intact", "edited", "missing", "reordered", "unlinked", "truncated", "unreadable"}

func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Break is the first place a chain is broken.
type Break struct {
	// Seq is the record at fault: the sequence number that should be
	// where the chain breaks.
	Seq    int64
	Reason Reason
	// Detail is a sentence for people, such as "record 5 was edited after
	// it was written: its contents no longer match its hash".
	Detail string
}

// Verification is the outcome of checking a chain.
type Verification struct {
	// Records is how many records were read, including any after a
	// break.
	Records int
	// LastSeq and Head are the sequence number and hash of the last record
	// that was checked and found sound. When the chain is intact, Head
	// may be written down elsewhere: a later Verify whose chain runs
	// through that record with that hash proves nothing before it changed.
	LastSeq int64
	Head    string
	// Broken is nil when the chain is intact.
	Broken *Break
}

// OK reports whether the chain is intact.
func (v Verification) OK() bool { return v.Broken == nil }

// String is "200 records, chain intact" or "chain broken at record 5: …".
func (v Verification) String() string {
	if v.Broken != nil {
		return fmt.Sprintf("chain broken at record %d: %s", v.Broken.Seq, v.Broken.Detail)
	}
	if v.Records == 1 {
		return "1 record, chain intact"
	}
	return fmt.Sprintf("%d records, chain intact", v.Records)
}

// movedWindow bounds how far from its place Checker looks for the sequence
// number a record with a wrong hash was written under.
const movedWindow = 1024

// Checker verifies a chain fed to it one record at a time in the order the
// log stores them. Implementations of Log.Verify use it. The zero Checker
// is ready; it is not safe for concurrent use.
type Checker struct {
	records int
	next    int64  // the Seq expected next, less one
	head    string // hash of the last sound record
	broken  *Break

	// While gapFrom is set, a record numbered gapFrom…gapTo was not where
	// it belonged: if one turns up later the records were reordered,
	// otherwise they are missing.
	gapFrom, gapTo int64
	gapAfter       int64 // the first record found in the gap's place
}

// Add checks the next record.
func (c *Checker) Add(r Record) {
	c.records++
	if c.broken != nil {
		if c.gapFrom != 0 && r.Seq >= c.gapFrom && r.Seq <= c.gapTo {
			c.broken.Reason = Reordered
			c.broken.Detail = fmt.Sprintf("record %d is out of order: it comes after record %d", r.Seq, c.gapAfter)
			if r.Seq != c.gapFrom {
				c.broken.Detail = fmt.Sprintf("records %d to %d are out of order: record %d comes after record %d", c.gapFrom, c.gapTo, r.Seq, c.gapAfter)
			}
			c.gapFrom = 0
		}
		return
	}
	want := c.next + 1
	if r.ComputeHash() != r.Hash {
		c.breakEdited(r, want)
		return
	}
	switch {
	case r.Seq > want:
		c.gapFrom, c.gapTo, c.gapAfter = want, r.Seq-1, r.Seq
		c.fail(want, Missing, missing(want, r.Seq-1, c.next, r.Seq))
		return
	case r.Seq < want:
		c.fail(want, Reordered, fmt.Sprintf("record %d appears again after record %d, where record %d should be", r.Seq, c.next, want))
		return
	case r.Prev != c.head:
		what := fmt.Sprintf("record %d does not follow record %d: its prev is not record %d's hash, so one of them was replaced", want, c.next, c.next)
		if c.next == 0 {
			what = fmt.Sprintf("record %d should start the chain but its prev is not empty: records before it were removed", want)
		}
		c.fail(want, Unlinked, what)
		return
	}
	c.next, c.head = r.Seq, r.Hash
}

// gone says that records from to to are missing.
func gone(from, to int64) string {
	if from == to {
		return fmt.Sprintf("record %d is missing", from)
	}
	return fmt.Sprintf("records %d to %d are missing", from, to)
}

func missing(from, to, before, after int64) string {
	if before == 0 {
		return fmt.Sprintf("%s: the log starts at record %d", gone(from, to), after)
	}
	return fmt.Sprintf("%s: record %d is followed by record %d", gone(from, to), before, after)
}

// breakEdited explains a record whose hash does not match its contents,
// found where record want belongs.
func (c *Checker) breakEdited(r Record, want int64) {
	if r.Seq != want {
		moved := r
		moved.Seq = want
		if moved.ComputeHash() == r.Hash {
			c.fail(want, Edited, fmt.Sprintf("record %d was edited after it was written: its sequence number was changed to %d", want, r.Seq))
			return
		}
		c.fail(want, Edited, fmt.Sprintf("the record where record %d belongs (it says it is record %d) was edited after it was written: its contents no longer match its hash", want, r.Seq))
		return
	}
	if from := writtenAs(r); from != 0 {
		c.fail(want, Reordered, fmt.Sprintf("record %d holds what was written as record %d: records were moved", want, from))
		return
	}
	c.fail(want, Edited, fmt.Sprintf("record %d was edited after it was written: its contents no longer match its hash", want))
}

// writtenAs looks near r.Seq for the sequence number r's hash was computed
// with, and returns 0 when there is none.
func writtenAs(r Record) int64 {
	at := r.Seq
	for d := int64(1); d <= movedWindow; d++ {
		for _, s := range []int64{at - d, at + d} {
			if s < 1 {
				continue
			}
			r.Seq = s
			if r.ComputeHash() == r.Hash {
				return s
			}
		}
	}
	return 0
}

func (c *Checker) fail(seq int64, reason Reason, detail string) {
	c.broken = &Break{Seq: seq, Reason: reason, Detail: detail}
}

// Expect returns the sequence number the next record should have.
func (c *Checker) Expect() int64 { return c.next + 1 }

// Damaged reports that the next piece of the log is not a readable record,
// for the reason given (Truncated or Unreadable), described by detail.
func (c *Checker) Damaged(reason Reason, detail string) {
	if c.broken == nil {
		c.fail(c.next+1, reason, detail)
	}
}

// Tip checks the chain against a note of its last record that the log
// keeps apart from the records (seq 0 when it has written none), which
// catches records deleted from the end. Call it after the last Add.
func (c *Checker) Tip(seq int64, hash string) {
	if c.broken != nil {
		return
	}
	switch {
	case seq > c.next:
		what := fmt.Sprintf("%s: the log wrote %d records and the last one left is record %d", gone(c.next+1, seq), seq, c.next)
		if c.next == 0 {
			what = fmt.Sprintf("%s: the log wrote %d records and none are left", gone(1, seq), seq)
		}
		c.fail(c.next+1, Missing, what)
	case seq < c.next:
		c.fail(seq+1, Unlinked, fmt.Sprintf("the log's note of its last record says record %d, but records up to %d are there: records after %d were added outside the log", seq, c.next, seq))
	case hash != c.head:
		c.fail(seq, Edited, fmt.Sprintf("record %d was replaced: its hash is not the one the log wrote", seq))
	}
}

// Result returns the verification of what was added.
func (c *Checker) Result() Verification {
	v := Verification{Records: c.records, LastSeq: c.next, Head: c.head}
	if c.broken != nil {
		b := *c.broken
		v.Broken = &b
	}
	return v
}
