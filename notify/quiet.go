package notify

import (
	"fmt"
	"time"
)

// quietHours is a parsed Quiet.
type quietHours struct {
	from, to int // minutes after midnight
	loc      *time.Location
	label    string // "22:00–07:00"
}

func parseQuiet(q Quiet) (quietHours, error) {
	from, err := parseClock(q.From)
	if err != nil {
		return quietHours{}, fmt.Errorf("from: %w", err)
	}
	to, err := parseClock(q.To)
	if err != nil {
		return quietHours{}, fmt.Errorf("to: %w", err)
	}
	if from == to {
		return quietHours{}, fmt.Errorf("from and to are both %s: quiet hours must not be empty", q.From)
	}
	loc := time.UTC
	if q.TimeZone != "" {
		if loc, err = time.LoadLocation(q.TimeZone); err != nil {
			return quietHours{}, fmt.Errorf("time_zone: %w", err)
		}
	}
	return quietHours{from: from, to: to, loc: loc, label: q.From + "–" + q.To}, nil
}

// parseClock reads "HH:MM", 00:00 to 23:59.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	digit := func(c byte) (int, bool) { return int(c - '0'), c >= '0' && c <= '9' }
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	h, m := h1*10+h2, m1*10+m2
	if !ok1 || !ok2 || !ok3 || !ok4 || h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day between 00:00 and 23:59", s)
	}
	return h*60 + m, nil
}

// active reports whether t falls in the quiet hours, read on the wall
// clock of their time zone.
func (q quietHours) active(t time.Time) bool {
	h, m, _ := t.In(q.loc).Clock()
	now := h*60 + m
	if q.from < q.to {
		return q.from <= now && now < q.to
	}
	return now >= q.from || now < q.to
}
