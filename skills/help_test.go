package skills

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// helpCatalog is a small catalog: one skill for everyone, one for ops, one
// for support, and help itself.
func helpCatalog(t *testing.T) []*Skill {
	t.Helper()
	var list []*Skill
	help := &Skill{
		Name: "help", Description: "Show what I can do.",
		Params: []Param{{Name: "topic", Type: MustType(TypeSpec{Name: "text", MaxLen: 60})}},
	}
	help.Executor = Help(func() []*Skill { return list })
	list = []*Skill{
		{
			Name: "restart_service", Description: "Restart a Service on a host.", Risk: Dangerous, Roles: []string{"ops"},
			Params: []Param{
				{Name: "service", Type: MustType(TypeSpec{Name: "name", Values: []string{"apache", "nginx"}, Open: true}), Required: true, Question: "Which?"},
				{Name: "host", Type: MustType(TypeSpec{Name: "host"}), Default: "localhost"},
			},
			Executor: nop,
		},
		deploySkill(),
		{
			Name: "incident_ack", Description: "Acknowledge an incident.", Risk: Write, NoConfirm: true, Roles: []string{Everyone},
			Params:   []Param{{Name: "incident", Type: MustType(TypeSpec{Name: "incident"}), Required: true, Question: "Which?"}},
			Executor: nop,
		},
		{
			Name: "extend_trial", Description: "Extend a customer's trial.", Risk: Dangerous, Roles: []string{"support"},
			Executor: nop,
		},
		{
			Name: "oncall_next", Description: "Tell when someone is next on call.", Risk: Read,
			Params:   []Param{{Name: "person", Type: MustType(TypeSpec{Name: "person"}), Default: "$user"}},
			Executor: nop,
		},
		help,
	}
	if _, err := NewRegistry(list...); err != nil {
		t.Fatal(err)
	}
	return list
}

func runHelp(t *testing.T, list []*Skill, roles []string, topic string) (Result, error) {
	t.Helper()
	help := list[len(list)-1]
	raw := map[string]string{}
	if topic != "" {
		raw["topic"] = topic
	}
	who := Caller{User: "alice", Roles: roles}
	args, err := help.Bind(raw, who)
	if err != nil {
		t.Fatalf("Bind(topic=%q): %v", topic, err)
	}
	return help.Executor.Execute(context.Background(), Call{Skill: help, Args: args, Caller: who})
}

func TestHelpLists(t *testing.T) {
	list := helpCatalog(t)
	tests := []struct {
		name    string
		roles   []string
		want    []string // skills listed, in this order
		wantNot []string
	}{
		{"no roles", nil, []string{"incident_ack", "oncall_next"}, []string{"restart_service", "deploy", "extend_trial", "• help"}},
		{"ops", []string{"ops"}, []string{"restart_service", "deploy", "incident_ack", "oncall_next"}, []string{"extend_trial", "• help"}},
		{"support", []string{"support"}, []string{"incident_ack", "extend_trial", "oncall_next"}, []string{"restart_service", "deploy", "• help"}},
		{"deployer only", []string{"deployer"}, []string{"deploy", "incident_ack"}, []string{"restart_service", "extend_trial"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := runHelp(t, list, tt.roles, "")
			if err != nil {
				t.Fatal(err)
			}
			text := res.Text
			if !strings.HasPrefix(text, "Here's what I can do for you") || !strings.HasSuffix(text, "Say “help <skill>” for details.") {
				t.Errorf("help text is not framed as a list:\n%s", text)
			}
			last := -1
			for _, name := range tt.want {
				i := strings.Index(text, "• "+name+" — ")
				if i < 0 {
					t.Errorf("help for %v does not list %s:\n%s", tt.roles, name, text)
					continue
				}
				if i < last {
					t.Errorf("help lists %s out of catalog order", name)
				}
				last = i
			}
			for _, name := range tt.wantNot {
				if strings.Contains(text, name) {
					t.Errorf("help for %v mentions %q:\n%s", tt.roles, name, text)
				}
			}
		})
	}
}

