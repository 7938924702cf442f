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
	mask     []float32  // Trans with forbidden moves masked, once trained
	rows     sparseRows // the trained weights as sparse rows
	all      tagSet
	byIntent sync.Map // intent -> tagSet of the types it marks
}

// tagSet is the tags a decoding may choose from: the O and B-x tags, which
// may follow any tag, and the I-x tags, which follow their B-x or I-x.
type tagSet struct{ ob, in []int32 }

// tagsOf returns the tag set of the given entity types (O always).
func (t *tagger) tagsOf(keep func(typ string) bool) tagSet {
	ts := tagSet{ob: []int32{0}}
	for j := 1; j+1 < len(t.Tags); j += 2 {
		if keep(strings.TrimPrefix(t.Tags[j], "B-")) {
			ts.ob = append(ts.ob, int32(j))
			ts.in = append(ts.in, int32(j+1))
		}
	}
	return ts
}

// intentTags returns the tags of the entity types an intent's examples
// mark: once the intent is known, only its own roles are looked for.
func (t *tagger) intentTags(intent string, types map[string]bool) tagSet {
	if ts, ok := t.byIntent.Load(intent); ok {
		return ts.(tagSet)
	}
	ts := t.tagsOf(func(typ string) bool { return types[typ] })
	t.byIntent.Store(intent, ts)
	return ts
}

// compact builds what parsing reads: the sparse rows of the trained
// weights, the masked transitions and the set of all tags.
func (t *tagger) compact() {
	t.rows = newSparseRows(t.Index, t.W, t.numTags())
	t.mask = t.masked(nil)
	t.all = t.tagsOf(func(string) bool { return true })
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
	// Decoding reads the transitions with the forbidden moves masked. A
	// forbidden move is never on a gold path nor on a decoded one, so it
	// is never updated: the masked copy takes the same updates.
	trm := t.masked(nil)
	all := t.tagsOf(func(string) bool { return true })
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
			path = t.decodeRows(r, path, &scratch, trm, all)
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
					trm[prevG*n+g]++
					tu[prevG*n+g] += step
					tr[prevP*n+q]--
					trm[prevP*n+q]--
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
	top   []float32
	alive []int32 // the tags still alive at the last position pruned
}

// beam is how many partial paths Viterbi keeps at each position when
// parsing: with many entity types (SNIPS has 79 tags) exact decoding costs
// n² per token, and the best path almost never falls out of the best few.
// Training decodes exactly.
const beam = 16

// guessBeam is the beam of the tagging before the intent is known, whose
// roles only inform the intent classifier: on the validation splits, a
// narrower beam there classifies as well (SNIPS: better) in two thirds of
// the time.
const guessBeam = 6

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

// decodeRows runs exact Viterbi over feature rows with the masked
// transitions trans and returns the best tag path.
func (t *tagger) decodeRows(rows [][]int32, path []int, s *viterbiScratch, trans []float32, tags tagSet) []int {
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
	return t.viterbi(s.emit, m, path, s, trans, 0, tags)
}

