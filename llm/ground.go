package llm

import (
	"slices"
	"strings"

	"github.com/parleybot/parley/skills"
)

// evidence is what the person said, as lower-case words: the message, the
// values known from the dialog, and the entities the local NLU found. A
// value the model proposes must be found in it, so that the model can
// normalise and place values but never add one.
type evidence struct {
	sources [][]string // each source split into words
}

// Bounds on the search for a value among the words.
const (
	maxPhraseWords = 6   // "2 hours and 30 minutes" is five words
	maxSourceWords = 128 // per source, for the phrase search
)

func (o *offer) evidence() *evidence {
	e := &evidence{}
	add := func(s string) {
		if w := words(s); len(w) > 0 {
			e.sources = append(e.sources, w)
		}
	}
	add(o.text)
	if o.pending != nil {
		for _, k := range sortedKeys(o.pending.known) {
			add(o.pending.known[k])
		}
	}
	for _, ent := range o.entities {
		add(ent.Text)
		add(ent.Value)
	}
	return e
}

// words splits s into lower-case words without the punctuation around
// them ("nginx," and "(nginx)" are nginx; "web-1.example.com" stays whole).
func words(s string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(s)) {
		if w := strings.Trim(f, ".,;:!?\"'`()[]{}<>“”‘’"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// supports reports whether the person gave the value: the model's raw
// text or the canonical value appears as whole words, or some phrase of
// up to six words parses, by the parameter's type, to the same canonical
// value ("prod" for production, "seven" for 7, "an hour" for 1h0m0s).
func (e *evidence) supports(p *skills.Param, raw, canonical string) bool {
	for _, needle := range [][]string{words(raw), words(canonical)} {
		for _, src := range e.sources {
			if len(needle) > 0 && containsRun(src, needle) {
				return true
			}
		}
	}
	for _, src := range e.sources {
		src = src[:min(len(src), maxSourceWords)]
		for i := range src {
			for n := 1; n <= maxPhraseWords && i+n <= len(src); n++ {
				if v, err := p.Type.Parse(strings.Join(src[i:i+n], " ")); err == nil && v.String() == canonical {
					return true
				}
			}
		}
	}
	return false
}

// containsRun reports whether needle occurs in hay as consecutive words.
func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		if slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}
