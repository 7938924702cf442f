package dialog

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/nlu/typed"
	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/training"
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
	// origin is what was understood of the message a "Did you mean…?"
	// was about, when one is pending.
	origin nlu.Result
	// code is the result of checking a one-time code in the message, when
	// one was awaited and given.
	code *codeCheck
	// newID is a fresh id for an approval request.
	newID string
	// assisted marks an understanding that came from the assistant.
	assisted bool
	// last is the memory of requests run, as the turn found it.
	last *lastRun
}

type codeCheck struct{ err error }

// plan is what a turn decided to do besides changing the conversation.
type plan struct {
	replies []string
	// persist is set when the conversation record must be written.
	persist bool
	// call, when set, is run after the record is written; its reply comes
	// after replies, then after.
	call  *skills.Call
	after string
	// more are further calls of a read-only skill asked for several
	// values at once ("who is on call for payments and sre?").
	more []*skills.Call

	asks, confirm string
	denied        bool
	err           error
	// candidate, when set, goes to the review queue after the turn.
	candidate *training.Candidate
	// records are kept by the audit trail.
	records []Record
	// approval, when set, indexes a request awaiting another person's
	// approval under this id.
	approval string
	// sensitive marks a message holding a one-time code.
	sensitive bool
	// approver is who approved the call, under the two-person rule.
	approver string
	// understood, when set, is the intent the dialog read the message as
	// where it is not the model's: a follow-up ("and on web-2?").
	understood string
}

func (p *plan) record(kind string, s *skills.Skill, params map[string]string, user, detail string) {
	ev := Record{Kind: kind, User: user, Detail: detail, Params: params}
	if s != nil {
		ev.Skill = s.Name
		ev.Params = redactParams(s, params)
	}
	p.records = append(p.records, ev)
}

// redactParams masks secret parameters.
func redactParams(s *skills.Skill, params map[string]string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		if p := s.Param(k); p != nil && p.Secret {
			v = "••••"
		}
		out[k] = v
	}
	return out
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
		busy := "I'm still working on " + e.doingOf(c) + "; I'll say when it's done."
		if next, ok := e.interrupt(c, in, &p, busy); ok {
			return next, p
		}
		p.say(busy)
		return c, p
	}
	if next, pl, ok := e.picking(c, in); ok {
		return next, pl
	}
	return e.idle(conversation{Last: c.Last}, in, &p)
}

// expiredThen drops an expired pending request and handles the message as
// if nothing were pending (a late "yes" runs nothing).
func (e *Engine) expiredThen(c conversation, in turnInput) (conversation, plan) {
	var p plan
	if s, ok := e.cfg.Catalog.Lookup(c.Skill); ok && c.State == Confirming {
		p.record("expired", s, c.Params, c.By, "")
	}
	switch in.nlu.Intent {
	case IntentAffirm:
		p.sayf("Your earlier request (%s) expired after %s without an answer, so nothing was run. Ask again if you still want it.", strings.TrimPrefix(e.doingOf(c), "the request to "), humanDuration(e.cfg.ConfirmTTL))
		return conversation{}, p
	case IntentDeny, IntentCancel:
		p.sayf("Your earlier request (%s) had already expired; nothing was run.", strings.TrimPrefix(e.doingOf(c), "the request to "))
		return conversation{}, p
	}
	return e.idle(conversation{}, in, &p)
}

// idle handles a message with nothing pending.
func (e *Engine) idle(c conversation, in turnInput, p *plan) (conversation, plan) {
	r := in.nlu
	if k := smallTalk(in.text); k != noTalk {
		if _, skill := e.cfg.Catalog.Lookup(r.Intent); !skill || !confident(r) {
			p.say(smallTalkReply(k, in.msg.User, false))
			return c, *p
		}
	}
	switch r.Intent {
	case IntentAffirm, IntentDeny:
		p.say("There's nothing waiting for a yes or no from you right now, so I did nothing.")
		return c, *p
	case IntentCancel:
		p.say("There's nothing to cancel.")
		return c, *p
	}
	if s, known, ok := e.followUp(in); ok {
		p.understood = s.Name
		return e.request(s, known, in, p)
	}
	s, ok := e.cfg.Catalog.Lookup(r.Intent)
	// A bare value or a question never starts a request with an effect:
	// it is offered as a guess instead.
	if !confident(r) || !ok || !startsRequest(s, in) {
		guesses := e.guesses(r, in.msg)
		p.say(e.notUnderstood(r, guesses))
		if e.cfg.Learner == nil {
			return c, *p
		}
		if len(guesses) == 0 {
			if !strings.ContainsFunc(in.text, unicode.IsLetter) {
				return c, *p // emoji and punctuation teach nothing
			}
			p.candidate = &training.Candidate{Text: in.text, By: in.msg.User, Channel: in.msg.Channel, Source: "unknown"}
			return c, *p
		}
		// Remember the guesses, so a pick ("the first one") can run it.
		c = conversation{Origin: shorten(in.text, 300), By: in.msg.User, Expires: in.now.Add(e.cfg.ConfirmTTL).UnixMilli()}
		for _, g := range guesses {
			c.Suggest = append(c.Suggest, g.Name)
		}
		p.persist = true
		return c, *p
	}
	return e.request(s, e.recalled(s, c.Last, in), in, p)
}

// proposeNext proposes the request of c with the next value in its
// queue, for its own yes.
func (e *Engine) proposeNext(c conversation, s *skills.Skill, in turnInput, p *plan) (conversation, plan) {
	params := maps.Clone(c.Params)
	params[c.QueueOf] = c.Queue[0]
	next := conversation{Skill: s.Name, Params: params, Origin: c.Origin, By: c.By, Last: c.Last,
		Queue: c.Queue[1:], QueueOf: c.QueueOf}
	if len(next.Queue) == 0 {
		next.QueueOf = ""
	}
	p.say("Next, " + shown(s.Param(c.QueueOf), c.Queue[0]) + ":")
	return e.advance(next, s, in, p)
}

// maxFanOut bounds how many values one read-only question is answered for.
const maxFanOut = 5

