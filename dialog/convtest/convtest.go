// Package convtest replays conversations written in YAML against a dialog
// engine and checks every turn: what was understood, asked, confirmed,
// executed or refused, the state after the turn, and the reply. Executors
// record instead of acting on anything outside Parley.
//
// It is how Parley's own behaviour is tested (testdata/conversations) and
// what `parley test` runs on users' files.
package convtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/skills"
)

// Case is one scripted conversation.
type Case struct {
	Name  string   `yaml:"name" json:"name"`
	User  string   `yaml:"user" json:"user,omitempty"`
	Roles []string `yaml:"roles" json:"roles,omitempty"`
	// Channel and Thread default to "test" and "".
	Channel string `yaml:"channel" json:"channel,omitempty"`
	Thread  string `yaml:"thread" json:"thread,omitempty"`
	// Now is the starting time of the test clock (RFC 3339; default
	// 2026-11-24T10:00:00Z), so on-call answers are repeatable.
	Now   string `yaml:"now" json:"now,omitempty"`
	Turns []Turn `yaml:"turns" json:"turns"`

	File string `yaml:"-" json:"file,omitempty"`
	Line int    `yaml:"-" json:"line,omitempty"`
}

// Turn is one message and what must follow from it.
type Turn struct {
	Say   string   `yaml:"say" json:"say"`
	User  string   `yaml:"user" json:"user,omitempty"`
	Roles []string `yaml:"roles" json:"roles,omitempty"`
	// After advances the test clock before the message (e.g. 6m).
	After  time.Duration `yaml:"after" json:"after,omitempty"`
	Expect Expect        `yaml:"expect" json:"expect"`

	Line int `yaml:"-" json:"line,omitempty"`
}

// Expect lists what a turn must do. Unset fields are not checked, except
// that a turn without Executes must execute nothing.
type Expect struct {
	Intent   string            `yaml:"intent" json:"intent,omitempty"`
	Asks     string            `yaml:"asks" json:"asks,omitempty"`
	Confirm  string            `yaml:"confirm" json:"confirm,omitempty"`
	Executes string            `yaml:"executes" json:"executes,omitempty"`
	Params   map[string]string `yaml:"params" json:"params,omitempty"`
	Denied   *bool             `yaml:"denied" json:"denied,omitempty"`
	State    string            `yaml:"state" json:"state,omitempty"`
	// Reply is a substring of the reply, or a /regular expression/.
	Reply string `yaml:"reply" json:"reply,omitempty"`
}

// MaxFileSize bounds one conversation file.
const MaxFileSize = 4 << 20

// Parse reads a YAML file of cases. name is used in errors, which carry
// the line.
func Parse(name string, r io.Reader) ([]Case, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: file is larger than %d MB", name, MaxFileSize>>20)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	list := root.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: expected a list of conversations", name, list.Line)
	}
	var cases []Case
	for _, item := range list.Content {
		var c Case
		if err := decodeStrict(item, &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, item.Line, err)
		}
		c.File, c.Line = name, item.Line
		if err := lineTurns(item, &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, item.Line, err)
		}
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, item.Line, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// decodeStrict decodes a node, rejecting unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	out, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// lineTurns records each turn's line.
func lineTurns(item *yaml.Node, c *Case) error {
	for i := 0; i+1 < len(item.Content); i += 2 {
		if item.Content[i].Value != "turns" {
			continue
		}
		for j, t := range item.Content[i+1].Content {
			if j < len(c.Turns) {
				c.Turns[j].Line = t.Line
			}
		}
	}
	return nil
}

