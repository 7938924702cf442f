package nlu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parleybot/parley/nlu/fuzzy"
	"github.com/parleybot/parley/nlu/typed"
)

// Example is one training utterance: its text, intent, and the entities
// marked in it (Start and End are rune offsets into Text; Value is the
// canonical value when the surface is a synonym or typo, else "").
type Example struct {
	Text     string
	Intent   string
	Entities []Entity
}

// Options configure training and the decision thresholds.
type Options struct {
	// Seed makes training deterministic: the same data, options and seed
	// give the same model.
	Seed uint64
	// Epochs of the intent classifier (default 30) and the entity tagger
	// (default 10).
	Epochs       int
	TaggerEpochs int
	// Threshold is the confidence below which a message is out of scope
	// (default 0.45); Margin is how close the two best intents may be
	// before the message is ambiguous (default 0.1; negative: never
	// ambiguous).
	Threshold float64
	Margin    float64
	// Lists are the entity vocabularies from configuration; Regexes the
	// pattern entities.
	Lists   []List
	Regexes []Regex
	// From, when set, is the model in service: the intent classifier
	// starts from its weights and trains only the last WarmEpochs
	// (default 6) of Epochs, which takes in a few new examples several
	// times faster than training from scratch. It is used only when From
	// knows exactly the intents of the examples; otherwise, and always
	// without From, training starts from scratch. A warm-started model
	// depends on From as well as on the data and seed.
	From       *Model
	WarmEpochs int
	// Progress, when set, is told how training advances.
	Progress func(stage string, done, total int)
}

func (o *Options) defaults() {
	if o.Epochs <= 0 {
		o.Epochs = 30
	}
	if o.TaggerEpochs <= 0 {
		o.TaggerEpochs = 10
	}
	if o.WarmEpochs <= 0 {
		o.WarmEpochs = 6
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.45
	}
	if o.Margin == 0 {
		o.Margin = 0.1
	}
}

// Model is a trained NLU model. It is immutable and safe for concurrent use.
type Model struct {
	opts     Options
	intents  *classifier
	entities *tagger // nil when the data marks no entities
	vocab    *fuzzy.Index
	counts   map[string]int // the words behind vocab
	// marked holds the words seen only inside entity marks: never
	// corrected ("four" stays a rating, not "for"), never a correction.
	marked map[string]bool
	exact  map[string]string // known phrasing -> intent
	// roles lists, per intent, the entity types its examples mark; list
	// matches the tagger did not confirm are kept only for these.
	roles   map[string]map[string]bool
	lists   *gazetteer
	regexes []compiledRegex
	scratch sync.Pool
}

// ErrNoData is returned by Train when there is nothing to learn from.
var ErrNoData = errors.New("nlu: no training examples")

// analysis is the per-message work shared by training and parsing.
type analysis struct {
	folded string
	tokens []Token
	words  []string // token texts, typos corrected
	kinds  []string // typed kind covering each token
	lists  []string // list type covering each token
	typed  []typed.Match
	listed []listMatch
}

func (m *Model) analyse(text string, correct bool) analysis {
	a := analysis{folded: fold(text)}
	a.tokens = tokenize(a.folded)
	a.words = make([]string, len(a.tokens))
	a.kinds = make([]string, len(a.tokens))
	a.lists = make([]string, len(a.tokens))
	for i, t := range a.tokens {
		a.words[i] = t.Text
	}
	a.typed = typed.Scan(a.folded)
	ti := 0
	for _, mt := range a.typed {
		for ti < len(a.tokens) && a.tokens[ti].End <= mt.Start {
			ti++
		}
		for j := ti; j < len(a.tokens) && a.tokens[j].Start < mt.End; j++ {
			if a.tokens[j].Start >= mt.Start && a.tokens[j].End <= mt.End {
				a.kinds[j] = string(mt.Kind)
			}
		}
	}
	known := func(w string) bool { return m.vocab != nil && m.vocab.Contains(w) }
	if correct && m.vocab != nil {
		for i, w := range a.words {
			if a.kinds[i] != "" || len(w) < 4 || !isAlpha(w) || known(w) || m.marked[w] {
				continue
			}
			if _, ok := m.lists.exact[w]; ok {
				continue
			}
			if fix, _, ok := m.vocab.Lookup(w); ok {
				a.words[i] = fix
			}
		}
	}
	a.listed = m.lists.match(a.words, known)
	for _, lm := range a.listed {
		for j := lm.start; j < lm.end; j++ {
			a.lists[j] = lm.entries[0].Type
		}
	}
	return a
}

// span is an entity over token indexes.
type span struct {
	typ        string
	start, end int
}

