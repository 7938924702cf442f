package oncall

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

const day = 24 * time.Hour

// Rotation is one team's on-call schedule. Members take shifts in order,
// starting with Members[0] at Handoff on the Start date and repeating from
// there, forwards and backwards in time. Overrides replace whoever the
// rotation names for their interval.
//
// A Rotation is a value: At and Next never change it and are safe for
// concurrent use. They assume Validate returned nil.
type Rotation struct {
	Team    string        // e.g. "payments"
	Members []string      // person handles, in rotation order
	Shift   time.Duration // shift length in whole minutes, e.g. 7*24h or 24h
	// Handoff is the local time of day, "HH:MM", when one shift ends and
	// the next begins.
	Handoff string
	// Location is the time zone of Handoff.
	Location *time.Location
	// Start is a date when Members[0]'s shift began at Handoff. Only its
	// calendar date as written counts (year, month and day, whatever its
	// zone); that date is read in Location.
	Start time.Time
	// Overrides are ad-hoc swaps and covers. Where two overlap, the one
	// listed later wins.
	Overrides []Override
}

// Override has Person cover the rotation over [From, To). The person need
// not be a member of the rotation.
type Override struct {
	Person   string
	From, To time.Time
}

// Validate reports the first problem that would make the rotation
// meaningless, in words fit for a configuration error.
func (r *Rotation) Validate() error {
	if strings.TrimSpace(r.Team) == "" {
		return errors.New("on-call rotation without a team name")
	}
	if len(r.Members) == 0 {
		return fmt.Errorf("on-call rotation %s: no members", r.Team)
	}
	seen := make(map[string]bool, len(r.Members))
	for i, m := range r.Members {
		k := strings.ToLower(strings.TrimSpace(m))
		if k == "" {
			return fmt.Errorf("on-call rotation %s: member %d is empty", r.Team, i+1)
		}
		if seen[k] {
			return fmt.Errorf("on-call rotation %s: %s is listed twice", r.Team, m)
		}
		seen[k] = true
	}
	if r.Shift <= 0 {
		return fmt.Errorf("on-call rotation %s: shift length %v is not positive", r.Team, r.Shift)
	}
	if r.Shift%time.Minute != 0 {
		return fmt.Errorf("on-call rotation %s: shift length %v is not a whole number of minutes", r.Team, r.Shift)
	}
	if _, _, err := parseHandoff(r.Handoff); err != nil {
		return fmt.Errorf("on-call rotation %s: %w", r.Team, err)
	}
	if r.Location == nil {
		return fmt.Errorf("on-call rotation %s: no time zone", r.Team)
	}
	if r.Start.IsZero() {
		return fmt.Errorf("on-call rotation %s: no start date", r.Team)
	}
	for i, o := range r.Overrides {
		switch {
		case strings.TrimSpace(o.Person) == "":
			return fmt.Errorf("on-call rotation %s: override %d names nobody", r.Team, i+1)
		case o.From.IsZero() || o.To.IsZero():
			return fmt.Errorf("on-call rotation %s: override %d for %s needs both a start and an end", r.Team, i+1, o.Person)
		case !o.To.After(o.From):
			return fmt.Errorf("on-call rotation %s: override %d for %s ends (%s) before it starts (%s)",
				r.Team, i+1, o.Person, o.To.Format(time.RFC3339), o.From.Format(time.RFC3339))
		}
	}
	return nil
}

// parseHandoff reads "HH:MM" on a 24-hour clock.
func parseHandoff(s string) (hour, minute int, err error) {
	bad := fmt.Errorf("hand-off time %q is not HH:MM (00:00 to 23:59)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, bad
	}
	digits := func(a, b byte) (int, bool) {
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return 0, false
		}
		return int(a-'0')*10 + int(b-'0'), true
	}
	h, okH := digits(s[0], s[1])
	m, okM := digits(s[3], s[4])
	if !okH || !okM || h > 23 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

// Has reports whether person is a member of the rotation or covers any of
// its overrides. Handles compare without regard to case.
func (r *Rotation) Has(person string) bool {
	return r.isMember(person) || slices.ContainsFunc(r.Overrides, func(o Override) bool {
		return strings.EqualFold(o.Person, person)
	})
}

func (r *Rotation) isMember(person string) bool {
	return slices.ContainsFunc(r.Members, func(m string) bool { return strings.EqualFold(m, person) })
}

func (r *Rotation) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// shiftDays is the shift length in whole days, or 0 when it is not a whole
// number of days.
func (r *Rotation) shiftDays() int64 {
	if r.Shift < day || r.Shift%day != 0 {
		return 0
	}
	return int64(r.Shift / day)
}

// boundary returns the start of shift k; shift 0 is Members[0]'s on the
// Start date. Day-based shifts add calendar days, so they begin at Handoff
// local time whatever the zone's offset does in between.
func (r *Rotation) boundary(k int64) time.Time {
	h, m, _ := parseHandoff(r.Handoff)
	y, mo, d := r.Start.Date()
	if n := r.shiftDays(); n > 0 {
		return time.Date(y, mo, d+int(k*n), h, m, 0, 0, r.loc())
	}
	// Whole seconds keep far-off shifts from overflowing a Duration.
	anchor := time.Date(y, mo, d, h, m, 0, 0, r.loc())
	return time.Unix(anchor.Unix()+k*r.shiftSeconds(), 0).In(r.loc())
}

