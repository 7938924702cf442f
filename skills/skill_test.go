package skills

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

var nop = ExecutorFunc(func(context.Context, Call) (Result, error) { return Result{Text: "done."}, nil })

// deploySkill is shaped like the catalog's deploy, with an optional
// secret, a $user default and an optional parameter without default.
func deploySkill() *Skill {
	return &Skill{
		Name:        "deploy",
		Description: "Deploy an app to an environment.",
		Risk:        Dangerous,
		Roles:       []string{"ops", "deployer"},
		Rules:       []Rule{{Param: "environment", Value: "production", Roles: []string{"deployer"}}},
		Confirm:     "Deploy {app} {version} to {environment}?",
		Params: []Param{
			{Name: "app", Type: MustType(TypeSpec{Name: "name", Values: []string{"checkout", "billing"}, Open: true}), Required: true, Question: "Which app?"},
			{Name: "environment", Type: MustType(TypeSpec{Name: "enum", Values: []string{"production", "staging"}, Synonyms: map[string][]string{"production": {"prod"}}}), Required: true, Question: "Where?"},
			{Name: "version", Type: MustType(TypeSpec{Name: "version"}), Default: "latest"},
			{Name: "by", Type: MustType(TypeSpec{Name: "person"}), Default: "$user"},
			{Name: "token", Type: MustType(TypeSpec{Name: "text"}), Secret: true},
			{Name: "wait", Type: MustType(TypeSpec{Name: "duration"})},
			{Name: "replicas", Type: MustType(TypeSpec{Name: "int", Min: 1, Max: 10})},
		},
		Executor: nop,
	}
}

func TestBind(t *testing.T) {
	alice := Caller{User: "Alice", Roles: []string{"ops"}, Channel: "C1"}
	tests := []struct {
		name string
		raw  map[string]string
		who  Caller
		want map[string]string // canonical values
	}{
		{
			name: "required only, defaults filled",
			raw:  map[string]string{"app": "Checkout", "environment": "prod"},
			who:  alice,
			want: map[string]string{"app": "checkout", "environment": "production", "version": "latest", "by": "alice"},
		},
		{
			name: "given values win over defaults",
			raw:  map[string]string{"app": "billing", "environment": "staging", "version": "v2.1.0", "by": "<@bob>"},
			who:  alice,
			want: map[string]string{"app": "billing", "environment": "staging", "version": "v2.1.0", "by": "bob"},
		},
		{
			name: "every parameter",
			raw: map[string]string{"app": "chekout", "environment": "production", "token": "s3cr3t token",
				"wait": "1h30m", "replicas": "three"},
			who: alice,
			want: map[string]string{"app": "checkout", "environment": "production", "version": "latest", "by": "alice",
				"token": "s3cr3t token", "wait": "1h30m0s", "replicas": "3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := deploySkill()
			args, err := s.Bind(tt.raw, tt.who)
			if err != nil {
				t.Fatalf("Bind(%v): %v", tt.raw, err)
			}
			if got := args.Canonical(); !maps.Equal(got, tt.want) {
				t.Errorf("Canonical() = %v, want %v", got, tt.want)
			}
			if got, want := args.Names(), slices.Sorted(maps.Keys(tt.want)); !slices.Equal(got, want) {
				t.Errorf("Names() = %v, want %v", got, want)
			}
			if args.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", args.Len(), len(tt.want))
			}
			for name, want := range tt.want {
				if got := args.String(name); got != want {
					t.Errorf("String(%q) = %q, want %q", name, got, want)
				}
				v, ok := args.Get(name)
				if !ok || v.String() != want || v.Type() != s.Param(name).Type.Name() {
					t.Errorf("Get(%q) = %+v, %v", name, v, ok)
				}
			}
		})
	}
}

