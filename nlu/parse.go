package nlu

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/parleybot/parley/nlu/typed"
)

type parseScratch struct {
	probs []float64
	rows  []int32
	feats []uint64
	words []string
	extra []string
	path  []int
	vit   viterbiScratch
}

// Parse understands one message. It never fails on odd input (empty,
// binary, huge): such text simply yields out_of_scope. The only errors are
// the context's.
func (m *Model) Parse(ctx context.Context, text string) (Result, error) {
	return m.parse(ctx, text, nil)
}

// parse understands text; taught holds phrasings taught since the model
// was trained (exact key -> intent), which win like the model's own.
func (m *Model) parse(ctx context.Context, text string, taught map[string]string) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	a := m.analyse(text, true)
	res := Result{Text: text, Normalized: tidy(strings.Join(a.words, " ")), Tokens: a.tokens}
	if len(a.tokens) == 0 {
		res.Intent, res.Unfamiliar = OutOfScope, true
		return res, nil
	}
	s, _ := m.scratch.Get().(*parseScratch)
	if s == nil {
		s = &parseScratch{}
	}
	defer m.scratch.Put(s)

	k := len(m.intents.Labels)
	if cap(s.probs) < k {
		s.probs = make([]float64, k)
	}
	s.probs = s.probs[:k]
	// The intent reads the words with entity roles found by the tagger on
	// its own; the entities are then tagged again knowing the intent.
	var spans []span
	if m.entities != nil && len(a.words) > 0 {
		m.entities.emissions(tokenFeatures(a.words, a.kinds, a.lists, ""), &s.vit, false)
		s.path = m.entities.best(len(a.words), s.path, &s.vit, nil)
		spans = m.spansOf(s.path)
	}
	s.words, s.extra = classifierWords(&a, spans, s.words, s.extra)
	var nWords int
	s.feats, nWords = messageFeatures(s.feats[:0], s.words, s.extra)
	evidence := 0.0
	if len(s.words) >= evidenceMinWords {
		evidence = evidenceWeight / float64(nWords)
	}
	s.rows = m.intents.scores(s.feats, evidence, s.probs, s.rows)
	if best := m.intents.Labels[argmax(s.probs)]; best != OutOfScope && m.entities != nil && len(a.words) > 0 {
		// Only the intent's own features are added to the emissions, and
		// only the roles the intent's examples mark are looked for.
		m.entities.emissions(intentTokenFeatures(a.words, a.kinds, best), &s.vit, true)
		tags := m.entities.intentTags(best, m.roles[best])
		s.path = m.entities.best(len(a.words), s.path, &s.vit, &tags)
		spans = m.spansOf(s.path)
	}
	res.Entities = m.mergeEntities(&a, spans, text)

	res.Alternatives = topN(m.intents.Labels, s.probs, 5)
	key := exactKey(a.folded)
	res.Unfamiliar = !m.familiar(a.words)
	if intent, ok := taught[key]; ok {
		res.Alternatives = sure(intent, res.Alternatives)
		res.Unfamiliar = false
	} else if intent, ok := m.exact[key]; ok {
		res.Alternatives = sure(intent, res.Alternatives)
		res.Unfamiliar = false
	}
	m.decide(&res)
	if res.Intent != OutOfScope {
		res.Entities = m.keepRoles(res.Intent, res.Entities)
	}
	return res, nil
}

// familiar reports whether one of words is a word the model learned from
// or a list knows.
func (m *Model) familiar(words []string) bool {
	for _, w := range words {
		if m.counts[w] > 0 || m.marked[w] {
			return true
		}
		if _, ok := m.lists.exact[w]; ok {
			return true
		}
	}
	return false
}

