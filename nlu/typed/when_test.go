package typed_test

import (
	"testing"
	"time"

	"github.com/parleybot/parley/nlu/typed"
)

// TestWhen resolves spoken moments against Wednesday 25 November 2026,
// 15:04 in Berlin, and checks that each canonical form reads back as the
// same moment.
func TestWhen(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	now := time.Date(2026, 11, 25, 15, 4, 0, 0, berlin) // a Wednesday
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, berlin)
	}
	tests := []struct {
		say   string
		canon string
		want  time.Time
	}{
		{"now", "now", now},
		{"today", "today", now},
		{"tonight", "tonight", at(11, 25, 22, 0)},
		{"tomorrow", "tomorrow", at(11, 26, 12, 0)},
		{"Tomorrow morning", "tomorrow morning", at(11, 26, 9, 0)},
		{"tomorrow at 9am", "tomorrow 09:00", at(11, 26, 9, 0)},
		{"tomorrow 14:30", "tomorrow 14:30", at(11, 26, 14, 30)},
		{"yesterday", "yesterday", at(11, 24, 12, 0)},
		{"friday", "fri", at(11, 27, 12, 0)},
		{"on Friday", "fri", at(11, 27, 12, 0)},
		{"fri at 5 pm", "fri 17:00", at(11, 27, 17, 0)},
		{"wednesday", "wed", now},
		{"next wednesday", "next wed", at(12, 2, 12, 0)},
		{"last monday", "last mon", at(11, 23, 12, 0)},
		{"this monday", "mon", at(11, 30, 12, 0)},
		{"at 9am", "09:00", at(11, 26, 9, 0)},
		{"at 16:00", "16:00", at(11, 25, 16, 0)},
		{"at noon", "12:00", at(11, 26, 12, 0)},
		{"this evening", "today evening", at(11, 25, 19, 0)},
		{"next week", "next week", at(11, 30, 12, 0)},
		{"this weekend", "weekend", at(11, 28, 12, 0)},
		{"next weekend", "next weekend", at(12, 5, 12, 0)},
		{"dec 24", "dec 24", at(12, 24, 12, 0)},
		{"24th of December", "dec 24", at(12, 24, 12, 0)},
		{"november 3", "nov 3", time.Date(2027, 11, 3, 12, 0, 0, 0, berlin)},
		{"2026-12-31 at 23:59", "2026-12-31 23:59", at(12, 31, 23, 59)},
		{"in 3 hours", "in 3 hours", now.Add(3 * time.Hour)},
		{"in a day", "in 1 days", now.Add(24 * time.Hour)},
		{"in 90 minutes", "in 90 minutes", now.Add(90 * time.Minute)},
		{"christmas", "dec 25", at(12, 25, 12, 0)},
		{"on Christmas Eve at 6pm", "dec 24 18:00", at(12, 24, 18, 0)},
		{"xmas day", "dec 25", at(12, 25, 12, 0)},
		{"new year's eve at 23:30", "dec 31 23:30", at(12, 31, 23, 30)},
		{"NYE", "dec 31", at(12, 31, 12, 0)},
		{"new years day", "jan 1", time.Date(2027, 1, 1, 12, 0, 0, 0, berlin)},
		{"new year", "jan 1", time.Date(2027, 1, 1, 12, 0, 0, 0, berlin)},
		{"halloween", "oct 31", time.Date(2027, 10, 31, 12, 0, 0, 0, berlin)},
		{"at midnight on friday", "fri 00:00", at(11, 27, 0, 0)},
		{"9am tomorrow", "tomorrow 09:00", at(11, 26, 9, 0)},
		{"at 5pm on dec 24", "dec 24 17:00", at(12, 24, 17, 0)},
		{"dec 24 2027", "2027-12-24", time.Date(2027, 12, 24, 12, 0, 0, 0, berlin)},
		{"24th december 2027 at 8am", "2027-12-24 08:00", time.Date(2027, 12, 24, 8, 0, 0, 0, berlin)},
		{"feb 29 2028", "2028-02-29", time.Date(2028, 2, 29, 12, 0, 0, 0, berlin)},
		{"in two hours", "in 2 hours", now.Add(2 * time.Hour)},
		{"in twenty-five minutes", "in 25 minutes", now.Add(25 * time.Minute)},
		{"the day after tomorrow", "day after tomorrow", at(11, 27, 12, 0)},
		{"day after tomorrow at 10:15", "day after tomorrow 10:15", at(11, 27, 10, 15)},
		{"the 28th", "the 28th", at(11, 28, 12, 0)},
		{"on the 25th", "the 25th", at(11, 25, 12, 0)},
		{"the 3rd at 9am", "the 3rd 09:00", at(12, 3, 9, 0)},
		{"the 31st", "the 31st", at(12, 31, 12, 0)},
		{"the 1st", "the 1st", at(12, 1, 12, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.say, func(t *testing.T) {
			w, err := typed.ParseWhen(tt.say)
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tt.say, err)
			}
			if got := w.String(); got != tt.canon {
				t.Errorf("canonical %q, want %q", got, tt.canon)
			}
			if got := w.At(now, berlin); !got.Equal(tt.want) {
				t.Errorf("At = %v, want %v", got, tt.want)
			}
			again, err := typed.ParseWhen(w.String())
			if err != nil || !again.At(now, berlin).Equal(tt.want) {
				t.Errorf("the canonical form %q reads back as %v (%v)", w.String(), again.At(now, berlin), err)
			}
		})
	}
}