// classifierWords collapses each entity span to "<type>" and each typed
// value outside them to "<kind>"; extra gets the words inside spans, which
// still count as unigrams.
func classifierWords(a *analysis, spans []span, dst, extra []string) ([]string, []string) {
	dst, extra = dst[:0], extra[:0]
	si := 0
	for i := 0; i < len(a.words); {
		for si < len(spans) && spans[si].end <= i {
			si++
		}
		if si < len(spans) && spans[si].start == i {
			dst = append(dst, "<"+spans[si].typ+">")
			extra = append(extra, a.words[spans[si].start:spans[si].end]...)
			i = spans[si].end
			continue
		}
		if k := a.kinds[i]; k != "" {
			dst = append(dst, "<"+k+">")
			extra = append(extra, a.words[i])
			j := i + 1
			for j < len(a.words) && a.kinds[j] == k && a.tokens[j].Start == a.tokens[j-1].End {
				j++
			}
			i = j
			continue
		}
		dst = append(dst, a.words[i])
		i++
	}
	return dst, extra
}

// exactKey is the form under which known phrasings are remembered.
func exactKey(folded string) string {
	return strings.TrimRight(tidy(folded), ".!?,;: ")
}

// Train builds a model from examples.
func Train(ctx context.Context, examples []Example, opts Options) (*Model, error) {
	if len(examples) == 0 {
		return nil, ErrNoData
	}
	opts.defaults()
	from := opts.From
	opts.From = nil // a model does not keep its predecessor alive
	gz, err := newGazetteer(opts.Lists)
	if err != nil {
		return nil, err
	}
	res, err := compileRegexes(opts.Regexes)
	if err != nil {
		return nil, err
	}
	m := &Model{opts: opts, lists: gz, regexes: res, exact: map[string]string{}, roles: map[string]map[string]bool{}, marked: map[string]bool{}}
	progress := func(stage string, done, total int) {
		if opts.Progress != nil {
			opts.Progress(stage, done, total)
		}
	}

	labels := map[string]int{}
	var labelList, typeList []string
	types := map[string]bool{}
	for _, ex := range examples {
		if _, ok := labels[ex.Intent]; !ok {
			labels[ex.Intent] = len(labelList)
			labelList = append(labelList, ex.Intent)
		}
		for _, e := range ex.Entities {
			if m.roles[ex.Intent] == nil {
				m.roles[ex.Intent] = map[string]bool{}
			}
			m.roles[ex.Intent][e.Type] = true
			if !types[e.Type] {
				types[e.Type] = true
				typeList = append(typeList, e.Type)
			}
		}
	}
	slices.Sort(typeList)

	// Pass 1: analyse every example (no typo correction: training text is
	// the reference) and count the vocabulary outside entity marks.
	as := make([]analysis, len(examples))
	golds := make([][]span, len(examples))
	vocab := map[string]int{}
	for i, ex := range examples {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		as[i] = m.analyse(ex.Text, false)
		golds[i] = markSpans(as[i].tokens, ex.Entities)
		m.exact[exactKey(as[i].folded)] = ex.Intent
		inMark := make([]bool, len(as[i].words))
		for _, s := range golds[i] {
			for j := s.start; j < s.end; j++ {
				inMark[j] = true
			}
		}
		for j, w := range as[i].words {
			switch {
			case !isAlpha(w):
			case inMark[j]:
				m.marked[w] = true
			default:
				vocab[w]++
			}
		}
	}
	for w := range vocab {
		delete(m.marked, w)
	}
	m.vocab, m.counts = fuzzy.NewIndex(vocab), vocab
	progress("analysed", len(examples), len(examples))

	// The entity tagger learns from the marks.
	var jack [][]span // entity spans found by a tagger that never saw the example
	if len(typeList) > 0 {
		xs, ys := taggerData(examples, as, golds, typeList)
		tg, err := trainTagger(ctx, typeList, xs, ys, taggerOptions{Epochs: opts.TaggerEpochs, Seed: opts.Seed})
		if err != nil {
			return nil, err
		}
		m.entities = tg
		progress("entities", len(examples), len(examples))
		if jack, err = m.heldOutSpans(ctx, typeList, xs, ys, len(as)); err != nil {
			return nil, err
		}
	}

	// The intent classifier reads words with entity spans collapsed. It
	// learns each example with its marked spans and again with the spans
	// a tagger that never saw it finds, as when parsing: it learns what
	// roles mean, and not to trust a role more than the tagger earns.
	xs := make([]featureList, 0, 2*len(examples))
	ys := make([]int, 0, 2*len(examples))
	var words, extra []string
	for i, ex := range examples {
		words, extra = classifierWords(&as[i], golds[i], words, extra)
		f, n := messageFeatures(nil, words, extra)
		xs = append(xs, featureList{f, n})
		ys = append(ys, labels[ex.Intent])
	}
	for i, ex := range jack {
		words, extra = classifierWords(&as[i], ex, words, extra)
		f, n := messageFeatures(nil, words, extra)
		xs = append(xs, featureList{f, n})
		ys = append(ys, labels[examples[i].Intent])
	}
	cl, err := trainClassifier(ctx, labelList, xs, ys, classifierOptions{
		Epochs: opts.Epochs, Rate: 1, Seed: opts.Seed, Balance: 0.5,
		From: warmFrom(from, labelList), Warm: opts.WarmEpochs,
		Progress: func(e, n int) { progress("intents", e, n) },
	})
	if err != nil {
		return nil, err
	}
	m.intents = cl
	return m, nil
}

