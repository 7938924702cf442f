package eval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/parleybot/parley/nlu"
)

// Parser understands one message. Score and CrossValidate call Parse from
// one goroutine at a time, so an implementation need not be safe for
// concurrent use.
type Parser interface {
	Parse(ctx context.Context, text string) (nlu.Result, error)
}

// ParserFunc adapts a function to the Parser interface.
type ParserFunc func(ctx context.Context, text string) (nlu.Result, error)

// Parse calls f.
func (f ParserFunc) Parse(ctx context.Context, text string) (nlu.Result, error) { return f(ctx, text) }

var (
	_ Parser = (*nlu.Model)(nil)
	_ Parser = (*nlu.Pipeline)(nil)
	_ Parser = ParserFunc(nil)
)

// OOS is the out-of-scope label of the CLINC150 benchmark. It and
// nlu.OutOfScope mean the same thing: an example labelled with either is
// out of scope, and a prediction of either predicts out of scope.
const OOS = "oos"

// IsOutOfScope reports whether label means "out of scope".
func IsOutOfScope(label string) bool { return label == OOS || label == nlu.OutOfScope }

// ErrNoExamples is returned when there is nothing to score.
var ErrNoExamples = errors.New("eval: no examples to score")

// Limits of what a Report keeps in its JSON form.
const (
	jsonConfusions    = 20
	jsonMisclassified = 200
)

// Report is the outcome of an evaluation. Metrics that do not apply to the
// data (out-of-scope scores without out-of-scope examples, entity scores
// without marked entities, the training time of a model that was not
// trained here) are nil and encode as JSON null.
type Report struct {
	// Name says what was evaluated; the caller sets it.
	Name string `json:"name,omitempty"`
	// Examples is the number of examples scored; Intents the number of
	// distinct gold intents among them.
	Examples int `json:"examples"`
	Intents  int `json:"intents"`
	// Folds is k for a cross-validation.
	Folds *int `json:"folds"`

	// IntentAccuracy is the share of examples whose intent was right.
	IntentAccuracy float64 `json:"intent_accuracy"`
	// InScopeAccuracy is the accuracy over in-scope examples; OOSRecall
	// the share of out-of-scope examples predicted out of scope.
	InScopeAccuracy *float64 `json:"in_scope_accuracy"`
	OOSRecall       *float64 `json:"oos_recall"`
	// OOSLabel is how the data spells out of scope ("oos" or
	// "out_of_scope"); predictions of either spelling are reported under
	// it.
	OOSLabel string `json:"oos_label"`
	// OOSPredicted counts the examples predicted out of scope, whether
	// or not the data has out-of-scope examples.
	OOSPredicted int `json:"oos_predicted"`
	// MacroF1 is the mean F1 over the gold intents.
	MacroF1 float64 `json:"macro_f1"`

	// Entity scores match predicted entities to gold ones by type and
	// exact rune span. Every predicted entity whose type is among the
	// gold entity types of the data counts, whatever the intent.
	// EntityF1Partial counts a prediction as a match when a gold entity of
	// its type overlaps it (each gold entity matched at most once).
	EntityPrecision *float64 `json:"entity_precision"`
	EntityRecall    *float64 `json:"entity_recall"`
	EntityF1        *float64 `json:"entity_f1"`
	EntityF1Partial *float64 `json:"entity_f1_partial"`
	// GoldEntities is the number of entities marked in the data.
	GoldEntities int `json:"gold_entities"`

	// TrainSeconds is the time spent training (all folds of a
	// cross-validation); the caller sets it when it trained the model.
	TrainSeconds *float64 `json:"train_seconds"`
	// ClassifyUSMedian and ClassifyUSP99 are percentiles of the time one
	// Parse took, in microseconds.
	ClassifyUSMedian float64 `json:"classify_us_median"`
	ClassifyUSP99    float64 `json:"classify_us_p99"`

	// PerIntent scores each gold intent.
	PerIntent map[string]IntentScore `json:"per_intent"`
	// Confusions are all (gold, predicted) pairs of wrong predictions,
	// most frequent first; the JSON form keeps the top 20.
	Confusions []Confusion `json:"confusions"`
	// Confidence is the histogram of the top intent's confidence in ten
	// bins of 0.1, correct and wrong predictions apart.
	Confidence []Bin `json:"confidence_histogram"`
	// Misclassified are the examples whose intent was wrong, most
	// confident first; the JSON form keeps the first 200.
	Misclassified []Miss `json:"misclassified"`
	// Assisted, when a language model was asked about what the local
	// model got wrong, says how much of it the model recovered.
	Assisted *Assisted `json:"assisted,omitempty"`
}

// Assisted measures a language model on the local model's misses.
type Assisted struct {
	Misses    int `json:"misses"`    // examples the local model got wrong
	Recovered int `json:"recovered"` // of which the model named the right skill
	Wrong     int `json:"wrong"`     // of which the model named another skill
	Declined  int `json:"declined"`  // of which it proposed nothing
	Failed    int `json:"failed"`    // calls that failed
}

