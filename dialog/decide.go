package dialog

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// Conversational intents the catalog does not declare.
const (
	IntentAffirm = "affirm"
	IntentDeny   = "deny"
	IntentCancel = "cancel"
)

type turnInput struct {
	msg  Message
	text string // cleaned, mention stripped
	nlu  nlu.Result
	now  time.Time
}

// plan is what a turn decided to do besides changing the conversation.
type plan struct {
	replies []string
	// persist is set when the conversation record must be written.
	persist bool
	// call, when set, is run after the record is written; its reply comes
	// after replies, then after.
	call  *skills.Call
	after string

	asks, confirm string
	denied        bool
	err           error
}

func (p *plan) say(text string) { p.replies = append(p.replies, text) }

func (p *plan) sayf(format string, a ...any) {
	p.replies = append(p.replies, fmt.Sprintf(format, a...))
}

// confident reports whether the NLU settled on a skill or conversational
// intent (not out of scope).
func confident(r nlu.Result) bool { return r.Intent != nlu.OutOfScope && r.Intent != "" }

// decide is the whole dialog policy for one message: given the stored
// conversation and what was understood, it returns the next conversation
// and the plan. It does no I/O.
func (e *Engine) decide(c conversation, in turnInput) (conversation, plan) {
	var p plan
	switch c.State {
	case Collecting:
		if c.expired(in.now) {
			return e.expiredThen(c, in)
		}
		return e.collecting(c, in)
	case Confirming:
		if c.expired(in.now) {
			return e.expiredThen(c, in)
		}
		return e.confirming(c, in)
	case Executing:
		if c.expired(in.now) {
			// The process that ran it is gone; the record is stale.
			return e.idle(conversation{}, in, &p)
		}
		if next, ok := e.interrupt(c, in, &p, "I'm still working on "+e.doing(c)+"; I'll say when it's done."); ok {
			return next, p
		}
		p.sayf("I'm still working on %s; I'll say when it's done.", e.doing(c))
		return c, p
	}
	return e.idle(conversation{}, in, &p)
}

// expiredThen drops an expired pending request and handles the message as
// if nothing were pending (a late "yes" runs nothing).
func (e *Engine) expiredThen(c conversation, in turnInput) (conversation, plan) {
	var p plan
	switch in.nlu.Intent {
	case IntentAffirm:
		p.sayf("That request (%s) expired after %s without an answer, so nothing was run. Ask again if you still want it.", e.doing(c), e.cfg.ConfirmTTL)
		return conversation{}, p
	case IntentDeny, IntentCancel:
		p.sayf("That request (%s) had already expired; nothing was run.", e.doing(c))
		return conversation{}, p
	}
	return e.idle(conversation{}, in, &p)
}

// idle handles a message with nothing pending.
func (e *Engine) idle(c conversation, in turnInput, p *plan) (conversation, plan) {
	r := in.nlu
	switch r.Intent {
	case IntentAffirm, IntentDeny:
		p.say("There's nothing waiting for a yes or no from you right now, so I did nothing.")
		return c, *p
	case IntentCancel:
		p.say("There's nothing to cancel.")
		return c, *p
	}
	s, ok := e.cfg.Catalog.Lookup(r.Intent)
	if !confident(r) || !ok {
		p.say(e.notUnderstood(r))
		return c, *p
	}
	return e.request(s, nil, in, p)
}

// request starts (or restarts) a dialog for skill s with params already
// known, filling more from the message's entities.
func (e *Engine) request(s *skills.Skill, known map[string]string, in turnInput, p *plan) (conversation, plan) {
	if ok, needed := s.Allowed(in.msg.Roles, skills.Args{}); !ok && len(s.Roles) > 0 {
		return e.deny(s, needed, "", in, p)
	}
	params := maps.Clone(known)
	if params == nil {
		params = map[string]string{}
	}
	bad := e.fill(s, params, in.nlu, true)
	c := conversation{Skill: s.Name, Params: params, Origin: shorten(in.text, 200), By: in.msg.User}
	if len(bad) > 0 {
		// A value was given but is not valid: ask for it again with the reason.
		name := bad[0].param
		c.Asking, c.Tries = name, 1
		delete(params, name)
		p.sayf("%s %s", bad[0].reason, e.question(s, name, params))
		return e.move(c, EvAsk, p, name)
	}
	return e.advance(c, s, in, p)
}

