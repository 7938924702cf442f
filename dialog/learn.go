package dialog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/nlu/fuzzy"
	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/training"
)

// Learner takes what people teach: phrasings from trainers, candidates
// for review from everyone else, picks after "Did you mean…?", and
// messages the bot did not understand. *learn.Learner satisfies it.
type Learner interface {
	Teach(ctx context.Context, text, intent, by, source string) (training.Teaching, error)
	Propose(ctx context.Context, c training.Candidate) (training.Candidate, error)
	Candidates(ctx context.Context) ([]training.Candidate, error)
	Resolve(ctx context.Context, id string, d training.Decision) (training.Candidate, error)
}

// Commands that teach, in chat.
var (
	learnRE   = regexp.MustCompile(`(?i)^(?:please\s+)?(?:learn|remember)\s+(?:that\s+)?["“'‘](.+?)["”'’]\s+(?:means|is)\s+(?:a\s+|an\s+|the\s+)?(.+?)[.!]?$`)
	reviewRE  = regexp.MustCompile(`(?i)^(?:review(?:\s+the)?\s+training|(?:show\s+)?(?:the\s+)?(?:training|review)\s+queue|what\s+should\s+i\s+teach(?:\s+you)?)\??$`)
	approveRE = regexp.MustCompile(`(?i)^approve\s+#?([0-9a-f]{4,32})(?:\s+as\s+(.+?))?[.!]?$`)
	rejectRE  = regexp.MustCompile(`(?i)^reject\s+#?([0-9a-f]{4,32})[.!]?$`)
)

// trainerRole may teach directly and review the queue.
const trainerRole = "trainer"

func (e *Engine) isTrainer(roles []string) bool {
	return slices.Contains(roles, e.cfg.TrainerRole)
}

// learning handles the teaching commands. It reports whether text was one.
func (e *Engine) learning(ctx context.Context, msg Message, text string) (Outcome, bool) {
	replies, records, ok := e.learningReplies(ctx, msg, text)
	return Outcome{Replies: replies, Records: records}, ok
}

func (e *Engine) learningReplies(ctx context.Context, msg Message, text string) ([]string, []Record, bool) {
	if e.cfg.Learner == nil {
		return nil, nil, false
	}
	if m := learnRE.FindStringSubmatch(text); m != nil {
		reply, rec := e.teach(ctx, msg, m[1], m[2])
		return []string{reply}, rec, true
	}
	trainer := e.isTrainer(msg.Roles)
	needRole := fmt.Sprintf("Sorry %s, you need the %s role to review what I learn.", msg.User, e.cfg.TrainerRole)
	if reviewRE.MatchString(text) {
		if !trainer {
			return []string{needRole}, nil, true
		}
		return []string{e.queue(ctx)}, nil, true
	}
	if m := approveRE.FindStringSubmatch(text); m != nil && len(m[1]) == 12 {
		if !trainer {
			return []string{needRole}, nil, true
		}
		reply, rec := e.resolve(ctx, msg, m[1], true, m[2])
		return []string{reply}, rec, true
	}
	if m := rejectRE.FindStringSubmatch(text); m != nil && len(m[1]) == 12 {
		if !trainer {
			return []string{needRole}, nil, true
		}
		reply, rec := e.resolve(ctx, msg, m[1], false, "")
		return []string{reply}, rec, true
	}
	return nil, nil, false
}

// intentNamed finds the intent a person names: a skill's name, its
// description, a conversational intent, or a near miss of one.
func (e *Engine) intentNamed(name string) (string, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.Trim(name, "`\"'“”")
	names := []string{IntentAffirm, IntentDeny, IntentCancel, nlu.OutOfScope}
	for _, s := range e.cfg.Catalog.All() {
		if name == s.Name || name == describe(s) {
			return s.Name, true
		}
		names = append(names, s.Name)
	}
	spaced := strings.ReplaceAll(name, " ", "_")
	if slices.Contains(names, spaced) {
		return spaced, true
	}
	return fuzzy.Closest(spaced, names)
}