// viterbi finds the best tag path over emissions, choosing from tags
// only. With k > 0 it is a beam search: after each position only the k
// best partial paths live on, so a token costs about k·n instead of n²;
// k <= 0 is exact.
func (t *tagger) viterbi(emit []float32, m int, path []int, s *viterbiScratch, trans []float32, k int, tags tagSet) []int {
	n := t.numTags()
	s.score = grow(s.score, m*n)
	if cap(s.back) < m*n {
		s.back = make([]int32, m*n)
	}
	s.back = s.back[:m*n]
	neg := float32(math.Inf(-1))
	first := s.score[:n]
	for j := range first {
		first[j] = neg
	}
	for _, j := range tags.ob { // no I-x starts a sentence
		first[j] = emit[j] + trans[n*n+int(j)]
	}
	s.prune(first, k)
	for p := 1; p < m; p++ {
		prev := s.score[(p-1)*n : p*n]
		cur := s.score[p*n : p*n+n]
		back := s.back[p*n : p*n+n]
		for j := range cur {
			cur[j] = neg
		}
		// O and B-x may follow any tag; I-x only B-x or I-x (the
		// transitions forbid the rest), so each I-x looks at its two
		// possible predecessors alone, which halves the work. Only the
		// tags alive after pruning are predecessors at all.
		for _, i32 := range s.alive {
			i := int(i32)
			pi := prev[i]
			row := trans[i*n : i*n+n]
			for _, j := range tags.ob {
				if v := pi + row[j]; v > cur[j] {
					cur[j], back[j] = v, i32
				}
			}
		}
		for _, j32 := range tags.in {
			j := int(j32)
			for _, i := range [2]int{j - 1, j} {
				if pi := prev[i]; pi != neg {
					if v := pi + trans[i*n+j]; v > cur[j] {
						cur[j], back[j] = v, int32(i)
					}
				}
			}
		}
		e := emit[p*n : p*n+n]
		for j := range cur {
			cur[j] += e[j]
		}
		s.prune(cur, k)
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

// prune keeps the k best scores, sets the others to minus infinity (none
// when k <= 0 or no more than k are alive) and lists the live ones in
// s.alive.
func (s *viterbiScratch) prune(scores []float32, k int) {
	neg := float32(math.Inf(-1))
	s.alive = s.alive[:0]
	for i, v := range scores {
		if v != neg {
			s.alive = append(s.alive, int32(i))
		}
	}
	if k <= 0 || len(s.alive) <= k {
		return
	}
	// A min-heap of the k best seen so far: each further score has to
	// beat its root, the k-th best.
	h := s.top[:0]
	for _, i := range s.alive[:k] {
		h = append(h, scores[i])
	}
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, i := range s.alive[k:] {
		if v := scores[i]; v > h[0] {
			h[0] = v
			siftDown(h, 0)
		}
	}
	s.top = h
	cut := h[0]
	alive := s.alive
	s.alive = s.alive[:0]
	for _, i := range alive {
		switch v := scores[i]; {
		case v > cut:
		case v == cut && len(s.alive) < k:
		default:
			scores[i] = neg
			continue
		}
		s.alive = append(s.alive, i)
	}
}

// siftDown restores the min-heap h below i.
func siftDown(h []float32, i int) {
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && h[r] < h[c] {
			c = r
		}
		if h[i] <= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// appendIntentFeatures adds the features that tie a token's context to
// the message's intent.
func appendIntentFeatures(f []uint64, intent, prev, next, w string) []uint64 {
	return append(f,
		featureOf(tIntent, intent),
		featureOf(tIntent, intent, "l", prev),
		featureOf(tIntent, intent, "r", next),
		featureOf(tIntent, intent, "s", shape(w)),
	)
}

// intentTokenFeatures are appendIntentFeatures for every position.
func intentTokenFeatures(words, kinds []string, intent string) [][]uint64 {
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
	out := make([][]uint64, len(words))
	for i, w := range words {
		out[i] = appendIntentFeatures(make([]uint64, 0, 4), intent, at(i-1), at(i+1), w)
	}
	return out
}

// emissions fills s.emit with each position's tag scores from hashed
// features, adding to what is there when add is set.
func (t *tagger) emissions(feats [][]uint64, s *viterbiScratch, add bool) {
	t.maskOnce.Do(t.compact)
	n := t.numTags()
	if !add {
		s.emit = grow(s.emit, len(feats)*n)
		clear(s.emit)
	}
	for p, fs := range feats {
		e := s.emit[p*n : p*n+n]
		for _, h := range fs {
			for _, c := range t.rows.row(h) {
				e[c.tag] += c.val
			}
		}
	}
}

// best runs Viterbi over the emissions in s.emit, choosing from tags, or
// from all of them with the narrower guessBeam when tags is nil.
func (t *tagger) best(m int, path []int, s *viterbiScratch, tags *tagSet) []int {
	path = path[:0]
	if m == 0 {
		return path
	}
	t.maskOnce.Do(t.compact)
	k := beam
	if tags == nil {
		tags, k = &t.all, guessBeam
	}
	return t.viterbi(s.emit, m, path, s, t.mask, k, *tags)
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
			f = appendIntentFeatures(f, intent, at(i-1), at(i+1), w)
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
