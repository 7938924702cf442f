package fuzzy

import "unicode/utf8"

// stackRunes is the longest word (in runes) whose distance is computed
// without allocating.
const stackRunes = 64

// Distance is the optimal-string-alignment distance between a and b,
// counted in runes: the fewest insertions, deletions, substitutions and
// transpositions of two adjacent runes that turn a into b, where no
// substring is edited twice. It is Damerau-Levenshtein distance restricted
// so that "ca" to "abc" is 3, not 2.
//
// Distance stops as soon as the distance is known to exceed max and then
// returns max+1; it only fills the band of the alignment table within max
// of the diagonal. A negative max means no limit.
func Distance(a, b string, max int) int {
	if a == b {
		return 0
	}
	var bufA, bufB [stackRunes]rune
	return distance(runes(a, bufA[:0]), runes(b, bufB[:0]), max)
}

// distance is Distance over decoded runes.
func distance(ra, rb []rune, max int) int {
	// Common prefixes and suffixes never change the distance.
	for len(ra) > 0 && len(rb) > 0 && ra[0] == rb[0] {
		ra, rb = ra[1:], rb[1:]
	}
	for len(ra) > 0 && len(rb) > 0 && ra[len(ra)-1] == rb[len(rb)-1] {
		ra, rb = ra[:len(ra)-1], rb[:len(rb)-1]
	}
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	n, m := len(ra), len(rb)
	if max < 0 || max > m {
		max = m // the distance is never more than the longer length
	}
	if m-n > max {
		return max + 1
	}
	if n == 0 {
		return m
	}
	inf := max + 1
	var rowBuf [3 * (stackRunes + 1)]int
	var rows []int
	if 3*(m+1) <= len(rowBuf) {
		rows = rowBuf[:3*(m+1)]
	} else {
		rows = make([]int, 3*(m+1))
	}
	// prev2, prev and cur are rows i-2, i-1 and i of the table: cell j of
	// row i is the distance between ra[:i] and rb[:j].
	prev2, prev, cur := rows[:m+1], rows[m+1:2*(m+1)], rows[2*(m+1):]
	for j := range prev {
		prev[j] = min(j, inf)
	}
	for i := 1; i <= n; i++ {
		lo, hi := max1(i-max), min(m, i+max)
		if lo == 1 {
			cur[0] = min(i, inf)
		} else {
			cur[lo-1] = inf
		}
		rowMin := inf
		ca := ra[i-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if ca == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ca == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			v = min(v, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < m {
			cur[hi+1] = inf // read as "above" by the next row
		}
		if rowMin > max {
			return inf
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[m], inf)
}

func max1(x int) int {
	if x < 1 {
		return 1
	}
	return x
}

// runes decodes s into buf, growing it if s is longer.
func runes(s string, buf []rune) []rune {
	if utf8.RuneCountInString(s) > cap(buf) {
		return []rune(s)
	}
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// Budget is the number of edits allowed for a word of n runes: 0 below 4,
// 1 for 4 to 7, 2 from 8.
func Budget(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// Closest returns the candidate nearest to word within Budget edits of its
// length in runes, if exactly one candidate is nearest (duplicates of the
// same string count once). An exact match is returned as it is. Matching
// is case-sensitive: callers normalise case first.
func Closest(word string, candidates []string) (string, bool) {
	budget := Budget(utf8.RuneCountInString(word))
	best, bestDist, tie := "", budget+1, false
	for _, c := range candidates {
		if c == word {
			return word, true
		}
		if budget == 0 {
			continue
		}
		d := Distance(word, c, bestDist)
		switch {
		case d < bestDist:
			best, bestDist, tie = c, d, false
		case d == bestDist && d <= budget && c != best:
			tie = true
		}
	}
	if best == "" || tie {
		return "", false
	}
	return best, true
}
