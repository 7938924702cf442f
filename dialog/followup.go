package dialog

import (
	"slices"
	"strings"
	"unicode"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// A follow-up asks for a request run a moment ago again with other
// values, the way people do in chat: after "check nginx on web-1", "and on
// web-2?" checks nginx on web-2 and "what about apache" checks apache on
// web-1. It is only values after a lead-in: anything more is a request of
// its own ("and who is on call for sre?").

// followUpLeads are the words a follow-up starts with, longest first.
var followUpLeads = []string{
	"and what about ", "and how about ", "ok and ", "okay and ", "what about ", "how about ",
	"same for ", "same on ", "same with ", "same in ", "and also ", "and ", "also ", "now ",
}

// afterLead returns what follows the first of leads text starts with, in
// any case, or "" when it starts with none or nothing follows.
func afterLead(text string, leads []string) string {
	text = strings.TrimSpace(text)
	for _, lead := range leads {
		if len(text) >= len(lead) && strings.EqualFold(text[:len(lead)], lead) {
			if rest := text[len(lead):]; strings.TrimSpace(rest) != "" {
				return rest
			}
			return ""
		}
	}
	return ""
}

// followUp returns the skill of the newest request run in the last
// recallFor that takes the values of a follow-up message, and the values
// it ran with that the message does not replace. ok is false when the
// message is no follow-up.
func (e *Engine) followUp(in turnInput) (s *skills.Skill, known map[string]string, ok bool) {
	if in.last == nil {
		return nil, nil, false
	}
	rest := afterLead(in.text, followUpLeads)
	if rest == "" {
		return nil, nil, false
	}
	t := tail(in.nlu, rest)
	for _, run := range in.last.recent(in.now) {
		s, found := e.cfg.Catalog.Lookup(run.Skill)
		if !found {
			continue
		}
		marked, listed, fits := followUpValues(s, t, rest)
		if !fits {
			continue
		}
		// The values the model marked are filled from the message as in
		// any request, several of them included ("and web-3 and web-4");
		// the listed ones it did not mark are given here.
		known = map[string]string{}
		for _, p := range s.Params {
			if v, ok := run.Params[p.Name]; ok && p.Type.Name() != "text" && !marked[p.Name] {
				known[p.Name] = v
			}
		}
		for name, v := range listed {
			known[name] = v
		}
		return s, known, true
	}
	return nil, nil, false
}

// followUpValues reads t, a follow-up whose text after the lead-in is
// rest, as values of s's parameters: rest as a whole as a moment ("next
// week"), or each word as a filler, in an entity of a type s takes
// (marked names those parameters), or a value s's parameters list that
// the model did not mark ("apache" for a service, "prod" for an
// environment: listed holds them). fits is false when a word is none of
// these, or no word is a value.
func followUpValues(s *skills.Skill, t nlu.Result, rest string) (marked map[string]bool, listed map[string]string, fits bool) {
	marked, listed = map[string]bool{}, map[string]string{}
	for i := range s.Params {
		// A moment is read whole: "what about next week".
		if p := &s.Params[i]; p.Type.Name() == "when" {
			if v, err := p.Type.Parse(strings.TrimRight(strings.TrimSpace(rest), "?!.")); err == nil {
				listed[p.Name] = v.String()
				return marked, listed, true
			}
		}
	}
	for _, tok := range t.Tokens {
		word := strings.ToLower(tok.Text)
		if strings.IndexFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 || fillerWords[word] {
			continue
		}
		if ent, ok := entityAt(t.Entities, tok); ok {
			if name, ok := paramFor(s, ent, t.Text); ok {
				marked[name] = true
				continue
			}
		}
		name, v, ok := listedValue(s, word)
		if !ok {
			return nil, nil, false
		}
		if _, taken := listed[name]; !taken && !marked[name] {
			listed[name] = v
		}
	}
	return marked, listed, len(marked)+len(listed) > 0
}

// entityAt returns the entity that holds tok.
func entityAt(ents []nlu.Entity, tok nlu.Token) (nlu.Entity, bool) {
	for _, ent := range ents {
		if tok.Start >= ent.Start && tok.End <= ent.End {
			return ent, true
		}
	}
	return nlu.Entity{}, false
}

// paramFor returns the parameter of s that takes ent as a valid value.
func paramFor(s *skills.Skill, ent nlu.Entity, text string) (string, bool) {
	for i := range s.Params {
		p := &s.Params[i]
		if p.Type.Name() == "text" || !slices.Contains(p.EntityTypes(), ent.Type) {
			continue
		}
		if _, err := entityValue(p, ent, text); err == nil {
			return p.Name, true
		}
	}
	return "", false
}

// listedValue returns the parameter of s that lists word among its
// values (a synonym included), and the value.
func listedValue(s *skills.Skill, word string) (string, string, bool) {
	for i := range s.Params {
		p := &s.Params[i]
		values := p.Type.Values()
		if len(values) == 0 {
			continue
		}
		if v, err := p.Type.Parse(word); err == nil && slices.Contains(values, v.String()) {
			return p.Name, v.String(), true
		}
	}
	return "", "", false
}

// alsoLeads start a message that adds values to a pending request.
var alsoLeads = []string{"and also ", "and ", "also ", "plus "}

// moreValues reads a message that adds values of one parameter to a
// request awaiting its yes ("and on web-2 too" after "Restart apache on
// web-1?"): the parameter, and its new values in order. ok is false for
// anything else, values of several parameters included.
func moreValues(s *skills.Skill, c conversation, in turnInput) (name string, values []string, ok bool) {
	rest := afterLead(in.text, alsoLeads)
	if rest == "" {
		return "", nil, false
	}
	t := tail(in.nlu, rest)
	marked, listed, fits := followUpValues(s, t, rest)
	if !fits || len(marked)+len(listed) != 1 {
		return "", nil, false
	}
	for n := range marked {
		name = n
	}
	for n, v := range listed {
		name, values = n, []string{v}
	}
	if len(values) == 0 {
		p := s.Param(name)
		for _, ent := range t.Entities {
			if !slices.Contains(p.EntityTypes(), ent.Type) {
				continue
			}
			if v, err := entityValue(p, ent, t.Text); err == nil {
				values = append(values, v.String())
			}
		}
	}
	if _, filled := c.Params[name]; !filled || (c.QueueOf != "" && c.QueueOf != name) {
		return "", nil, false
	}
	var fresh []string
	for _, v := range values {
		if v != c.Params[name] && !slices.Contains(c.Queue, v) && !slices.Contains(fresh, v) {
			fresh = append(fresh, v)
		}
	}
	return name, fresh, true
}
