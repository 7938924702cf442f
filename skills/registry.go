package skills

import (
	"fmt"
	"slices"
)

// Registry is an ordered, immutable-after-build catalog of skills.
type Registry struct {
	order  []*Skill
	byName map[string]*Skill
}

// NewRegistry checks and indexes skills. Names must be unique, and every
// skill needs an executor and parameters with types.
func NewRegistry(list ...*Skill) (*Registry, error) {
	r := &Registry{byName: make(map[string]*Skill, len(list))}
	for _, s := range list {
		if err := s.check(); err != nil {
			return nil, err
		}
		if _, dup := r.byName[s.Name]; dup {
			return nil, fmt.Errorf("skill %q is declared twice", s.Name)
		}
		r.byName[s.Name] = s
		r.order = append(r.order, s)
	}
	return r, nil
}

func (s *Skill) check() error {
	if !nameRE.MatchString(s.Name) {
		return fmt.Errorf("skill name %q: use lower-case letters, digits and underscores", s.Name)
	}
	if s.Executor == nil {
		return fmt.Errorf("skill %s: no executor", s.Name)
	}
	seen := map[string]bool{}
	for _, p := range s.Params {
		if p.Type == nil {
			return fmt.Errorf("skill %s: parameter %q has no type", s.Name, p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("skill %s: parameter %q is declared twice", s.Name, p.Name)
		}
		seen[p.Name] = true
		if p.Required && p.Question == "" {
			return fmt.Errorf("skill %s: required parameter %q needs a question", s.Name, p.Name)
		}
		if p.Default != "" && p.Default != "$user" {
			if _, err := p.Type.Parse(p.Default); err != nil {
				return fmt.Errorf("skill %s: default of %q: %w", s.Name, p.Name, err)
			}
		}
	}
	for _, r := range s.Rules {
		p := s.Param(r.Param)
		if p == nil {
			return fmt.Errorf("skill %s: rule names unknown parameter %q", s.Name, r.Param)
		}
		if len(r.Roles) == 0 {
			return fmt.Errorf("skill %s: rule on %s=%s names no roles", s.Name, r.Param, r.Value)
		}
	}
	if s.Risk == Dangerous && s.NoConfirm {
		return fmt.Errorf("skill %s: a dangerous skill cannot skip confirmation", s.Name)
	}
	return nil
}

// Lookup returns the named skill.
func (r *Registry) Lookup(name string) (*Skill, bool) {
	s, ok := r.byName[name]
	return s, ok
}

// All returns the skills in declaration order.
func (r *Registry) All() []*Skill { return slices.Clone(r.order) }