func TestBindTypedAccessors(t *testing.T) {
	args, err := deploySkill().Bind(map[string]string{"app": "checkout", "environment": "staging", "wait": "an hour", "replicas": "7"}, Caller{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got := args.Duration("wait"); got != time.Hour {
		t.Errorf("Duration(wait) = %v, want 1h", got)
	}
	if got := args.Int("replicas"); got != 7 {
		t.Errorf("Int(replicas) = %d, want 7", got)
	}
	if _, ok := args.Get("token"); ok {
		t.Error("Get(token) found an optional parameter that was not given and has no default")
	}
	if args.String("token") != "" || args.Int("nope") != 0 || args.Duration("nope") != 0 {
		t.Error("accessors of absent arguments are not zero")
	}
}

func TestBindErrors(t *testing.T) {
	tests := []struct {
		name        string
		raw         map[string]string
		who         Caller
		wantMissing bool
		wantParam   string // the *ParamError's parameter, if one is expected
		wantText    string // part of the error message
	}{
		{"missing first required", map[string]string{"environment": "staging"}, Caller{User: "alice"}, true, "", "deploy needs app"},
		{"missing second required", map[string]string{"app": "checkout"}, Caller{User: "alice"}, true, "", "deploy needs environment"},
		{"nothing at all", nil, Caller{User: "alice"}, true, "", "deploy needs app"},
		{"unknown parameter", map[string]string{"app": "checkout", "environment": "staging", "colour": "red"}, Caller{User: "alice"}, false, "", `deploy has no parameter "colour"`},
		{"invalid enum value", map[string]string{"app": "checkout", "environment": "moon"}, Caller{User: "alice"}, false, "environment", "environment: it must be one of production, staging"},
		{"invalid open name", map[string]string{"app": "my app", "environment": "staging"}, Caller{User: "alice"}, false, "app", "app: a name is"},
		{"invalid optional value", map[string]string{"app": "checkout", "environment": "staging", "replicas": "11"}, Caller{User: "alice"}, false, "replicas", "replicas: it must be a whole number from 1 to 10"},
		{"hostile value", map[string]string{"app": "checkout;reboot", "environment": "staging"}, Caller{User: "alice"}, false, "app", "app: "},
		{"$user without a user", map[string]string{"app": "checkout", "environment": "staging"}, Caller{}, false, "by", "by: "},
		{"$user that is no name", map[string]string{"app": "checkout", "environment": "staging"}, Caller{User: "Alice Smith"}, false, "by", "by: a name is"},
		{"empty required value", map[string]string{"app": "", "environment": "staging"}, Caller{User: "alice"}, false, "app", "app: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := deploySkill().Bind(tt.raw, tt.who)
			if err == nil {
				t.Fatalf("Bind(%v) = %v, want an error", tt.raw, args.Canonical())
			}
			if args.Len() != 0 {
				t.Errorf("Bind failed but returned %d arguments", args.Len())
			}
			if got := errors.Is(err, ErrMissing); got != tt.wantMissing {
				t.Errorf("errors.Is(%v, ErrMissing) = %v, want %v", err, got, tt.wantMissing)
			}
			var pe *ParamError
			switch {
			case tt.wantParam == "" && errors.As(err, &pe):
				t.Errorf("error %v is a *ParamError for %q, want none", err, pe.Param)
			case tt.wantParam != "" && !errors.As(err, &pe):
				t.Errorf("error %v (%T) is not a *ParamError", err, err)
			case tt.wantParam != "" && pe.Param != tt.wantParam:
				t.Errorf("ParamError.Param = %q, want %q", pe.Param, tt.wantParam)
			case tt.wantParam != "" && (pe.Err == nil || errors.Unwrap(pe) != pe.Err):
				t.Errorf("ParamError does not unwrap to its reason: %#v", pe)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantText)
			}
		})
	}
}

