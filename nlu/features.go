package nlu

import (
	"math"
	"unicode/utf8"
)

// A feature is named by a 64-bit FNV-1a hash of a kind byte and a string,
// computed without building the string.
type hasher uint64

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newHash(kind byte) hasher { return hasher((fnvOffset ^ uint64(kind)) * fnvPrime) }

func (h hasher) str(s string) hasher {
	for i := 0; i < len(s); i++ {
		h = (h ^ hasher(s[i])) * fnvPrime
	}
	return h
}

func (h hasher) sep() hasher { return (h ^ 0xff) * fnvPrime }

func featureOf(kind byte, parts ...string) uint64 {
	h := newHash(kind)
	for i, p := range parts {
		if i > 0 {
			h = h.sep()
		}
		h = h.str(p)
	}
	return uint64(h)
}

// Feature kinds of the intent classifier.
const (
	fUnigram = 'u'
	fBigram  = 'b'
	fChar    = 'c'
	fClass   = 'e'
	fBias    = 'z'
)

// messageFeatures appends the hashed features of one message: words and
// word pairs (entity values replaced by their class, so "restart apache on
// web-1" and "restart flurbd on zeta-9" share "on <host>"), the classes of
// entities present, the words inside entities (extra) and character
// n-grams of each word (3 to 5, with word boundaries, for typos and
// inflections). It returns the features and how many of them, from the
// first, are the bias and the word-level ones: the character n-grams come
// last.
func messageFeatures(dst []uint64, words, extra []string) ([]uint64, int) {
	first := len(dst)
	dst = append(dst, featureOf(fBias))
	prev := "<s>"
	for _, w := range words {
		dst = append(dst, featureOf(fUnigram, w))
		dst = append(dst, featureOf(fBigram, prev, w))
		prev = w
		if isClassWord(w) {
			dst = append(dst, featureOf(fClass, w))
		}
	}
	dst = append(dst, featureOf(fBigram, prev, "</s>"))
	for _, w := range extra {
		dst = append(dst, featureOf(fUnigram, w))
	}
	n := len(dst) - first
	for _, w := range words {
		if !isClassWord(w) {
			dst = charGrams(dst, w)
		}
	}
	return dst, n
}

// isClassWord reports whether w stands for an entity class ("<host>").
func isClassWord(w string) bool { return len(w) > 0 && w[0] == '<' }

// charGrams appends the hashed 3-, 4- and 5-grams of "<" + w + ">".
func charGrams(dst []uint64, w string) []uint64 {
	if utf8.RuneCountInString(w) > 24 {
		return dst // long tokens (hashes, tokens of junk) add noise, not signal
	}
	var buf [32]int // byte offsets of rune starts in the bounded word
	padded := "<" + w + ">"
	n := 0
	for i := range padded {
		if n < len(buf) {
			buf[n] = i
			n++
		}
	}
	for size := 3; size <= 5; size++ {
		for i := 0; i+size <= n; i++ {
			end := len(padded)
			if i+size < n {
				end = buf[i+size]
			}
			dst = append(dst, uint64(newHash(fChar).str(padded[buf[i]:end])))
		}
	}
	return dst
}

// softmax turns scores into probabilities in place.
func softmax(z []float64) {
	max := math.Inf(-1)
	for _, v := range z {
		if v > max {
			max = v
		}
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp(v - max)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}
