package nlu

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// tagger is a first-order structured perceptron over BIO tags, decoded with
// Viterbi and trained with weight averaging. It learns entity roles from
// context ("restart X on Y": X a service, Y a host), so names it never saw
// are still found.
type tagger struct {
	Tags  []string // tag 0 is "O"; then B-type, I-type pairs
	Index map[uint64]int32
	W     []float32 // feature rows of len(Tags)
	Trans []float32 // (len(Tags)+1) * len(Tags): previous tag (last row = start) -> tag

	maskOnce sync.Once
	mask     []float32 // Trans with forbidden moves masked, once trained
}

// tagInput is one token sequence with its per-token features, without and
// (alt, optional) with the features of its intent.
type tagInput struct {
	feats, alt [][]uint64
}

type taggerOptions struct {
	Epochs int
	Seed   uint64
}

func (t *tagger) numTags() int { return len(t.Tags) }

// allowed reports whether tag j may follow tag i (i == -1: sentence start):
// I-x only after B-x or I-x.
func (t *tagger) allowed(i, j int) bool {
	if j == 0 || j%2 == 1 {
		return true // O or B-x
	}
	return i == j || i == j-1
}

func trainTagger(ctx context.Context, types []string, xs []tagInput, ys [][]int, opt taggerOptions) (*tagger, error) {
	t := &tagger{Tags: []string{"O"}, Index: make(map[uint64]int32)}
	for _, ty := range types {
		t.Tags = append(t.Tags, "B-"+ty, "I-"+ty)
	}
	n := t.numTags()
	intern := func(feats [][]uint64) [][]int32 {
		out := make([][]int32, len(feats))
		for p, fs := range feats {
			r := make([]int32, 0, len(fs))
			for _, h := range fs {
				id, ok := t.Index[h]
				if !ok {
					id = int32(len(t.Index))
					t.Index[h] = id
				}
				r = append(r, id)
			}
			out[p] = r
		}
		return out
	}
	rows := make([][][]int32, len(xs))
	alts := make([][][]int32, len(xs))
	for i, x := range xs {
		rows[i] = intern(x.feats)
		if x.alt != nil {
			alts[i] = intern(x.alt)
		}
	}
	w := make([]float32, len(t.Index)*n)
	wu := make([]float32, len(w))
	tr := make([]float32, (n+1)*n)
	tu := make([]float32, len(tr))
	t.W, t.Trans = w, tr
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x7a66))
	step := float32(1)
	var path []int
	var scratch viterbiScratch
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			gold := ys[i]
			// Half the time with the intent's features, so the tagger
			// learns to work both before the intent is known and after.
			r := rows[i]
			if alts[i] != nil && rng.IntN(2) == 1 {
				r = alts[i]
			}
			path = t.decodeRows(r, path, &scratch)
			prevG, prevP := n, n
			for p := range gold {
				g, q := gold[p], path[p]
				if g != q {
					for _, f := range r[p] {
						w[int(f)*n+g]++
						wu[int(f)*n+g] += step
						w[int(f)*n+q]--
						wu[int(f)*n+q] -= step
					}
				}
				if g != q || prevG != prevP {
					tr[prevG*n+g]++
					tu[prevG*n+g] += step
					tr[prevP*n+q]--
					tu[prevP*n+q] -= step
				}
				prevG, prevP = g, q
			}
			step++
		}
	}
	for i := range w {
		w[i] -= wu[i] / step
	}
	for i := range tr {
		tr[i] -= tu[i] / step
	}
	return t, nil
}

type viterbiScratch struct {
	emit  []float32
	score []float32
	back  []int32
	trans []float32
}

// masked returns the transitions with the forbidden moves (I-x not after
// B-x or I-x) set to minus infinity, so Viterbi's inner loop needs no test.
func (t *tagger) masked(dst []float32) []float32 {
	n := t.numTags()
	if len(dst) != len(t.Trans) {
		dst = make([]float32, len(t.Trans))
	}
	neg := float32(math.Inf(-1))
	for i := -1; i < n; i++ {
		row := n
		if i >= 0 {
			row = i
		}
		for j := 0; j < n; j++ {
			v := t.Trans[row*n+j]
			if !t.allowed(i, j) {
				v = neg
			}
			dst[row*n+j] = v
		}
	}
	return dst
}

// decodeRows runs Viterbi over feature rows and returns the best tag path.
func (t *tagger) decodeRows(rows [][]int32, path []int, s *viterbiScratch) []int {
	n, m := t.numTags(), len(rows)
	path = path[:0]
	if m == 0 {
		return path
	}
	s.emit = grow(s.emit, m*n)
	for p, r := range rows {
		e := s.emit[p*n : p*n+n]
		clear(e)
		for _, f := range r {
			ws := t.W[int(f)*n : int(f)*n+n]
			for j, v := range ws {
				e[j] += v
			}
		}
	}
	s.trans = t.masked(s.trans)
	return t.viterbi(s.emit, m, path, s, s.trans)
}