// TestSecretsAreMasked checks that a secret parameter's value is shown
// nowhere a person or a log sees it, while executors still get it.
func TestSecretsAreMasked(t *testing.T) {
	s := deploySkill()
	s.Confirm = "Deploy {app} with {token}?"
	args, err := s.Bind(map[string]string{"app": "checkout", "environment": "staging", "token": "hunter2"}, Caller{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got := args.Canonical()["token"]; got != "hunter2" {
		t.Errorf("Canonical()[token] = %q, want the value itself", got)
	}
	if got := args.String("token"); got != "hunter2" {
		t.Errorf("String(token) = %q, want the value itself", got)
	}
	v, _ := args.Get("token")
	if v.String() != "hunter2" {
		t.Errorf("Value.String() = %q, want the value itself", v.String())
	}
	if got := v.Display(); got != "••••" {
		t.Errorf("Value.Display() = %q, want it masked", got)
	}
	red := args.Redacted()
	if got := red["token"]; got != "••••" {
		t.Errorf("Redacted()[token] = %q, want it masked", got)
	}
	if got := red["app"]; got != "checkout" {
		t.Errorf("Redacted()[app] = %q, want a public value shown as it is", got)
	}
	if got := Render(s.Confirm, args); got != "Deploy checkout with ••••?" {
		t.Errorf("Render = %q, want the secret masked", got)
	}
	for k, shown := range red {
		if strings.Contains(shown, "hunter2") {
			t.Errorf("Redacted()[%s] = %q shows the secret", k, shown)
		}
	}
}

func TestAllowed(t *testing.T) {
	bind := func(s *Skill, raw map[string]string) Args {
		t.Helper()
		args, err := s.Bind(raw, Caller{User: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		return args
	}
	deploy := deploySkill()
	open := &Skill{Name: "open", Params: deploy.Params, Executor: nop}
	openRuled := &Skill{Name: "open_ruled", Params: deploy.Params, Executor: nop, Rules: deploy.Rules}
	upper := deploySkill()
	upper.Rules = []Rule{{Param: "environment", Value: "PRODUCTION", Roles: []string{"deployer"}}}
	onAbsent := deploySkill()
	onAbsent.Rules = []Rule{{Param: "token", Value: "x", Roles: []string{"root"}}}
	prod := map[string]string{"app": "checkout", "environment": "prod"}
	staging := map[string]string{"app": "checkout", "environment": "staging"}
	tests := []struct {
		name       string
		skill      *Skill
		roles      []string
		raw        map[string]string
		wantOK     bool
		wantNeeded []string
	}{
		{"no roles", deploy, nil, staging, false, []string{"ops", "deployer"}},
		{"unrelated role", deploy, []string{"support"}, staging, false, []string{"ops", "deployer"}},
		{"base role", deploy, []string{"ops"}, staging, true, nil},
		{"other base role", deploy, []string{"support", "deployer"}, staging, true, nil},
		{"rule denies", deploy, []string{"ops"}, prod, false, []string{"deployer"}},
		{"rule allows", deploy, []string{"deployer"}, prod, true, nil},
		{"rule value in other case", upper, []string{"ops"}, prod, false, []string{"deployer"}},
		{"role names are exact", deploy, []string{"OPS"}, staging, false, []string{"ops", "deployer"}},
		{"no base roles means everyone", open, nil, prod, true, nil},
		{"rule applies without base roles", openRuled, []string{"support"}, prod, false, []string{"deployer"}},
		{"rule on an absent parameter is skipped", onAbsent, []string{"ops"}, staging, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, needed := tt.skill.Allowed(tt.roles, bind(tt.skill, tt.raw))
			if ok != tt.wantOK || !slices.Equal(needed, tt.wantNeeded) {
				t.Errorf("Allowed(%v) = %v, %v; want %v, %v", tt.roles, ok, needed, tt.wantOK, tt.wantNeeded)
			}
		})
	}
}

func TestNeedsConfirmation(t *testing.T) {
	tests := []struct {
		risk      Risk
		noConfirm bool
		want      bool
	}{
		{Read, false, false},
		{Read, true, false},
		{Write, false, true},
		{Write, true, false},
		{Dangerous, false, true},
		{Dangerous, true, true},
		{Risk(9), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.risk.String(), func(t *testing.T) {
			s := &Skill{Name: "x", Risk: tt.risk, NoConfirm: tt.noConfirm}
			if got := s.NeedsConfirmation(); got != tt.want {
				t.Errorf("%s NoConfirm=%v: NeedsConfirmation() = %v, want %v", tt.risk, tt.noConfirm, got, tt.want)
			}
		})
	}
}

func TestRisk(t *testing.T) {
	for _, r := range []Risk{Read, Write, Dangerous} {
		got, err := ParseRisk(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRisk(%q) = %v, %v; want %v", r.String(), got, err, r)
		}
	}
	for _, s := range []string{"", "Read", "harmless", "dangerous "} {
		if _, err := ParseRisk(s); err == nil || !strings.Contains(err.Error(), "want read, write or dangerous") {
			t.Errorf("ParseRisk(%q) error = %v, want one naming the risks", s, err)
		}
	}
	if got := Risk(7).String(); got != "risk(7)" {
		t.Errorf("Risk(7).String() = %q", got)
	}
}

func TestEntityTypes(t *testing.T) {
	host := MustType(TypeSpec{Name: "host"})
	tests := []struct {
		p    Param
		want []string
	}{
		{Param{Name: "target", Type: host}, []string{"target", "host", "ip", "hostname", "fqdn"}},
		{Param{Name: "host", Type: host}, []string{"host", "ip", "hostname", "fqdn"}},
		{Param{Name: "host", Type: host, Entities: []string{"server"}}, []string{"server"}},
		{Param{Name: "service", Type: MustType(TypeSpec{Name: "name"})}, []string{"service"}},
	}
	for _, tt := range tests {
		t.Run(tt.p.Name, func(t *testing.T) {
			if got := tt.p.EntityTypes(); !slices.Equal(got, tt.want) {
				t.Errorf("EntityTypes() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	s := deploySkill()
	tests := []struct {
		raw  map[string]string
		want []string
	}{
		{nil, []string{"app", "environment"}},
		{map[string]string{"environment": "x"}, []string{"app"}},
		{map[string]string{"app": "", "environment": "x"}, nil}, // present, if empty
		{map[string]string{"version": "1"}, []string{"app", "environment"}},
	}
	for _, tt := range tests {
		if got := s.Missing(tt.raw); !slices.Equal(got, tt.want) {
			t.Errorf("Missing(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
	if s.Param("nope") != nil {
		t.Error(`Param("nope") is not nil`)
	}
	if p := s.Param("version"); p == nil || p != &s.Params[2] {
		t.Error(`Param("version") does not point into the skill's parameters`)
	}
}

func TestRender(t *testing.T) {
	s := deploySkill()
	s.Params = append(s.Params, Param{Name: "note", Type: MustType(TypeSpec{Name: "text"})})
	args, err := s.Bind(map[string]string{"app": "checkout", "environment": "prod", "token": "hunter2", "note": "{app} and {token}"}, Caller{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ tmpl, want string }{
		{"", ""},
		{"no placeholders", "no placeholders"},
		{"Deploy {app} {version} to {environment}?", "Deploy checkout latest to production?"},
		{"{app}{environment}", "checkoutproduction"},
		{"{app} {app}", "checkout checkout"},
		{"by {by}", "by alice"},
		{"{unknown} stays", "{unknown} stays"},
		{"{replicas} is absent", "{replicas} is absent"},
		{"{}", "{}"},
		{"{ app }", "{ app }"},
		{"{APP}", "{APP}"},
		{"open { brace", "open { brace"},
		{"trailing {app", "trailing {app"},
		{"close } brace {app}", "close } brace checkout"},
		{"{{app}}", "{{app}}"},
		{"secret {token}", "secret ••••"},
		{"note: {note}", "note: {app} and {token}"}, // values are not expanded again
		{"“{app}” ✓", "“checkout” ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			if got := Render(tt.tmpl, args); got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}
}

func TestErrorTypes(t *testing.T) {
	err := Errorf("no incident #%d", 42)
	var ue *UserError
	if !errors.As(err, &ue) || ue.Msg != "no incident #42" || err.Error() != "no incident #42" {
		t.Errorf("Errorf = %#v", err)
	}
	pe := &ParamError{Param: "host", Err: errors.New("that is not a valid host name")}
	if pe.Error() != "host: that is not a valid host name" {
		t.Errorf("ParamError.Error() = %q", pe.Error())
	}
}

func TestDenyByDefaultAndChannels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		skill Skill
		roles []string
		ok    bool
	}{
		{"read without roles is open", Skill{Risk: Read}, nil, true},
		{"write without roles is closed", Skill{Risk: Write}, []string{"ops", "admin"}, false},
		{"dangerous without roles is closed", Skill{Risk: Dangerous}, []string{"ops"}, false},
		{"everyone opens a write skill", Skill{Risk: Write, Roles: []string{Everyone}}, nil, true},
		{"a named role", Skill{Risk: Dangerous, Roles: []string{"ops"}}, []string{"ops"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ok, needed := tc.skill.Allowed(tc.roles, Args{}); ok != tc.ok || (!ok && len(tc.skill.Roles) == 0 && needed != nil) {
				t.Fatalf("Allowed = %v, %v", ok, needed)
			}
		})
	}
	s := Skill{Channels: []string{"ops"}}
	for ch, want := range map[string]bool{"ops": true, "#ops": true, "random": false, "": false} {
		if got := s.AllowedIn(ch); got != want {
			t.Errorf("AllowedIn(%q) = %v", ch, got)
		}
	}
	if !(&Skill{}).AllowedIn("anywhere") {
		t.Error("a skill without channels is allowed everywhere")
	}
}
