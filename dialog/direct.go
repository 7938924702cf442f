package dialog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parleybot/parley/skills"
)

// DirectRequest runs a named skill with raw parameter values, without
// understanding text: the command line's way in when chat is down. The
// same validation, roles, confirmation, one-time code and audit records
// apply as in chat.
type DirectRequest struct {
	User    string
	Roles   []string
	Channel string
	Via     string
	Skill   string
	Params  map[string]string
	// Confirmed is the person's yes to the confirmation question.
	Confirmed bool
	// Code is the one-time code, for skills that require one.
	Code string
}

// Direct runs one DirectRequest. An Outcome with Confirm set asks for the
// yes first; Asks names a missing or invalid parameter; Denied a refusal.
// When a code is needed and missing, Replies says so and Confirm is set.
func (e *Engine) Direct(ctx context.Context, req DirectRequest) (out Outcome) {
	msg := Message{User: req.User, Channel: req.Channel, Roles: req.Roles, Via: req.Via,
		Text: strings.TrimSpace("run " + req.Skill + " " + formatParams(req.Params))}
	defer func() {
		if r := recover(); r != nil {
			ref := newRef()
			e.log.ErrorContext(ctx, "panic in a direct run", "ref", ref, "panic", r)
			out = Outcome{Replies: []string{fmt.Sprintf("Something went wrong on my side (ref %s). Nothing more will happen.", ref)}, Err: fmt.Errorf("panic: %v", r)}
		}
		if e.cfg.Observer != nil {
			e.cfg.Observer.Observe(ctx, msg, out)
		}
	}()
	var p plan
	s, ok := e.cfg.Catalog.Lookup(req.Skill)
	if !ok {
		return Outcome{Replies: []string{fmt.Sprintf("There is no skill %q; “parley skills” lists them.", req.Skill)}}
	}
	done := func() Outcome {
		return Outcome{Replies: p.replies, Records: p.records, Denied: p.denied, Asks: p.asks, Confirm: p.confirm, Sensitive: p.sensitive}
	}
	if !s.AllowedIn(req.Channel) {
		p.denied = true
		p.record("refused", s, nil, req.User, "not allowed in channel "+req.Channel)
		p.sayf("%s can only run in #%s (use --channel).", s.Name, strings.Join(s.Channels, ", #"))
		return done()
	}
	if missing := s.Missing(req.Params); len(missing) > 0 {
		p.asks = missing[0]
		p.sayf("%s needs %s: %s", s.Name, strings.Join(missing, ", "), e.question(s, missing[0], req.Params))
		return done()
	}
	caller := skills.Caller{User: req.User, Roles: req.Roles, Channel: req.Channel}
	args, err := s.Bind(req.Params, caller)
	if err != nil {
		var pe *skills.ParamError
		if errors.As(err, &pe) {
			p.asks = pe.Param
			p.say(invalidReason(pe.Param, req.Params[pe.Param], pe.Err))
			return done()
		}
		p.say(err.Error())
		return done()
	}
	in := turnInput{msg: msg}
	if ok, needed := s.Allowed(req.Roles, args); !ok {
		e.deny(s, needed, describeRule(s, args), in, &p)
		return done()
	}
	params := args.Canonical()
	if s.Approvals > 0 {
		p.denied = true
		p.record("refused", s, params, req.User, "needs another person's approval")
		p.say("This needs another person's approval (the two-person rule), which the command line cannot give: ask for it in chat.")
		return done()
	}
	if s.NeedsConfirmation() && !req.Confirmed {
		p.confirm = s.Name
		p.say(e.confirmText(s, args))
		return done()
	}
	if s.Require2FA {
		if req.Code == "" {
			p.confirm = s.Name
			p.say("Enter the 6-digit code from your authenticator app.")
			return done()
		}
		p.sensitive = true
		if e.cfg.SecondFactor == nil {
			p.denied = true
			p.record("refused", s, params, req.User, "two-factor codes not set up")
			p.say("This needs a one-time code, but two-factor codes are not set up here (PARLEY_2FA_KEY). Nothing was run.")
			return done()
		}
		if err := e.checkCode(ctx, req.User, s.Name, req.Code); err != nil {
			p.denied = true
			p.record("refused", s, params, req.User, err.Error())
			p.say(err.Error() + " Nothing was run.")
			return done()
		}
	}
	if s.NeedsConfirmation() {
		p.record("confirmed", s, params, req.User, "")
	}
	p.call = &skills.Call{Skill: s, Args: args, Caller: caller, Time: e.cfg.Now()}
	out = done()
	out.Confirm = ""
	e.execute(ctx, p, *p.call, &out)
	return out
}

// ParseAssignments reads "key=value" arguments into parameters.
func ParseAssignments(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", a)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s is given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// Describe lists what a skill takes, for "parley skills".
func Describe(s *skills.Skill) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s [%s", s.Name, s.Description, s.Risk)
	if s.NeedsConfirmation() {
		b.WriteString(", confirmed")
	}
	if s.Require2FA {
		b.WriteString(", one-time code")
	}
	if s.Approvals > 0 {
		b.WriteString(", two-person")
	}
	b.WriteString("]")
	if len(s.Roles) > 0 && !slices.Contains(s.Roles, skills.Everyone) {
		fmt.Fprintf(&b, " roles: %s", strings.Join(s.Roles, ", "))
	}
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
		fmt.Fprintf(&b, "\n    %s=%s (%s)", p.Name, p.Type.Name(), need)
		if vs := p.Type.Values(); len(vs) > 0 {
			fmt.Fprintf(&b, " known values: %s", strings.Join(vs, ", "))
		}
	}
	return b.String()
}