// advance asks for the next missing parameter, or proposes or runs the
// skill when nothing is missing.
func (e *Engine) advance(c conversation, s *skills.Skill, in turnInput, p *plan) (conversation, plan) {
	if missing := s.Missing(c.Params); len(missing) > 0 {
		name := missing[0]
		if c.Asking != name {
			c.Tries = 0
		}
		c.Asking = name
		p.say(e.question(s, name, c.Params))
		return e.move(c, EvAsk, p, name)
	}
	c.Asking, c.Tries = "", 0
	args, err := s.Bind(c.Params, skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel})
	if err != nil {
		var pe *skills.ParamError
		if errors.As(err, &pe) {
			// A default or earlier value no longer validates: ask for it.
			reason := invalidReason(pe.Param, c.Params[pe.Param], pe.Err)
			delete(c.Params, pe.Param)
			c.Asking, c.Tries = pe.Param, 1
			p.sayf("%s %s", reason, e.question(s, pe.Param, c.Params))
			return e.move(c, EvAsk, p, pe.Param)
		}
		p.err = err
		return conversation{}, *p
	}
	if ok, needed := s.Allowed(in.msg.Roles, args); !ok {
		return e.deny(s, needed, describeRule(s, args), in, p)
	}
	call := &skills.Call{Skill: s, Args: args, Caller: skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}, Time: in.now}
	if !s.NeedsConfirmation() {
		// Runs at once and leaves nothing pending.
		p.call = call
		return conversation{}, *p
	}
	c.Expires = in.now.Add(e.cfg.ConfirmTTL).UnixMilli()
	p.confirm = s.Name
	p.sayf("%s (yes / no)", e.confirmText(s, args))
	return e.move(c, EvPropose, p, "")
}

// move applies an event through the state machine and marks the record
// for writing.
func (e *Engine) move(c conversation, ev Event, p *plan, asks string) (conversation, plan) {
	next, err := transition(c.State, ev)
	if err != nil {
		p.err = err
		return conversation{}, *p
	}
	c.State = next
	p.persist = true
	p.asks = asks
	return c, *p
}

func (e *Engine) deny(s *skills.Skill, needed []string, what string, in turnInput, p *plan) (conversation, plan) {
	p.denied = true
	if what == "" {
		what = s.Name
	}
	roles := strings.Join(needed, " or ")
	who := "Someone with that role can run it."
	if e.cfg.Holders != nil {
		var names []string
		for _, r := range needed {
			for _, u := range e.cfg.Holders(r) {
				if !slices.Contains(names, u) {
					names = append(names, u)
				}
			}
		}
		if len(names) > 0 {
			who = "It can be run by " + strings.Join(names, ", ") + "."
		}
	}
	p.sayf("Sorry %s, %s needs the %s role, which you don't have. %s", in.msg.User, what, roles, who)
	return conversation{}, *p
}

