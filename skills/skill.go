package skills

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Risk says how much harm a skill can do, and so whether it needs a yes.
type Risk int

// Risks, from harmless to harmful.
const (
	Read      Risk = iota // answers a question; runs at once
	Write                 // changes Parley's own state; confirmed unless the skill opts out
	Dangerous             // touches real systems; always confirmed
)

func (r Risk) String() string {
	switch r {
	case Read:
		return "read"
	case Write:
		return "write"
	case Dangerous:
		return "dangerous"
	}
	return fmt.Sprintf("risk(%d)", int(r))
}

// ParseRisk reads the configuration spelling of a risk.
func ParseRisk(s string) (Risk, error) {
	switch s {
	case "read":
		return Read, nil
	case "write":
		return Write, nil
	case "dangerous":
		return Dangerous, nil
	}
	return 0, fmt.Errorf("unknown risk %q (want read, write or dangerous)", s)
}

// Param declares one parameter of a skill.
type Param struct {
	Name     string
	Type     Type
	Required bool
	// Default is the raw value used when the parameter is optional and not
	// given. The special value "$user" means the person asking.
	Default string
	// Question is what the bot asks when a required parameter is missing.
	Question string
	// Entities lists the NLU entity types that fill this parameter, most
	// specific first. Empty means the parameter's name and its type's kinds.
	Entities []string
	// Secret values are redacted in logs, audit records and replies.
	Secret bool
}