// IntentScore is how well one intent was recognised.
type IntentScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support is the number of examples of the intent; Predicted the
	// number of examples the model gave it.
	Support   int `json:"support"`
	Predicted int `json:"predicted"`
}

// Confusion counts examples of one intent taken for another.
type Confusion struct {
	Gold      string `json:"gold"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Bin is one bar of the confidence histogram: predictions with
// From <= confidence < To (the last bin includes 1).
type Bin struct {
	From    float64 `json:"from"`
	To      float64 `json:"to"`
	Correct int     `json:"correct"`
	Wrong   int     `json:"wrong"`
}

// Miss is one misclassified example.
type Miss struct {
	Text       string  `json:"text"`
	Gold       string  `json:"gold"`
	Predicted  string  `json:"predicted"`
	Confidence float64 `json:"confidence"`
}

// Score parses every example with p and measures the result, timing each
// Parse. TrainSeconds is left nil.
func Score(ctx context.Context, p Parser, examples []nlu.Example) (*Report, error) {
	return score(ctx, p, examples, time.Now)
}

func score(ctx context.Context, p Parser, examples []nlu.Example, now func() time.Time) (*Report, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	s := newScorer(examples, now)
	for i := range examples {
		if err := s.score(ctx, p, &examples[i]); err != nil {
			return nil, err
		}
	}
	return s.report(), nil
}

// CrossValidate splits examples into k stratified folds (nlu.Folds with
// seed), trains a parser on all folds but one with train, and scores it on
// the held-out fold. Every example is scored once, by a parser that never
// saw it; the metrics pool all k folds and TrainSeconds is the total
// training time.
func CrossValidate(ctx context.Context, examples []nlu.Example, k int, seed uint64, train func(ctx context.Context, examples []nlu.Example) (Parser, error)) (*Report, error) {
	return crossValidate(ctx, examples, k, seed, train, time.Now)
}

func crossValidate(ctx context.Context, examples []nlu.Example, k int, seed uint64, train func(context.Context, []nlu.Example) (Parser, error), now func() time.Time) (*Report, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	folds, err := nlu.Folds(examples, k, seed)
	if err != nil {
		return nil, err
	}
	s := newScorer(examples, now)
	var trained time.Duration
	held := make([]bool, len(examples))
	for f, fold := range folds {
		clear(held)
		for _, i := range fold {
			held[i] = true
		}
		rest := make([]nlu.Example, 0, len(examples)-len(fold))
		for i, ex := range examples {
			if !held[i] {
				rest = append(rest, ex)
			}
		}
		start := now()
		p, err := train(ctx, rest)
		trained += now().Sub(start)
		if err != nil {
			return nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		for _, i := range fold {
			if err := s.score(ctx, p, &examples[i]); err != nil {
				return nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
			}
		}
	}
	r := s.report()
	secs := trained.Seconds()
	r.TrainSeconds, r.Folds = &secs, &k
	return r, nil
}

type pair struct{ gold, pred string }

// scorer accumulates predictions until report computes the metrics.
type scorer struct {
	now func() time.Time
	// oos is the data's spelling of out of scope; hasOOS whether any
	// example is out of scope.
	oos    string
	hasOOS bool
	// types are the gold entity types of the data.
	types map[string]bool

	n, correct                int
	inScope, inScopeRight     int
	outOfScope, outOfScopeHit int
	rejected                  int
	pairs                     map[pair]int
	ents                      entityTally
	took                      []time.Duration
	hist                      [10]Bin
	misses                    []Miss
}

func newScorer(examples []nlu.Example, now func() time.Time) *scorer {
	s := &scorer{now: now, oos: nlu.OutOfScope, types: map[string]bool{}, pairs: map[pair]int{}}
	spellings := map[string]bool{}
	for _, ex := range examples {
		if IsOutOfScope(ex.Intent) {
			s.hasOOS = true
			spellings[ex.Intent] = true
		}
		for _, e := range ex.Entities {
			s.types[e.Type] = true
		}
	}
	if spellings[OOS] && !spellings[nlu.OutOfScope] {
		s.oos = OOS
	}
	for i := range s.hist {
		s.hist[i].From, s.hist[i].To = float64(i)/10, float64(i+1)/10
	}
	return s
}

func (s *scorer) label(l string) string {
	if IsOutOfScope(l) {
		return s.oos
	}
	return l
}

func (s *scorer) score(ctx context.Context, p Parser, ex *nlu.Example) error {
	start := s.now()
	res, err := p.Parse(ctx, ex.Text)
	took := s.now().Sub(start)
	if err != nil {
		return fmt.Errorf("parsing %q: %w", ex.Text, err)
	}
	s.add(ex, &res, took)
	return nil
}

func (s *scorer) add(ex *nlu.Example, res *nlu.Result, took time.Duration) {
	gold, pred := s.label(ex.Intent), s.label(res.Intent)
	right := gold == pred
	s.n++
	s.took = append(s.took, took)
	s.pairs[pair{gold, pred}]++
	if right {
		s.correct++
	} else {
		s.misses = append(s.misses, Miss{Text: ex.Text, Gold: gold, Predicted: pred, Confidence: res.Confidence})
	}
	if IsOutOfScope(pred) {
		s.rejected++
	}
	if IsOutOfScope(gold) {
		s.outOfScope++
		if IsOutOfScope(pred) {
			s.outOfScopeHit++
		}
	} else {
		s.inScope++
		if right {
			s.inScopeRight++
		}
	}
	b := &s.hist[binOf(res.Confidence)]
	if right {
		b.Correct++
	} else {
		b.Wrong++
	}
	if len(s.types) > 0 {
		var pred []nlu.Entity
		for _, e := range res.Entities {
			if s.types[e.Type] {
				pred = append(pred, e)
			}
		}
		s.ents.add(ex.Entities, pred)
	}
}

func binOf(conf float64) int {
	if !(conf > 0) {
		return 0
	}
	return min(int(conf*10), 9)
}

func (s *scorer) report() *Report {
	r := &Report{
		Examples:       s.n,
		IntentAccuracy: ratio(s.correct, s.n),
		OOSLabel:       s.oos,
		OOSPredicted:   s.rejected,
		GoldEntities:   s.ents.gold,
		PerIntent:      map[string]IntentScore{},
		Confidence:     slices.Clone(s.hist[:]),
	}
	if s.hasOOS {
		if s.inScope > 0 {
			r.InScopeAccuracy = ptr(ratio(s.inScopeRight, s.inScope))
		}
		r.OOSRecall = ptr(ratio(s.outOfScopeHit, s.outOfScope))
	}

	support, predicted, hits := map[string]int{}, map[string]int{}, map[string]int{}
	for p, n := range s.pairs {
		support[p.gold] += n
		predicted[p.pred] += n
		if p.gold == p.pred {
			hits[p.gold] += n
		} else {
			r.Confusions = append(r.Confusions, Confusion{Gold: p.gold, Predicted: p.pred, Count: n})
		}
	}
	var sumF1 float64
	for intent, n := range support {
		prec, rec := ratio(hits[intent], predicted[intent]), ratio(hits[intent], n)
		sc := IntentScore{Precision: prec, Recall: rec, F1: f1(prec, rec), Support: n, Predicted: predicted[intent]}
		r.PerIntent[intent] = sc
		sumF1 += sc.F1
	}
	r.Intents = len(support)
	r.MacroF1 = sumF1 / float64(len(support))
	slices.SortFunc(r.Confusions, func(a, b Confusion) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Gold, b.Gold), cmp.Compare(a.Predicted, b.Predicted))
	})

	r.Misclassified = slices.Clone(s.misses)
	slices.SortStableFunc(r.Misclassified, func(a, b Miss) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.Gold, b.Gold), cmp.Compare(a.Text, b.Text))
	})

	if len(s.types) > 0 {
		e := &s.ents
		prec, rec := ratio(e.exact, e.predicted), ratio(e.exact, e.gold)
		r.EntityPrecision, r.EntityRecall, r.EntityF1 = ptr(prec), ptr(rec), ptr(f1(prec, rec))
		r.EntityF1Partial = ptr(f1(ratio(e.partial, e.predicted), ratio(e.partial, e.gold)))
	}

	us := make([]float64, len(s.took))
	for i, d := range s.took {
		us[i] = float64(d.Nanoseconds()) / 1e3
	}
	slices.Sort(us)
	r.ClassifyUSMedian = roundTenth(percentile(us, 50))
	r.ClassifyUSP99 = roundTenth(percentile(us, 99))
	return r
}

// entityTally counts entity matches over examples.
type entityTally struct {
	gold, predicted int
	exact, partial  int
}

// add matches one example's predicted entities to its gold ones: first by
// exact type and span, then, for the partial count, the remaining
// predictions to remaining gold entities of the same type that overlap
// them most. Each gold entity is matched at most once.
func (t *entityTally) add(gold, pred []nlu.Entity) {
	t.gold += len(gold)
	t.predicted += len(pred)
	used := make([]bool, len(gold))
	matched := make([]bool, len(pred))
	for i, p := range pred {
		for j, g := range gold {
			if !used[j] && g.Type == p.Type && g.Start == p.Start && g.End == p.End {
				used[j], matched[i] = true, true
				t.exact++
				t.partial++
				break
			}
		}
	}
	for i, p := range pred {
		if matched[i] {
			continue
		}
		best, bestOverlap := -1, 0
		for j, g := range gold {
			if used[j] || g.Type != p.Type {
				continue
			}
			if o := min(g.End, p.End) - max(g.Start, p.Start); o > bestOverlap {
				best, bestOverlap = j, o
			}
		}
		if best >= 0 {
			used[best] = true
			t.partial++
		}
	}
}

// percentile returns the p-th percentile of sorted values, interpolating
// linearly between the closest ranks (the median of an even count is the
// mean of the middle two); 0 when there are none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func roundTenth(x float64) float64 { return math.Round(x*10) / 10 }

func ptr[T any](v T) *T { return &v }