// collecting handles the answer to "which X?".
func (e *Engine) collecting(c conversation, in turnInput) (conversation, plan) {
	var p plan
	s, ok := e.cfg.Catalog.Lookup(c.Skill)
	if !ok {
		p.say("The request I was collecting details for is no longer available; it was dropped.")
		return e.drop(c, &p)
	}
	r := in.nlu
	if isCancel(r, in.text) {
		p.sayf("OK, cancelled: %s.", e.doing(c))
		return e.drop(c, &p)
	}
	if rest, ok := correction(in.text); ok {
		if e.correct(s, &c, rest, in, &p) {
			return e.advance(c, s, in, &p)
		}
	}
	// The plain answer: the whole message as the asked parameter (but a
	// bare "yes" is not the name of a service).
	yesNo := (r.Intent == IntentAffirm || r.Intent == IntentDeny) && r.Confidence >= 0.5
	if param := s.Param(c.Asking); param != nil && !yesNo {
		if v, err := param.Type.Parse(answerText(in.text)); err == nil && !(param.Type.Name() == "text" && e.looksLikeRequest(s, r)) {
			c.Params[c.Asking] = v.String()
			e.fill(s, c.Params, r, false)
			return e.advance(c, s, in, &p)
		}
	}
	if next, ok := e.interrupt(c, in, &p, e.question(s, c.Asking, c.Params)); ok {
		return next, p
	}
	if r.Intent == s.Name {
		// The request again, perhaps with the missing piece.
		if bad := e.fill(s, c.Params, r, true); len(bad) == 0 {
			if _, have := c.Params[c.Asking]; have {
				return e.advance(c, s, in, &p)
			}
		}
	} else if other, ok := e.switchTo(r); ok {
		p.sayf("OK, I've dropped %s.", e.doing(c))
		return e.request(other, nil, in, &p)
	}
	// An entity of the right type inside a longer answer ("it's web-1").
	if param := s.Param(c.Asking); param != nil {
		before := len(c.Params)
		bad := e.fill(s, c.Params, r, false)
		if _, have := c.Params[c.Asking]; have && len(c.Params) > before {
			return e.advance(c, s, in, &p)
		}
		reason := ""
		for _, b := range bad {
			if b.param == c.Asking {
				reason = b.reason
			}
		}
		if reason == "" {
			_, err := param.Type.Parse(answerText(in.text))
			reason = invalidReason(c.Asking, answerText(in.text), err)
		}
		c.Tries++
		if c.Tries >= e.cfg.MaxTries {
			p.sayf("%s I've asked %d times without getting a valid %s, so I've dropped %s. Start again whenever you like.", reason, c.Tries, c.Asking, e.doing(c))
			return e.drop(c, &p)
		}
		p.sayf("%s %s", reason, e.question(s, c.Asking, c.Params))
		return e.move(c, EvAsk, &p, c.Asking)
	}
	p.err = fmt.Errorf("collecting %s without a parameter to ask", c.Skill)
	return conversation{}, p
}

// confirming handles the answer to "X? (yes / no)".
func (e *Engine) confirming(c conversation, in turnInput) (conversation, plan) {
	var p plan
	s, ok := e.cfg.Catalog.Lookup(c.Skill)
	if !ok {
		p.say("The request waiting for your yes is no longer available; it was dropped.")
		return e.drop(c, &p)
	}
	r := in.nlu
	switch {
	case in.msg.User != c.By && c.By != "":
		// Keys include the user, so this is defence in depth.
		p.sayf("Only %s can answer this confirmation.", c.By)
		return c, p
	case r.Intent == IntentAffirm && !isCancel(r, in.text):
		c.Expires = in.now.Add(e.cfg.ExecTimeout + time.Minute).UnixMilli()
		next, pl := e.runConfirmed(c, s, in, &p)
		return next, pl
	case r.Intent == IntentDeny || isCancel(r, in.text):
		p.sayf("OK, I won't %s.", e.lowerFirst(e.confirmTextRaw(s, c.Params)))
		return e.drop(c, &p)
	}
	if rest, ok := correction(in.text); ok {
		if e.correct(s, &c, rest, in, &p) {
			return e.advance(c, s, in, &p)
		}
	}
	if r.Intent == s.Name {
		before := maps.Clone(c.Params)
		if bad := e.fill(s, c.Params, r, true); len(bad) == 0 && !maps.Equal(before, c.Params) {
			return e.advance(c, s, in, &p)
		}
		c.Params = before
	}
	reminder := "Still waiting for your answer: " + e.confirmTextRaw(s, c.Params) + " (yes / no)"
	if next, ok := e.interrupt(c, in, &p, reminder); ok {
		return next, p
	}
	if other, ok := e.switchTo(r); ok && other.Name != s.Name {
		p.sayf("OK, I won't %s.", e.lowerFirst(e.confirmTextRaw(s, c.Params)))
		return e.request(other, nil, in, &p)
	}
	c.Tries++
	if c.Tries >= e.cfg.MaxTries {
		p.sayf("I didn't get a yes or no, so I've dropped %s. Nothing was run.", e.doing(c))
		return e.drop(c, &p)
	}
	p.confirm = s.Name
	p.sayf("Please answer yes or no: %s", e.confirmTextRaw(s, c.Params))
	c.State = Confirming
	p.persist = true
	return c, p
}