func (c *Case) check() error {
	if c.Name == "" {
		return errors.New("a conversation needs a name")
	}
	if len(c.Turns) == 0 {
		return fmt.Errorf("%q has no turns", c.Name)
	}
	if c.Now != "" {
		if _, err := time.Parse(time.RFC3339, c.Now); err != nil {
			return fmt.Errorf("%q: now: want RFC 3339 time: %w", c.Name, err)
		}
	}
	for i, t := range c.Turns {
		if t.User == "" && c.User == "" {
			return fmt.Errorf("%q turn %d: no user (set user on the conversation or the turn)", c.Name, i+1)
		}
		if t.Expect.State != "" {
			if _, err := dialog.ParseState(t.Expect.State); err != nil {
				return fmt.Errorf("%q turn %d: %w", c.Name, i+1, err)
			}
		}
		if r := t.Expect.Reply; isRegexp(r) {
			if _, err := regexp.Compile(r[1 : len(r)-1]); err != nil {
				return fmt.Errorf("%q turn %d: reply: %w", c.Name, i+1, err)
			}
		}
	}
	return nil
}

func isRegexp(s string) bool { return len(s) >= 2 && s[0] == '/' && s[len(s)-1] == '/' }

// Env is what a case runs against: a fresh engine per case.
type Env struct {
	Engine *dialog.Engine
	// Catalog normalises expected parameter values.
	Catalog dialog.Catalog
	// Roles returns a user's configured roles, used when a case or turn
	// does not set them.
	Roles func(user string) []string
}

// Factory builds a fresh Env for one case, with the given clock and
// runner (which records calls and must be used as the engine's Runner).
type Factory func(now func() time.Time, run dialog.Runner) (Env, error)

// Result is the outcome of one case.
type Result struct {
	Case     string    `json:"name"`
	File     string    `json:"file,omitempty"`
	Line     int       `json:"line,omitempty"`
	Passed   bool      `json:"passed"`
	Failures []Failure `json:"failures,omitempty"`
}

// Failure is one turn that did not do what was expected.
type Failure struct {
	Turn     int      `json:"turn"`
	Line     int      `json:"line,omitempty"`
	Say      string   `json:"say"`
	Problems []string `json:"problems"`
	Replies  []string `json:"replies"`
}

// Recorder is a Runner that records every call. Skills marked External
// are recorded and not run; the others (Parley's own state, dry-run
// commands) run as usual.
type Recorder struct {
	mu    sync.Mutex
	calls []skills.Call
}

// Run records and, unless the skill reaches outside Parley, executes.
func (r *Recorder) Run(ctx context.Context, call skills.Call) (skills.Result, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call)
	r.mu.Unlock()
	if call.Skill.External {
		return skills.Result{Text: "(recorded, not run: " + call.Skill.Name + " reaches outside Parley)"}, nil
	}
	return call.Skill.Executor.Execute(ctx, call)
}

// Calls returns the recorded calls.
func (r *Recorder) Calls() []skills.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// DefaultStart is the test clock's starting time when a case sets none.
func DefaultStart() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) }