// alsoNamed finds a parameter filled from this message (not from known)
// for which the message names further valid values of its own type,
// distinct from the one taken: "web-1 and web-2". It returns the
// parameter and those further values, canonical, in order.
func (e *Engine) alsoNamed(s *skills.Skill, params, known map[string]string, r nlu.Result) (string, []string) {
	taken := map[string]bool{}
	for _, v := range params {
		taken[v] = true
	}
	for i := range s.Params {
		p := &s.Params[i]
		v, have := params[p.Name]
		if !have || known[p.Name] != "" {
			continue
		}
		var more []string
		seen := map[string]bool{v: true}
		var prev *nlu.Entity // the last value of the list
		for i := range r.Entities {
			ent := &r.Entities[i]
			if !slices.Contains(p.EntityTypes(), ent.Type) {
				continue
			}
			pv, err := entityValue(p, *ent, r.Text)
			if err != nil {
				continue
			}
			if prev != nil && !coordinated(r.Text, *prev, *ent) {
				break // "is checkout healthy in prod": prod is no second service
			}
			prev = ent
			if seen[pv.String()] || taken[pv.String()] {
				continue
			}
			seen[pv.String()] = true
			more = append(more, pv.String())
		}
		if len(more) > 0 {
			return p.Name, more
		}
	}
	return "", nil
}

// coordinated reports whether only a list's joints stand between two
// values in text ("web-1, web-2 and web-3", "payments or sre", "staging and
// then prod"): values apart in the sentence are not a list.
func coordinated(text string, a, b nlu.Entity) bool {
	runes := []rune(text)
	if text == "" {
		return true // no text to tell by
	}
	if a.End > b.Start || b.Start > len(runes) {
		return false
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(string(runes[a.End:b.Start])), func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch w {
		case "and", "or", "then", "also", "plus", "as", "well":
		default:
			return false
		}
	}
	return true
}

// entityValue reads an entity of text as a value of p: with the unit
// that follows it when p takes them together ("2 weeks" is 14 days where
// the model marked only "2"), else its normalised value, else the text as
// written.
func entityValue(p *skills.Param, ent nlu.Entity, text string) (skills.Value, error) {
	if unit := unitAfter(text, ent.End); unit != "" {
		v, err := p.Type.Parse(ent.Text + " " + unit)
		if err == nil || p.Type.Name() == "int" {
			// A count never drops its unit: "4 months" is not 4.
			return v, err
		}
	}
	v, err := p.Type.Parse(ent.Value)
	if err != nil && ent.Text != ent.Value {
		v, err = p.Type.Parse(ent.Text)
	}
	return v, err
}

// timeUnits are the words a count of days may be given in.
var timeUnits = map[string]bool{
	"day": true, "days": true, "week": true, "weeks": true, "month": true, "months": true, "fortnight": true, "fortnights": true,
}

// spokenCounts returns the phrases of text that count time units in
// words: "a month", "two weeks", "a fortnight" (also for "another
// fortnight").
func spokenCounts(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
	var out []string
	for i := 1; i < len(words); i++ {
		if timeUnits[words[i]] {
			count := words[i-1]
			if count == "another" || count == "extra" {
				count = "a"
			}
			out = append(out, count+" "+words[i])
		}
	}
	return out
}

// unitAfter returns the time unit word that follows rune offset end in
// text ("weeks" in "by 2 weeks"), or "".
func unitAfter(text string, end int) string {
	runes := []rune(text)
	if end < 0 || end >= len(runes) {
		return ""
	}
	rest := strings.TrimLeft(string(runes[end:]), " ")
	w := rest[:len(rest)-len(strings.TrimLeftFunc(rest, unicode.IsLetter))]
	if timeUnits[strings.ToLower(w)] {
		return strings.ToLower(w)
	}
	return ""
}

// shown is a parameter value as a person writes it: incident 42 is #42.
func shown(p *skills.Param, v string) string {
	if p != nil && p.Type.Name() == "incident" {
		return "#" + v
	}
	return v
}

// fanOut adds to a planned read-only call the same call for each further
// value of the parameter name, each bound, checked against the roles and
// run on its own.
func (e *Engine) fanOut(p *plan, name string, values []string) {
	first := p.call
	for _, v := range values[:min(len(values), maxFanOut-1)] {
		params := first.Args.Canonical()
		params[name] = v
		args, err := first.Skill.Bind(params, first.Caller)
		if err != nil {
			continue
		}
		if ok, _ := first.Skill.Allowed(first.Caller.Roles, args); !ok {
			p.sayf("(Not %s: you may not ask that.)", v)
			continue
		}
		call := *first
		call.Args = args
		p.more = append(p.more, &call)
	}
	if len(values) > maxFanOut-1 {
		p.after = fmt.Sprintf("(I answer for at most %d values at a time; ask again for the rest.)", maxFanOut)
	}
}

