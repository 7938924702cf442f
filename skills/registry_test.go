package skills

import (
	"slices"
	"strings"
	"testing"
)

func TestNewRegistry(t *testing.T) {
	a := &Skill{Name: "a", Executor: nop}
	b := &Skill{Name: "b_2", Executor: nop, Risk: Write, NoConfirm: true}
	c := deploySkill()
	r, err := NewRegistry(c, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.All(); !slices.Equal(got, []*Skill{c, a, b}) {
		t.Errorf("All() = %v, want declaration order", names(got))
	}
	all := r.All()
	all[0] = nil
	if r.All()[0] != c {
		t.Error("All() returns the registry's own slice; a caller changed it")
	}
	for _, s := range []*Skill{a, b, c} {
		got, ok := r.Lookup(s.Name)
		if !ok || got != s {
			t.Errorf("Lookup(%q) = %v, %v", s.Name, got, ok)
		}
	}
	for _, n := range []string{"", "A", "deploy ", "nope"} {
		if s, ok := r.Lookup(n); ok || s != nil {
			t.Errorf("Lookup(%q) = %v, %v; want nothing", n, s, ok)
		}
	}
	empty, err := NewRegistry()
	if err != nil || len(empty.All()) != 0 {
		t.Errorf("NewRegistry() = %v, %v", empty, err)
	}
}

func names(ss []*Skill) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestNewRegistryErrors(t *testing.T) {
	text := MustType(TypeSpec{Name: "text"})
	env := MustType(TypeSpec{Name: "enum", Values: []string{"production", "staging"}})
	tests := []struct {
		name   string
		skills []*Skill
		want   string
	}{
		{"duplicate names", []*Skill{{Name: "a", Executor: nop}, {Name: "b", Executor: nop}, {Name: "a", Executor: nop}}, `skill "a" is declared twice`},
		{"no executor", []*Skill{{Name: "a"}}, "skill a: no executor"},
		{"empty name", []*Skill{{Executor: nop}}, `skill name ""`},
		{"name with a space", []*Skill{{Name: "restart service", Executor: nop}}, `skill name "restart service"`},
		{"upper-case name", []*Skill{{Name: "Restart", Executor: nop}}, `skill name "Restart"`},
		{"option-like name", []*Skill{{Name: "-x", Executor: nop}}, `skill name "-x"`},
		{"parameter without type", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "p"}}}}, `skill a: parameter "p" has no type`},
		{"parameter twice", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "p", Type: text}, {Name: "p", Type: text}}}}, `parameter "p" is declared twice`},
		{"required without question", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "p", Type: text, Required: true}}}}, `skill a: required parameter "p" needs a question`},
		{"invalid default", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "env", Type: env, Default: "moon"}}}}, `skill a: default of "env": it must be one of production, staging`},
		{"hostile default", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "n", Type: MustType(TypeSpec{Name: "int"}), Default: "1;reboot"}}}}, `default of "n"`},
		{"rule on unknown parameter", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "env", Type: env}}, Rules: []Rule{{Param: "environment", Value: "production", Roles: []string{"deployer"}}}}}, `skill a: rule names unknown parameter "environment"`},
		{"rule without roles", []*Skill{{Name: "a", Executor: nop, Params: []Param{{Name: "env", Type: env}}, Rules: []Rule{{Param: "env", Value: "production"}}}}, "rule on env=production names no roles"},
		{"dangerous without confirmation", []*Skill{{Name: "a", Executor: nop, Risk: Dangerous, NoConfirm: true}}, "skill a: a dangerous skill cannot skip confirmation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRegistry(tt.skills...)
			if err == nil {
				t.Fatalf("NewRegistry = %v, want an error", names(r.All()))
			}
			if r != nil {
				t.Errorf("NewRegistry returned a registry with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNewRegistryAcceptsUserDefault(t *testing.T) {
	// "$user" is resolved at Bind time, so it is not parsed when the
	// catalog is built.
	s := &Skill{Name: "a", Executor: nop, Params: []Param{{Name: "who", Type: MustType(TypeSpec{Name: "person"}), Default: "$user"}}}
	if _, err := NewRegistry(s); err != nil {
		t.Fatal(err)
	}
}
