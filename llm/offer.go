package llm

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// Request is what the engine asks the model about.
type Request struct {
	// Text is the person's message.
	Text string
	// Skills are the skills this person may run (the engine filters by
	// role); the model is offered these and nothing else.
	Skills []*skills.Skill
	// Pending, when set, is the dialog in progress.
	Pending *Pending
	// Local is what the local NLU understood. Only intent names,
	// confidences and entity types and surface texts are sent.
	Local nlu.Result
}

// Pending is the dialog in progress: the skill being collected, the
// parameters known so far and the one being asked for. Known must not hold
// secret values; any that slip in are withheld from the model and masked
// in logs. A message answering a secret parameter is never sent at all.
type Pending struct {
	Skill  string
	Known  map[string]string
	Asking string
}

// LogValue implements slog.LogValuer: the known parameters' names are
// logged, never their values, since which of them are secret is only
// known with the skill at hand.
func (p *Pending) LogValue() slog.Value {
	if p == nil {
		return slog.StringValue("none")
	}
	names := make([]string, 0, len(p.Known))
	for k := range p.Known {
		names = append(names, k)
	}
	slices.Sort(names)
	return slog.GroupValue(slog.String("skill", p.Skill), slog.String("asking", p.Asking), slog.Any("known", names))
}

// Limits on what is sent.
const (
	maxText         = 4096 // bytes of the person's message
	maxTools        = 128  // tools per request, the OpenAI API's limit
	maxAlternatives = 3
	maxEntities     = 10
	maxValueRunes   = 200 // a known value or entity text in the prompt
)

// offer is one Propose request made fit to send: the offered skills under
// their tool names, the pending context without secrets, and the local
// NLU's hints among the offered skills only.
type offer struct {
	text     string
	skills   []*skills.Skill // in tool order
	tools    []string        // tools[i] is the tool name of skills[i]
	byTool   map[string]*skills.Skill
	pending  *pendingView
	local    []nlu.Scored // Intent holds the tool name
	entities []nlu.Entity
	// withheld names secret parameters whose known values were dropped.
	withheld []string
}

type pendingView struct {
	skill  *skills.Skill
	tool   string
	known  map[string]string // parameters of skill, none secret
	asking *skills.Param     // nil when not asking for one
}

// newOffer checks r and keeps what may be sent. Its errors wrap
// ErrNoProposal: such a request is not sent at all.
func newOffer(r Request) (*offer, error) {
	text := strings.TrimSpace(r.Text)
	switch {
	case text == "":
		return nil, fmt.Errorf("%w: the message is empty", ErrNoProposal)
	case len(text) > maxText:
		return nil, fmt.Errorf("%w: the message is longer than %d bytes", ErrNoProposal, maxText)
	case !utf8.ValidString(text):
		return nil, fmt.Errorf("%w: the message is not valid UTF-8", ErrNoProposal)
	}
	o := &offer{text: oneLine(text), byTool: map[string]*skills.Skill{}}

	byName := map[string]*skills.Skill{}
	var all []*skills.Skill
	for _, s := range r.Skills {
		if s == nil || byName[s.Name] != nil {
			continue
		}
		byName[s.Name] = s
		all = append(all, s)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: no skills are offered", ErrNoProposal)
	}

	// The pending skill and the local guesses go first, so that they are
	// offered even when the catalog is longer than the tool limit.
	var first []*skills.Skill
	if r.Pending != nil {
		pv, withheld, err := pendingFor(r.Pending, byName)
		if err != nil {
			return nil, err
		}
		o.pending, o.withheld = pv, withheld
		first = append(first, pv.skill)
	}
	var guesses []nlu.Scored
	for _, alt := range r.Local.Alternatives {
		if s := byName[alt.Intent]; s != nil && len(guesses) < maxAlternatives {
			guesses = append(guesses, alt)
			if !slices.Contains(first, s) {
				first = append(first, s)
			}
		}
	}
	for _, s := range slices.Concat(first, all) {
		if len(o.skills) == maxTools {
			break
		}
		if slices.Contains(o.skills, s) {
			continue
		}
		name := toolName(s.Name, func(n string) bool { return o.byTool[n] != nil })
		o.skills, o.tools = append(o.skills, s), append(o.tools, name)
		o.byTool[name] = s
	}
	if o.pending != nil {
		o.pending.tool = o.toolOf(o.pending.skill)
	}
	for _, g := range guesses {
		o.local = append(o.local, nlu.Scored{Intent: o.toolOf(byName[g.Intent]), Confidence: g.Confidence})
	}
	for _, e := range r.Local.Entities {
		if len(o.entities) == maxEntities {
			break
		}
		if e.Type != "" && strings.TrimSpace(e.Text) != "" {
			o.entities = append(o.entities, nlu.Entity{Type: clip(e.Type, 64), Text: clip(e.Text, maxValueRunes), Value: clip(e.Value, maxValueRunes)})
		}
	}
	return o, nil
}