// request starts (or restarts) a dialog for skill s with params already
// known, filling more from the message's entities.
func (e *Engine) request(s *skills.Skill, known map[string]string, in turnInput, p *plan) (conversation, plan) {
	if !s.AllowedIn(in.msg.Channel) {
		p.denied = true
		p.record("refused", s, nil, in.msg.User, "not allowed in channel "+in.msg.Channel)
		p.sayf("Sorry %s, I can only %s in %s.", in.msg.User, describe(s), "#"+strings.Join(s.Channels, ", #"))
		return conversation{}, *p
	}
	if ok, needed := s.Allowed(in.msg.Roles, skills.Args{}); !ok {
		return e.deny(s, needed, "", in, p)
	}
	params := maps.Clone(known)
	if params == nil {
		params = map[string]string{}
	}
	bad := e.fill(s, params, in.nlu, true)
	afterColon(s, params, in.text)
	saidWhen(s, params, in.text)
	c := conversation{Skill: s.Name, Params: params, Origin: shorten(in.text, 200), By: in.msg.User, Last: in.last}
	name, others := e.alsoNamed(s, params, known, in.nlu)
	if len(bad) == 0 && len(others) > 0 {
		if s.Risk == skills.Read {
			// A question about several things is answered for each.
			next, pl := e.advance(c, s, in, p)
			if pl.call != nil {
				e.fanOut(&pl, name, others)
			}
			return next, pl
		}
		// Anything with an effect is asked for and confirmed one value
		// at a time: never a silent first pick. A request that asks for a
		// yes proposes the others in turn.
		all := append([]string{params[name]}, others...)
		for i, v := range all {
			all[i] = shown(s.Param(name), v)
		}
		if s.NeedsConfirmation() && s.Approvals == 0 {
			c.Queue, c.QueueOf = others[:min(len(others), maxFanOut-1)], name
			p.sayf("You named %d values for %s (%s): I'll ask about each in turn, starting with %s.", len(all), name, strings.Join(all, ", "), all[0])
		} else {
			p.sayf("You named %d values for %s (%s): I take one at a time, starting with %s.", len(all), name, strings.Join(all, ", "), all[0])
		}
	}
	if w := shellWord(in.nlu, params); w != "" && len(bad) == 0 {
		// Shell syntax the model did not take for a value is still never
		// passed over: it is refused as the value still open ("check nginx
		// on `hostname`" is not a check of localhost), or named back.
		if name := firstOpen(s, params); name != "" {
			bad = append(bad, badValue{param: name, reason: invalidReason(name, w, errShell)})
		} else {
			p.sayf("(I left out “%s”: shell syntax is never a value.)", shorten(w, 60))
		}
	}
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

// errShell is the reason shell syntax is refused as a value.
var errShell = errors.New("shell syntax is never a value")

// shellWord returns the first word of r's text written with shell syntax
// (backticks, $(…), ${…}, pipes, redirections, ; or && inside a word) that
// is neither in an entity nor in a value taken from the text, or "".
func shellWord(r nlu.Result, params map[string]string) string {
	if !strings.ContainsAny(r.Text, "`$|;&<>") {
		return "" // the common case
	}
	runes := []rune(r.Text)
	covered := make([]bool, len(runes))
	for _, ent := range r.Entities {
		for i := max(ent.Start, 0); i < min(ent.End, len(runes)); i++ {
			covered[i] = true
		}
	}
	for _, v := range params {
		if i := strings.Index(r.Text, v); v != "" && i >= 0 {
			start := utf8.RuneCountInString(r.Text[:i])
			for j := start; j < min(start+utf8.RuneCountInString(v), len(runes)); j++ {
				covered[j] = true
			}
		}
	}
	for i := 0; i < len(runes); {
		if unicode.IsSpace(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && !unicode.IsSpace(runes[j]) {
			j++
		}
		w := strings.TrimRight(string(runes[i:j]), ".,;!?:")
		if !slices.Contains(covered[i:j], true) && (strings.ContainsAny(w, "`|;<>") ||
			strings.Contains(w, "$(") || strings.Contains(w, "${") || strings.Contains(w, "&&")) {
			return w
		}
		i = j
	}
	return ""
}

// firstOpen returns the first parameter of s without a value in params,
// or "".
func firstOpen(s *skills.Skill, params map[string]string) string {
	for _, p := range s.Params {
		if _, ok := params[p.Name]; !ok {
			return p.Name
		}
	}
	return ""
}

// afterColon fills a skill's one required free-text parameter from what
// follows the first colon ("open an incident: the build is red") when the
// model missed it or caught only part of it.
func afterColon(s *skills.Skill, params map[string]string, text string) {
	_, rest, ok := strings.Cut(text, ":")
	rest = strings.TrimSpace(rest)
	if !ok || rest == "" || strings.HasPrefix(rest, "//") {
		return
	}
	var target *skills.Param
	for i := range s.Params {
		p := &s.Params[i]
		if !p.Required || p.Type.Name() != "text" {
			continue
		}
		if have, ok := params[p.Name]; ok && strings.TrimLeft(have, ":;,-– ") != rest && (len(have) >= len(rest) || !strings.Contains(rest, have)) {
			continue // the model found it whole, or found something else
		}
		if target != nil {
			return // two candidates: do not guess
		}
		target = p
	}
	if target == nil {
		return
	}
	if v, err := target.Type.Parse(rest); err == nil {
		params[target.Name] = v.String()
	}
}

// saidWhen fills a skill's time parameter (type "when") from the first
// moment the message names ("who is on call on friday at 9am?"): times
// are read by their words, not learned.
func saidWhen(s *skills.Skill, params map[string]string, text string) {
	for i := range s.Params {
		p := &s.Params[i]
		if p.Type.Name() != "when" {
			continue
		}
		if _, have := params[p.Name]; have {
			return
		}
		if w, _, ok := typed.FindWhen(text); ok {
			if v, err := p.Type.Parse(w.String()); err == nil {
				params[p.Name] = v.String()
			}
		}
		return
	}
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
	c.Params = args.Canonical() // defaults included, so replies can show them
	call := &skills.Call{Skill: s, Args: args, Caller: skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}, Time: in.now}
	if !s.NeedsConfirmation() {
		// Runs at once and leaves nothing pending but its memory.
		p.call = call
		p.persist = true
		return conversation{Last: ranNow(call, c.Last)}, *p
	}
	c.Expires = in.now.Add(e.cfg.ConfirmTTL).UnixMilli()
	p.confirm = s.Name
	if s.Approvals > 0 {
		// The two-person rule: someone else must approve.
		c.Approval = in.newID
		p.approval = c.Approval
		who := "another person"
		if roles := s.Roles; len(roles) > 0 && !slices.Contains(roles, skills.Everyone) {
			who = "another person with the " + strings.Join(roles, " or ") + " role"
		}
		p.sayf("%s This needs approval by %s: they can say “approve %s” (or “reject %s”). It expires in %s.",
			e.confirmText(s, args), who, c.Approval, c.Approval, humanDuration(e.cfg.ConfirmTTL))
		return e.move(c, EvPropose, p, "")
	}
	p.sayf("%s (yes / no)", e.confirmText(s, args))
	return e.move(c, EvPropose, p, "")
}

// unconfirmed turns a request just put to the person for a yes back into
// a question for the value a check found wrong. What the turn said before
// the question for a yes stays.
// tries counts the answers already given to this question (0 when it was
// not being asked), so that a wrong value found by a check counts as a
// wrong answer, up to MaxTries.
func (e *Engine) unconfirmed(c conversation, s *skills.Skill, pe *skills.ParamError, p plan, tries int) (conversation, plan) {
	delete(c.Params, pe.Param)
	c.Asking, c.Tries, c.Approval, c.Stage = pe.Param, tries, "", ""
	p.confirm, p.approval = "", ""
	if len(p.replies) > 0 {
		p.replies = p.replies[:len(p.replies)-1]
	}
	return e.askAgain(c, s, capitalized(strings.TrimSuffix(pe.Err.Error(), "."))+".", &p)
}

// capitalized is s with its first letter in upper case.
func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
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

func (e *Engine) deny(s *skills.Skill, needed []string, when string, in turnInput, p *plan) (conversation, plan) {
	p.denied = true
	p.record("refused", s, nil, in.msg.User, "needs role "+strings.Join(needed, " or ")+when)
	if len(needed) == 0 {
		p.sayf("Sorry %s, nobody may %s yet: the skill names no roles. Ask whoever runs Parley to grant one.", in.msg.User, describe(s))
		return conversation{}, *p
	}
	roles := strings.Join(needed, " or ")
	who := "Someone with it can run this for you."
	if e.cfg.Holders != nil {
		var names []string
		for _, r := range needed {
			for _, u := range e.cfg.Holders(r) {
				if !slices.Contains(names, u) && u != in.msg.User {
					names = append(names, u)
				}
			}
		}
		if len(names) > 0 {
			who = "It can be run by " + strings.Join(names, ", ") + "."
		}
	}
	p.sayf("Sorry %s, you need the %s role to %s%s. %s", in.msg.User, roles, describe(s), when, who)
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
	param := s.Param(c.Asking)
	if param == nil {
		p.err = fmt.Errorf("collecting %s without a parameter to ask", c.Skill)
		return conversation{}, p
	}
	r := in.nlu
	if isCancel(r, in.text) || sure(r, IntentDeny) {
		p.record("cancelled", s, c.Params, in.msg.User, "")
		p.sayf("OK, cancelled %s.", e.doing(s, c.Params))
		return e.drop(c, &p)
	}
	if sure(r, IntentAffirm) {
		return e.askAgain(c, s, fmt.Sprintf("I need the %s first, not a yes.", c.Asking), &p)
	}
	if asksBack(in.text) {
		return e.explain(c, s, param, &p)
	}
	if k := smallTalk(in.text); k != noTalk {
		// "thanks" or "hi" is no host name, however well formed.
		p.sayf("%s %s", smallTalkReply(k, in.msg.User, true), e.question(s, c.Asking, c.Params))
		return e.move(c, EvAsk, &p, c.Asking)
	}
	answer := answerText(in.text, param.Type.Name() != "text")
	if hostile(in.text) && param.Type.Name() != "text" {
		// Something that looks like a command is an invalid answer, never
		// a new request and never a source of values.
		raw := strings.TrimSpace(in.text)
		_, err := param.Type.Parse(raw)
		return e.askAgain(c, s, invalidReason(c.Asking, raw, err), &p)
	}
	if rest, ok := correction(in.text); ok {
		if e.correct(s, &c, rest) {
			return e.advance(c, s, in, &p)
		}
		answer = answerText(rest, param.Type.Name() != "text")
	}
	// The plain answer: the whole message as the asked parameter. Free
	// text takes anything, so a clear new request is not a summary.
	if v, err := param.Type.Parse(answer); err == nil && !(param.Type.Name() == "text" && e.looksLikeRequest(s, r)) {
		c.Params[c.Asking] = v.String()
		e.fill(s, c.Params, r, false)
		return e.advance(c, s, in, &p)
	}
	if next, ok := e.interrupt(c, in, &p, e.question(s, c.Asking, c.Params)); ok {
		return next, p
	}
	if asksWhat(in.text) && len(r.Entities) > 0 {
		// "list the deploys to qa" asked for an environment is a question
		// of its own, not the answer; nor does it count as a wrong one.
		p.sayf("That sounds like a question, not the %s I asked for. %s", c.Asking, e.question(s, c.Asking, c.Params))
		return e.move(c, EvAsk, &p, c.Asking)
	}
	if r.Intent == s.Name {
		// The request again, perhaps with the missing piece.
		if bad := e.fill(s, c.Params, r, true); len(bad) == 0 {
			if _, have := c.Params[c.Asking]; have {
				return e.advance(c, s, in, &p)
			}
			p.say(e.question(s, c.Asking, c.Params))
			return e.move(c, EvAsk, &p, c.Asking)
		}
	} else if other, ok := e.switchTo(in); ok {
		p.sayf("OK, I've dropped %s.", e.doing(s, c.Params))
		return e.request(other, nil, in, &p)
	}
	// An entity of the right type inside a longer answer ("it's web-1").
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
	if strings.HasSuffix(strings.TrimSpace(in.text), "?") {
		// "which host?", "how many?": a question back, not a wrong answer.
		return e.explain(c, s, param, &p)
	}
	if reason == "" {
		_, err := param.Type.Parse(answer)
		reason = invalidReason(c.Asking, answer, err)
	}
	return e.askAgain(c, s, reason, &p)
}

// asksBack reports whether a message answering a question is only a
// request to have it explained ("huh?", "what?", "what are the options?"):
// words that some types would otherwise take as a value ("what" is a fine
// host name).
func asksBack(text string) bool {
	t := strings.ToLower(strings.Trim(strings.TrimSpace(text), ".!?… "))
	switch t {
	case "", "what", "huh", "eh", "hm", "hmm", "pardon", "sorry", "come again", "which", "which one", "like what", "such as",
		"what do you mean", "what does that mean", "meaning", "options", "what options", "what are the options",
		"what are my options", "what can i say", "examples", "example", "for example", "i don't know", "i dont know",
		"don't know", "dont know", "not sure", "idk", "dunno":
		return t != "" || strings.Contains(text, "?")
	}
	return false
}

// explain answers a question about the parameter being asked for with
// what its values look like, and asks again. A question is not a wrong
// answer, so it does not count as a try.
func (e *Engine) explain(c conversation, s *skills.Skill, param *skills.Param, p *plan) (conversation, plan) {
	p.sayf("I need %s. %s", param.Type.Describe(), e.question(s, c.Asking, c.Params))
	return e.move(c, EvAsk, p, c.Asking)
}

// sureYesNo is the confidence above which a yes or no is taken as one.
const sureYesNo = 0.6

// sure reports whether r is surely the yes, no or cancel intent: confident,
// and read off words the model knows rather than guessed from spelling.
func sure(r nlu.Result, intent string) bool {
	return r.Intent == intent && r.Confidence >= sureYesNo && !r.Unfamiliar
}

// askAgain repeats the question after a reason, or gives up after
// MaxTries.
func (e *Engine) askAgain(c conversation, s *skills.Skill, reason string, p *plan) (conversation, plan) {
	c.Tries++
	if c.Tries >= e.cfg.MaxTries {
		p.sayf("%s I've asked %d times without getting a valid %s, so I've dropped %s. Start again whenever you like.", reason, c.Tries, c.Asking, e.doing(s, c.Params))
		return e.drop(c, p)
	}
	p.sayf("%s %s", reason, e.question(s, c.Asking, c.Params))
	return e.move(c, EvAsk, p, c.Asking)
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
	if in.msg.User != c.By && c.By != "" {
		// Keys include the user, so this is defence in depth.
		p.sayf("Only %s can answer this confirmation.", c.By)
		return c, p
	}
	if isCancel(r, in.text) {
		p.sayf("OK, I won't %s.", e.summary(s, c.Params))
		if len(c.Queue) > 0 {
			rest := make([]string, len(c.Queue))
			for i, v := range c.Queue {
				rest[i] = shown(s.Param(c.QueueOf), v)
			}
			p.sayf("Nor for %s.", strings.Join(rest, ", "))
		}
		p.record("cancelled", s, c.Params, in.msg.User, "")
		return e.drop(c, &p)
	}
	if c.Stage == stageCode {
		return e.awaitingCode(c, s, in, &p)
	}
	if c.Approval != "" {
		if sure(r, IntentDeny) {
			p.sayf("OK, I won't %s.", e.summary(s, c.Params))
			p.record("cancelled", s, c.Params, in.msg.User, "")
			return e.drop(c, &p)
		}
		p.sayf("This needs the approval of someone else: they can say “approve %s” (or “reject %s”). Say “cancel” to withdraw it.", c.Approval, c.Approval)
		return c, p
	}
	if asksBack(in.text) {
		// "not sure", "huh?": a hesitation is neither a no nor a wrong
		// answer.
		p.sayf("I need a yes or a no. %s (yes / no)", e.confirmTextRaw(s, c.Params))
		p.confirm = s.Name
		return c, p
	}
	if k := smallTalk(in.text); k != noTalk {
		// "thanks" or "hi" is neither a yes nor a no.
		p.sayf("%s %s (yes / no)", smallTalkReply(k, in.msg.User, true), e.confirmTextRaw(s, c.Params))
		p.confirm = s.Name
		return c, p
	}
	// "and on web-2 too" asks for the same with another value, after this
	// one, as if both were named with the request.
	if name, more, ok := moreValues(s, c, in); ok && s.Approvals == 0 && !hostile(in.text) {
		room := maxFanOut - 1 - len(c.Queue)
		if len(more) > room {
			more = more[:max(room, 0)]
		}
		if len(more) > 0 {
			c.Queue, c.QueueOf = append(slices.Clone(c.Queue), more...), name
			shownMore := make([]string, len(more))
			for i, v := range more {
				shownMore[i] = shown(s.Param(name), v)
			}
			p.sayf("OK, after this one: %s.", strings.Join(shownMore, ", then "))
		}
		p.sayf("%s (yes / no)", e.confirmTextRaw(s, c.Params))
		p.confirm = s.Name
		p.persist = true
		return c, p
	}
	// Changes come before the yes: "no wait, web-3", "make it prod" and
	// "ok but make it prod" all correct the request; none confirms it.
	if rest, ok := correction(in.text); ok && !hostile(in.text) {
		before := maps.Clone(c.Params)
		if e.correct(s, &c, rest) {
			sayChanges(&p, s, before, c.Params)
			return e.advance(c, s, in, &p)
		}
		// A correction of one value, even a wrong one ("actually web_1"),
		// stays one however the classifier leans; one that says more may
		// be a request.
		if name, err := e.unfit(s, c, rest); name != "" && (!confident(r) || contentWords(tail(r, rest)) <= 1) {
			c.Tries++
			p.confirm = s.Name
			p.persist = true
			p.sayf("%s %s (yes / no)", invalidReason(name, answerText(rest, true), err), e.confirmTextRaw(s, c.Params))
			return c, p
		}
	}
	if !hostile(in.text) {
		changed := maps.Clone(c.Params)
		if bad := e.fill(s, changed, r, true); len(bad) == 0 && !maps.Equal(changed, c.Params) && (r.Intent == s.Name || !confident(r) || r.Intent == IntentAffirm) {
			if r.Intent == s.Name && !strings.HasPrefix(strings.ToLower(in.text), "yes") {
				// The same request again, with other values: a fresh start.
				return e.request(s, nil, in, &p)
			}
			sayChanges(&p, s, c.Params, changed)
			c.Params = changed
			return e.advance(c, s, in, &p)
		}
	}
	switch {
	case sure(r, IntentAffirm) && !hostile(in.text):
		if s.Require2FA {
			return e.askCode(c, s, in, &p)
		}
		c.Expires = in.now.Add(e.cfg.ExecTimeout + time.Minute).UnixMilli()
		return e.runConfirmed(c, s, in, &p)
	case sure(r, IntentDeny):
		p.sayf("OK, I won't %s.", e.summary(s, c.Params))
		p.record("cancelled", s, c.Params, in.msg.User, "")
		if len(c.Queue) > 0 {
			// A no declines this value; the next is asked about.
			return e.proposeNext(c, s, in, &p)
		}
		return e.drop(c, &p)
	}
	reminder := "Still waiting for your answer: " + e.confirmTextRaw(s, c.Params) + " (yes / no)"
	if !hostile(in.text) {
		if next, ok := e.interrupt(c, in, &p, reminder); ok {
			return next, p
		}
		if other, ok := e.switchTo(in); ok && other.Name != s.Name && r.Intent != IntentAffirm && r.Intent != IntentDeny {
			p.sayf("OK, I won't %s.", e.summary(s, c.Params))
			return e.request(other, nil, in, &p)
		}
	}
	c.Tries++
	if c.Tries >= e.cfg.MaxTries {
		p.sayf("I didn't get a yes or no, so I've dropped %s. Nothing was run.", e.doing(s, c.Params))
		return e.drop(c, &p)
	}
	p.confirm = s.Name
	p.say("Please answer yes or no: " + e.confirmTextRaw(s, c.Params))
	p.persist = true
	return c, p
}

// hostile reports text with characters that only make sense to a shell
// (URLs aside: their queries may hold "&").
func hostile(text string) bool {
	for _, f := range strings.Fields(text) {
		lower := strings.ToLower(f)
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "<http") {
			if strings.ContainsAny(f, ";|$`\\{}") {
				return true
			}
			continue
		}
		if strings.ContainsAny(f, ";|&$`<>\\{}") {
			return true
		}
	}
	return false
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
	p.record("confirmed", s, c.Params, in.msg.User, "")
	c.Stage, c.Last = "", ranNow(p.call, c.Last)
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
	saidWhen(s, params, in.text)
	caller := skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}
	args, err := s.Bind(params, caller)
	if err != nil {
		return c, false
	}
	if ok, _ := s.Allowed(in.msg.Roles, args); !ok || !s.AllowedIn(in.msg.Channel) {
		return c, false
	}
	p.call = &skills.Call{Skill: s, Args: args, Caller: caller, Time: in.now}
	if name, others := e.alsoNamed(s, params, nil, r); len(others) > 0 {
		e.fanOut(p, name, others)
	}
	p.after = strings.TrimSpace(p.after + " (" + reminder + ")")
	return c, true
}