// runConfirmed re-checks the call (values and roles, now for the person
// confirming) and runs it.
func (e *Engine) runConfirmed(c conversation, s *skills.Skill, in turnInput, p *plan) (conversation, plan) {
	caller := skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}
	args, err := s.Bind(c.Params, caller)
	if err != nil {
		p.err = fmt.Errorf("confirmed %s no longer binds: %w", s.Name, err)
		return conversation{}, *p
	}
	if ok, needed := s.Allowed(in.msg.Roles, args); !ok {
		_, pl := e.deny(s, needed, describeRule(s, args), in, p)
		next, _ := transition(c.State, EvDrop)
		pl.persist = true
		return conversation{State: next}, pl
	}
	p.call = &skills.Call{Skill: s, Args: args, Caller: caller, Time: in.now}
	return e.move(c, EvRun, p, "")
}

// interrupt answers a complete read-only request made in the middle of a
// dialog, leaving the pending one as it is, with a reminder after.
func (e *Engine) interrupt(c conversation, in turnInput, p *plan, reminder string) (conversation, bool) {
	r := in.nlu
	if !confident(r) || r.Intent == c.Skill {
		return c, false
	}
	s, ok := e.cfg.Catalog.Lookup(r.Intent)
	if !ok || s.NeedsConfirmation() || s.Risk != skills.Read {
		return c, false
	}
	params := map[string]string{}
	if bad := e.fill(s, params, r, true); len(bad) > 0 || len(s.Missing(params)) > 0 {
		return c, false
	}
	caller := skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}
	args, err := s.Bind(params, caller)
	if err != nil {
		return c, false
	}
	if ok, _ := s.Allowed(in.msg.Roles, args); !ok {
		return c, false
	}
	p.call = &skills.Call{Skill: s, Args: args, Caller: caller, Time: in.now}
	p.after = "(" + reminder + ")"
	return c, true
}

// switchTo returns the skill a message confidently asks for instead.
func (e *Engine) switchTo(r nlu.Result) (*skills.Skill, bool) {
	if !confident(r) {
		return nil, false
	}
	return e.cfg.Catalog.Lookup(r.Intent)
}

// looksLikeRequest reports whether a message that parses as free text is
// really a new request ("who is on call for payments?" is valid text, but
// not the summary of an incident). Stricter types need no such guess: a
// bare "web-1" answers "which host?" whatever the classifier thinks.
func (e *Engine) looksLikeRequest(pending *skills.Skill, r nlu.Result) bool {
	if !confident(r) || r.Intent == pending.Name || r.Confidence < 0.8 {
		return false
	}
	_, ok := e.cfg.Catalog.Lookup(r.Intent)
	return ok
}

func (e *Engine) drop(c conversation, p *plan) (conversation, plan) {
	if c.State == Idle {
		return conversation{}, *p
	}
	next, err := transition(c.State, EvDrop)
	if err != nil {
		p.err = err
		return conversation{}, *p
	}
	p.persist = true
	return conversation{State: next}, *p
}

type badValue struct {
	param  string
	reason string
}

// fill copies entity values into missing parameters (all parameters when
// overwrite is set), each entity used once, and reports values that did
// not validate.
func (e *Engine) fill(s *skills.Skill, params map[string]string, r nlu.Result, overwrite bool) []badValue {
	used := make([]bool, len(r.Entities))
	var bad []badValue
	for i := range s.Params {
		p := &s.Params[i]
		if _, have := params[p.Name]; have && !overwrite {
			continue
		}
		var firstErr *badValue
		for _, typ := range p.EntityTypes() {
			found := false
			for j, ent := range r.Entities {
				if used[j] || ent.Type != typ {
					continue
				}
				v, err := p.Type.Parse(ent.Value)
				if err != nil && ent.Text != ent.Value {
					v, err = p.Type.Parse(ent.Text)
				}
				if err != nil {
					if firstErr == nil && ent.Type == p.Name {
						firstErr = &badValue{param: p.Name, reason: invalidReason(p.Name, ent.Text, err)}
					}
					continue
				}
				used[j] = true
				params[p.Name] = v.String()
				// Other entities overlapping this one are the same words.
				for k, other := range r.Entities {
					if other.Start < ent.End && ent.Start < other.End {
						used[k] = true
					}
				}
				found = true
				break
			}
			if found {
				firstErr = nil
				break
			}
		}
		if firstErr != nil {
			if _, have := params[p.Name]; !have {
				bad = append(bad, *firstErr)
			}
		}
	}
	return bad
}

