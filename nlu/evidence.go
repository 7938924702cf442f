package nlu

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Word evidence: besides its learned weights, the classifier counts how
// many training examples of each intent had each word-level feature (a
// word, a word pair, an entity class), as naive Bayes does. A message of
// some length gains, for each intent, the mean over its word-level
// features of log(1 + count/evidenceAlpha): about "how much of what this
// message says was said for that intent". Where a word was seen with one
// intent only, the logistic regression shares its weight with the words
// around it; the evidence keeps it decisive. On the validation splits it
// lifts CLINC150 in-scope accuracy by 1.2 points at the same out-of-scope
// recall, Banking77 by 1.7, and the catalog's cross-validated accuracy by
// 0.2.
//
// Short messages get none: a one- or two-word answer in a dialog ("moon",
// "actually web_1") would otherwise be claimed by the one intent whose
// examples share its only known word, and the dialog would take it for a
// new request.
const (
	evidenceAlpha    = 1e-4
	evidenceWeight   = 1.0
	evidenceMinWords = 4
)

// featureList is one message's hashed features; the first words of them
// are the bias and the word-level features (see messageFeatures).
type featureList struct {
	all   []uint64
	words int
}

// labelCount is how many training examples of a label had a feature row.
type labelCount struct {
	Row, Label, N int32
}

// evidence holds log(1 + count/evidenceAlpha) as sparse rows: row r's
// cells are cells[start[r]:start[r+1]]. Rows of character n-grams and the
// bias have none.
type evidence struct {
	start []int32
	cells []evidenceCell
}

type evidenceCell struct {
	label  int32
	weight float32
}

// countEvidence counts, for each example, its distinct word-level feature
// rows (the bias left out) under its label, in row and label order.
func countEvidence(index map[uint64]int32, xs []featureList, ys []int) []labelCount {
	type key struct{ row, label int32 }
	counts := map[key]int32{}
	var rows []int32
	for i, x := range xs {
		rows = rows[:0]
		for _, h := range x.all[min(1, x.words):x.words] {
			if id, ok := index[h]; ok {
				rows = append(rows, id)
			}
		}
		slices.Sort(rows)
		for _, r := range slices.Compact(rows) {
			counts[key{r, int32(ys[i])}]++
		}
	}
	out := make([]labelCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, labelCount{Row: k.row, Label: k.label, N: n})
	}
	slices.SortFunc(out, func(a, b labelCount) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Label, b.Label))
	})
	return out
}

// newEvidence builds the sparse rows of counts sorted by row, checking
// them against the number of rows and labels.
func newEvidence(counts []labelCount, rows, labels int) (evidence, error) {
	e := evidence{start: make([]int32, rows+1), cells: make([]evidenceCell, len(counts))}
	for i, c := range counts {
		if c.Row < 0 || int(c.Row) >= rows || c.Label < 0 || int(c.Label) >= labels || c.N <= 0 ||
			(i > 0 && c.Row < counts[i-1].Row) {
			return evidence{}, fmt.Errorf("word count %d (row %d, label %d, n %d) out of range", i, c.Row, c.Label, c.N)
		}
		e.start[c.Row+1]++
		e.cells[i] = evidenceCell{label: c.Label, weight: float32(math.Log1p(float64(c.N) / evidenceAlpha))}
	}
	for r := 1; r <= rows; r++ {
		e.start[r] += e.start[r-1]
	}
	return e, nil
}

// add adds scale times the evidence of rows to the label scores z.
func (e *evidence) add(z []float64, rows []int32, scale float64) {
	if len(e.start) == 0 {
		return
	}
	for _, r := range rows {
		for _, c := range e.cells[e.start[r]:e.start[r+1]] {
			z[c.label] += scale * float64(c.weight)
		}
	}
}