// switchTo returns the skill a message confidently asks for instead. A
// request with an effect takes the place of a pending one only when the
// classifier is sure of it (switchSure): a wrong answer with a stray word
// ("web_1 again") must not become a deploy.
func (e *Engine) switchTo(in turnInput) (*skills.Skill, bool) {
	if !confident(in.nlu) {
		return nil, false
	}
	s, ok := e.cfg.Catalog.Lookup(in.nlu.Intent)
	if !ok || !startsRequest(s, in) || s.Risk != skills.Read && in.nlu.Confidence < switchSure {
		return nil, false
	}
	return s, true
}

// switchSure is the confidence a new request with an effect needs to take
// the place of a pending one.
const switchSure = 0.8

// startsRequest reports whether a message may start a request for s. One
// with an effect needs words saying what to do, and no question: a bare
// value ("staging") or "what's deployed in staging?" is never taken for
// a deploy or a rollback, whatever the classifier leans to.
func startsRequest(s *skills.Skill, in turnInput) bool {
	return s.Risk == skills.Read || saysWhat(in.nlu) && !asksWhat(in.text)
}

// questionWords open a question rather than a command ("do" does not:
// "do a restart of apache"), and so do the verbs that ask to be shown
// something ("list the deploys to qa").
var questionWords = map[string]bool{
	"what": true, "which": true, "when": true, "where": true, "who": true, "whom": true, "whose": true, "why": true, "how": true,
	"is": true, "are": true, "was": true, "were": true, "does": true, "did": true, "has": true, "have": true,
	"show": true, "list": true, "display": true, "tell": true, "explain": true,
}

