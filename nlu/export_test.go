package nlu

import (
	"context"
	"fmt"
	"strings"
)

// Prune runs the beam's pruning on scores and returns the indexes kept.
func Prune(scores []float32, k int) []int32 {
	var s viterbiScratch
	s.prune(scores, k)
	return s.alive
}

// SparseRows builds the sparse rows of w (width n) and returns a lookup
// of a feature's weights as a dense row, nil when it has none.
func SparseRows(index map[uint64]int32, w []float32, n int) func(h uint64) []float32 {
	x := newSparseRows(index, w, n)
	return func(h uint64) []float32 {
		cells := x.row(h)
		if cells == nil {
			return nil
		}
		out := make([]float32, n)
		for _, c := range cells {
			out[c.tag] = c.val
		}
		return out
	}
}

// HeldOutSpans trains a model on examples and returns, per example, the
// entity spans ("type first-last" over token indexes) that the intent
// classifier learned from.
func HeldOutSpans(ctx context.Context, examples []Example) ([][]string, error) {
	m, err := Train(ctx, examples, Options{Seed: 1})
	if err != nil {
		return nil, err
	}
	as := make([]analysis, len(examples))
	golds := make([][]span, len(examples))
	for i, ex := range examples {
		as[i] = m.analyse(ex.Text, false)
		golds[i] = markSpans(as[i].tokens, ex.Entities)
	}
	var types []string
	for _, tag := range m.entities.Tags[1:] {
		if t, ok := strings.CutPrefix(tag, "B-"); ok {
			types = append(types, t)
		}
	}
	xs, ys := taggerData(examples, as, golds, types)
	spans, err := m.heldOutSpans(ctx, types, xs, ys, len(as))
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(spans))
	for i, ss := range spans {
		for _, s := range ss {
			out[i] = append(out[i], fmt.Sprintf("%s %d-%d", s.typ, s.start, s.end-1))
		}
	}
	return out, nil
}

// WithoutWordEvidence returns m deciding on its learned weights alone.
func WithoutWordEvidence(m *Model) *Model {
	c := m.WithDecision(m.opts.Threshold, m.opts.Margin)
	in := *m.intents
	in.words = evidence{}
	c.intents = &in
	return c
}

// WordCounts counts the distinct word-level features of texts per label
// ("row label n", features numbered in order of first appearance, the
// bias first), as the classifier does for its word evidence.
func WordCounts(texts [][]string, labels []int) []string {
	index := map[uint64]int32{}
	xs := make([]featureList, len(texts))
	for i, words := range texts {
		all, n := messageFeatures(nil, words, nil)
		for _, h := range all {
			if _, ok := index[h]; !ok {
				index[h] = int32(len(index))
			}
		}
		xs[i] = featureList{all, n}
	}
	var out []string
	for _, c := range countEvidence(index, xs, labels) {
		out = append(out, fmt.Sprintf("%d %d %d", c.Row, c.Label, c.N))
	}
	return out
}

// EvidenceOf builds word evidence from counts ({row, label, n}) for rows
// and labels, and returns the label scores it adds for the given rows at
// scale 1.
func EvidenceOf(counts [][3]int32, rows, labels int, of []int32) ([]float64, error) {
	cs := make([]labelCount, len(counts))
	for i, c := range counts {
		cs[i] = labelCount{Row: c[0], Label: c[1], N: c[2]}
	}
	e, err := newEvidence(cs, rows, labels)
	if err != nil {
		return nil, err
	}
	z := make([]float64, labels)
	e.add(z, of, 1)
	return z, nil
}
