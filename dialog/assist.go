package dialog

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// Assistant proposes what a message means when the local NLU is unsure.
// *llm.Assistant satisfies it. A proposal is only ever a proposal: it
// goes through the same parsing, validation, roles and confirmation as a
// message understood locally.
type Assistant interface {
	Propose(ctx context.Context, r llm.Request) (llm.Proposal, error)
}

// assistance is what asking the assistant gave, once per turn.
type assistance struct {
	result      nlu.Result // the proposal as an understanding
	ok          bool       // a usable proposal
	unavailable bool       // the assistant could not be reached
}

// msgUnsure is added when the assistant was needed but could not answer.
const msgUnsure = "(My language model is unavailable right now, so I'm less sure than usual.)"

// wantsAssist reports whether the local understanding leaves the turn
// unsure enough to ask the assistant: nothing understood, two close
// guesses, a request missing required values, or an answer to "which X?"
// that does not parse.
func (e *Engine) wantsAssist(c conversation, r nlu.Result, text string) bool {
	if e.cfg.Assistant == nil || hostile(text) || len(strings.Fields(text)) < 2 || smallTalk(text) != noTalk || asksBack(text) {
		return false
	}
	switch r.Intent {
	case IntentAffirm, IntentDeny, IntentCancel:
		return false
	}
	switch c.State {
	case Idle:
		if len(c.Suggest) > 0 {
			return false // a pick after "Did you mean" is handled locally
		}
		if r.Intent == nlu.OutOfScope || r.Ambiguous {
			return true
		}
		if s, ok := e.cfg.Catalog.Lookup(r.Intent); ok {
			params := map[string]string{}
			e.fill(s, params, r, true)
			return len(s.Missing(params)) > 0
		}
	case Collecting:
		s, ok := e.cfg.Catalog.Lookup(c.Skill)
		if !ok {
			return false
		}
		p := s.Param(c.Asking)
		if p == nil {
			return false
		}
		if _, err := p.Type.Parse(answerText(text, p.Type.Name() != "text")); err == nil {
			return false
		}
		params := map[string]string{}
		e.fill(s, params, r, true)
		_, filled := params[c.Asking]
		return !filled && r.Intent != c.Skill
	}
	return false
}

// assist asks the assistant, offering only the skills the person may run
// here, and turns its proposal into an understanding.
func (e *Engine) assist(ctx context.Context, c conversation, msg Message, r nlu.Result, text string) assistance {
	req := llm.Request{Text: text, Local: r}
	for _, s := range e.cfg.Catalog.All() {
		if ok, _ := s.Allowed(msg.Roles, skills.Args{}); ok && s.AllowedIn(msg.Channel) && s.Name != "help" {
			req.Skills = append(req.Skills, s)
		}
	}
	if c.State == Collecting {
		s, _ := e.cfg.Catalog.Lookup(c.Skill)
		known := maps.Clone(c.Params)
		for k := range known {
			if p := s.Param(k); p == nil || p.Secret {
				delete(known, k)
			}
		}
		req.Pending = &llm.Pending{Skill: c.Skill, Known: known, Asking: c.Asking}
	}
	if len(req.Skills) == 0 {
		return assistance{}
	}
	p, err := e.cfg.Assistant.Propose(ctx, req)
	switch {
	case errors.Is(err, llm.ErrUnavailable):
		e.log.InfoContext(ctx, "assistant unavailable; answering from the local model", "err", err)
		return assistance{unavailable: true}
	case err != nil:
		e.log.DebugContext(ctx, "assistant made no usable proposal", "err", err)
		return assistance{}
	}
	if _, ok := e.cfg.Catalog.Lookup(p.Skill); !ok {
		return assistance{}
	}
	res := nlu.Result{Text: r.Text, Normalized: r.Normalized, Tokens: r.Tokens, Intent: p.Skill, Confidence: 0.9,
		Alternatives: []nlu.Scored{{Intent: p.Skill, Confidence: 0.9}}}
	for name, value := range p.Params {
		res.Entities = append(res.Entities, nlu.Entity{Type: name, Text: value, Value: value, Source: "llm"})
	}
	return assistance{result: res, ok: true}
}