// asksWhat reports whether a message is a question for information: it
// opens with a question word ("what's deployed in staging?", "is checkout
// healthy in prod"). Polite requests ("can you restart nginx?") are not.
func asksWhat(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' })
	for len(words) > 0 && (words[0] == "parley" || words[0] == "hey" || words[0] == "hi" || words[0] == "ok" || words[0] == "so") {
		words = words[1:]
	}
	if len(words) == 0 || !questionWords[words[0]] {
		return false
	}
	w := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	switch {
	case (w(0) == "how" || w(0) == "what") && w(1) == "about", // how about restarting nginx, what about web-2
		w(0) == "why" && (w(1) == "not" || w(1) == "don"), // why don't you deploy it
		w(0) == "is" && w(1) == "it" && (w(2) == "possible" || w(2) == "ok" || w(2) == "okay" || w(2) == "alright"),
		w(0) == "are" && w(1) == "you" && (w(2) == "able" || w(2) == "allowed"),
		w(0) == "when" && w(1) == "you": // when you get a chance, restart it
		return false // a request, put politely
	}
	return true
}

// looksLikeRequest reports whether a message that parses as free text is
// really a new request ("who is on call for payments?" is valid text, but
// not the summary of an incident). Stricter types need no such guess: a
// bare "web-1" answers "which host?" whatever the classifier thinks.
//
// The request must also be whole: its required values are in the message
// ("checkout returns 502s" is a summary, not a URL check without a URL).
func (e *Engine) looksLikeRequest(pending *skills.Skill, r nlu.Result) bool {
	if !confident(r) || r.Intent == pending.Name || r.Confidence < 0.8 {
		return false
	}
	s, ok := e.cfg.Catalog.Lookup(r.Intent)
	if !ok {
		return false
	}
	params := map[string]string{}
	e.fill(s, params, r, true)
	return len(s.Missing(params)) == 0
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
	return conversation{State: next, Last: c.Last}, *p
}

