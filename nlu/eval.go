package nlu

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Metrics score a model on labelled examples.
type Metrics struct {
	Examples       int
	IntentAccuracy float64
	// Entity scores count exact matches of type and span, over the entity
	// types present in the gold data.
	EntityPrecision, EntityRecall, EntityF1 float64
	// Errors are the misclassified examples.
	Errors []Miss
}

// Miss is one misclassified example.
type Miss struct {
	Text, Want, Got string
	Confidence      float64
}

type tally struct {
	n, correct  int
	tp, fp, fn  int
	errors      []Miss
	entityTypes map[string]bool
}

func (t *tally) add(ctx context.Context, m *Model, ex Example) error {
	res, err := m.Parse(ctx, ex.Text)
	if err != nil {
		return err
	}
	t.n++
	if res.Intent == ex.Intent {
		t.correct++
	} else {
		t.errors = append(t.errors, Miss{Text: ex.Text, Want: ex.Intent, Got: res.Intent, Confidence: res.Confidence})
	}
	type key struct {
		typ        string
		start, end int
	}
	gold := map[key]bool{}
	for _, e := range ex.Entities {
		gold[key{e.Type, e.Start, e.End}] = true
	}
	for _, e := range res.Entities {
		if !t.entityTypes[e.Type] {
			continue
		}
		if gold[key{e.Type, e.Start, e.End}] {
			t.tp++
			delete(gold, key{e.Type, e.Start, e.End})
		} else {
			t.fp++
		}
	}
	t.fn += len(gold)
	return nil
}

func (t *tally) metrics() Metrics {
	m := Metrics{Examples: t.n, Errors: t.errors}
	if t.n > 0 {
		m.IntentAccuracy = float64(t.correct) / float64(t.n)
	}
	if t.tp+t.fp > 0 {
		m.EntityPrecision = float64(t.tp) / float64(t.tp+t.fp)
	}
	if t.tp+t.fn > 0 {
		m.EntityRecall = float64(t.tp) / float64(t.tp+t.fn)
	}
	if p, r := m.EntityPrecision, m.EntityRecall; p+r > 0 {
		m.EntityF1 = 2 * p * r / (p + r)
	}
	return m
}

func entityTypesOf(examples []Example) map[string]bool {
	types := map[string]bool{}
	for _, ex := range examples {
		for _, e := range ex.Entities {
			types[e.Type] = true
		}
	}
	return types
}

// Evaluate scores a model on examples.
func Evaluate(ctx context.Context, m *Model, examples []Example) (Metrics, error) {
	t := tally{entityTypes: entityTypesOf(examples)}
	for _, ex := range examples {
		if err := t.add(ctx, m, ex); err != nil {
			return Metrics{}, err
		}
	}
	return t.metrics(), nil
}

// Folds splits examples into k stratified folds: each intent's examples are
// shuffled (deterministically from seed) and dealt round-robin, so every
// fold has about 1/k of each intent.
func Folds(examples []Example, k int, seed uint64) ([][]int, error) {
	if k < 2 {
		return nil, fmt.Errorf("cross-validation needs at least 2 folds, not %d", k)
	}
	if len(examples) < k {
		return nil, fmt.Errorf("%d examples cannot make %d folds", len(examples), k)
	}
	byIntent := map[string][]int{}
	var intents []string
	for i, ex := range examples {
		if _, ok := byIntent[ex.Intent]; !ok {
			intents = append(intents, ex.Intent)
		}
		byIntent[ex.Intent] = append(byIntent[ex.Intent], i)
	}
	slices.SortFunc(intents, cmp.Compare[string])
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	folds := make([][]int, k)
	next := 0
	for _, intent := range intents {
		idx := byIntent[intent]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx {
			folds[next%k] = append(folds[next%k], i)
			next++
		}
	}
	return folds, nil
}

// CrossValidate trains k models, each on all folds but one, and scores
// each on its held-out fold; the metrics are pooled over all examples.
func CrossValidate(ctx context.Context, examples []Example, k int, opts Options) (Metrics, error) {
	folds, err := Folds(examples, k, opts.Seed)
	if err != nil {
		return Metrics{}, err
	}
	t := tally{entityTypes: entityTypesOf(examples)}
	for f := range folds {
		held := map[int]bool{}
		for _, i := range folds[f] {
			held[i] = true
		}
		var train []Example
		for i, ex := range examples {
			if !held[i] {
				train = append(train, ex)
			}
		}
		m, err := Train(ctx, train, opts)
		if err != nil {
			return Metrics{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		for _, i := range folds[f] {
			if err := t.add(ctx, m, examples[i]); err != nil {
				return Metrics{}, err
			}
		}
	}
	return t.metrics(), nil
}