func TestHelpTopic(t *testing.T) {
	list := helpCatalog(t)
	tests := []struct {
		name    string
		roles   []string
		topic   string
		want    []string
		wantNot []string
	}{
		{
			name: "one skill explained", roles: []string{"ops"}, topic: "restart_service",
			want: []string{
				"restart_service — Restart a Service on a host. (dangerous, asks for a yes first)",
				"\n  • service: name, required (apache, nginx)",
				"\n  • host: host, default: localhost",
				"\n  roles: ops",
			},
			wantNot: []string{"deploy", "incident_ack"},
		},
		{
			name: "rules and defaults", roles: []string{"deployer"}, topic: "deploy",
			want: []string{
				"deploy — Deploy an app to an environment. (dangerous, asks for a yes first)",
				"\n  • environment: enum, required (production, staging)",
				"\n  • version: version, default: latest",
				"\n  • by: person, default: you",
				"\n  • token: text, optional",
				"\n  roles: ops, deployer",
				"\n  environment production needs: deployer",
			},
		},
		{
			name: "write skill that skips confirmation", topic: "incident_ack",
			want:    []string{"incident_ack — Acknowledge an incident. (write)", "\n  • incident: incident, required"},
			wantNot: []string{"asks for a yes", "roles:"},
		},
		{
			name: "part of a name", roles: []string{"ops"}, topic: "incident",
			want: []string{"incident_ack — "}, wantNot: []string{"restart_service — "},
		},
		{
			name: "word of a description in another case", roles: []string{"ops"}, topic: "service",
			want: []string{"restart_service — "}, wantNot: []string{"deploy — "},
		},
		{
			name: "several matches", roles: []string{"ops", "support"}, topic: "on",
			want: []string{"restart_service — ", "deploy — ", "oncall_next — "},
		},
		{
			name: "a plural", roles: []string{"support"}, topic: "trials",
			want: []string{"extend_trial — "}, wantNot: []string{"deploy — "},
		},
		{
			name: "a plural of a part of several names", roles: []string{"ops"}, topic: "incidents",
			want: []string{"incident_ack — "}, wantNot: []string{"restart_service — ", "deploy — "},
		},
		{
			name: "words joined", topic: "on call",
			want: []string{"oncall_next — "}, wantNot: []string{"incident_ack — "},
		},
		{
			name: "words as a name", roles: []string{"ops"}, topic: "restart service",
			want: []string{"restart_service — "}, wantNot: []string{"deploy — "},
		},
		{
			name: "an -ing form", roles: []string{"ops", "deployer"}, topic: "deploying",
			want: []string{"deploy — "}, wantNot: []string{"restart_service — "},
		},
		{
			name: "help explains itself", topic: "help",
			want: []string{"help — Show what I can do. (read)", "\n  • topic: text, optional"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := runHelp(t, list, tt.roles, tt.topic)
			if err != nil {
				t.Fatalf("help %s: %v", tt.topic, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("help %s does not say %q:\n%s", tt.topic, w, res.Text)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(res.Text, w) {
					t.Errorf("help %s says %q:\n%s", tt.topic, w, res.Text)
				}
			}
		})
	}
}

func TestHelpTopicErrors(t *testing.T) {
	list := helpCatalog(t)
	tests := []struct {
		name  string
		roles []string
		topic string
	}{
		{"unknown topic", []string{"ops", "support"}, "weather"},
		{"skill the caller may not run", nil, "restart_service"},
		{"description of a skill the caller may not run", []string{"ops"}, "trial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := runHelp(t, list, tt.roles, tt.topic)
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("help %s = %q, %v; want a *UserError", tt.topic, res.Text, err)
			}
			if !strings.Contains(ue.Msg, "“"+tt.topic+"”") || !strings.Contains(ue.Msg, "Say “help” for the full list.") {
				t.Errorf("message %q does not name the topic and the way out", ue.Msg)
			}
		})
	}
}

func TestHelpSeesSkillsAddedLater(t *testing.T) {
	var list []*Skill
	help := Help(func() []*Skill { return list })
	call := Call{Caller: Caller{User: "alice"}}
	res, err := help.Execute(context.Background(), call)
	if err != nil || strings.Contains(res.Text, "late_skill") {
		t.Fatalf("help before = %q, %v", res.Text, err)
	}
	list = append(list, &Skill{Name: "late_skill", Description: "Added later.", Executor: nop})
	res, err = help.Execute(context.Background(), call)
	if err != nil || !strings.Contains(res.Text, "• late_skill — Added later.") {
		t.Errorf("help after = %q, %v; want the new skill listed", res.Text, err)
	}
}