// ranNow is the memory of a call about to run, after prev. Secrets are
// never kept, nor long values (an incident's summary): "it" names a thing,
// not a paragraph, and the record stays small. Runs older than recallFor
// are forgotten.
func ranNow(call *skills.Call, prev *lastRun) *lastRun {
	params := call.Args.Canonical()
	for k, v := range params {
		if p := call.Skill.Param(k); len(v) > 100 || p == nil || p.Secret {
			delete(params, k)
		}
	}
	last := &lastRun{Skill: call.Skill.Name, Params: params, At: call.Time.UnixMilli()}
	if earlier := prev.recent(call.Time); len(earlier) > 0 {
		last.Earlier = earlier[:min(len(earlier), keptRuns-1)]
	}
	return last
}

// recallFor is how long "it" may refer to the last request run.
const recallFor = 15 * time.Minute

// recalled returns, for a new request of s that refers back to the last
// one run here ("roll it back", "check it again", "restart nginx there"),
// that request's values of the parameters s shares with it. Values given
// in the message itself take precedence when they are filled in.
func (e *Engine) recalled(s *skills.Skill, last *lastRun, in turnInput) map[string]string {
	if last == nil || !refersBack(in.text) {
		return nil
	}
	runs := last.recent(in.now)
	out := map[string]string{}
	for _, p := range s.Params {
		if p.Type.Name() == "text" {
			continue // "it" names a thing, never a summary to reuse
		}
		// The newest run that had a value for the parameter names it.
		for _, r := range runs {
			if v, ok := r.Params[p.Name]; ok {
				if pv, err := p.Type.Parse(v); err == nil {
					out[p.Name] = pv.String()
				}
				break
			}
		}
	}
	return out
}

