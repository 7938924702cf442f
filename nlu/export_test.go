package nlu

// Prune runs the beam's pruning on scores and returns the indexes kept.
func Prune(scores []float32, k int) []int32 {
	var s viterbiScratch
	s.prune(scores, k)
	return s.alive
}

// FeatIndex exposes the flat feature table to the external tests.
type FeatIndex struct{ x featIndex }

// NewFeatIndex builds the table of m.
func NewFeatIndex(m map[uint64]int32) FeatIndex { return FeatIndex{newFeatIndex(m)} }

// Get looks a feature up.
func (f FeatIndex) Get(h uint64) (int32, bool) { return f.x.get(h) }