// pendingFor checks the pending dialog against the offered skills and
// drops what the model must not see.
func pendingFor(p *Pending, byName map[string]*skills.Skill) (*pendingView, []string, error) {
	s := byName[p.Skill]
	if s == nil {
		// Without the skill's declarations there is no knowing whether
		// the message answers a secret: it is not sent.
		return nil, nil, fmt.Errorf("%w: the pending skill %q is not offered", ErrNoProposal, clip(p.Skill, 64))
	}
	pv := &pendingView{skill: s, known: map[string]string{}}
	if p.Asking != "" {
		pv.asking = s.Param(p.Asking)
		switch {
		case pv.asking == nil:
			return nil, nil, fmt.Errorf("%w: %s has no parameter %q", ErrNoProposal, s.Name, clip(p.Asking, 64))
		case pv.asking.Secret:
			return nil, nil, fmt.Errorf("%w: the message answers the secret %s of %s and is not sent", ErrNoProposal, p.Asking, s.Name)
		}
	}
	var withheld []string
	for k, v := range p.Known {
		switch param := s.Param(k); {
		case param == nil:
		case param.Secret:
			withheld = append(withheld, k)
		default:
			pv.known[k] = clip(oneLine(v), maxValueRunes)
		}
	}
	slices.Sort(withheld)
	return pv, withheld, nil
}

func (o *offer) toolOf(s *skills.Skill) string {
	return o.tools[slices.Index(o.skills, s)]
}

// system is the system prompt: the rules, then the dialog context and the
// local NLU's hints.
func (o *offer) system() string {
	var b strings.Builder
	b.WriteString("You turn chat requests from an operations team into tool calls for their operations bot.\n" +
		"- Call exactly one tool when the request clearly asks for what it does. Never call more than one.\n" +
		"- Fill a parameter only with a value the person gave, in this message or earlier in the conversation. " +
		"Never guess or invent a value: leave it out, and the bot will ask the person.\n" +
		"- When no tool fits, or the request is unclear, call no tool and answer in one short sentence.\n")
	if pv := o.pending; pv != nil {
		if pv.asking != nil {
			fmt.Fprintf(&b, "\nThe person is answering the question for %s of %s", pv.asking.Name, pv.tool)
			if q := strings.TrimSpace(pv.asking.Question); q != "" {
				fmt.Fprintf(&b, " (%q)", q)
			}
			b.WriteString(".")
		} else {
			fmt.Fprintf(&b, "\nThe person is in the middle of a request for %s.", pv.tool)
		}
		if len(pv.known) > 0 {
			b.WriteString(" Already known:")
			for _, k := range sortedKeys(pv.known) {
				fmt.Fprintf(&b, " %s=%q", k, pv.known[k])
			}
			b.WriteString(".")
		}
		fmt.Fprintf(&b, " If the message goes on with that request, call %s with the known values and what the message adds.\n", pv.tool)
	}
	if len(o.local) > 0 {
		b.WriteString("\nA local classifier guessed, and may be wrong:")
		for i, alt := range o.local {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %.2f", sep, alt.Intent, alt.Confidence)
		}
		b.WriteString(".\n")
	}
	if len(o.entities) > 0 {
		b.WriteString("Values it found in the message:")
		for i, e := range o.entities {
			sep := ";"
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s %s %q", sep, e.Type, e.Text)
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// cacheKey identifies the question asked: the normalised text, the
// offered skills and the pending context.
func (o *offer) cacheKey() string {
	names := make([]string, len(o.skills))
	for i, s := range o.skills {
		names[i] = s.Name
	}
	slices.Sort(names)
	key := struct {
		Text    string            `json:"t"`
		Skills  []string          `json:"s"`
		Skill   string            `json:"p,omitempty"`
		Asking  string            `json:"a,omitempty"`
		Known   map[string]string `json:"k,omitempty"`
		Request string            `json:"r"`
	}{Text: normalize(o.text), Skills: names, Request: "propose"}
	if pv := o.pending; pv != nil {
		key.Skill, key.Known = pv.skill.Name, pv.known
		if pv.asking != nil {
			key.Asking = pv.asking.Name
		}
	}
	b, _ := json.Marshal(key) // strings and maps of strings always encode
	return string(b)
}

// normalize lower-cases s and collapses its white space.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// oneLine replaces control and invisible format characters with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return ' '
		}
		return r
	}, s)
}

// unsafeRune reports a control character, a line or paragraph separator,
// or an invisible format character other than the zero-width joiner.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.In(r, unicode.Cf) && r != '\u200d'
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
