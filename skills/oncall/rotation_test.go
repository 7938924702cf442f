package oncall

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone files
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// daily hands off at 09:00 Berlin time. Shift 0 (a) starts on Tue 20 Oct
// 2026, so b has Sat 24 Oct and c has Sun 25 Oct, the day clocks go back
// from CEST (UTC+2) to CET (UTC+1).
func daily(t *testing.T) Rotation {
	return Rotation{
		Team:     "daily",
		Members:  []string{"a", "b", "c"},
		Shift:    24 * time.Hour,
		Handoff:  "09:00",
		Location: berlin(t),
		Start:    date(2026, 10, 20),
		Overrides: []Override{
			// Inside b's shift of Wed 21 Oct.
			{Person: "dave", From: utc("2026-10-21T10:00:00Z"), To: utc("2026-10-21T13:00:00Z")},
			// Across the Fri 23 Oct hand-off from c to a.
			{Person: "erin", From: utc("2026-10-22T15:00:00Z"), To: utc("2026-10-23T10:00:00Z")},
			// c takes the end of b's Saturday and runs into its own Sunday.
			{Person: "c", From: utc("2026-10-24T20:00:00Z"), To: utc("2026-10-25T08:00:00Z")},
			// Overlapping: gina, listed later, wins inside frank's cover.
			{Person: "frank", From: utc("2026-10-27T08:00:00Z"), To: utc("2026-10-27T20:00:00Z")},
			{Person: "gina", From: utc("2026-10-27T10:00:00Z"), To: utc("2026-10-27T12:00:00Z")},
		},
	}
}

func TestAt(t *testing.T) {
	d := daily(t)
	plain := d
	plain.Overrides = nil
	weekly := Rotation{
		Team: "weekly", Members: []string{"alice", "bob"}, Shift: 7 * 24 * time.Hour,
		Handoff: "09:00", Location: berlin(t), Start: date(2026, 10, 12),
	}
	halfDay := Rotation{
		Team: "halfday", Members: []string{"x", "y"}, Shift: 12 * time.Hour,
		Handoff: "09:00", Location: berlin(t), Start: date(2026, 10, 24),
	}
	solo := Rotation{
		Team: "solo", Members: []string{"sam"}, Shift: 24 * time.Hour,
		Handoff: "09:00", Location: berlin(t), Start: date(2026, 1, 1),
	}
	soloCovered := solo
	soloCovered.Overrides = []Override{{Person: "kim", From: utc("2026-12-24T00:00:00Z"), To: utc("2026-12-27T00:00:00Z")}}
	// The start date is read as written, whatever the zone of the value.
	zoned := plain
	zoned.Start = time.Date(2026, 10, 20, 23, 30, 0, 0, time.FixedZone("X", -10*3600))

	tests := []struct {
		name   string
		r      Rotation
		at     string
		person string
		until  string // "" means never
	}{
		{"daily at start", plain, "2026-10-20T07:00:00Z", "a", "2026-10-21T07:00:00Z"},
		{"daily just before start", plain, "2026-10-20T06:59:59Z", "c", "2026-10-20T07:00:00Z"},
		{"daily two days before start", plain, "2026-10-18T12:00:00Z", "b", "2026-10-19T07:00:00Z"},
		{"daily spring DST, before hand-off", plain, "2026-03-29T06:30:00Z", "b", "2026-03-29T07:00:00Z"},
		{"daily spring DST, after hand-off", plain, "2026-03-29T07:00:00Z", "c", "2026-03-30T07:00:00Z"},
		{"daily Saturday is 25 hours", plain, "2026-10-24T07:00:00Z", "b", "2026-10-25T08:00:00Z"},
		{"daily repeated hour", plain, "2026-10-25T01:30:00Z", "b", "2026-10-25T08:00:00Z"},
		{"daily 08:30 CET is still Saturday's", plain, "2026-10-25T07:30:00Z", "b", "2026-10-25T08:00:00Z"},
		{"daily 09:00 CET hands off", plain, "2026-10-25T08:00:00Z", "c", "2026-10-26T08:00:00Z"},
		{"daily start in another zone", zoned, "2026-10-20T08:00:00Z", "a", "2026-10-21T07:00:00Z"},
		{"weekly before DST change", weekly, "2026-10-19T07:00:00Z", "bob", "2026-10-26T08:00:00Z"},
		{"weekly 08:30 CET Monday", weekly, "2026-10-26T07:30:00Z", "bob", "2026-10-26T08:00:00Z"},
		{"weekly after DST change", weekly, "2026-10-26T08:00:00Z", "alice", "2026-11-02T08:00:00Z"},
		{"weekly long before start", weekly, "2026-01-06T08:00:00Z", "alice", "2026-01-12T08:00:00Z"},
		{"12h shifts are plain durations", halfDay, "2026-10-25T07:30:00Z", "x", "2026-10-25T19:00:00Z"},
		{"12h shifts before start", halfDay, "2026-10-24T06:00:00Z", "y", "2026-10-24T07:00:00Z"},
		{"override inside a shift", d, "2026-10-21T11:00:00Z", "dave", "2026-10-21T13:00:00Z"},
		{"before an override", d, "2026-10-21T09:00:00Z", "b", "2026-10-21T10:00:00Z"},
		{"after an override", d, "2026-10-21T13:00:00Z", "b", "2026-10-22T07:00:00Z"},
		{"override across a hand-off", d, "2026-10-22T20:00:00Z", "erin", "2026-10-23T10:00:00Z"},
		{"override across a hand-off, after the hand-off", d, "2026-10-23T08:00:00Z", "erin", "2026-10-23T10:00:00Z"},
		{"rest of the shift after a cover", d, "2026-10-23T10:00:00Z", "a", "2026-10-24T07:00:00Z"},
		{"stretch runs into an override of the same person", d, "2026-10-24T10:00:00Z", "b", "2026-10-24T20:00:00Z"},
		{"override runs into the same person's shift", d, "2026-10-24T21:00:00Z", "c", "2026-10-26T08:00:00Z"},
		{"outer of two overlapping overrides", d, "2026-10-27T09:00:00Z", "frank", "2026-10-27T10:00:00Z"},
		{"later override wins", d, "2026-10-27T11:00:00Z", "gina", "2026-10-27T12:00:00Z"},
		{"outer override resumes", d, "2026-10-27T12:00:00Z", "frank", "2026-10-27T20:00:00Z"},
		{"one person, for good", solo, "2026-06-01T12:00:00Z", "sam", ""},
		{"one person, until a cover", soloCovered, "2026-06-01T12:00:00Z", "sam", "2026-12-24T00:00:00Z"},
		{"one person, covered", soloCovered, "2026-12-25T00:00:00Z", "kim", "2026-12-27T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.r.Validate(); err != nil {
				t.Fatal(err)
			}
			person, until := tt.r.At(utc(tt.at))
			var want time.Time
			if tt.until != "" {
				want = utc(tt.until)
			}
			if person != tt.person || !until.Equal(want) {
				t.Errorf("At(%s) = %s until %s, want %s until %s", tt.at, person, until.UTC().Format(time.RFC3339), tt.person, tt.until)
			}
		})
	}
}

