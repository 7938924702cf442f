package fuzzy

import (
	"math/bits"
	"slices"
)

const (
	// maxDeletes is the most edits any word is allowed (Budget of a long
	// word).
	maxDeletes = 2
	// maxIndexed is the longest word, in runes, that Lookup can match
	// with edits; longer words are matched only exactly.
	maxIndexed = stackRunes
)

// Index answers Closest over a fixed dictionary quickly, by symmetric
// deletion: every string made by deleting up to two runes from a
// dictionary word is indexed by a 64-bit hash, so the words within k edits
// of a query are among those sharing a deletion of at most k runes with
// it, and only those are compared.
//
// Where two words are equally near, the more frequent wins; equal counts
// are a tie and Lookup reports no match. An Index is immutable and safe
// for concurrent use.
type Index struct {
	words  []string
	counts []int
	ids    map[string]int32
	// runes holds the decoded words back to back; word i is
	// runes[offs[i]:offs[i+1]].
	runes []rune
	offs  []uint32
	// table is an open-addressing hash table (linear probing, a power of
	// two in size) from deletion hash to a group of word ids in postings.
	table    []slot
	shift    uint
	postings []int32
}

// slot is one entry of Index.table; end == 0 marks an empty slot.
type slot struct {
	hash       uint64
	start, end uint32
}

// NewIndex builds an index of the words in counts, each with its
// frequency. Words are matched as they are: callers normalise case first.
func NewIndex(counts map[string]int) *Index {
	ix := &Index{ids: make(map[string]int32, len(counts))}
	for w := range counts {
		ix.words = append(ix.words, w)
	}
	slices.Sort(ix.words) // a deterministic layout
	type entry struct {
		hash uint64
		id   int32
	}
	var entries []entry
	var h hasher
	ix.offs = append(ix.offs, 0)
	for i, w := range ix.words {
		id := int32(i)
		ix.ids[w] = id
		ix.counts = append(ix.counts, counts[w])
		start := len(ix.runes)
		for _, r := range w {
			ix.runes = append(ix.runes, r)
		}
		ix.offs = append(ix.offs, uint32(len(ix.runes)))
		rs := ix.runes[start:]
		if len(rs) > maxIndexed {
			continue
		}
		h.reset(rs)
		h.each(maxDeletes, func(x uint64) { entries = append(entries, entry{x, id}) })
	}
	slices.SortFunc(entries, func(a, b entry) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return int(a.id) - int(b.id)
	})
	entries = slices.Compact(entries)
	groups := 0
	for i := range entries {
		if i == 0 || entries[i].hash != entries[i-1].hash {
			groups++
		}
	}
	// Keep the table at most 70% full.
	size := 1 << bits.Len(uint(groups*10/7+1))
	ix.table = make([]slot, size)
	ix.shift = uint(64 - bits.TrailingZeros(uint(size)))
	ix.postings = make([]int32, len(entries))
	for i := 0; i < len(entries); {
		j := i
		for j < len(entries) && entries[j].hash == entries[i].hash {
			ix.postings[j] = entries[j].id
			j++
		}
		k := ix.home(entries[i].hash)
		for ix.table[k].end != 0 {
			k = (k + 1) & (len(ix.table) - 1)
		}
		ix.table[k] = slot{hash: entries[i].hash, start: uint32(i), end: uint32(j)}
		i = j
	}
	return ix
}

// home is the first slot to probe for hash h.
func (ix *Index) home(h uint64) int {
	return int((h * 0x9e3779b97f4a7c15) >> ix.shift)
}

// group returns the ids of the words with a deletion hashing to h.
func (ix *Index) group(h uint64) []int32 {
	mask := len(ix.table) - 1
	for k := ix.home(h); ; k = (k + 1) & mask {
		s := &ix.table[k]
		if s.end == 0 {
			return nil
		}
		if s.hash == h {
			return ix.postings[s.start:s.end]
		}
	}
}

// Len is the number of words in the index.
func (ix *Index) Len() int { return len(ix.words) }

// Contains reports whether word is in the index.
func (ix *Index) Contains(word string) bool {
	_, ok := ix.ids[word]
	return ok
}

