package nlu

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// gradEps is the smallest gradient a label's weights are updated for.
const gradEps = 1e-4

// classifier is a multinomial logistic regression over hashed sparse
// features, trained with stochastic gradient descent and averaged over
// the weights at the end of each epoch. Rows of W are features, columns
// the labels, so scoring a message touches one contiguous row per
// feature present.
type classifier struct {
	Labels []string
	Index  map[uint64]int32
	W      []float32 // len(Index) * len(Labels)
	// Counts are the training counts of word-level features per label;
	// words is their evidence (see evidence.go).
	Counts []labelCount
	words  evidence
}

type trainSet struct {
	feats  [][]int32 // distinct feature rows per example
	labels []int
}

type classifierOptions struct {
	Epochs int
	Rate   float64
	Seed   uint64
	// Balance in [0,1] weighs examples by inverse class frequency to
	// this power (0: plain, 1: fully balanced).
	Balance float64
	// From, when set, starts from its weights for the features and
	// labels it knows, and trains only the last Warm of the Epochs.
	From *classifier
	Warm int
	// Progress, when set, is called after every epoch.
	Progress func(epoch, epochs int)
}

// trainClassifier fits the model. Examples are featurised by the caller;
// features seen only once in the whole set are kept (small data needs them).
func trainClassifier(ctx context.Context, labels []string, xs []featureList, ys []int, opt classifierOptions) (*classifier, error) {
	c := &classifier{Labels: labels, Index: make(map[uint64]int32)}
	set := trainSet{feats: make([][]int32, len(xs)), labels: ys}
	for i, x := range xs {
		row := make([]int32, 0, len(x.all))
		for _, h := range x.all {
			id, ok := c.Index[h]
			if !ok {
				id = int32(len(c.Index))
				c.Index[h] = id
			}
			row = append(row, id)
		}
		slices.Sort(row)
		set.feats[i] = slices.Compact(row)
	}
	k := len(labels)
	w := make([]float32, len(c.Index)*k)
	// The sum of the weights at the end of each epoch: their mean is the
	// model. Averaging whole epochs rather than every step gives the same
	// accuracy on the validation splits and spares a second write per
	// update, which made a CLINC-sized training a third slower.
	sum := make([]float32, len(w))
	first := 0
	if opt.From != nil {
		c.warmStart(w, opt.From)
		first = max(0, opt.Epochs-opt.Warm)
	}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	// Rare intents weigh more, so a large out-of-scope set does not
	// swallow the small conversational ones.
	counts := make([]int, k)
	for _, y := range ys {
		counts[y]++
	}
	weight := make([]float64, k)
	for j, n := range counts {
		if n > 0 {
			weight[j] = math.Pow(float64(len(ys))/float64(k*n), opt.Balance)
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	// Mini-batches of examples; within a batch the labels are split into
	// column ranges that train on separate cores. Each column's sums run
	// in the same order whatever the split, so the result does not depend
	// on the number of cores.
	ranges := columnRanges(k, runtime.GOMAXPROCS(0))
	z := make([]float64, batch*k)
	g := make([]float32, batch*k) // scaled gradient per example and label
	active := make([][]int32, batch)
	// With many labels, most epochs score each example against only the
	// labels that had a real chance of it in the last full epoch (its
	// hard negatives and the gold one): a sampled softmax that cuts a
	// CLINC-sized epoch several times.
	var cands [][]int32
	if k > maxCandidates {
		cands = make([][]int32, len(xs))
	}
	for epoch := first; epoch < opt.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := opt.Rate / (1 + 0.1*float64(epoch))
		full := k <= maxCandidates || epoch < 3 || epoch == first || (epoch+1)%5 == 0
		for b0 := 0; b0 < len(order); b0 += batch {
			idx := order[b0:min(b0+batch, len(order))]
			if !full {
				trainCandidates(set, idx, cands, w, k, rate, weight)
				continue
			}
			clear(z[:len(idx)*k])
			parallel(ranges, func(lo, hi int) {
				for e, i := range idx {
					ze := z[e*k+lo : e*k+hi]
					for _, f := range set.feats[i] {
						for j, v := range w[int(f)*k+lo : int(f)*k+hi] {
							ze[j] += float64(v)
						}
					}
				}
			})
			for e, i := range idx {
				row := set.feats[i]
				active[e] = active[e][:0]
				if len(row) == 0 {
					continue
				}
				x := 1 / math.Sqrt(float64(len(row)))
				ze := z[e*k : e*k+k]
				for j := range ze {
					ze[j] *= x
				}
				softmax(ze)
				if k > maxCandidates {
					cands[i] = topLabels(ze, set.labels[i], cands[i])
				}
				ze[set.labels[i]] -= 1
				// Only labels with a real gradient are touched: late in
				// training most probabilities are near zero.
				scale := -rate * weight[set.labels[i]] * x
				for j, gz := range ze {
					if gz < -gradEps || gz > gradEps {
						active[e] = append(active[e], int32(j))
						g[e*k+j] = float32(scale * gz)
					}
				}
			}
			parallel(ranges, func(lo, hi int) {
				for e, i := range idx {
					for _, f := range set.feats[i] {
						ws := w[int(f)*k : int(f)*k+k]
						for _, j := range active[e] {
							if int(j) >= lo && int(j) < hi {
								ws[j] += g[e*k+int(j)]
							}
						}
					}
				}
			})
		}
		for i, v := range w {
			sum[i] += v
		}
		if opt.Progress != nil {
			opt.Progress(epoch+1-first, opt.Epochs-first)
		}
	}
	n := float32(opt.Epochs - first)
	for i, v := range sum {
		w[i] = v / n
	}
	c.W = w
	c.Counts = countEvidence(c.Index, xs, ys)
	var err error
	if c.words, err = newEvidence(c.Counts, len(c.Index), k); err != nil {
		return nil, err
	}
	return c, nil
}

// warmStart copies into w the weights of from for the features and labels
// it knows; the rest stay zero.
func (c *classifier) warmStart(w []float32, from *classifier) {
	fromCol := make(map[string]int, len(from.Labels))
	for j, l := range from.Labels {
		fromCol[l] = j
	}
	cols := make([]int, len(c.Labels))
	for j, l := range c.Labels {
		cols[j] = -1
		if o, ok := fromCol[l]; ok {
			cols[j] = o
		}
	}
	k, fk := len(c.Labels), len(from.Labels)
	for h, id := range c.Index {
		old, ok := from.Index[h]
		if !ok {
			continue
		}
		src := from.W[int(old)*fk : int(old)*fk+fk]
		dst := w[int(id)*k : int(id)*k+k]
		for j, o := range cols {
			if o >= 0 {
				dst[j] = src[o]
			}
		}
	}
}

// scores fills probs (len(Labels)) with the label probabilities of a
// message's hashed features; unknown features are ignored. The word
// evidence of the known rows is added times evidence (0: none). rows is
// scratch.
func (c *classifier) scores(feats []uint64, evidence float64, probs []float64, rows []int32) []int32 {
	rows = rows[:0]
	for _, h := range feats {
		if id, ok := c.Index[h]; ok {
			rows = append(rows, id)
		}
	}
	slices.Sort(rows)
	rows = slices.Compact(rows)
	k := len(c.Labels)
	clear(probs)
	for _, f := range rows {
		ws := c.W[int(f)*k : int(f)*k+k]
		for j, v := range ws {
			probs[j] += float64(v)
		}
	}
	if len(rows) > 0 {
		x := 1 / math.Sqrt(float64(len(rows)))
		for j := range probs {
			probs[j] *= x
		}
	}
	if evidence > 0 {
		c.words.add(probs, rows, evidence)
	}
	softmax(probs)
	return rows
}

// columnRanges splits k label columns into at most n contiguous ranges
// worth a core each. Few labels are not worth splitting, and on two cores
// the synchronisation costs more than it saves (measured: CLINC150 trains
// in 10 s on one range, 18 s on two), so it takes four.
func columnRanges(k, n int) [][2]int {
	if k < 32 || n < 4 {
		return [][2]int{{0, k}}
	}
	n = min(n, 4)
	out := make([][2]int, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, [2]int{i * k / n, (i + 1) * k / n})
	}
	return out
}

