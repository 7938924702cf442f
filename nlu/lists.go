package nlu

import (
	"fmt"
	"slices"
	"strings"

	"github.com/parleybot/parley/nlu/fuzzy"
)

// List is a vocabulary of one entity type from configuration (services,
// environments, teams...): canonical values and their other spellings.
type List struct {
	Type     string
	Values   []string
	Synonyms map[string][]string // canonical value -> other spellings
}

type listEntry struct {
	Type, Value string
}

// gazetteer finds list values in token sequences, exactly or, for single
// words of five letters or more, within one or two edits.
type gazetteer struct {
	exact  map[string][]listEntry // spelling (tokens joined by spaces) -> entries
	maxLen int                    // most tokens in a spelling
	fuzzy  *fuzzy.Index           // single-word spellings
}

func newGazetteer(lists []List) (*gazetteer, error) {
	g := &gazetteer{exact: map[string][]listEntry{}}
	words := map[string]int{}
	add := func(typ, spelling, value string) {
		toks := tokenize(fold(spelling))
		if len(toks) == 0 {
			return
		}
		parts := make([]string, len(toks))
		for i, t := range toks {
			parts[i] = t.Text
		}
		key := strings.Join(parts, " ")
		e := listEntry{Type: typ, Value: value}
		if !slices.Contains(g.exact[key], e) {
			g.exact[key] = append(g.exact[key], e)
		}
		g.maxLen = max(g.maxLen, len(parts))
		if len(parts) == 1 && len([]rune(key)) >= 5 && isAlpha(strings.ReplaceAll(key, "-", "")) {
			words[key]++
		}
	}
	for _, l := range lists {
		if l.Type == "" {
			return nil, fmt.Errorf("entity list without a type")
		}
		for _, v := range l.Values {
			add(l.Type, v, strings.ToLower(v))
		}
		for canon, syns := range l.Synonyms {
			if !slices.Contains(l.Values, canon) {
				return nil, fmt.Errorf("entity list %s: synonyms for %q, which is not one of its values", l.Type, canon)
			}
			for _, s := range syns {
				add(l.Type, s, strings.ToLower(canon))
			}
		}
	}
	g.fuzzy = fuzzy.NewIndex(words)
	return g, nil
}

type listMatch struct {
	entries    []listEntry
	start, end int // token indexes, end exclusive
	fuzzy      bool
}

// match finds the longest list spellings in the words, left to right.
// known reports words the model has seen, which are never fuzzy-matched.
func (g *gazetteer) match(words []string, known func(string) bool) []listMatch {
	var out []listMatch
	for i := 0; i < len(words); {
		found := false
		for n := min(g.maxLen, len(words)-i); n >= 1; n-- {
			key := words[i]
			if n > 1 {
				key = strings.Join(words[i:i+n], " ")
			}
			if es, ok := g.exact[key]; ok {
				out = append(out, listMatch{entries: es, start: i, end: i + n})
				i += n
				found = true
				break
			}
		}
		if found {
			continue
		}
		w := words[i]
		if len(w) >= 5 && !known(w) {
			if m, _, ok := g.fuzzy.Lookup(w); ok {
				out = append(out, listMatch{entries: g.exact[m], start: i, end: i + 1, fuzzy: true})
			}
		}
		i++
	}
	return out
}

// canonical returns the list value of a type that a phrase names (its
// tokens joined by single spaces), exactly or as a near miss.
func (g *gazetteer) canonical(typ, key string) (string, bool) {
	lookup := func(k string) (string, bool) {
		for _, e := range g.exact[k] {
			if e.Type == typ {
				return e.Value, true
			}
		}
		return "", false
	}
	if v, ok := lookup(key); ok {
		return v, true
	}
	if len(key) >= 5 && !strings.Contains(key, " ") {
		if m, _, ok := g.fuzzy.Lookup(key); ok {
			return lookup(m)
		}
	}
	return "", false
}
