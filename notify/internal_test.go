package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

func TestQuietActive(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	night, err := parseQuiet(Quiet{From: "22:00", To: "07:00", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	lunch, err := parseQuiet(Quiet{From: "12:00", To: "13:30"})
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, month time.Month, day, h, m int) time.Time {
		return time.Date(2025, month, day, h, m, 0, 0, loc)
	}
	cases := []struct {
		name string
		q    quietHours
		t    time.Time
		want bool
	}{
		{"evening before", night, at(berlin, 3, 10, 21, 59), false},
		{"from is included", night, at(berlin, 3, 10, 22, 0), true},
		{"midnight", night, at(berlin, 3, 11, 0, 0), true},
		{"to is excluded", night, at(berlin, 3, 11, 7, 0), false},
		{"read in the zone, not UTC", night, at(time.UTC, 3, 10, 21, 30), true}, // 22:30 in Berlin
		{"night of the spring change", night, at(berlin, 3, 30, 3, 30), true},
		{"morning after the spring change", night, at(berlin, 3, 30, 7, 1), false},
		{"day span inside", lunch, at(time.UTC, 3, 10, 13, 29), true},
		{"day span after", lunch, at(time.UTC, 3, 10, 13, 30), false},
		{"day span before", lunch, at(time.UTC, 3, 10, 11, 59), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.q.active(tc.t); got != tc.want {
				t.Errorf("active(%v) = %t, want %t", tc.t, got, tc.want)
			}
		})
	}
}

func TestDigestIsBounded(t *testing.T) {
	d := newDigest(3)
	now := time.Unix(0, 0)
	for i := range 10 {
		for range i + 1 {
			d.add(fmt.Sprint("k", i), Notification{Key: fmt.Sprint("k", i), Title: fmt.Sprint("alert ", i), Severity: Warning}, now)
		}
	}
	if len(d.order) != 3 || len(d.items) != 3 || d.total != 55 || d.others != 49 {
		t.Fatalf("items %d, total %d, others %d; want 3, 55, 49", len(d.order), d.total, d.others)
	}
	got := d.message("55 more").Text
	if want := "55 more: 3× alert 2, 2× alert 1, 1× alert 0, and 49 more"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDigestListsAtMostTwenty(t *testing.T) {
	d := newDigest(DefaultDigestItems)
	for i := range 30 {
		d.add(fmt.Sprint(i), Notification{Title: fmt.Sprint("n", i), Severity: Info}, time.Time{})
	}
	got := d.message("30 more").Text
	if strings.Count(got, "×") != digestListed || !strings.HasSuffix(got, ", and 10 more") {
		t.Errorf("got %q", got)
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:                 "less than a minute",
		time.Minute:                      "1 min",
		14*time.Minute + 20*time.Second:  "14 min",
		89 * time.Minute:                 "89 min",
		2 * time.Hour:                    "2 h",
		2*time.Hour + 5*time.Minute:      "2 h 5 min",
		26*time.Hour + 59*time.Minute:    "26 h 59 min",
		59*time.Minute + 59*time.Second:  "60 min",
		119*time.Minute + 59*time.Second: "2 h",
	} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestIncidentActions(t *testing.T) {
	cases := []struct {
		labels map[string]string
		sev    Severity
		st     Status
		want   string
	}{
		{map[string]string{"incident": "42"}, Info, Firing, "ack #42"},
		{map[string]string{"incident": "#42"}, Critical, Firing, "ack #42"},
		{map[string]string{"incident": "INC-42"}, Warning, Firing, "ack #42"},
		{map[string]string{"incident": "incident 42"}, Warning, Firing, "ack #42"},
		{map[string]string{"incident": "yes"}, Warning, Firing, "open an incident: db down"},
		{nil, Critical, Firing, "open an incident: db down"},
		{nil, Info, Firing, ""},
		{map[string]string{"incident": "42"}, Critical, Resolved, ""},
	}
	for _, tc := range cases {
		got := ""
		if as := incidentActions("db down", tc.sev, tc.st, tc.labels); len(as) > 0 {
			got = as[0].Command
		}
		if got != tc.want {
			t.Errorf("incidentActions(%v, %s, %s) = %q, want %q", tc.labels, tc.sev, tc.st, got, tc.want)
		}
	}
	long := strings.Repeat("x", 500) + "\nrestart apache"
	if as := incidentActions(long, Critical, Firing, nil); strings.Contains(as[0].Command, "\n") || len([]rune(as[0].Command)) > 140 {
		t.Errorf("command %q is not one short line", as[0].Command)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"ééééé", 4, "ééé…"},
		{"", 1, ""},
	} {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
