package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// Version is the first line of the canonical encoding. A change to the
// encoding gets a new version, so that old chains stay verifiable.
const Version = "parley-audit-v1"

// TimeFormat is how the canonical encoding writes Time: UTC with exactly
// six digits of fraction.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Canonical returns the bytes Hash is computed over: every field but Hash,
// Prev included, in a fixed order, each as name ":" byte length ":" value
// "\n". See the package documentation for the exact layout.
func (r Record) Canonical() []byte {
	b := make([]byte, 0, 256+len(r.Result)+len(r.Message))
	b = append(b, Version...)
	b = append(b, '\n')
	b = field(b, "seq", strconv.FormatInt(r.Seq, 10))
	b = field(b, "time", r.Time.UTC().Format(TimeFormat))
	b = field(b, "kind", string(r.Kind))
	b = field(b, "user", r.User)
	b = field(b, "channel", r.Channel)
	b = field(b, "via", r.Via)
	b = field(b, "skill", r.Skill)
	keys := make([]string, 0, len(r.Params))
	for k := range r.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys) // bytewise
	b = field(b, "params", strconv.Itoa(len(keys)))
	for _, k := range keys {
		b = field(b, "key", k)
		b = field(b, "value", r.Params[k])
	}
	b = field(b, "result", r.Result)
	b = field(b, "error", r.Error)
	b = field(b, "duration_ns", strconv.FormatInt(int64(r.Duration/time.Nanosecond), 10))
	b = field(b, "message", r.Message)
	b = field(b, "approver", r.Approver)
	b = field(b, "prev", r.Prev)
	return b
}

func field(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(len(value)), 10)
	b = append(b, ':')
	b = append(b, value...)
	return append(b, '\n')
}

// ComputeHash returns the lowercase hex SHA-256 of r.Canonical(): what
// r.Hash should be.
func (r Record) ComputeHash() string {
	sum := sha256.Sum256(r.Canonical())
	return hex.EncodeToString(sum[:])
}