// EntityTypes returns the entity types that can fill the parameter.
func (p *Param) EntityTypes() []string {
	if len(p.Entities) > 0 {
		return p.Entities
	}
	out := []string{p.Name}
	for _, k := range p.Type.Kinds() {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// Rule narrows who may run a skill when a parameter has a given value, for
// example deploy with environment=production needs the deployer role.
type Rule struct {
	Param string
	Value string // canonical value
	Roles []string
}

// Skill is one action in the catalog. Its Name is the NLU intent.
type Skill struct {
	Name        string
	Description string
	Params      []Param
	Risk        Risk
	// NoConfirm lets a write skill run without a yes (dangerous ones never).
	NoConfirm bool
	// Roles that may run the skill: Everyone ("*") for all; empty means
	// everyone for read skills and nobody for the others.
	Roles []string
	Rules []Rule
	// Channels, when set, are the only channels the skill may run in.
	Channels []string
	// Require2FA asks the person confirming for a one-time code.
	Require2FA bool
	// Approvals is how many other people (with the roles) must approve
	// before it runs: the two-person rule when 1.
	Approvals int
	// Confirm and Running are reply templates over the parameter names,
	// e.g. "Restart {service} on {host}?" and "Restarting {service} on {host}".
	Confirm string
	Running string
	// External skills reach outside Parley (machines, DNS, the web); the
	// conversation tests record them instead of running them.
	External bool
	Executor Executor
}

// NeedsConfirmation reports whether a yes is needed before executing.
func (s *Skill) NeedsConfirmation() bool {
	switch s.Risk {
	case Read:
		return false
	case Write:
		return !s.NoConfirm
	}
	return true
}

// Param returns the named parameter, or nil.
func (s *Skill) Param(name string) *Param {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// Missing returns the names of required parameters not present in raw, in
// declaration order.
func (s *Skill) Missing(raw map[string]string) []string {
	var out []string
	for _, p := range s.Params {
		if _, ok := raw[p.Name]; !ok && p.Required {
			out = append(out, p.Name)
		}
	}
	return out
}

// Caller identifies who runs a skill, where.
type Caller struct {
	User    string
	Roles   []string
	Channel string
}

// Bind validates every raw value against its parameter's type, fills
// defaults, and returns the typed arguments. A missing required parameter or
// an invalid value is an error (*ParamError for the latter).
func (s *Skill) Bind(raw map[string]string, who Caller) (Args, error) {
	args := Args{skill: s.Name, values: make(map[string]Value, len(s.Params))}
	for name := range raw {
		if s.Param(name) == nil {
			return Args{}, fmt.Errorf("%s has no parameter %q", s.Name, name)
		}
	}
	for i := range s.Params {
		p := &s.Params[i]
		text, ok := raw[p.Name]
		if !ok {
			switch {
			case p.Required:
				return Args{}, fmt.Errorf("%s needs %s: %w", s.Name, p.Name, ErrMissing)
			case p.Default == "":
				continue
			case p.Default == "$user":
				text = who.User
			default:
				text = p.Default
			}
		}
		v, err := p.Type.Parse(text)
		if err != nil {
			return Args{}, &ParamError{Param: p.Name, Err: err}
		}
		v.secret = p.Secret
		args.values[p.Name] = v
	}
	return args, nil
}

// ErrMissing marks a required parameter without a value.
var ErrMissing = errors.New("missing required parameter")

// ParamError is a value that failed its parameter's type.
type ParamError struct {
	Param string
	Err   error
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Err.Error() }
func (e *ParamError) Unwrap() error { return e.Err }

// Everyone is the role that names every person: a skill whose Roles hold
// it may be run by anyone.
const Everyone = "*"

// Allowed reports whether a caller with roles may run the skill with args,
// and if not, the roles that would allow it. A read skill without roles is
// open to everyone; a write or dangerous skill without roles is open to
// nobody (deny by default) and needed is then empty.
func (s *Skill) Allowed(roles []string, args Args) (ok bool, needed []string) {
	switch {
	case len(s.Roles) == 0 && s.Risk != Read:
		return false, nil
	case len(s.Roles) > 0 && !slices.Contains(s.Roles, Everyone) && !anyIn(roles, s.Roles):
		return false, s.Roles
	}
	for _, r := range s.Rules {
		v, present := args.values[r.Param]
		if !present || !strings.EqualFold(v.String(), r.Value) {
			continue
		}
		if !anyIn(roles, r.Roles) {
			return false, r.Roles
		}
	}
	return true, nil
}

// AllowedIn reports whether the skill may run in a channel.
func (s *Skill) AllowedIn(channel string) bool {
	return len(s.Channels) == 0 || slices.Contains(s.Channels, strings.TrimPrefix(channel, "#"))
}

func anyIn(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

// Render fills a reply template such as "Restart {service} on {host}?" with
// argument values as people see them (secrets masked). Unknown names are
// left as they are.
func Render(tmpl string, args Args) string {
	return fill(tmpl, func(name string) (string, bool) {
		v, ok := args.values[name]
		return v.Display(), ok
	})
}

// RenderText fills a template from plain values; a name without a value
// becomes missing.
func RenderText(tmpl string, values map[string]string, missing string) string {
	return fill(tmpl, func(name string) (string, bool) {
		if v, ok := values[name]; ok {
			return v, true
		}
		return missing, true
	})
}

// Placeholders lists the {name}s of a template, in order.
func Placeholders(tmpl string) []string {
	var out []string
	fill(tmpl, func(name string) (string, bool) {
		out = append(out, name)
		return "", false
	})
	return out
}

// fill replaces each {name} with what value returns for it, or keeps it
// when value reports no value. An unclosed brace is kept as text.
func fill(tmpl string, value func(name string) (string, bool)) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		if v, ok := value(tmpl[i+1 : i+j]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
}

// Executor performs a skill. It receives only validated arguments and a
// context whose deadline it must respect. Implementations must be safe for
// concurrent use.
type Executor interface {
	Execute(ctx context.Context, call Call) (Result, error)
}

// Checker is an Executor that can tell, before a request is put to the
// person for a yes, whether its values name things that exist ("resolve
// #2" when there is no incident #2). Check changes nothing. A *ParamError
// names the value to ask for again; any other error is not the person's
// and leaves the request as it is.
type Checker interface {
	Check(ctx context.Context, call Call) error
}

// ExecutorFunc adapts a function to the Executor interface.
type ExecutorFunc func(ctx context.Context, call Call) (Result, error)

// Execute calls f.
func (f ExecutorFunc) Execute(ctx context.Context, call Call) (Result, error) { return f(ctx, call) }

// Call is one validated request to run a skill.
type Call struct {
	Skill  *Skill
	Args   Args
	Caller Caller
	Time   time.Time
}

// Result is what an executor reports back to the person.
type Result struct {
	// Text is the human answer ("done.", a table, a list).
	Text string
	// Argv is the command line an exec executor ran or would run.
	Argv []string
	// ExitCode of a command, when one ran.
	ExitCode int
	// DryRun is set when nothing was really run.
	DryRun bool
	// Made names what the run created, by parameter name, so that a later
	// request can refer to it: an opened incident's number under
	// "incident", and "ack it" acknowledges that incident. It is kept for
	// skills that ask for a yes (creating something does).
	Made map[string]string
}

// UserError is a failure whose message is safe and useful to show the person.
type UserError struct{ Msg string }

func (e *UserError) Error() string { return e.Msg }

// Errorf returns a *UserError.
func Errorf(format string, a ...any) error { return &UserError{Msg: fmt.Sprintf(format, a...)} }