// Lookup returns the indexed word nearest to word within Budget edits of
// its length in runes, and its distance. An exact match has distance 0. A
// tie between equally near words goes to the more frequent; if their
// counts are equal too, ok is false. Words longer than 64 runes are only
// ever matched exactly.
func (ix *Index) Lookup(word string) (match string, dist int, ok bool) {
	if _, found := ix.ids[word]; found {
		return word, 0, true
	}
	var buf [stackRunes]rune
	q := query{word: runes(word, buf[:0]), best: -1}
	q.budget = Budget(len(q.word))
	q.bestDist = q.budget + 1
	if q.budget == 0 || len(ix.words) == 0 || len(q.word) > maxIndexed+maxDeletes {
		return "", 0, false
	}
	var h hasher
	h.reset(q.word)
	ix.visit(&q, h.whole())
	for i := range h.n {
		ix.visit(&q, h.without1(i))
	}
	if q.budget >= 2 {
		for i := range h.n {
			for j := i + 1; j < h.n; j++ {
				ix.visit(&q, h.without2(i, j))
			}
		}
	}
	if q.best < 0 || q.tie {
		return "", 0, false
	}
	return ix.words[q.best], q.bestDist, true
}

// query is the state of one Lookup.
type query struct {
	word     []rune
	budget   int
	best     int32 // -1 until a word within budget is found
	bestDist int
	tie      bool
	// seen lists words already compared; a short list is enough, as a
	// repeat only costs a second comparison.
	seen  [32]int32
	nseen int
}

// visit compares the query with the words sharing the deletion hash h.
func (ix *Index) visit(q *query, h uint64) {
	for _, id := range ix.group(h) {
		if id == q.best || slices.Contains(q.seen[:q.nseen], id) {
			continue
		}
		if q.nseen < len(q.seen) {
			q.seen[q.nseen] = id
			q.nseen++
		}
		w := ix.runes[ix.offs[id]:ix.offs[id+1]]
		if diff := len(w) - len(q.word); diff > q.bestDist || -diff > q.bestDist {
			continue
		}
		d := distance(q.word, w, q.bestDist)
		switch {
		case d < q.bestDist:
			q.best, q.bestDist, q.tie = id, d, false
		case d == q.bestDist && d <= q.budget:
			switch c, bc := ix.counts[id], ix.counts[q.best]; {
			case c > bc:
				q.best, q.tie = id, false
			case c == bc:
				q.tie = true
			}
		}
	}
}

// hasher hashes a rune string and the strings made by deleting one or two
// of its runes, each in constant time. The hash is the polynomial
// sum of (r+1)·p^k over the runes r at positions k, modulo 2^64; p is odd,
// so it has an inverse and dropping a rune is shifting what follows it
// down one power.
type hasher struct {
	n int
	// pre[i] is the hash of the first i runes; suf[i] is the sum of the
	// terms for the runes from position i on (at their own positions).
	pre, suf [maxIndexed + maxDeletes + 2]uint64
}

const (
	hashPrime   = 0x100000001b3
	hashInverse = 0xce965057aff6957b // hashPrime * hashInverse == 1 (mod 2^64)
)

func (h *hasher) reset(rs []rune) {
	h.n = len(rs)
	pow := uint64(1)
	for i, r := range rs {
		h.pre[i+1] = h.pre[i] + uint64(r+1)*pow
		pow *= hashPrime
	}
	h.suf[h.n] = 0
	for i := h.n - 1; i >= 0; i-- {
		h.suf[i] = h.suf[i+1] + (h.pre[i+1] - h.pre[i])
	}
}

// without1 is the hash of the runes without the one at i.
func (h *hasher) without1(i int) uint64 {
	return h.pre[i] + h.suf[i+1]*hashInverse
}

// without2 is the hash of the runes without those at i < j.
func (h *hasher) without2(i, j int) uint64 {
	return h.pre[i] + (h.pre[j]-h.pre[i+1])*hashInverse + h.suf[j+1]*hashInverse*hashInverse
}

// whole is the hash of all the runes.
func (h *hasher) whole() uint64 { return h.pre[h.n] }

// each calls fn with the hash of the runes and of every string made by
// deleting up to k of them (a string reachable in more than one way is
// reported more than once).
func (h *hasher) each(k int, fn func(uint64)) {
	fn(h.whole())
	if k < 1 {
		return
	}
	for i := range h.n {
		fn(h.without1(i))
	}
	if k < 2 {
		return
	}
	for i := range h.n {
		for j := i + 1; j < h.n; j++ {
			fn(h.without2(i, j))
		}
	}
}
