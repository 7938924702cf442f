// Package fuzzy owns approximate word matching for the NLU: the
// optimal-string-alignment edit distance (adjacent transpositions count as
// one edit), the edit budget a word of a given length is allowed, and
// nearest-word lookup, either over a slice (Closest) or over a fixed
// dictionary with frequencies (Index).
//
// It corrects typos in words the bot knows ("apche" to "apache", "restrat"
// to "restart") and refuses to guess: short words are never corrected, and
// a tie between equally near words is no match.
//
// Everything here is immutable after construction and safe for concurrent
// use. This package imports only the standard library.
package fuzzy
