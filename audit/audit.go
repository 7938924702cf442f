package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what happened to an action.
type Kind string

// The kinds of record.
const (
	Executed  Kind = "executed"  // the skill ran and succeeded
	Failed    Kind = "failed"    // the skill ran and failed
	Refused   Kind = "refused"   // roles or policy denied it
	Confirmed Kind = "confirmed" // the person said yes to a confirmation
	Cancelled Kind = "cancelled" // the person said no, or gave up
	Taught    Kind = "taught"    // a phrasing was taught or approved for training
	Approved  Kind = "approved"  // the second person of a two-person rule approved it
	Rejected  Kind = "rejected"  // the second person of a two-person rule turned it down
	Expired   Kind = "expired"   // a confirmation or approval ran out of time
)

// Kinds lists every kind, in a stable order.
func Kinds() []Kind {
	return []Kind{Executed, Failed, Refused, Confirmed, Cancelled, Taught, Approved, Rejected, Expired}
}

func (k Kind) String() string { return string(k) }

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// ParseKind returns the kind named s, in any case.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		names := make([]string, 0, len(Kinds()))
		for _, k := range Kinds() {
			names = append(names, string(k))
		}
		return "", fmt.Errorf("unknown kind %q (want one of %s)", s, strings.Join(names, ", "))
	}
	return k, nil
}

// MaxText is how many characters of Result, Error and Message a record
// keeps; longer text is shortened to MaxText characters ending in "…".
const MaxText = 2000

// Record is one entry of the audit trail. The JSON form is the one Export
// and the file store write.
type Record struct {
	Seq      int64             `json:"seq"`  // 1, 2, 3… assigned by the log
	Time     time.Time         `json:"time"` // UTC, microsecond precision
	Kind     Kind              `json:"kind"`
	User     string            `json:"user"`
	Channel  string            `json:"channel,omitempty"`
	Via      string            `json:"via,omitempty"`    // "chat", "cli", "api", "slack", "llm"
	Skill    string            `json:"skill,omitempty"`  // the skill (intent) acted on
	Params   map[string]string `json:"params,omitempty"` // validated, secrets masked by the caller
	Result   string            `json:"result,omitempty"` // outcome text
	Error    string            `json:"error,omitempty"`
	Duration time.Duration     `json:"duration_ns,omitempty"`
	Message  string            `json:"message,omitempty"`  // the chat message that caused it
	Approver string            `json:"approver,omitempty"` // the second person of a two-person rule
	Prev     string            `json:"prev"`               // Hash of the previous record, "" for the first
	Hash     string            `json:"hash"`               // see the package documentation
}

// Filter selects records. Zero fields select everything.
type Filter struct {
	Since time.Time // records at or after Since
	Until time.Time // records before Until
	User  string    // who acted, in any case
	Skill string
	// Channel is matched exactly.
	Channel string
	// Value matches records with a parameter of this value, under any
	// name and in any case: "who deployed checkout" looks for checkout.
	Value string
	Kinds []Kind // any of these kinds
	// Limit, when positive, keeps only the newest Limit matches. They
	// are still returned oldest first.
	Limit int
}

// Match reports whether r passes f, Limit aside.
func (f Filter) Match(r Record) bool {
	switch {
	case !f.Since.IsZero() && r.Time.Before(f.Since):
		return false
	case !f.Until.IsZero() && !r.Time.Before(f.Until):
		return false
	case f.User != "" && !strings.EqualFold(r.User, f.User):
		return false
	case f.Skill != "" && r.Skill != f.Skill:
		return false
	case f.Channel != "" && r.Channel != f.Channel:
		return false
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, r.Kind):
		return false
	}
	if f.Value != "" {
		for _, v := range r.Params {
			if strings.EqualFold(v, f.Value) {
				return true
			}
		}
		return false
	}
	return true
}

// Log is an append-only, hash-chained audit trail. Implementations are safe
// for concurrent use.
type Log interface {
	// Append adds r as the newest record and returns it as stored: with
	// its Seq, Prev and Hash filled in, its Time set to now when zero,
	// and its text cleaned and shortened (see Seal). The Seq, Prev and
	// Hash r comes with are ignored. Append never changes an older record.
	Append(ctx context.Context, r Record) (Record, error)
	// Query returns the records that match f, oldest first.
	Query(ctx context.Context, f Filter) ([]Record, error)
	// Verify recomputes the whole chain and reports the first record that
	// breaks it. The error is for a log that could not be read at all;
	// a damaged log is a Verification that is not OK.
	Verify(ctx context.Context) (Verification, error)
	// Export writes the records that match f to w as JSON Lines, oldest
	// first. An export with a zero Filter holds the whole chain and can
	// be checked with VerifyJSONL.
	Export(ctx context.Context, w io.Writer, f Filter) error
}

// ErrInvalid marks a record that cannot be appended.
var ErrInvalid = errors.New("invalid audit record")

// Seal prepares r to follow the record with sequence number seq-1 and hash
// prev: it checks the kind, sets Time to now when zero, turns Time into
// UTC at microsecond precision, makes text valid UTF-8 without NUL bytes
// (which PostgreSQL rejects), shortens Result, Error and Message to
// MaxText characters, copies Params (nil when empty) and fills in Seq,
// Prev and Hash. Implementations of Log call it under their lock.
func Seal(r Record, seq int64, prev string, now time.Time) (Record, error) {
	if !r.Kind.Valid() {
		return Record{}, fmt.Errorf("%w: kind %q", ErrInvalid, r.Kind)
	}
	if seq < 1 {
		return Record{}, fmt.Errorf("%w: sequence number %d", ErrInvalid, seq)
	}
	if r.Time.IsZero() {
		r.Time = now
	}
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	r.User = clean(r.User)
	r.Channel = clean(r.Channel)
	r.Via = clean(r.Via)
	r.Skill = clean(r.Skill)
	r.Approver = clean(r.Approver)
	r.Result = shorten(clean(r.Result), MaxText)
	r.Error = shorten(clean(r.Error), MaxText)
	r.Message = shorten(clean(r.Message), MaxText)
	if len(r.Params) == 0 {
		r.Params = nil
	} else {
		p := make(map[string]string, len(r.Params))
		for k, v := range r.Params {
			p[clean(k)] = clean(v)
		}
		r.Params = p
	}
	r.Seq, r.Prev = seq, prev
	r.Hash = r.ComputeHash()
	return r, nil
}

// Clone returns a copy of r that shares no map with it.
func (r Record) Clone() Record {
	r.Params = maps.Clone(r.Params)
	return r
}

// clean makes s valid UTF-8 without NUL bytes, replacing offenders with
// U+FFFD.
func clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// shorten keeps at most n characters of s, the last of them "…" when s was
// longer.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// Newest keeps the last n of records (all of them when n <= 0), for
// implementations of Query.
func Newest(records []Record, n int) []Record {
	if n > 0 && len(records) > n {
		return records[len(records)-n:]
	}
	return records
}