// correct applies "actually X" to the pending request: entities in the
// rest, or the rest as a value of the asked (or the only fitting) parameter.
func (e *Engine) correct(s *skills.Skill, c *conversation, rest string, in turnInput, p *plan) bool {
	before := maps.Clone(c.Params)
	if bad := e.fill(s, c.Params, in.nlu, true); len(bad) == 0 && !maps.Equal(before, c.Params) {
		return true
	}
	c.Params = before
	value := answerText(rest)
	order := make([]string, 0, len(s.Params))
	if c.Asking != "" {
		order = append(order, c.Asking)
	}
	for _, prm := range s.Params {
		if prm.Name != c.Asking {
			order = append(order, prm.Name)
		}
	}
	for _, name := range order {
		prm := s.Param(name)
		if prm == nil {
			continue
		}
		if len(prm.Type.Values()) == 0 && (prm.Type.Name() == "name" || prm.Type.Name() == "text" || prm.Type.Name() == "person") && name != c.Asking {
			continue // anything parses as a free name: only for the asked one
		}
		if v, err := prm.Type.Parse(value); err == nil {
			if old, had := c.Params[name]; had && old == v.String() {
				continue
			}
			if _, had := c.Params[name]; !had && name != c.Asking {
				continue
			}
			c.Params[name] = v.String()
			return true
		}
	}
	return false
}

// isCancel recognises "cancel", "never mind" and the like, whatever the
// classifier thought.
func isCancel(r nlu.Result, text string) bool {
	if r.Intent == IntentCancel {
		return true
	}
	switch strings.Trim(strings.ToLower(strings.TrimSpace(text)), ".!") {
	case "cancel", "never mind", "nevermind", "nvm", "abort", "stop", "forget it", "cancel that", "cancel it":
		return true
	}
	return false
}

// correction recognises "actually X", "I meant X", "make that X".
func correction(text string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(text))
	for _, cue := range []string{"actually,", "actually", "no wait,", "no wait", "wait,", "i meant", "i mean", "make that", "make it", "sorry,", "sorry", "correction:", "change it to", "change that to", "no,", "not that,"} {
		if strings.HasPrefix(lower, cue+" ") || strings.HasPrefix(lower, cue) && strings.HasSuffix(cue, ",") {
			rest := strings.TrimSpace(text[len(cue):])
			if rest != "" {
				return rest, true
			}
		}
	}
	return "", false
}

// answerText takes the value out of a short answer: "on web-1." -> "web-1".
func answerText(text string) string {
	s := strings.TrimSpace(text)
	s = strings.TrimRight(s, ".!?,; ")
	lower := strings.ToLower(s)
	for _, prefix := range []string{"on ", "it's ", "its ", "it is ", "use ", "to ", "for ", "the ", "host ", "in "} {
		if strings.HasPrefix(lower, prefix) && len(s) > len(prefix) {
			s, lower = strings.TrimSpace(s[len(prefix):]), lower[len(prefix):]
		}
	}
	return strings.Trim(s, "\"'“”‘’`")
}

func invalidReason(param, value string, err error) string {
	reason := "that isn't valid"
	if err != nil {
		reason = err.Error()
	}
	if value == "" {
		return fmt.Sprintf("That isn't a valid %s: %s.", param, strings.TrimSuffix(reason, "."))
	}
	return fmt.Sprintf("“%s” isn't a valid %s: %s.", shorten(value, 60), param, strings.TrimSuffix(reason, "."))
}