// taggerData is what the entity tagger learns from: each example's token
// features, without and with its intent, and its gold BIO tags over types.
func taggerData(examples []Example, as []analysis, golds [][]span, types []string) ([]tagInput, [][]int) {
	tagIndex := map[string]int{}
	for i, t := range types {
		tagIndex[t] = 1 + 2*i
	}
	xs := make([]tagInput, 0, len(examples))
	ys := make([][]int, 0, len(examples))
	for i := range examples {
		a := &as[i]
		y := make([]int, len(a.words))
		for _, s := range golds[i] {
			b := tagIndex[s.typ]
			y[s.start] = b
			for j := s.start + 1; j < s.end; j++ {
				y[j] = b + 1
			}
		}
		xs = append(xs, tagInput{
			feats: tokenFeatures(a.words, a.kinds, a.lists, ""),
			alt:   tokenFeatures(a.words, a.kinds, a.lists, examples[i].Intent),
		})
		ys = append(ys, y)
	}
	return xs, ys
}

// heldOutEpochs is how long the taggers of heldOutSpans train: they only
// need to err where a tagger errs on a message it never saw.
const heldOutEpochs = 3

// heldOutSpans tags each training example's entities, without the intent,
// with a tagger trained on the other half of the examples (the halves on
// two cores). The intent classifier learns from these spans rather than
// the gold ones: when parsing, it reads the spans the tagger found, mistakes
// included, and it learns not to trust a role more than the tagger earns.
func (m *Model) heldOutSpans(ctx context.Context, types []string, xs []tagInput, ys [][]int, count int) ([][]span, error) {
	out := make([][]span, count)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for half := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hx []tagInput
			var hy [][]int
			for i := range xs {
				if i%2 != half {
					hx = append(hx, tagInput{feats: xs[i].feats})
					hy = append(hy, ys[i])
				}
			}
			tg, err := trainTagger(ctx, types, hx, hy, taggerOptions{Epochs: heldOutEpochs, Seed: m.opts.Seed})
			if err != nil {
				errs[half] = err
				return
			}
			var vit viterbiScratch
			var path []int
			for i := half; i < count; i += 2 {
				if len(xs[i].feats) == 0 {
					continue
				}
				tg.emissions(xs[i].feats, &vit, false)
				path = tg.best(len(xs[i].feats), path, &vit, nil)
				out[i] = m.spansOf(path)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// warmFrom is from's intent classifier when it knows exactly labels.
func warmFrom(from *Model, labels []string) *classifier {
	if from == nil || from.intents == nil || len(from.intents.Labels) != len(labels) {
		return nil
	}
	for _, l := range labels {
		if !slices.Contains(from.intents.Labels, l) {
			return nil
		}
	}
	return from.intents
}

// markSpans maps rune-offset marks onto token index spans. A mark covers
// the tokens that lie inside it; marks covering no whole token are dropped.
func markSpans(tokens []Token, marks []Entity) []span {
	var out []span
	for _, mk := range marks {
		s, e := -1, -1
		for j, t := range tokens {
			if t.Start >= mk.Start && t.End <= mk.End {
				if s < 0 {
					s = j
				}
				e = j + 1
			}
		}
		if s >= 0 {
			out = append(out, span{typ: mk.Type, start: s, end: e})
		}
	}
	slices.SortFunc(out, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	// Drop overlaps, keeping the earlier mark.
	kept := out[:0]
	for _, s := range out {
		if len(kept) > 0 && s.start < kept[len(kept)-1].end {
			continue
		}
		kept = append(kept, s)
	}
	return kept
}

// Intents lists the intents the model knows.
func (m *Model) Intents() []string { return slices.Clone(m.intents.Labels) }

// EntityTypes lists the entity types the tagger learned.
func (m *Model) EntityTypes() []string {
	if m.entities == nil {
		return nil
	}
	var out []string
	for i := 1; i < len(m.entities.Tags); i += 2 {
		out = append(out, strings.TrimPrefix(m.entities.Tags[i], "B-"))
	}
	return out
}

func (m *Model) String() string {
	return fmt.Sprintf("nlu model: %d intents, %d entity types, %d features", len(m.intents.Labels), len(m.EntityTypes()), len(m.intents.Index))
}
