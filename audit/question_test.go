package audit

import (
	"reflect"
	"testing"
	"time"
)

func TestParseQuestion(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, cet) // a Wednesday
	midnight := time.Date(2026, 3, 4, 0, 0, 0, 0, cet)
	yesterday := midnight.AddDate(0, 0, -1)
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, cet)
	runs := []Kind{Executed, Failed}
	tests := []struct {
		text string
		want Filter
	}{
		{"what did alice run today?", Filter{User: "alice", Since: midnight}},
		{"what did bob do yesterday", Filter{User: "bob", Since: yesterday, Until: midnight}},
		{"show the last 10 deploys", Filter{Skill: "deploy", Limit: 10, Kinds: runs}},
		{"show the last 5 restarts", Filter{Skill: "restart_service", Limit: 5, Kinds: runs}},
		{"who deployed checkout this week?", Filter{Skill: "deploy", Value: "checkout", Since: monday, Kinds: runs}},
		{"audit for carol since 2h", Filter{User: "carol", Since: now.Add(-2 * time.Hour)}},
		{"what ran in the last hour", Filter{Since: now.Add(-time.Hour)}},
		{"What did Alice deploy to production today?", Filter{User: "alice", Skill: "deploy", Value: "production", Since: midnight, Kinds: runs}},
		{"what did I run this morning", Filter{User: Asker, Since: midnight}},
		{"what have I done since monday", Filter{User: Asker, Since: monday}},
		{"when did carol last restart nginx", Filter{User: "carol", Skill: "restart_service", Value: "nginx", Limit: 1, Kinds: runs}},
		{"who restarted nginx since monday", Filter{Skill: "restart_service", Value: "nginx", Since: monday, Kinds: runs}},
		{"who has deployed billing in the past 3 days", Filter{Skill: "deploy", Value: "billing", Since: now.Add(-72 * time.Hour), Kinds: runs}},
		{"show failed deploys this week", Filter{Skill: "deploy", Since: monday, Kinds: []Kind{Failed}}},
		{"what failed in the past 30 minutes", Filter{Since: now.Add(-30 * time.Minute), Kinds: []Kind{Failed}}},
		{"list alice's deploys", Filter{User: "alice", Skill: "deploy", Kinds: runs}},
		{"show deploys by dave last week", Filter{User: "dave", Skill: "deploy", Since: monday.AddDate(0, 0, -7), Until: monday, Kinds: runs}},
		{"show the audit log", Filter{}},
		{"audit trail for bob in the last 24h", Filter{User: "bob", Since: now.Add(-24 * time.Hour)}},
		{"show the last 3 actions by erin", Filter{User: "erin", Limit: 3}},
		{"show the 5 most recent restarts", Filter{Skill: "restart_service", Limit: 5, Kinds: runs}},
		{"who ran deploy today", Filter{Skill: "deploy", Since: midnight, Kinds: runs}},
		{"what has been deployed since yesterday", Filter{Skill: "deploy", Since: yesterday, Kinds: runs}},
		{"who rolled back billing yesterday", Filter{Skill: "rollback", Value: "billing", Since: yesterday, Until: midnight, Kinds: runs}},
		{"show the last deploy", Filter{Skill: "deploy", Limit: 1, Kinds: runs}},
		{"what was refused today", Filter{Since: midnight, Kinds: []Kind{Refused}}},
		{"what happened since 10m", Filter{Since: now.Add(-10 * time.Minute)}},
		{"show today's deploys", Filter{Skill: "deploy", Since: midnight, Kinds: runs}},
		{"list yesterday's refusals", Filter{Since: yesterday, Until: midnight, Kinds: []Kind{Refused}}},
		{"what ran over the past day", Filter{Since: now.Add(-24 * time.Hour)}},
		{"what did erin run this month", Filter{User: "erin", Since: time.Date(2026, 3, 1, 0, 0, 0, 0, cet)}},
		{"what ran since 1h30m", Filter{Since: now.Add(-90 * time.Minute)}},
		{"what did bob.smith run in the last 2 hours", Filter{User: "bob.smith", Since: now.Add(-2 * time.Hour)}},
		{"show failed actions", Filter{Kinds: []Kind{Failed}}},
		{"list refused deploys", Filter{Skill: "deploy", Kinds: []Kind{Refused}}},
		{"show me errors from the audit log", Filter{Kinds: []Kind{Failed}}},
		{"show errors in the audit log since monday", Filter{Since: monday, Kinds: []Kind{Failed}}},
		{"what ran on web-1", Filter{Value: "web-1"}},
		{"what happened on web-1", Filter{Value: "web-1"}},
		{"what happened on web-1 today", Filter{Value: "web-1", Since: midnight}},
		{"what was deployed to staging this week", Filter{Skill: "deploy", Value: "staging", Since: monday, Kinds: runs}},
		{"what happened to checkout today", Filter{Value: "checkout", Since: midnight}},
		{"what failed on db-1 yesterday", Filter{Value: "db-1", Since: yesterday, Until: midnight, Kinds: []Kind{Failed}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := ParseQuestion(tt.text, now, nil)
			if !ok {
				t.Fatalf("not understood as a question")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseQuestionRefuses(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	for _, text := range []string{
		"",
		"?",
		"deploy checkout to production",
		"restart nginx on web-1",
		"rollback billing",
		"who is on call",
		"who can deploy checkout",
		"what is the status of checkout",
		"what time is it",
		"what did you say",
		"what did alice say yesterday",
		"what happened to incident 42",
		"what happened to checkout",
		"what happened on",
		"what happened on the",
		"show me the logs of checkout",
		"show the last 10 lines of the log",
		"list incidents",
		"list incidents today",
		"show deploys",
		"show errors of checkout",
		"show me the errors on web-1",
		"list errors",
		"yes",
		"cancel",
		"last",
		"show the last",
		"since",
		"who",
	} {
		if f, ok := ParseQuestion(text, now, nil); ok {
			t.Errorf("ParseQuestion(%q) = %+v, want not a question", text, f)
		}
	}
}

func TestParseQuestionOwnVerbs(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	verbs := map[string]string{"ship": "deploy", "ships": "deploy", "shipped": "deploy", "bounces": "restart_service"}
	tests := []struct {
		text string
		want Filter
	}{
		{"who shipped checkout today", Filter{Skill: "deploy", Value: "checkout", Since: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), Kinds: []Kind{Executed, Failed}}},
		{"show the last 4 bounces", Filter{Skill: "restart_service", Limit: 4, Kinds: []Kind{Executed, Failed}}},
	}
	for _, tt := range tests {
		got, ok := ParseQuestion(tt.text, now, verbs)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuestion(%q) = %+v, %v; want %+v", tt.text, got, ok, tt.want)
		}
	}
	// The default words are not known to a table that leaves them out.
	if f, ok := ParseQuestion("show the last 10 deploys", now, verbs); ok {
		t.Errorf("deploys with a table without it: %+v", f)
	}
}

func TestSpan(t *testing.T) {
	tests := []struct {
		in   []string
		want time.Duration
		n    int
	}{
		{[]string{"2h"}, 2 * time.Hour, 1},
		{[]string{"90m"}, 90 * time.Minute, 1},
		{[]string{"3d"}, 72 * time.Hour, 1},
		{[]string{"1w"}, 7 * 24 * time.Hour, 1},
		{[]string{"1h30m"}, 90 * time.Minute, 1},
		{[]string{"2", "hours"}, 2 * time.Hour, 2},
		{[]string{"an", "hour"}, time.Hour, 2},
		{[]string{"hour"}, time.Hour, 1},
		{[]string{"10", "deploys"}, 0, 0},
		{[]string{"-2h"}, 0, 0},
		{nil, 0, 0},
	}
	for _, tt := range tests {
		d, n := span(tt.in)
		if d != tt.want || n != tt.n {
			t.Errorf("span(%q) = %v, %d; want %v, %d", tt.in, d, n, tt.want, tt.n)
		}
	}
}

func FuzzParseQuestion(f *testing.F) {
	for _, s := range []string{"what did alice run today?", "show the last 10 deploys", "who deployed checkout this week?",
		"audit for carol since 2h", "what ran in the last hour", "since", "last", "show the 5 most recent", "who has"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		q, ok := ParseQuestion(text, now, nil)
		if !ok {
			if !reflect.DeepEqual(q, Filter{}) {
				t.Fatalf("refused %q but returned %+v", text, q)
			}
			return
		}
		if q.Limit < 0 || q.Since.After(now) || !q.Until.IsZero() && q.Until.Before(q.Since) {
			t.Fatalf("ParseQuestion(%q) = %+v", text, q)
		}
	})
}
