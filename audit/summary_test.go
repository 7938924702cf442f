package audit

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, cet)
	today := time.Date(2026, 3, 4, 9, 42, 0, 0, time.UTC) // 10:42 CET
	tests := []struct {
		name string
		r    Record
		want string
	}{
		{"executed", Record{Time: today, Kind: Executed, User: "alice", Skill: "deploy",
			Params: map[string]string{"environment": "production", "app": "checkout"}, Result: "done", Duration: 1234 * time.Millisecond},
			"10:42 alice deploy app=checkout environment=production → done (1.2s)"},
		{"result text", Record{Time: today, Kind: Executed, User: "alice", Skill: "restart_service",
			Params: map[string]string{"service": "nginx"}, Result: "Restarted nginx on web-1.\nfull output follows", Duration: 340 * time.Millisecond},
			"10:42 alice restart_service service=nginx → Restarted nginx on web-1. (340ms)"},
		{"no result", Record{Time: today, Kind: Executed, User: "bob", Skill: "dns_lookup"}, "10:42 bob dns_lookup → done"},
		{"failed", Record{Time: today, Kind: Failed, User: "bob", Skill: "deploy", Error: "exit status 1", Duration: 2*time.Minute + 5*time.Second},
			"10:42 bob deploy → failed: exit status 1 (2m5s)"},
		{"refused", Record{Time: today, Kind: Refused, User: "carol", Skill: "deploy", Params: map[string]string{"app": "billing"}, Error: "needs the deployer role"},
			"10:42 carol deploy app=billing → refused: needs the deployer role"},
		{"approved", Record{Time: today, Kind: Approved, User: "alice", Skill: "deploy", Approver: "erin"}, "10:42 alice deploy → approved by erin"},
		{"rejected", Record{Time: today, Kind: Rejected, User: "alice", Skill: "deploy", Approver: "erin"}, "10:42 alice deploy → rejected by erin"},
		{"executed after approval", Record{Time: today, Kind: Executed, User: "alice", Skill: "deploy", Approver: "erin"}, "10:42 alice deploy → done (approved by erin)"},
		{"cancelled", Record{Time: today, Kind: Cancelled, User: "dave", Skill: "rollback"}, "10:42 dave rollback → cancelled"},
		{"expired", Record{Time: today, Kind: Expired, User: "dave", Skill: "rollback", Result: "no answer in 5m"}, "10:42 dave rollback → expired: no answer in 5m"},
		{"taught", Record{Time: today, Kind: Taught, User: "erin", Skill: "restart_service", Result: "“bounce nginx”"}, "10:42 erin restart_service → taught: “bounce nginx”"},
		{"quoted value", Record{Time: today, Kind: Executed, User: "alice", Skill: "incident_create", Params: map[string]string{"summary": "checkout is down", "severity": ""}},
			`10:42 alice incident_create severity="" summary="checkout is down" → done`},
		{"earlier day", Record{Time: time.Date(2026, 3, 1, 22, 5, 0, 0, time.UTC), Kind: Executed, User: "alice", Skill: "deploy"}, "Mar 1 23:05 alice deploy → done"},
		{"earlier year", Record{Time: time.Date(2025, 12, 31, 8, 0, 0, 0, time.UTC), Kind: Executed, User: "alice", Skill: "deploy"}, "2025-12-31 09:00 alice deploy → done"},
		{"no user", Record{Time: today, Kind: Expired}, "10:42 ? → expired"},
		{"long result", Record{Time: today, Kind: Executed, User: "a", Result: strings.Repeat("x", 100)}, "10:42 a → " + strings.Repeat("x", 79) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarise([]Record{tt.r}, now); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSummariseMany(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	if got := Summarise(nil, now); got != "Nothing in the audit trail matches." {
		t.Errorf("none: %q", got)
	}
	var recs []Record
	for i := range MaxSummary + 5 {
		recs = append(recs, Record{Time: now.Add(time.Duration(i-30) * time.Minute), Kind: Executed, User: fmt.Sprint("u", i)})
	}
	got := strings.Split(Summarise(recs, now), "\n")
	if len(got) != MaxSummary+1 || got[0] != "(5 earlier not shown)" || !strings.Contains(got[1], " u5 ") || !strings.Contains(got[MaxSummary], " u24 ") {
		t.Errorf("many:\n%s", strings.Join(got, "\n"))
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		500 * time.Microsecond:  "500µs",
		340 * time.Millisecond:  "340ms",
		1234 * time.Millisecond: "1.2s",
		59 * time.Second:        "59s",
		125 * time.Second:       "2m5s",
		3 * time.Hour:           "3h0m0s",
	} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