func (r *Rotation) shiftSeconds() int64 { return max(int64(r.Shift/time.Second), 1) }

// shiftIndex returns k such that boundary(k) <= t < boundary(k+1).
func (r *Rotation) shiftIndex(t time.Time) int64 {
	var k int64
	if n := r.shiftDays(); n > 0 {
		y, mo, d := r.Start.Date()
		lt := t.In(r.loc())
		ty, tmo, td := lt.Date()
		k = floorDiv(civilDay(ty, tmo, td)-civilDay(y, mo, d), n)
	} else {
		k = floorDiv(t.Unix()-r.boundary(0).Unix(), r.shiftSeconds())
	}
	// The estimate is off by at most one shift (the hand-off time of day,
	// or a shift that a zone change made shorter or longer).
	for r.boundary(k).After(t) {
		k--
	}
	for !r.boundary(k + 1).After(t) {
		k++
	}
	return k
}

// civilDay numbers calendar days, so that consecutive dates differ by one.
func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (r *Rotation) member(k int64) string {
	n := int64(len(r.Members))
	if n == 0 {
		return ""
	}
	i := k % n
	if i < 0 {
		i += n
	}
	return r.Members[i]
}

// segment returns who is on call at t and the next instant at which that
// could change: a hand-off, or an override starting or ending. A zero end
// means never (a one-person rotation with no override ahead).
func (r *Rotation) segment(t time.Time) (person string, end time.Time) {
	win := -1
	for i, o := range r.Overrides {
		if !t.Before(o.From) && t.Before(o.To) {
			win = i
		}
	}
	// Only overrides that would win over the current assignment can cut it
	// short by starting.
	first := 0
	if win >= 0 {
		person, end = r.Overrides[win].Person, r.Overrides[win].To
		first = win + 1
	} else {
		k := r.shiftIndex(t)
		person = r.member(k)
		if len(r.Members) > 1 {
			end = r.boundary(k + 1)
		}
	}
	for _, o := range r.Overrides[first:] {
		if o.From.After(t) && (end.IsZero() || o.From.Before(end)) {
			end = o.From
		}
	}
	return person, end
}

// At returns who is on call at t, overrides first, and when that person's
// stretch ends: the next hand-off or override edge at which someone else
// takes over. until is the zero Time when the stretch never ends, which can
// only happen in a one-person rotation with no override ahead.
func (r *Rotation) At(t time.Time) (person string, until time.Time) {
	person, until = r.segment(t)
	// Each step crosses an override edge, of which there are at most two
	// per override; the bound only guards against a malformed rotation.
	for range 2*len(r.Overrides) + 2 {
		if until.IsZero() {
			return person, until
		}
		next, end := r.segment(until)
		if !strings.EqualFold(next, person) {
			return person, until
		}
		until = end
	}
	return person, until
}

// Next returns the first stretch on call of person that starts strictly
// after after, whether it comes from the rotation or from an override; to is
// zero when that stretch never ends. ok is false when there is none: the
// person is neither a member nor named by a later override, or is on call
// for good already.
func (r *Rotation) Next(person string, after time.Time) (from, to time.Time, ok bool) {
	for _, c := range r.starts(person, after) {
		if p, _ := r.segment(c); !strings.EqualFold(p, person) {
			continue
		}
		if p, _ := r.segment(c.Add(-time.Nanosecond)); strings.EqualFold(p, person) {
			continue // a continuation, not a start
		}
		_, to = r.At(c)
		return c, to, true
	}
	return time.Time{}, time.Time{}, false
}

// starts returns, in time order, every instant after after at which a
// stretch of person could begin: each override edge, and the person's first
// regular shift after after and after each edge. A regular shift that
// starts elsewhere is either the first one or follows an edge that left it
// covered, so this set always holds the true next start.
func (r *Rotation) starts(person string, after time.Time) []time.Time {
	var edges []time.Time
	for _, o := range r.Overrides {
		for _, e := range []time.Time{o.From, o.To} {
			if e.After(after) {
				edges = append(edges, e)
			}
		}
	}
	out := slices.Clone(edges)
	if r.isMember(person) {
		if s, ok := r.shiftOf(person, after, false); ok {
			out = append(out, s)
		}
		for _, e := range edges {
			if s, ok := r.shiftOf(person, e, true); ok {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// shiftOf returns the start of person's first regular shift starting after
// t (or at t, when atOrAfter).
func (r *Rotation) shiftOf(person string, t time.Time, atOrAfter bool) (time.Time, bool) {
	idx := slices.IndexFunc(r.Members, func(m string) bool { return strings.EqualFold(m, person) })
	if idx < 0 {
		return time.Time{}, false
	}
	n := int64(len(r.Members))
	k := r.shiftIndex(t)
	if r.boundary(k).Equal(t) && atOrAfter {
		k-- // so that the shift starting exactly at t is considered
	}
	k++
	k += ((int64(idx)-k)%n + n) % n
	return r.boundary(k), true
}