func (e *Engine) teach(ctx context.Context, msg Message, text, name string) (string, []Record) {
	intent, ok := e.intentNamed(name)
	if !ok {
		return fmt.Sprintf("I don't have a skill called “%s”. Say “help” to see the skills, then “learn that \"…\" means SKILL”.", shorten(name, 40)), nil
	}
	if !e.isTrainer(msg.Roles) {
		c, err := e.cfg.Learner.Propose(ctx, training.Candidate{Text: text, Intent: intent, By: msg.User, Channel: msg.Channel, Source: "chat"})
		if err != nil {
			return e.learnFailure(ctx, err), nil
		}
		return fmt.Sprintf("Thanks %s — I've put “%s” → %s up for review (#%s); someone with the %s role will decide.", msg.User, shorten(c.Text, 80), intent, c.ID, e.cfg.TrainerRole),
			[]Record{{Kind: "proposed", Skill: intent, User: msg.User, Detail: c.Text}}
	}
	t, err := e.cfg.Learner.Teach(ctx, text, intent, msg.User, "chat")
	if err != nil {
		return e.learnFailure(ctx, err), nil
	}
	return fmt.Sprintf("Got it: “%s” means %s. I understand it now and am retraining on it.", shorten(t.Text, 80), intent),
		[]Record{{Kind: "taught", Skill: intent, User: msg.User, Detail: t.Text}}
}

func (e *Engine) queue(ctx context.Context) string {
	cs, err := e.cfg.Learner.Candidates(ctx)
	if err != nil {
		return e.learnFailure(ctx, err)
	}
	if len(cs) == 0 {
		return "The review queue is empty."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d waiting for review (oldest first):", len(cs))
	for i, c := range cs {
		if i == 10 {
			fmt.Fprintf(&b, "\n…and %d more", len(cs)-10)
			break
		}
		what := c.Intent
		if what == "" {
			what = "not understood"
			if len(c.Guesses) > 0 {
				what += " (guessed " + strings.Join(c.Guesses, ", ") + ")"
			}
		}
		fmt.Fprintf(&b, "\n• #%s “%s” → %s — %s", c.ID, shorten(c.Text, 80), what, c.By)
		if c.Count > 1 {
			fmt.Fprintf(&b, ", %d times", c.Count)
		}
	}
	b.WriteString("\nSay “approve ID”, “approve ID as SKILL” or “reject ID”.")
	return b.String()
}

func (e *Engine) resolve(ctx context.Context, msg Message, id string, approve bool, as string) (string, []Record) {
	d := training.Decision{Approve: approve, By: msg.User}
	if as != "" {
		intent, ok := e.intentNamed(as)
		if !ok {
			return fmt.Sprintf("I don't have a skill called “%s”.", shorten(as, 40)), nil
		}
		d.Intent = intent
	}
	c, err := e.cfg.Learner.Resolve(ctx, strings.ToLower(id), d)
	if err != nil {
		return e.learnFailure(ctx, err), nil
	}
	if !approve {
		return fmt.Sprintf("Rejected “%s”.", shorten(c.Text, 80)), nil
	}
	intent := d.Intent
	if intent == "" {
		intent = c.Intent
	}
	return fmt.Sprintf("Approved: “%s” means %s. I understand it now and am retraining on it.", shorten(c.Text, 80), intent),
		[]Record{{Kind: "taught", Skill: intent, User: msg.User, Detail: c.Text}}
}

// learnFailure phrases a failure of the learning store or a refused teaching.
func (e *Engine) learnFailure(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, training.ErrUnknown):
		return "There is no candidate with that id in the review queue (say “review training” to see it)."
	case errors.Is(err, ErrUnavailable):
		return msgStoreDown
	}
	msg := err.Error()
	if i := strings.Index(msg, "cannot learn that: "); i >= 0 {
		return "I can't learn that: " + msg[i+len("cannot learn that: "):] + "."
	}
	ref := newRef()
	e.log.ErrorContext(ctx, "learning failed", "ref", ref, "err", err)
	return fmt.Sprintf("I couldn't record that (ref %s). Please try again in a moment.", ref)
}