// parallel runs f on each column range, on its own goroutine when there
// are several, and waits for all.
func parallel(ranges [][2]int, f func(lo, hi int)) {
	if len(ranges) == 1 {
		f(ranges[0][0], ranges[0][1])
		return
	}
	var wg sync.WaitGroup
	for _, r := range ranges[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(r[0], r[1])
		}()
	}
	f(ranges[0][0], ranges[0][1])
	wg.Wait()
}

// batch is how many examples a training step scores before it updates.
const batch = 16

// maxCandidates is how many labels an example is scored against in the
// epochs between full ones.
const maxCandidates = 24

// topLabels returns the maxCandidates most probable labels, gold among
// them, reusing dst.
func topLabels(probs []float64, gold int, dst []int32) []int32 {
	dst = dst[:0]
	for j := range probs {
		if len(dst) < maxCandidates {
			dst = append(dst, int32(j))
			for x := len(dst) - 1; x > 0 && probs[dst[x]] > probs[dst[x-1]]; x-- {
				dst[x], dst[x-1] = dst[x-1], dst[x]
			}
			continue
		}
		if probs[j] > probs[dst[maxCandidates-1]] {
			dst[maxCandidates-1] = int32(j)
			for x := maxCandidates - 1; x > 0 && probs[dst[x]] > probs[dst[x-1]]; x-- {
				dst[x], dst[x-1] = dst[x-1], dst[x]
			}
		}
	}
	if !slices.Contains(dst, int32(gold)) {
		dst[len(dst)-1] = int32(gold)
	}
	return dst
}

// trainCandidates runs one mini-batch scoring each example against its
// candidate labels only.
func trainCandidates(set trainSet, idx []int, cands [][]int32, w []float32, k int, rate float64, weight []float64) {
	var zc [maxCandidates]float64
	// Each example's update: the labels with a real gradient and their
	// steps, which late in training are only a few of the candidates.
	type update struct {
		n    int
		cols [maxCandidates]int32
		g    [maxCandidates]float32
	}
	var ups [batch]update
	for e, i := range idx {
		row, cs := set.feats[i], cands[i]
		if len(row) == 0 || len(cs) == 0 {
			continue
		}
		x := 1 / math.Sqrt(float64(len(row)))
		z := zc[:len(cs)]
		clear(z)
		for _, f := range row {
			base := int(f) * k
			for ci, c := range cs {
				z[ci] += float64(w[base+int(c)])
			}
		}
		for ci := range z {
			z[ci] *= x
		}
		softmax(z)
		scale := -rate * weight[set.labels[i]] * x
		up := &ups[e]
		for ci, c := range cs {
			gz := z[ci]
			if int(c) == set.labels[i] {
				gz -= 1
			}
			if gz < -gradEps || gz > gradEps {
				up.cols[up.n], up.g[up.n] = c, float32(scale*gz)
				up.n++
			}
		}
	}
	for e, i := range idx {
		up := &ups[e]
		if up.n == 0 {
			continue
		}
		cols, g := up.cols[:up.n], up.g[:up.n]
		for _, f := range set.feats[i] {
			ws := w[int(f)*k : int(f)*k+k]
			for x, c := range cols {
				ws[c] += g[x]
			}
		}
	}
}