func TestWhenRejects(t *testing.T) {
	for _, s := range []string{
		"", "platform", "at", "5", "at 5", "at 13pm", "25:00", "9:5", "feb 30", "april 31", "in 0 hours",
		"new", "new car", "christmas tree", "the 5", "the 0th", "the 32nd", "the 05th", "feb 29 2027", "dec 24 27",
		"at 9am friday monday", "day after", "day after platform", "''", "in 400 days", "in 5 seconds", "next", "last week", "now at 9am", "in 3 hours at 9am", "tomorrow platform",
		"monday tuesday", "restart apache", string(make([]byte, 100)), "tomorrow;", "(friday)", "-tomorrow", "9:30:",
		"tomorrow?", "2026-12-24;rm",
	} {
		if w, err := typed.ParseWhen(s); err == nil {
			t.Errorf("ParseWhen(%q) = %q, want an error", s, w)
		}
	}
}

func TestFindWhen(t *testing.T) {
	tests := []struct{ text, found, canon string }{
		{"who's on call tomorrow?", "tomorrow", "tomorrow"},
		{"who will be on call on friday at 9am for payments", "on friday at 9am for", "fri 09:00"},
		{"who is on call next week for sre", "next week for", "next week"},
		{"who is on call for platform", "", ""},
		{"who's on call", "", ""},
		{"who was on call on dec 24th", "on dec 24th", "dec 24"},
		{"who is on call (on friday)?", "on friday", "fri"},
		{"who is on call for payments on christmas", "on christmas", "dec 25"},
		{"who has the pager on new year's eve?", "on new year's eve", "dec 31"},
		{"who is on call for the new checkout", "", ""},
		{"who is on call at midnight on friday", "at midnight on friday", "fri 00:00"},
		{"who is on call on the 5th for sre", "on the 5th for", "the 5th"},
		{"who is on call day after tomorrow", "day after tomorrow", "day after tomorrow"},
		{"who is on call in two hours", "in two hours", "in 2 hours"},
		{"who is on call on dec 24 2027?", "on dec 24 2027", "2027-12-24"},
		{"who is on call for 2 days", "", ""},
	}
	for _, tt := range tests {
		w, found, ok := typed.FindWhen(tt.text)
		if ok != (tt.found != "") || found != tt.found || ok && w.String() != tt.canon {
			t.Errorf("FindWhen(%q) = %q %q %v, want %q %q", tt.text, found, w, ok, tt.found, tt.canon)
		}
	}
}

// FuzzWhen checks that any text either fails or reads as a moment whose
// canonical form reads back as the same moment, and that finding a
// moment in any text never fails loudly.
func FuzzWhen(f *testing.F) {
	for _, s := range []string{"tomorrow at 9am", "next fri", "dec 24", "in 3 hours", "2026-12-31 23:59", "this evening", "at 12:00 pm", "who is on call next week?"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 15, 4, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		typed.FindWhen(s)
		w, err := typed.ParseWhen(s)
		if err != nil {
			return
		}
		again, err := typed.ParseWhen(w.String())
		if err != nil || again.String() != w.String() || !again.At(now, time.UTC).Equal(w.At(now, time.UTC)) {
			t.Fatalf("%q reads as %q, which reads back as %q (%v)", s, w.String(), again.String(), err)
		}
	})
}
