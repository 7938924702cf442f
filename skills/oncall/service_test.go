package oncall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

func whoSkill() *skills.Skill {
	return &skills.Skill{Name: "oncall_who", Params: []skills.Param{
		{Name: "team", Type: skills.MustType(skills.TypeSpec{Name: "name"})},
		{Name: "at", Type: skills.MustType(skills.TypeSpec{Name: "when"})},
	}}
}

func nextSkill() *skills.Skill {
	return &skills.Skill{Name: "oncall_next", Params: []skills.Param{
		{Name: "person", Type: skills.MustType(skills.TypeSpec{Name: "person"}), Default: "$user"},
	}}
}

func run(t *testing.T, ex skills.Executor, sk *skills.Skill, raw map[string]string, user string) (string, error) {
	t.Helper()
	caller := skills.Caller{User: user}
	args, err := sk.Bind(raw, caller)
	if err != nil {
		t.Fatalf("Bind(%v): %v", raw, err)
	}
	res, err := ex.Execute(context.Background(), skills.Call{Skill: sk, Args: args, Caller: caller})
	return res.Text, err
}

// service is set on Friday 20 November 2026, 11:00 in Berlin.
func service(t *testing.T) *Service {
	t.Helper()
	loc := berlin(t)
	now := utc("2026-11-20T10:00:00Z")
	s, err := New([]Rotation{
		{Team: "payments", Members: []string{"alice", "bob"}, Shift: 7 * 24 * time.Hour, Handoff: "09:00", Location: loc, Start: date(2026, 11, 16)},
		{Team: "search", Members: []string{"bob", "dan"}, Shift: 24 * time.Hour, Handoff: "09:00", Location: loc, Start: date(2026, 11, 20),
			Overrides: []Override{{Person: "erin", From: utc("2026-11-01T00:00:00Z"), To: utc("2026-11-02T00:00:00Z")}}},
		{Team: "platform", Members: []string{"pat", "quinn"}, Shift: 14 * 24 * time.Hour, Handoff: "09:00", Location: loc, Start: date(2026, 11, 16)},
	}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWho(t *testing.T) {
	s := service(t)
	tests := []struct {
		team string
		want string
	}{
		{"payments", "alice is on call for payments until Mon 09:00 CET (then bob)."},
		{"Search", "bob is on call for search until Sat 09:00 CET (then dan)."},
		{"platform", "pat is on call for platform until Mon 30 Nov 09:00 CET (then quinn)."},
		{"", "• alice is on call for payments until Mon 09:00 CET (then bob).\n" +
			"• bob is on call for search until Sat 09:00 CET (then dan).\n" +
			"• pat is on call for platform until Mon 30 Nov 09:00 CET (then quinn)."},
	}
	for _, tt := range tests {
		t.Run(tt.team, func(t *testing.T) {
			raw := map[string]string{}
			if tt.team != "" {
				raw["team"] = tt.team
			}
			got, err := run(t, s.Who(), whoSkill(), raw, "zoe")
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

// TestWhoAt asks about other moments than now: the shift covering that
// moment is named, in the past tense for the past.
func TestWhoAt(t *testing.T) {
	s := service(t) // Friday 20 November 2026, 11:00 in Berlin
	tests := []struct{ team, at, want string }{
		{"payments", "now", "alice is on call for payments until Mon 09:00 CET (then bob)."},
		{"payments", "next week", "On Mon 23 Nov 12:00 CET, bob is on call for payments (until Mon 30 Nov 09:00 CET)."},
		{"payments", "mon 08:00", "On Mon 23 Nov 08:00 CET, alice is on call for payments (until Mon 09:00 CET)."},
		{"search", "tomorrow", "On Sat 21 Nov 12:00 CET, dan is on call for search (until Sun 09:00 CET)."},
		{"search", "yesterday", "On Thu 19 Nov 12:00 CET, dan was on call for search (until Fri 09:00 CET)."},
		{"search", "2026-11-01", "On Sun 1 Nov 12:00 CET, erin was on call for search (until Mon 01:00 CET)."},
		{"search", "nov 1", "On Mon 1 Nov 2027 12:00 CET, bob is on call for search (until Tue 09:00 CET)."},
		{"", "in 3 days", "• On Mon 23 Nov 11:00 CET, bob is on call for payments (until Mon 30 Nov 09:00 CET).\n" +
			"• On Mon 23 Nov 11:00 CET, dan is on call for search (until Tue 09:00 CET).\n" +
			"• On Mon 23 Nov 11:00 CET, pat is on call for platform (until Mon 30 Nov 09:00 CET)."},
	}
	for _, tt := range tests {
		t.Run(tt.team+" "+tt.at, func(t *testing.T) {
			raw := map[string]string{"at": tt.at}
			if tt.team != "" {
				raw["team"] = tt.team
			}
			got, err := run(t, s.Who(), whoSkill(), raw, "zoe")
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestWhoUnknownTeam(t *testing.T) {
	_, err := run(t, service(t).Who(), whoSkill(), map[string]string{"team": "billing"}, "zoe")
	var ue *skills.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "billing") || !strings.Contains(ue.Msg, "payments, search, platform") {
		t.Errorf("got %v, want a user error naming billing and the known teams", err)
	}
}

func TestNextExecutor(t *testing.T) {
	s := service(t)
	tests := []struct {
		name   string
		person string // "" means the default, the asker
		asker  string
		want   string
	}{
		{"on call now and later", "bob", "zoe", "• bob is on call for search right now, until Sat 09:00 CET.\n" +
			"• bob's next shift on payments: Mon 23 Nov 09:00 – Mon 30 Nov 09:00 CET."},
		{"the asker, on call now", "", "alice", "alice is on call for payments right now, until Mon 09:00 CET."},
		{"later, as a mention", "@Dan", "zoe", "dan's next shift on search: Sat 21 Nov 09:00 – Sun 22 Nov 09:00 CET."},
		{"only a past override", "erin", "zoe", "erin has no upcoming shift on search."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]string{}
			if tt.person != "" {
				raw["person"] = tt.person
			}
			got, err := run(t, s.Next(), nextSkill(), raw, tt.asker)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestNextNotInRotation(t *testing.T) {
	_, err := run(t, service(t).Next(), nextSkill(), nil, "zoe")
	var ue *skills.UserError
	if !errors.As(err, &ue) || ue.Msg != "zoe is not in any on-call rotation." {
		t.Errorf("got %v, want the user error for zoe", err)
	}
}

func TestNextAcrossDSTChange(t *testing.T) {
	r := daily(t)
	r.Overrides = nil
	s, err := New([]Rotation{r}, func() time.Time { return utc("2026-10-23T10:00:00Z") })
	if err != nil {
		t.Fatal(err)
	}
	got, err := run(t, s.Next(), nextSkill(), map[string]string{"person": "b"}, "zoe")
	want := "b's next shift on daily: Sat 24 Oct 09:00 CEST – Sun 25 Oct 09:00 CET."
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
}

func TestNew(t *testing.T) {
	loc := berlin(t)
	r := Rotation{Team: "payments", Members: []string{"alice", "bob"}, Shift: 24 * time.Hour, Handoff: "09:00", Location: loc, Start: date(2026, 1, 1)}
	dup := r
	dup.Team = "Payments"
	if _, err := New([]Rotation{r, dup}, nil); err == nil || !strings.Contains(err.Error(), "two rotations") {
		t.Errorf("duplicate team: got %v", err)
	}
	bad := r
	bad.Handoff = "9am"
	if _, err := New([]Rotation{bad}, nil); err == nil || !strings.Contains(err.Error(), "HH:MM") {
		t.Errorf("bad rotation: got %v", err)
	}

	in := []Rotation{r}
	s, err := New(in, func() time.Time { return utc("2026-01-01T12:00:00Z") })
	if err != nil {
		t.Fatal(err)
	}
	in[0].Members[0] = "mallory"
	got, err := run(t, s.Who(), whoSkill(), map[string]string{"team": "payments"}, "zoe")
	if err != nil || !strings.HasPrefix(got, "alice is on call") {
		t.Errorf("after changing the input: got %q, %v; New must copy its rotations", got, err)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sk := whoSkill()
	args, err := sk.Bind(nil, skills.Caller{User: "zoe"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service(t).Who().Execute(ctx, skills.Call{Skill: sk, Args: args}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