// wordsAround is the text of ent widened to the spaces around it, so a
// refused value is quoted as it was written: "$(reboot)", not the "$" the
// model marked.
func wordsAround(text string, ent nlu.Entity) string {
	r := []rune(text)
	if ent.Start < 0 || ent.End > len(r) || ent.Start >= ent.End {
		return ent.Text
	}
	start, end := ent.Start, ent.End
	for start > 0 && !unicode.IsSpace(r[start-1]) {
		start--
	}
	for end < len(r) && !unicode.IsSpace(r[end]) {
		end++
	}
	for end > ent.End && strings.ContainsRune(",.!?:", r[end-1]) {
		end-- // the sentence's punctuation, not the value's
	}
	return string(r[start:end])
}

// refersBack reports whether a message points at something said before:
// "it", "them", "again", "the same", "there". What follows a colon is a
// summary in the person's words ("open an incident: it is down again"),
// not a reference.
func refersBack(text string) bool {
	text, _, _ = strings.Cut(text, ":")
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch w {
		case "it", "them", "again", "same", "there":
			return true
		}
	}
	return false
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
				v, err := entityValue(p, ent, r.Text)
				if err != nil {
					if firstErr == nil && ent.Type == p.Name {
						said := wordsAround(r.Text, ent)
						if u := unitAfter(r.Text, ent.End); u != "" && p.Type.Name() == "int" {
							said += " " + u
						}
						firstErr = &badValue{param: p.Name, reason: invalidReason(p.Name, said, err)}
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
		if _, have := params[p.Name]; !have && firstErr == nil && p.Type.Name() == "url" {
			// A link the model did not mark ("ftp://…", "javascript:…",
			// one with a password) is still read, and refused with its
			// reason rather than asked for as if it were not there.
			for _, w := range linkLike(r.Text) {
				v, err := p.Type.Parse(w)
				if err != nil {
					firstErr = &badValue{param: p.Name, reason: invalidReason(p.Name, w, err)}
					break
				}
				params[p.Name] = v.String()
				break
			}
		}
		if _, have := params[p.Name]; !have && firstErr == nil && p.Type.Name() == "int" {
			// A count in words the model did not mark: "by a month".
			for _, phrase := range spokenCounts(r.Text) {
				if v, err := p.Type.Parse(phrase); err == nil {
					params[p.Name] = v.String()
					break
				}
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

// linkLike returns the words of text that are written as links: a scheme
// and a colon, then "//" or a scheme that runs code or reads files.
func linkLike(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		w = strings.TrimLeft(w, "(<\"'“‘")
		for {
			n := len(w)
			w = strings.TrimRight(w, ".,;!?\"'”’")
			if strings.HasSuffix(w, ")") && strings.Count(w, ")") > strings.Count(w, "(") {
				w = w[:len(w)-1]
			}
			if strings.HasSuffix(w, ">") && !strings.Contains(w, "<") {
				w = w[:len(w)-1]
			}
			if len(w) == n {
				break
			}
		}
		scheme, rest, ok := strings.Cut(w, ":")
		if !ok || scheme == "" || strings.IndexFunc(scheme, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '.' || r == '-')
		}) >= 0 {
			continue
		}
		switch strings.ToLower(scheme) {
		case "javascript", "data", "file", "vbscript":
			out = append(out, w)
		default:
			if strings.HasPrefix(rest, "//") {
				out = append(out, w)
			}
		}
	}
	return out
}

// correct applies "actually X" to the pending request. The value goes,
// in this order, to a parameter whose list knows it ("nginx" is a
// service), to the parameter being asked, or to a filled parameter whose
// type is strict (a host, a number). A free name never lands in a
// parameter nobody asked about.
func (e *Engine) correct(s *skills.Skill, c *conversation, rest string) bool {
	value := answerText(rest, true)
	set := func(name string, v skills.Value) bool {
		if c.Params[name] == v.String() {
			return false
		}
		c.Params[name] = v.String()
		return true
	}
	for _, prm := range s.Params {
		if len(prm.Type.Values()) == 0 {
			continue
		}
		if v, err := prm.Type.Parse(value); err == nil && slices.Contains(prm.Type.Values(), v.String()) && set(prm.Name, v) {
			return true
		}
	}
	if prm := s.Param(c.Asking); prm != nil {
		if v, err := prm.Type.Parse(value); err == nil && set(prm.Name, v) {
			return true
		}
	}
	for _, prm := range s.Params {
		if _, had := c.Params[prm.Name]; !had || prm.Name == c.Asking {
			continue
		}
		switch prm.Type.Name() {
		case "text", "person", "name", "enum":
			continue
		}
		if v, err := prm.Type.Parse(value); err == nil && set(prm.Name, v) {
			return true
		}
	}
	return false
}

// sayChanges says which values a change to a request awaiting its yes
// replaced ("OK: nginx instead of apache."), so that nothing dropped goes
// unnoticed, in parameter order; secrets are not shown.
func sayChanges(p *plan, s *skills.Skill, before, after map[string]string) {
	var parts []string
	for _, prm := range s.Params {
		old, had := before[prm.Name]
		now, has := after[prm.Name]
		if !has || (had && old == now) || prm.Secret {
			continue
		}
		if had {
			parts = append(parts, fmt.Sprintf("%s instead of %s", shown(&prm, now), shown(&prm, old)))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s", prm.Name, shown(&prm, now)))
		}
	}
	if len(parts) > 0 {
		p.sayf("OK: %s.", strings.Join(parts, ", "))
	}
}

// unfit names the parameter a correction most likely meant, with why the
// value does not fit it: the asked one, else the first strict one.
func (e *Engine) unfit(s *skills.Skill, c conversation, rest string) (string, error) {
	value := answerText(rest, true)
	if prm := s.Param(c.Asking); prm != nil {
		_, err := prm.Type.Parse(value)
		return prm.Name, err
	}
	for _, prm := range s.Params {
		switch prm.Type.Name() {
		case "text", "person", "name", "enum":
			continue
		}
		if _, err := prm.Type.Parse(value); err != nil {
			return prm.Name, err
		}
	}
	return "", nil
}

// isCancel recognises "cancel", "never mind" and the like, whatever the
// classifier thought.
func isCancel(r nlu.Result, text string) bool {
	if sure(r, IntentCancel) {
		return true
	}
	switch strings.Trim(strings.ToLower(strings.TrimSpace(text)), ".!") {
	case "cancel", "never mind", "nevermind", "nvm", "abort", "stop", "forget it", "cancel that", "cancel it":
		return true
	}
	return false
}

// correction recognises "actually X", "I meant X", "make that X", and
// cues said one after another: "actually, make that X".
func correction(text string) (string, bool) {
	rest, found := strings.TrimSpace(text), false
	for {
		cut, ok := correctionCue(rest)
		if !ok {
			if !found {
				return "", false
			}
			return rest, true
		}
		rest, found = cut, true
	}
}

// correctionCue takes one correction cue off the start of text.
func correctionCue(text string) (string, bool) {
	lower := strings.ToLower(text)
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

// answerText takes the value out of a short answer: "on web-1." ->
// "web-1". Free text keeps its words (strip false).
func answerText(text string, strip bool) string {
	s := strings.TrimSpace(text)
	if !strip {
		return s
	}
	s = strings.TrimRight(s, ".!?,; ")
	lower := strings.ToLower(s)
	for _, prefix := range []string{"how about ", "what about ", "let's say ", "try ", "on ", "it's ", "its ", "it is ", "use ", "to ", "for ", "the ", "host ", "in "} {
		if strings.HasPrefix(lower, prefix) && len(s) > len(prefix) {
			s, lower = strings.TrimSpace(s[len(prefix):]), lower[len(prefix):]
		}
	}
	return strings.Trim(s, "\"'“”‘’`")
}

func invalidReason(param, value string, err error) string {
	reason := "that doesn't look right"
	if err != nil {
		reason = err.Error()
	}
	reason = strings.TrimSuffix(reason, ".")
	if value == "" {
		return fmt.Sprintf("That isn't a valid value for %s: %s.", param, reason)
	}
	return fmt.Sprintf("“%s” isn't a valid value for %s: %s.", shorten(value, 60), param, reason)
}

// question is what to ask for a missing parameter.
func (e *Engine) question(s *skills.Skill, name string, params map[string]string) string {
	p := s.Param(name)
	if p == nil || p.Question == "" {
		return fmt.Sprintf("What %s should I use?", name)
	}
	return skills.RenderText(p.Question, params, "it")
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
		return skills.RenderText(s.Confirm, shown, "it")
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

// summary says what a request would do, in the skill's own words:
// "restart apache on web-1" from "Restart {service} on {host}?".
func (e *Engine) summary(s *skills.Skill, params map[string]string) string {
	for _, name := range skills.Placeholders(s.Confirm) {
		if _, ok := params[name]; !ok {
			return describe(s) // not enough known to say it in its own words
		}
	}
	if s.Confirm == "" {
		return describe(s)
	}
	return e.lowerFirst(e.confirmTextRaw(s, params))
}

// doing names a pending request in replies: "the request to restart
// apache on web-1".
func (e *Engine) doing(s *skills.Skill, params map[string]string) string {
	return "the request to " + e.summary(s, params)
}

// doingOf is doing for a stored conversation whose skill may be gone.
func (e *Engine) doingOf(c conversation) string {
	if s, ok := e.cfg.Catalog.Lookup(c.Skill); ok {
		return e.doing(s, c.Params)
	}
	return "the earlier request"
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

// describeRule names the rule that denied a call: " when environment is
// production".
func describeRule(s *skills.Skill, args skills.Args) string {
	for _, r := range s.Rules {
		if v, ok := args.Get(r.Param); ok && strings.EqualFold(v.String(), r.Value) {
			return fmt.Sprintf(" when %s is %s", r.Param, r.Value)
		}
	}
	return ""
}

// humanDuration says 5m0s as "5 minutes".
func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0 && d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d.Round(time.Second)/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// notUnderstood says what was understood and offers the guesses.
func (e *Engine) notUnderstood(r nlu.Result, offered []*skills.Skill) string {
	var guesses []string
	for _, s := range offered {
		guesses = append(guesses, describe(s))
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

// stageCode marks a confirmed request waiting for its one-time code.
const stageCode = "code"

// askCode asks for a one-time code before running a confirmed request.
func (e *Engine) askCode(c conversation, s *skills.Skill, in turnInput, p *plan) (conversation, plan) {
	if e.cfg.SecondFactor == nil {
		p.say("This needs a one-time code, but two-factor codes are not set up here, so it cannot run. Nothing was run.")
		p.record("refused", s, c.Params, in.msg.User, "two-factor codes not set up")
		return e.drop(c, p)
	}
	c.Stage = stageCode
	c.Tries = 0
	p.confirm = s.Name
	p.persist = true
	p.sayf("Enter the 6-digit code from your authenticator app to %s (or “cancel”).", e.summary(s, c.Params))
	return c, *p
}

// awaitingCode handles the answer to "Enter the code".
func (e *Engine) awaitingCode(c conversation, s *skills.Skill, in turnInput, p *plan) (conversation, plan) {
	if in.code == nil {
		c.Tries++
		if c.Tries >= e.cfg.MaxTries {
			p.sayf("I didn't get a code, so I've dropped %s. Nothing was run.", e.doing(s, c.Params))
			p.record("cancelled", s, c.Params, in.msg.User, "no one-time code")
			return e.drop(c, p)
		}
		p.confirm = s.Name
		p.persist = true
		p.say("Please enter the 6-digit code from your authenticator app, or say “cancel”.")
		return c, *p
	}
	p.sensitive = true
	var bad *codeError
	switch err := in.code.err; {
	case err == nil:
		c.Expires = in.now.Add(e.cfg.ExecTimeout + time.Minute).UnixMilli()
		return e.runConfirmed(c, s, in, p)
	case errors.As(err, &bad) && bad.retry:
		p.confirm = s.Name
		p.persist = true
		p.say(bad.msg + " Enter the code again, or say “cancel”.")
		p.record("refused", s, c.Params, in.msg.User, bad.msg)
		return c, *p
	default:
		msg := "I couldn't check the code right now. Nothing was run."
		if errors.As(err, &bad) {
			msg = bad.msg + " Nothing was run."
		}
		p.say(msg)
		p.record("refused", s, c.Params, in.msg.User, strings.TrimSuffix(msg, " Nothing was run."))
		return e.drop(c, p)
	}
}

// codeError is a one-time code that did not pass, in words for the person;
// retry says whether another code may be tried now.
type codeError struct {
	msg   string
	retry bool
}

func (e *codeError) Error() string { return e.msg }

// isCode reports whether text is a one-time code: six digits.
func isCode(text string) bool {
	t := strings.ReplaceAll(strings.TrimSpace(text), " ", "")
	if len(t) != 6 {
		return false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
