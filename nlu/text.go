package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

// fold maps a message to the form the models read, rune for rune, so that
// rune offsets into the folded text are offsets into the original: lower
// case, typographic quotes and dashes made plain, every control or space
// character a plain space. Invalid UTF-8 bytes become U+FFFD.
func fold(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\u2018' || r == '\u2019' || r == '\u02bc':
			r = '\''
		case r == '\u201c' || r == '\u201d':
			r = '"'
		case r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '\u2014':
			// Keep dashes distinct from hyphens for hostnames: only the
			// sentence dashes become spaces; look-alike hyphens stay as
			// they are so typed parsers reject them.
			if r == '\u2013' || r == '\u2014' {
				r = ' '
			}
		case unicode.IsSpace(r) || unicode.IsControl(r):
			r = ' '
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tidy collapses runs of spaces and trims, for display.
func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

// tokenize splits folded text with prose's tokenizer and finds each
// token's rune span. Sentence segmentation, tagging and entity extraction
// are off: for a chat line they cost milliseconds and the NER is weak on
// lower-case text, so prose never loads its models here.
func tokenize(folded string) []Token {
	doc, err := prose.NewDocument(folded,
		prose.WithSegmentation(false), prose.WithTagging(false), prose.WithExtraction(false))
	if err != nil {
		return nil
	}
	words := doc.Tokens()
	out := make([]Token, 0, len(words))
	byteAt, runeAt := 0, 0
	for _, w := range words {
		i := strings.Index(folded[byteAt:], w.Text)
		if i < 0 || w.Text == "" {
			continue // prose rewrote the token (&rsquo;); it has no span
		}
		runeAt += utf8.RuneCountInString(folded[byteAt : byteAt+i])
		n := utf8.RuneCountInString(w.Text)
		out = append(out, Token{Text: w.Text, Start: runeAt, End: runeAt + n})
		byteAt += i + len(w.Text)
		runeAt += n
	}
	return out
}

// shape abstracts a word's character classes: "web-1" -> "x-d",
// "INC42" -> "Xd", "192.168.0.24" -> "d.d.d.d".
func shape(w string) string {
	var b []byte
	var last byte
	for _, r := range w {
		var c byte
		switch {
		case unicode.IsUpper(r):
			c = 'X'
		case unicode.IsLetter(r):
			c = 'x'
		case unicode.IsDigit(r):
			c = 'd'
		case r < utf8.RuneSelf:
			c = byte(r)
		default:
			c = '*'
		}
		if c != last {
			b = append(b, c)
			last = c
		}
	}
	return string(b)
}

func isAlpha(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}
