package nlu

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// gradEps is the smallest gradient a label's weights are updated for.
const gradEps = 1e-4

// classifier is a multinomial logistic regression over hashed sparse
// features, trained with averaged stochastic gradient descent. Rows of W
// are features, columns the labels, so scoring a message touches one
// contiguous row per feature present.
type classifier struct {
	Labels []string
	Index  map[uint64]int32
	W      []float32 // len(Index) * len(Labels)
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
	// Progress, when set, is called after every epoch.
	Progress func(epoch, epochs int)
}

// trainClassifier fits the model. Examples are featurised by the caller;
// features seen only once in the whole set are kept (small data needs them).
func trainClassifier(ctx context.Context, labels []string, xs [][]uint64, ys []int, opt classifierOptions) (*classifier, error) {
	c := &classifier{Labels: labels, Index: make(map[uint64]int32)}
	set := trainSet{feats: make([][]int32, len(xs)), labels: ys}
	for i, x := range xs {
		row := make([]int32, 0, len(x))
		for _, h := range x {
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
	u := make([]float32, len(w)) // sum of step * update, for averaging
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
	z := make([]float64, k)
	active := make([]int, 0, k)
	var step float64 = 1
	for epoch := 0; epoch < opt.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := opt.Rate / (1 + 0.1*float64(epoch))
		for _, i := range order {
			row := set.feats[i]
			if len(row) == 0 {
				continue
			}
			x := 1 / math.Sqrt(float64(len(row)))
			wy := weight[set.labels[i]]
			clear(z)
			for _, f := range row {
				ws := w[int(f)*k : int(f)*k+k]
				for j, v := range ws {
					z[j] += float64(v)
				}
			}
			for j := range z {
				z[j] *= x
			}
			softmax(z)
			z[set.labels[i]] -= 1
			// Only labels with a real gradient are touched: late in
			// training most probabilities are near zero.
			active = active[:0]
			for j, g := range z {
				if g < -gradEps || g > gradEps {
					active = append(active, j)
				}
			}
			for _, f := range row {
				ws := w[int(f)*k : int(f)*k+k]
				us := u[int(f)*k : int(f)*k+k]
				for _, j := range active {
					d := float32(-rate * wy * z[j] * x)
					ws[j] += d
					us[j] += float32(step) * d
				}
			}
			step++
		}
		if opt.Progress != nil {
			opt.Progress(epoch+1, opt.Epochs)
		}
	}
	for i := range w {
		w[i] -= u[i] / float32(step)
	}
	c.W = w
	return c, nil
}

// scores fills probs (len(Labels)) with the label probabilities of a
// message's hashed features; unknown features are ignored. rows is scratch.
func (c *classifier) scores(feats []uint64, probs []float64, rows []int32) []int32 {
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
	softmax(probs)
	return rows
}
