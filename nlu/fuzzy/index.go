package fuzzy

import (
	"slices"
	"unicode/utf8"
)

// maxDeletes is the most edits any word is allowed (Budget of a long word).
const maxDeletes = 2

// Index answers Closest over a fixed dictionary quickly, by symmetric
// deletion: every string reachable from a dictionary word by deleting up
// to two runes is indexed (by a 64-bit hash), so the words within k edits
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
	// postings holds word ids grouped by deletion hash; spans maps a
	// hash to its group.
	postings []int32
	spans    map[uint64]span
}

type span struct{ start, end uint32 }

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
	var buf [stackRunes]rune
	for i, w := range ix.words {
		id := int32(i)
		ix.ids[w] = id
		ix.counts = append(ix.counts, counts[w])
		rs := runes(w, buf[:0])
		if len(rs) > stackRunes {
			continue // matched only exactly
		}
		forDeletions(rs, func(h uint64) {
			entries = append(entries, entry{h, id})
		})
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
	ix.postings = make([]int32, len(entries))
	ix.spans = make(map[uint64]span)
	for i := 0; i < len(entries); {
		j := i
		for j < len(entries) && entries[j].hash == entries[i].hash {
			ix.postings[j] = entries[j].id
			j++
		}
		ix.spans[entries[i].hash] = span{uint32(i), uint32(j)}
		i = j
	}
	return ix
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
	rs := runes(word, buf[:0])
	budget := Budget(len(rs))
	if budget == 0 || len(ix.words) == 0 || len(rs) > stackRunes+maxDeletes {
		return "", 0, false
	}
	q := query{word: word, budget: budget, best: -1, bestDist: budget + 1}
	var skip [maxDeletes]int
	ix.visit(&q, hashWithout(rs, nil))
	for i := range rs {
		skip[0] = i
		ix.visit(&q, hashWithout(rs, skip[:1]))
		if budget < 2 {
			continue
		}
		for j := i + 1; j < len(rs); j++ {
			skip[1] = j
			ix.visit(&q, hashWithout(rs, skip[:2]))
		}
	}
	if q.best < 0 || q.tie {
		return "", 0, false
	}
	return ix.words[q.best], q.bestDist, true
}

// query is the state of one Lookup.
type query struct {
	word     string
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
	s, found := ix.spans[h]
	if !found {
		return
	}
	for _, id := range ix.postings[s.start:s.end] {
		if id == q.best || slices.Contains(q.seen[:q.nseen], id) {
			continue
		}
		if q.nseen < len(q.seen) {
			q.seen[q.nseen] = id
			q.nseen++
		}
		d := Distance(q.word, ix.words[id], q.bestDist)
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

// forDeletions calls fn with the hash of rs and of every string made by
// deleting up to two runes from it (a string reachable in more than one
// way is reported more than once).
func forDeletions(rs []rune, fn func(uint64)) {
	var skip [maxDeletes]int
	fn(hashWithout(rs, nil))
	for i := range rs {
		skip[0] = i
		fn(hashWithout(rs, skip[:1]))
		for j := i + 1; j < len(rs); j++ {
			skip[1] = j
			fn(hashWithout(rs, skip[:2]))
		}
	}
}

// hashWithout is the FNV-1a hash of the UTF-8 encoding of rs without the
// runes at the (increasing) positions skip.
func hashWithout(rs []rune, skip []int) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	var enc [utf8.UTFMax]byte
	for i, r := range rs {
		if len(skip) > 0 && skip[0] == i {
			skip = skip[1:]
			continue
		}
		if r < utf8.RuneSelf {
			h = (h ^ uint64(r)) * prime
			continue
		}
		n := utf8.EncodeRune(enc[:], r)
		for _, b := range enc[:n] {
			h = (h ^ uint64(b)) * prime
		}
	}
	return h
}
