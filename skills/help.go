package skills

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Help is the executor of the help skill: it lists the skills the asker may
// run, or explains one (the "topic" argument names a skill or a word in
// its name or description). catalog is called on every request so that
// skills added later show up.
func Help(catalog func() []*Skill) Executor {
	return ExecutorFunc(func(ctx context.Context, call Call) (Result, error) {
		var mine []*Skill
		for _, s := range catalog() {
			if ok, _ := s.Allowed(call.Caller.Roles, Args{}); ok && s.AllowedIn(call.Caller.Channel) {
				mine = append(mine, s)
			}
		}
		topic := call.Args.String("topic")
		if topic != "" {
			var match []*Skill
			for _, s := range mine {
				if about(s, topic) {
					match = append(match, s)
				}
			}
			if len(match) == 0 {
				return Result{}, Errorf("I have nothing about “%s” that you can run. Say “help” for the full list.", topic)
			}
			var b strings.Builder
			for i, s := range match {
				if i > 0 {
					b.WriteString("\n")
				}
				explain(&b, s)
			}
			return Result{Text: b.String()}, nil
		}
		var b strings.Builder
		b.WriteString("Here's what I can do for you (just ask in plain words):")
		for _, s := range mine {
			if s.Name == "help" {
				continue
			}
			fmt.Fprintf(&b, "\n• %s — %s", s.Name, s.Description)
		}
		b.WriteString("\nSay “help <skill>” for details.")
		return Result{Text: b.String()}, nil
	})
}

// about reports whether s is what a help topic asks about: the topic found
// in its name or description as written, with its words joined ("on call":
// oncall_who) or run together with underscores ("service status":
// service_status), or each of its words found without a plural or -ing
// ending ("trials": extend_trial, "incidents": every incident skill).
func about(s *Skill, topic string) bool {
	name, desc := strings.ToLower(s.Name), strings.ToLower(s.Description)
	t := strings.ToLower(strings.TrimSpace(topic))
	words := strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == '_' || r == '-' })
	if len(words) == 0 {
		return false
	}
	if strings.Contains(name, t) || strings.Contains(desc, t) ||
		strings.Contains(name, strings.Join(words, "")) || strings.Contains(name, strings.Join(words, "_")) {
		return true
	}
	for _, w := range words {
		for _, end := range []string{"ing", "es", "s"} {
			if len(w)-len(end) >= 3 {
				w = strings.TrimSuffix(w, end)
			}
		}
		if !strings.Contains(name, w) && !strings.Contains(desc, w) {
			return false
		}
	}
	return true
}

func explain(b *strings.Builder, s *Skill) {
	fmt.Fprintf(b, "%s — %s (%s", s.Name, s.Description, s.Risk)
	if s.NeedsConfirmation() {
		b.WriteString(", asks for a yes first")
	}
	b.WriteString(")")
	for _, p := range s.Params {
		need := "optional"
		switch {
		case p.Required:
			need = "required"
		case p.Default == "$user":
			need = "default: you"
		case p.Default != "":
			need = "default: " + p.Default
		}
		fmt.Fprintf(b, "\n  • %s: %s, %s", p.Name, p.Type.Name(), need)
		if vs := p.Type.Values(); len(vs) > 0 {
			fmt.Fprintf(b, " (%s)", strings.Join(vs, ", "))
		}
	}
	if len(s.Roles) > 0 && !slices.Contains(s.Roles, Everyone) {
		fmt.Fprintf(b, "\n  roles: %s", strings.Join(s.Roles, ", "))
	}
	if len(s.Channels) > 0 {
		fmt.Fprintf(b, "\n  only in: %s", strings.Join(s.Channels, ", "))
	}
	if s.Require2FA {
		b.WriteString("\n  asks for a one-time code")
	}
	if s.Approvals > 0 {
		fmt.Fprintf(b, "\n  needs the approval of %d other person", s.Approvals)
	}
	for _, r := range s.Rules {
		fmt.Fprintf(b, "\n  %s %s needs: %s", r.Param, r.Value, strings.Join(r.Roles, ", "))
	}
}