func (t *tagger) viterbi(emit []float32, m int, path []int, s *viterbiScratch, trans []float32) []int {
	n := t.numTags()
	s.score = grow(s.score, m*n)
	if cap(s.back) < m*n {
		s.back = make([]int32, m*n)
	}
	s.back = s.back[:m*n]
	neg := float32(math.Inf(-1))
	for j := 0; j < n; j++ {
		s.score[j] = emit[j] + trans[n*n+j]
	}
	for p := 1; p < m; p++ {
		prev := s.score[(p-1)*n : p*n]
		cur := s.score[p*n : p*n+n]
		back := s.back[p*n : p*n+n]
		for j := range cur {
			cur[j] = neg
		}
		for i, pi := range prev {
			if pi == neg {
				continue
			}
			row := trans[i*n : i*n+n]
			for j, tv := range row {
				if v := pi + tv; v > cur[j] {
					cur[j], back[j] = v, int32(i)
				}
			}
		}
		e := emit[p*n : p*n+n]
		for j := range cur {
			cur[j] += e[j]
		}
	}
	last := s.score[(m-1)*n : m*n]
	arg := 0
	for j := range last {
		if last[j] > last[arg] {
			arg = j
		}
	}
	for cap(path) < m {
		path = append(path[:cap(path)], 0)
	}
	path = path[:m]
	for p := m - 1; p >= 0; p-- {
		path[p] = arg
		arg = int(s.back[p*n+arg])
	}
	return path
}

// decode tags a sequence given its hashed features.
func (t *tagger) decode(feats [][]uint64, path []int, s *viterbiScratch) []int {
	n, m := t.numTags(), len(feats)
	path = path[:0]
	if m == 0 {
		return path
	}
	s.emit = grow(s.emit, m*n)
	for p, fs := range feats {
		e := s.emit[p*n : p*n+n]
		clear(e)
		for _, h := range fs {
			id, ok := t.Index[h]
			if !ok {
				continue
			}
			ws := t.W[int(id)*n : int(id)*n+n]
			for j, v := range ws {
				e[j] += v
			}
		}
	}
	t.maskOnce.Do(func() { t.mask = t.masked(nil) })
	return t.viterbi(s.emit, m, path, s, t.mask)
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// Feature kinds of the tagger.
const (
	tWord   = 'w'
	tNorm   = 'n'
	tShape  = 's'
	tPrefix = 'p'
	tSuffix = 'x'
	tPrev   = 'l'
	tNext   = 'r'
	tPrev2  = 'L'
	tNext2  = 'R'
	tPair   = 'P'
	tKind   = 'k'
	tList   = 'g'
	tBias   = 'B'
	tEdge   = 'E'
	tIntent = 'I'
)

// tokenFeatures builds the tagger's features for each position. words are
// the corrected lower-case token texts; kinds and lists carry, per token,
// the typed kind and list type covering it ("" when none). intent is the
// message's intent (the gold one in training, the classifier's first guess
// when parsing): the same context means a query in one intent and a topic
// in another.
func tokenFeatures(words []string, kinds, lists []string, intent string) [][]uint64 {
	out := make([][]uint64, len(words))
	at := func(i int) string {
		switch {
		case i < 0:
			return "<s>"
		case i >= len(words):
			return "</s>"
		}
		if kinds[i] != "" {
			return "<" + kinds[i] + ">"
		}
		return words[i]
	}
	for i, w := range words {
		f := make([]uint64, 0, 18)
		f = append(f, featureOf(tBias), featureOf(tWord, w), featureOf(tShape, shape(w)))
		r := []rune(w)
		for _, k := range []int{1, 2, 3} {
			if len(r) >= k {
				f = append(f, featureOf(tPrefix, string(r[:k])), featureOf(tSuffix, string(r[len(r)-k:])))
			}
		}
		f = append(f,
			featureOf(tPrev, at(i-1)), featureOf(tNext, at(i+1)),
			featureOf(tPrev2, at(i-2)), featureOf(tNext2, at(i+2)),
			featureOf(tPair, at(i-1), at(i+1)),
			featureOf(tPair, "l", at(i-2), at(i-1)),
			featureOf(tPair, "r", at(i+1), at(i+2)),
		)
		if kinds[i] != "" {
			f = append(f, featureOf(tKind, kinds[i]))
		}
		if lists[i] != "" {
			f = append(f, featureOf(tList, lists[i]))
		}
		if intent != "" {
			f = append(f,
				featureOf(tIntent, intent),
				featureOf(tIntent, intent, "l", at(i-1)),
				featureOf(tIntent, intent, "r", at(i+1)),
				featureOf(tIntent, intent, "s", shape(w)),
			)
		}
		if i == 0 {
			f = append(f, featureOf(tEdge, "first"))
		}
		if i == len(words)-1 {
			f = append(f, featureOf(tEdge, "last"))
		}
		if strings.ContainsAny(w, "0123456789") {
			f = append(f, featureOf(tNorm, "digit"))
		}
		out[i] = f
	}
	return out
}