func TestNext(t *testing.T) {
	d := daily(t)
	tests := []struct {
		name     string
		person   string
		after    string
		from, to string // "" for ok == false
	}{
		{"on call now: the next stretch, after a cover", "b", "2026-10-21T09:00:00Z", "2026-10-21T13:00:00Z", "2026-10-22T07:00:00Z"},
		{"later: a shift that starts late because of a cover", "a", "2026-10-21T09:00:00Z", "2026-10-23T10:00:00Z", "2026-10-24T07:00:00Z"},
		{"later: an override merged with a shift", "c", "2026-10-22T09:00:00Z", "2026-10-24T20:00:00Z", "2026-10-26T08:00:00Z"},
		{"a shift entirely covered is skipped", "b", "2026-10-26T09:00:00Z", "2026-10-27T20:00:00Z", "2026-10-28T08:00:00Z"},
		{"before start", "a", "2026-10-01T00:00:00Z", "2026-10-02T07:00:00Z", "2026-10-03T07:00:00Z"},
		{"strictly after", "a", "2026-10-02T07:00:00Z", "2026-10-05T07:00:00Z", "2026-10-06T07:00:00Z"},
		{"only via override", "dave", "2026-10-01T00:00:00Z", "2026-10-21T10:00:00Z", "2026-10-21T13:00:00Z"},
		{"only via override, inner one", "gina", "2026-10-01T00:00:00Z", "2026-10-27T10:00:00Z", "2026-10-27T12:00:00Z"},
		{"override person, after their override", "dave", "2026-10-21T11:00:00Z", "", ""},
		{"never", "zoe", "2026-10-01T00:00:00Z", "", ""},
		{"case does not matter", "B", "2026-10-21T09:00:00Z", "2026-10-21T13:00:00Z", "2026-10-22T07:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, ok := d.Next(tt.person, utc(tt.after))
			if tt.from == "" {
				if ok {
					t.Errorf("Next(%s, %s) = %s – %s, want none", tt.person, tt.after, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
				}
				return
			}
			if !ok || !from.Equal(utc(tt.from)) || !to.Equal(utc(tt.to)) {
				t.Errorf("Next(%s, %s) = %s – %s (%v), want %s – %s", tt.person, tt.after,
					from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), ok, tt.from, tt.to)
			}
		})
	}
}

func TestNextOnePerson(t *testing.T) {
	solo := Rotation{
		Team: "solo", Members: []string{"sam"}, Shift: 24 * time.Hour, Handoff: "09:00",
		Location: berlin(t), Start: date(2026, 1, 1),
		Overrides: []Override{{Person: "kim", From: utc("2026-12-24T00:00:00Z"), To: utc("2026-12-27T00:00:00Z")}},
	}
	if _, _, ok := solo.Next("sam", utc("2026-12-27T00:00:00Z")); ok {
		t.Error("sam is on call for good after the cover, yet Next found a start")
	}
	from, to, ok := solo.Next("sam", utc("2026-06-01T00:00:00Z"))
	if !ok || !from.Equal(utc("2026-12-27T00:00:00Z")) || !to.IsZero() {
		t.Errorf("Next(sam) = %v – %v (%v), want from the end of the cover, for good", from, to, ok)
	}
}

