package nlu

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
