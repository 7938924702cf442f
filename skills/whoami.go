package skills

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// WhoAmI is the executor of the whoami skill: it tells the asker whom the
// bot takes them for, their roles, and what of the catalog they may run
// where they asked, and what not and why, so that access control is never
// a guess. catalog is called on every request, like Help's.
func WhoAmI(catalog func() []*Skill) Executor {
	return ExecutorFunc(func(ctx context.Context, call Call) (Result, error) {
		who := call.Caller
		var b strings.Builder
		switch len(who.Roles) {
		case 0:
			fmt.Fprintf(&b, "You are %s, with no roles: you may run what is open to everyone.", who.User)
		case 1:
			fmt.Fprintf(&b, "You are %s, with the role %s.", who.User, who.Roles[0])
		default:
			fmt.Fprintf(&b, "You are %s, with the roles %s.", who.User, joinAnd(who.Roles))
		}
		var may, not []string
		for _, s := range catalog() {
			if s.Name == "help" || s.Name == "whoami" || s.Executor == nil {
				continue
			}
			ok, needed := s.Allowed(who.Roles, Args{})
			switch {
			case !ok && len(needed) == 0:
				not = append(not, s.Name+" (no role may run it)")
			case !ok:
				not = append(not, fmt.Sprintf("%s (needs %s)", s.Name, joinOr(needed)))
			case !s.AllowedIn(who.Channel):
				chans := make([]string, len(s.Channels))
				for i, c := range s.Channels {
					chans[i] = "#" + strings.TrimPrefix(c, "#")
				}
				not = append(not, fmt.Sprintf("%s (only in %s)", s.Name, joinOr(chans)))
			default:
				may = append(may, s.Name+limits(s, who.Roles))
			}
		}
		if len(may) > 0 {
			b.WriteString("\nYou may run: " + strings.Join(may, ", ") + ".")
		}
		if len(not) > 0 {
			b.WriteString("\nNot you: " + strings.Join(not, ", ") + ".")
		}
		return Result{Text: b.String()}, nil
	})
}

// limits says which of a skill's rules the roles do not meet, like
// " (not with environment production: needs deployer)", or "".
func limits(s *Skill, roles []string) string {
	var out []string
	for _, r := range s.Rules {
		if !anyIn(roles, r.Roles) {
			out = append(out, fmt.Sprintf("not with %s %s: needs %s", r.Param, r.Value, joinOr(r.Roles)))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return " (" + strings.Join(out, "; ") + ")"
}

func joinAnd(xs []string) string { return joinWith(xs, "and") }
func joinOr(xs []string) string  { return joinWith(xs, "or") }

func joinWith(xs []string, word string) string {
	xs = slices.Compact(slices.Clone(xs))
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " " + word + " " + xs[len(xs)-1]
}