// picking handles the answer to "Did you mean: A, or B?". A pick runs the
// original request as the picked skill and becomes a candidate example.
func (e *Engine) picking(c conversation, in turnInput) (conversation, plan, bool) {
	var p plan
	if c.expired(in.now) || len(c.Suggest) == 0 {
		return c, p, false
	}
	pick := ""
	text := strings.ToLower(strings.Trim(strings.TrimSpace(in.text), ".!?"))
	switch text {
	case "1", "first", "the first", "the first one", "a", "option 1":
		pick = c.Suggest[0]
	case "2", "second", "the second", "the second one", "b", "option 2":
		if len(c.Suggest) > 1 {
			pick = c.Suggest[1]
		}
	case "no", "neither", "none", "neither of them", "nope":
		p.say("OK. Could you say it another way? Say “help” to see what I can do.")
		return conversation{}, p, true
	}
	if pick == "" && len(c.Suggest) == 1 && in.nlu.Intent == IntentAffirm {
		pick = c.Suggest[0]
	}
	if pick == "" {
		for _, g := range c.Suggest {
			s, ok := e.cfg.Catalog.Lookup(g)
			if !ok {
				continue
			}
			// The same intent counts as a pick only without values of its
			// own: "help http check" after "Did you mean: show what I can
			// do…?" is a request of its own, not an answer.
			if in.nlu.Intent == g && len(in.nlu.Entities) == 0 || text == g || strings.HasPrefix(describe(s), text) && len(text) >= 4 {
				pick = g
				break
			}
		}
	}
	if pick == "" {
		return c, p, false
	}
	s, ok := e.cfg.Catalog.Lookup(pick)
	if !ok {
		return c, p, false
	}
	p.candidate = &training.Candidate{Text: c.Origin, Intent: pick, Guesses: c.Suggest, By: in.msg.User, Channel: in.msg.Channel, Source: "did-you-mean"}
	origin := in
	origin.text, origin.nlu = c.Origin, in.origin
	next, pl := e.request(s, nil, origin, &p)
	return next, pl, true
}

// guesses are the skills worth offering for a message not understood:
// the two most likely of those the person may run there. When the message names values, the skills that
// take one of them come first, whatever the model thought of them, and
// from the whole catalog if need be: "staging" offers to deploy or roll
// back, not to check a service.
func (e *Engine) guesses(r nlu.Result, msg Message) []*skills.Skill {
	mayRun := func(s *skills.Skill) bool {
		ok, _ := s.Allowed(msg.Roles, skills.Args{})
		return ok && s.AllowedIn(msg.Channel)
	}
	var fit, other []*skills.Skill
	seen := map[string]bool{}
	for _, alt := range r.Alternatives {
		s, ok := e.cfg.Catalog.Lookup(alt.Intent)
		if !ok || !mayRun(s) {
			continue
		}
		seen[s.Name] = true
		switch {
		case takesAny(s, r.Entities):
			fit = append(fit, s)
		case alt.Confidence >= 0.1:
			other = append(other, s)
		}
	}
	if len(r.Entities) > 0 && len(fit) < 2 {
		for _, s := range e.cfg.Catalog.All() {
			if !seen[s.Name] && takesAny(s, r.Entities) && mayRun(s) {
				fit = append(fit, s)
			}
		}
	}
	out := append(fit, other...)
	return out[:min(len(out), 2)]
}

// takesAny reports whether one of s's parameters takes an entity of one
// of the types of ents.
func takesAny(s *skills.Skill, ents []nlu.Entity) bool {
	for i := range s.Params {
		for _, typ := range s.Params[i].EntityTypes() {
			for _, ent := range ents {
				if ent.Type == typ {
					return true
				}
			}
		}
	}
	return false
}