// TestAtMatchesScan checks At and Next against a brute-force walk, minute
// by minute, over three weeks around the autumn DST change.
func TestAtMatchesScan(t *testing.T) {
	r := daily(t)
	start, end := utc("2026-10-19T00:00:00Z"), utc("2026-11-02T00:00:00Z")
	type span struct {
		person   string
		from, to time.Time
	}
	var spans []span
	for m := start; m.Before(end); m = m.Add(time.Minute) {
		p, _ := r.At(m)
		if n := len(spans); n > 0 && spans[n-1].person == p {
			spans[n-1].to = m.Add(time.Minute)
			continue
		}
		spans = append(spans, span{p, m, m.Add(time.Minute)})
	}
	for i, s := range spans[1 : len(spans)-1] {
		for m := s.from; m.Before(s.to); m = m.Add(37 * time.Minute) {
			if p, until := r.At(m); p != s.person || !until.Equal(s.to) {
				t.Fatalf("At(%v) = %s until %v, scan says %s until %v", m, p, until, s.person, s.to)
			}
		}
		prev := spans[i]
		if from, to, ok := r.Next(s.person, prev.from); !ok || !from.Equal(s.from) || !to.Equal(s.to) {
			t.Errorf("Next(%s, %v) = %v – %v (%v); scan has a stretch %v – %v", s.person, prev.from, from, to, ok, s.from, s.to)
		}
	}
}

// TestFarFromStart checks that centuries away from Start the arithmetic
// neither overflows nor loops: each answer is a shift of the right length.
func TestFarFromStart(t *testing.T) {
	loc := berlin(t)
	for _, shift := range []time.Duration{12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		r := Rotation{Team: "t", Members: []string{"a", "b", "c"}, Shift: shift, Handoff: "09:00", Location: loc, Start: date(2026, 1, 1)}
		for _, at := range []string{"1700-06-01T12:00:00Z", "2400-06-01T12:00:00Z", "9000-01-01T00:00:00Z"} {
			now := utc(at)
			p, until := r.At(now)
			if p == "" || !until.After(now) || until.Sub(now) > shift+time.Hour {
				t.Errorf("shift %v: At(%s) = %q until %v", shift, at, p, until)
			}
			if next, _ := r.At(until); next == p {
				t.Errorf("shift %v: At(%s) = %s, and still %s at %v", shift, at, p, next, until)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() Rotation {
		return Rotation{
			Team: "payments", Members: []string{"alice", "bob"}, Shift: 7 * 24 * time.Hour,
			Handoff: "09:00", Location: berlin(t), Start: date(2026, 1, 5),
			Overrides: []Override{{Person: "outsider", From: utc("2026-02-01T00:00:00Z"), To: utc("2026-02-02T00:00:00Z")}},
		}
	}
	tests := []struct {
		name   string
		change func(*Rotation)
		want   string // "" means valid
	}{
		{"valid", func(*Rotation) {}, ""},
		{"midnight", func(r *Rotation) { r.Handoff = "00:00" }, ""},
		{"no team", func(r *Rotation) { r.Team = " " }, "without a team"},
		{"no members", func(r *Rotation) { r.Members = nil }, "no members"},
		{"empty member", func(r *Rotation) { r.Members = []string{"alice", ""} }, "member 2 is empty"},
		{"duplicate member", func(r *Rotation) { r.Members = []string{"alice", "bob", "Alice"} }, "Alice is listed twice"},
		{"zero shift", func(r *Rotation) { r.Shift = 0 }, "not positive"},
		{"negative shift", func(r *Rotation) { r.Shift = -time.Hour }, "not positive"},
		{"shift in seconds", func(r *Rotation) { r.Shift = 90 * time.Second }, "whole number of minutes"},
		{"handoff without zero", func(r *Rotation) { r.Handoff = "9:00" }, "HH:MM"},
		{"handoff hour", func(r *Rotation) { r.Handoff = "24:00" }, "HH:MM"},
		{"handoff minute", func(r *Rotation) { r.Handoff = "09:60" }, "HH:MM"},
		{"handoff letters", func(r *Rotation) { r.Handoff = "ab:cd" }, "HH:MM"},
		{"handoff empty", func(r *Rotation) { r.Handoff = "" }, "HH:MM"},
		{"no zone", func(r *Rotation) { r.Location = nil }, "no time zone"},
		{"no start", func(r *Rotation) { r.Start = time.Time{} }, "no start date"},
		{"override without person", func(r *Rotation) { r.Overrides[0].Person = "" }, "names nobody"},
		{"override without end", func(r *Rotation) { r.Overrides[0].To = time.Time{} }, "needs both"},
		{"override backwards", func(r *Rotation) { r.Overrides[0].To = r.Overrides[0].From.Add(-time.Hour) }, "ends"},
		{"override empty", func(r *Rotation) { r.Overrides[0].To = r.Overrides[0].From }, "ends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			tt.change(&r)
			err := r.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