// sure puts a known phrasing's intent first at 0.99 and scales the rest
// into the remaining 0.01: a phrasing the model was taught means what it
// was taught to mean.
func sure(intent string, alts []Scored) []Scored {
	out := make([]Scored, 0, len(alts)+1)
	out = append(out, Scored{Intent: intent, Confidence: 0.99})
	var rest float64
	for _, a := range alts {
		if a.Intent != intent {
			rest += a.Confidence
		}
	}
	for _, a := range alts {
		if a.Intent != intent && len(out) < cap(out) {
			c := 0.0
			if rest > 0 {
				c = 0.01 * a.Confidence / rest
			}
			out = append(out, Scored{Intent: a.Intent, Confidence: c})
		}
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func topN(labels []string, probs []float64, n int) []Scored {
	out := make([]Scored, 0, len(labels))
	for i, l := range labels {
		out = append(out, Scored{Intent: l, Confidence: probs[i]})
	}
	slices.SortStableFunc(out, func(a, b Scored) int {
		if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
			return c
		}
		return cmp.Compare(a.Intent, b.Intent)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// decide applies the thresholds: a confident best intent stands; a weak one
// is out of scope; two close real intents are ambiguous.
func (m *Model) decide(res *Result) {
	best := res.Alternatives[0]
	res.Intent, res.Confidence = best.Intent, best.Confidence
	if best.Intent == OutOfScope || !m.rejects() {
		return
	}
	if len(res.Alternatives) > 1 {
		second := res.Alternatives[1]
		if second.Intent != OutOfScope && best.Confidence-second.Confidence < m.opts.Margin {
			res.Intent, res.Ambiguous = OutOfScope, true
			return
		}
	}
	if best.Confidence < m.opts.Threshold {
		res.Intent = OutOfScope
	}
}

// spansOf reads entity spans off a BIO tag path.
func (m *Model) spansOf(path []int) []span {
	var out []span
	for i := 0; i < len(path); {
		t := path[i]
		if t == 0 || t%2 == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(path) && path[j] == t+1 {
			j++
		}
		out = append(out, span{typ: strings.TrimPrefix(m.entities.Tags[t], "B-"), start: i, end: j})
		i = j
	}
	return out
}

// mergeEntities merges what the tagger, the typed scanners and the lists found:
// the tagger names the role, a typed match or list value normalises it;
// typed and list matches outside tagged spans stand on their own.
func (m *Model) mergeEntities(a *analysis, spans []span, text string) []Entity {
	runes := []rune(text)
	surface := func(start, end int) string {
		if start < 0 || end > len(runes) || start >= end {
			return ""
		}
		return string(runes[start:end])
	}
	var out []Entity
	fixed := 0 // entities before this index are settled; list matches may not overlap them
	covered := func(start, end int) bool {
		for _, e := range out[:fixed] {
			if start < e.End && e.Start < end {
				return true
			}
		}
		return false
	}
	for _, sp := range spans {
		start, end := a.tokens[sp.start].Start, a.tokens[sp.end-1].End
		// A list spelling of the same type that overlaps the span is the
		// value ("sev 1" where the tagger saw "sev").
		for _, lm := range a.listed {
			if lm.start < sp.end && sp.start < lm.end && hasType(lm.entries, sp.typ) {
				sp.start, sp.end = min(sp.start, lm.start), max(sp.end, lm.end)
				start, end = a.tokens[sp.start].Start, a.tokens[sp.end-1].End
				break
			}
		}
		e := Entity{Type: sp.typ, Start: start, End: end, Source: "model"}
		e.Text = surface(start, end)
		e.Value = strings.ToLower(e.Text)
		for _, tm := range a.typed {
			if tm.Start > start || tm.End < end {
				continue
			}
			if tm.Start == start && tm.End == end || wholeKind(tm.Kind) {
				// A typed value normalises the span; one the tokenizer may
				// have split (a URL, an address) is taken whole.
				e.Start, e.End, e.Text, e.Value = tm.Start, tm.End, surface(tm.Start, tm.End), tm.Value
			}
			break
		}
		if v, ok := m.lists.canonical(sp.typ, strings.Join(a.words[sp.start:sp.end], " ")); ok {
			e.Value = v
		}
		out = append(out, e)
		fixed++
	}
	// Pattern entities declared in configuration come before the generic
	// typed ones ("JIRA-12" is a ticket, not a host name).
	for _, re := range regexEntities(m.regexes, text) {
		if !covered(re.Start, re.End) {
			out = append(out, re)
			fixed++
		}
	}
	for _, tm := range a.typed {
		if covered(tm.Start, tm.End) {
			continue
		}
		out = append(out, Entity{Type: string(tm.Kind), Text: surface(tm.Start, tm.End), Value: tm.Value, Start: tm.Start, End: tm.End, Source: "typed"})
		fixed++
	}
	// List entities of several types may share a span ("payments" the
	// team and the app); the dialog picks the type it needs.
	for _, lm := range a.listed {
		start, end := a.tokens[lm.start].Start, a.tokens[lm.end-1].End
		if covered(start, end) {
			continue
		}
		for _, le := range lm.entries {
			out = append(out, Entity{Type: le.Type, Text: surface(start, end), Value: le.Value, Start: start, End: end, Source: "list"})
		}
	}
	slices.SortStableFunc(out, func(x, y Entity) int { return cmp.Compare(x.Start, y.Start) })
	return out
}

// wholeKind reports typed kinds that are one value however they tokenize.
func wholeKind(k typed.Kind) bool {
	switch k {
	case typed.KindURL, typed.KindEmail, typed.KindIP, typed.KindFQDN, typed.KindHostname:
		return true
	}
	return false
}

// keepRoles drops list matches the tagger did not confirm whose type the
// intent never uses ("open" is a status in "list open incidents", not in
// "open an incident").
func (m *Model) keepRoles(intent string, ents []Entity) []Entity {
	roles := m.roles[intent]
	out := ents[:0]
	for _, e := range ents {
		if e.Source == "list" && !roles[e.Type] {
			continue
		}
		out = append(out, e)
	}
	return out
}

func hasType(entries []listEntry, typ string) bool {
	for _, e := range entries {
		if e.Type == typ {
			return true
		}
	}
	return false
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// rejects reports whether the model may answer out of scope for a weak
// guess: only when it was shown what out of scope looks like. A model
// trained on a closed set of intents always names its best one.
func (m *Model) rejects() bool {
	for _, l := range m.intents.Labels {
		if l == OutOfScope || l == "oos" {
			return true
		}
	}
	return false
}

// WithDecision returns the model deciding with another out-of-scope
// threshold and ambiguity margin (a negative margin: none). The weights
// are shared; both models stay immutable.
func (m *Model) WithDecision(threshold, margin float64) *Model {
	c := &Model{opts: m.opts, intents: m.intents, entities: m.entities, vocab: m.vocab, counts: m.counts, marked: m.marked,
		exact: m.exact, roles: m.roles, lists: m.lists, regexes: m.regexes}
	c.opts.Threshold, c.opts.Margin = threshold, margin
	return c
}

// Decision returns the out-of-scope threshold and the ambiguity margin.
func (m *Model) Decision() (threshold, margin float64) { return m.opts.Threshold, m.opts.Margin }