// question is what to ask for a missing parameter.
func (e *Engine) question(s *skills.Skill, name string, params map[string]string) string {
	p := s.Param(name)
	if p == nil || p.Question == "" {
		return fmt.Sprintf("What %s should I use?", name)
	}
	return renderRaw(p.Question, params)
}

func (e *Engine) confirmText(s *skills.Skill, args skills.Args) string {
	if s.Confirm != "" {
		return skills.Render(s.Confirm, args)
	}
	return fmt.Sprintf("Run %s with %s?", s.Name, formatParams(args.Redacted()))
}

// confirmTextRaw renders the confirmation from stored canonical values,
// masking secrets.
func (e *Engine) confirmTextRaw(s *skills.Skill, params map[string]string) string {
	shown := maps.Clone(params)
	for k := range shown {
		if p := s.Param(k); p != nil && p.Secret {
			shown[k] = "••••"
		}
	}
	if s.Confirm != "" {
		return renderRaw(s.Confirm, shown)
	}
	return fmt.Sprintf("Run %s with %s?", s.Name, formatParams(shown))
}

func (e *Engine) lowerFirst(s string) string {
	s = strings.TrimSuffix(s, "?")
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// doing names a pending request for replies: "restart_service (service
// apache, host web-1)".
func (e *Engine) doing(c conversation) string {
	if len(c.Params) == 0 {
		return "the " + c.Skill + " request"
	}
	s, _ := e.cfg.Catalog.Lookup(c.Skill)
	shown := maps.Clone(c.Params)
	if s != nil {
		for k := range shown {
			if p := s.Param(k); p != nil && p.Secret {
				shown[k] = "••••"
			}
		}
	}
	return fmt.Sprintf("the %s request (%s)", c.Skill, formatParams(shown))
}

func formatParams(params map[string]string) string {
	keys := slices.Sorted(maps.Keys(params))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+params[k])
	}
	if len(parts) == 0 {
		return "no parameters"
	}
	return strings.Join(parts, ", ")
}

// renderRaw fills {name} placeholders from canonical values; placeholders
// without a value are dropped with the word "on"/"for" before them kept
// readable by the caller's templates.
func renderRaw(tmpl string, params map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl, '}')
		if i < 0 || j < i {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		if v, ok := params[tmpl[i+1:j]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString("it")
		}
		tmpl = tmpl[j+1:]
	}
}

func describeRule(s *skills.Skill, args skills.Args) string {
	for _, r := range s.Rules {
		if v, ok := args.Get(r.Param); ok && strings.EqualFold(v.String(), r.Value) {
			return fmt.Sprintf("%s with %s %s", s.Name, r.Param, r.Value)
		}
	}
	return s.Name
}

// notUnderstood says what was understood and offers the two best guesses.
func (e *Engine) notUnderstood(r nlu.Result) string {
	var guesses []string
	for _, alt := range r.Alternatives {
		if len(guesses) == 2 || alt.Confidence < 0.1 {
			break
		}
		if s, ok := e.cfg.Catalog.Lookup(alt.Intent); ok {
			guesses = append(guesses, describe(s))
		}
	}
	understood := ""
	if len(r.Entities) > 0 {
		var parts []string
		for _, ent := range r.Entities {
			parts = append(parts, fmt.Sprintf("%s “%s”", ent.Type, shorten(ent.Text, 40)))
			if len(parts) == 3 {
				break
			}
		}
		understood = " I noticed " + strings.Join(parts, ", ") + "."
	}
	switch len(guesses) {
	case 2:
		return fmt.Sprintf("I'm not sure what you mean.%s Did you mean: %s, or %s?", understood, guesses[0], guesses[1])
	case 1:
		return fmt.Sprintf("I'm not sure what you mean.%s Did you mean: %s?", understood, guesses[0])
	}
	return fmt.Sprintf("Sorry, I didn't understand that.%s Say “help” to see what I can do.", understood)
}

// describe turns "Restart a service on a host." into "restart a service on
// a host".
func describe(s *skills.Skill) string {
	d := strings.TrimSuffix(strings.TrimSpace(s.Description), ".")
	if d == "" {
		return s.Name
	}
	return strings.ToLower(d[:1]) + d[1:]
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