// RunCase replays one case.
func RunCase(ctx context.Context, c Case, newEnv Factory) Result {
	res := Result{Case: c.Name, File: c.File, Line: c.Line, Passed: true}
	now := DefaultStart()
	if c.Now != "" {
		now, _ = time.Parse(time.RFC3339, c.Now)
	}
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rec := &Recorder{}
	env, err := newEnv(clock, rec.Run)
	if err != nil {
		res.Passed = false
		res.Failures = append(res.Failures, Failure{Problems: []string{"could not start the bot: " + err.Error()}})
		return res
	}
	for i, t := range c.Turns {
		mu.Lock()
		now = now.Add(t.After)
		mu.Unlock()
		user := cmpOr(t.User, c.User)
		roles := t.Roles
		if roles == nil && t.User == "" {
			roles = c.Roles
		}
		if roles == nil && env.Roles != nil {
			roles = env.Roles(user)
		}
		before := len(rec.Calls())
		out := env.Engine.Handle(ctx, dialog.Message{User: user, Channel: cmpOr(c.Channel, "test"), Thread: c.Thread, Roles: roles, Text: t.Say})
		calls := rec.Calls()[before:]
		if problems := check(t.Expect, out, calls, env.Catalog); len(problems) > 0 {
			res.Passed = false
			res.Failures = append(res.Failures, Failure{Turn: i + 1, Line: t.Line, Say: t.Say, Problems: problems, Replies: out.Replies})
		}
	}
	return res
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// check compares a turn's outcome with its expectations.
func check(exp Expect, out dialog.Outcome, calls []skills.Call, cat dialog.Catalog) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if exp.Intent != "" && out.Intent != exp.Intent {
		bad("intent: expected %s, got %s (confidence %.2f)", exp.Intent, orNone(out.Intent), out.Confidence)
	}
	if exp.Asks != "" && out.Asks != exp.Asks {
		bad("asks: expected %s, got %s", exp.Asks, orNone(out.Asks))
	}
	if exp.Confirm != "" && out.Confirm != exp.Confirm {
		bad("confirm: expected %s, got %s", exp.Confirm, orNone(out.Confirm))
	}
	executed := ""
	if out.Executed != nil {
		executed = out.Executed.Skill
	}
	switch {
	case exp.Executes == "" && (executed != "" || len(calls) > 0):
		bad("executes: expected nothing to run, but %s ran", describeCalls(calls, executed))
	case exp.Executes != "" && executed != exp.Executes:
		bad("executes: expected %s, got %s", exp.Executes, orNone(executed))
	}
	if len(exp.Params) > 0 {
		skill := cmpOr(exp.Executes, cmpOr(exp.Confirm, out.Intent))
		if out.Executed != nil {
			skill = out.Executed.Skill
		}
		for _, k := range slices.Sorted(maps.Keys(exp.Params)) {
			want := normalise(cat, skill, k, exp.Params[k])
			got, ok := out.Params[k]
			switch {
			case !ok:
				bad("params: expected %s=%s, but %s is not set (have %s)", k, want, k, formatParams(out.Params))
			case got != want:
				bad("params: expected %s=%s, got %s=%s", k, want, k, got)
			}
		}
	}
	if exp.Denied != nil && out.Denied != *exp.Denied {
		bad("denied: expected %v, got %v", *exp.Denied, out.Denied)
	}
	if exp.State != "" && out.State.String() != exp.State {
		bad("state: expected %s, got %s", exp.State, out.State)
	}
	if exp.Reply != "" {
		reply := strings.Join(out.Replies, "\n")
		if isRegexp(exp.Reply) {
			re := regexp.MustCompile(exp.Reply[1 : len(exp.Reply)-1])
			if !re.MatchString(reply) {
				bad("reply: expected a match for %s", exp.Reply)
			}
		} else if !strings.Contains(reply, exp.Reply) {
			bad("reply: expected it to contain %q", exp.Reply)
		}
	}
	return problems
}

// normalise passes an expected value through the parameter's type, so a
// test may write "prod" for production.
func normalise(cat dialog.Catalog, skill, param, value string) string {
	if cat == nil {
		return value
	}
	s, ok := cat.Lookup(skill)
	if !ok {
		return value
	}
	p := s.Param(param)
	if p == nil {
		return value
	}
	if v, err := p.Type.Parse(value); err == nil {
		return v.String()
	}
	return value
}

func describeCalls(calls []skills.Call, executed string) string {
	var names []string
	for _, c := range calls {
		names = append(names, c.Skill.Name)
	}
	if len(names) == 0 {
		names = append(names, executed)
	}
	return strings.Join(names, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

func formatParams(p map[string]string) string {
	if len(p) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, ", ")
}

// Report writes failures the way a person reads them and ends with the
// line "N passed, N failed".
func Report(w io.Writer, results []Result) (passed, failed int) {
	for _, r := range results {
		if r.Passed {
			passed++
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL %s (%s:%d)\n", r.Case, r.File, r.Line)
		for _, f := range r.Failures {
			if f.Turn == 0 {
				for _, p := range f.Problems {
					fmt.Fprintf(w, "  %s\n", p)
				}
				continue
			}
			fmt.Fprintf(w, "  turn %d (line %d): %q\n", f.Turn, f.Line, f.Say)
			for _, p := range f.Problems {
				fmt.Fprintf(w, "    - %s\n", p)
			}
			for _, reply := range f.Replies {
				fmt.Fprintf(w, "    bot said: %s\n", strings.ReplaceAll(reply, "\n", "\n              "))
			}
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}
