package skills

import (
	"context"
	"strings"
	"testing"
)

func TestWhoAmI(t *testing.T) {
	list := helpCatalog(t)
	list = append(list,
		&Skill{Name: "purge_cache", Description: "Purge a cache.", Risk: Write, Executor: nop},
		&Skill{Name: "page_team", Description: "Page a team.", Risk: Read, Channels: []string{"ops"}, Executor: nop},
	)
	whoami := &Skill{Name: "whoami", Description: "Tell who you are.", Risk: Read}
	whoami.Executor = WhoAmI(func() []*Skill { return append(list, whoami) })
	tests := []struct {
		name    string
		caller  Caller
		want    []string
		wantNot []string
	}{
		{
			name:   "no roles",
			caller: Caller{User: "bob"},
			want: []string{
				"You are bob, with no roles",
				"You may run: incident_ack, oncall_next.",
				"restart_service (needs ops)", "deploy (needs ops or deployer)", "extend_trial (needs support)",
				"purge_cache (no role may run it)", "page_team (only in #ops)",
			},
			wantNot: []string{"help", "whoami"},
		},
		{
			name:   "ops, without deployer, in the ops channel",
			caller: Caller{User: "jason", Roles: []string{"ops"}, Channel: "#ops"},
			want: []string{
				"You are jason, with the role ops.",
				"restart_service, deploy (not with environment production: needs deployer), incident_ack, oncall_next, page_team.",
				"Not you: extend_trial (needs support), purge_cache (no role may run it).",
			},
		},
		{
			name:   "several roles",
			caller: Caller{User: "alice", Roles: []string{"ops", "deployer", "support"}, Channel: "general"},
			want: []string{
				"You are alice, with the roles ops, deployer and support.",
				"You may run: restart_service, deploy, incident_ack, extend_trial, oncall_next.",
				"page_team (only in #ops)",
			},
			wantNot: []string{"not with environment production"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := whoami.Bind(nil, tt.caller)
			if err != nil {
				t.Fatal(err)
			}
			res, err := whoami.Executor.Execute(context.Background(), Call{Skill: whoami, Args: args, Caller: tt.caller})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("answer lacks %q:\n%s", w, res.Text)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(res.Text, w) {
					t.Errorf("answer has %q:\n%s", w, res.Text)
				}
			}
		})
	}
}

func TestJoinWith(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"ops"}, "ops"},
		{[]string{"ops", "deployer"}, "ops or deployer"},
		{[]string{"ops", "ops", "deployer", "support"}, "ops, deployer or support"},
	}
	for _, tt := range tests {
		if got := joinOr(tt.in); got != tt.want {
			t.Errorf("joinOr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
