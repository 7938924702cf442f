package training

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
)

// ParseMarked reads an example with inline entity marks, "[surface](type)"
// or "[surface](type:canonical value)", and returns the plain text and the
// entities with rune spans into it. A bracket that does not open a
// well-formed mark is kept as text.
func ParseMarked(s string) (string, []nlu.Entity, error) {
	if !utf8.ValidString(s) {
		return "", nil, errors.New("example is not valid UTF-8")
	}
	var b strings.Builder
	var ents []nlu.Entity
	runes := 0
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		runes += utf8.RuneCountInString(s[:i])
		rest := s[i:]
		surface, typ, value, n, ok := scanMark(rest)
		if !ok {
			b.WriteByte('[')
			runes++
			s = rest[1:]
			continue
		}
		if strings.TrimSpace(surface) == "" {
			return "", nil, fmt.Errorf("mark %q has an empty span", rest[:n])
		}
		if typ == "" {
			return "", nil, fmt.Errorf("mark %q has no entity type", rest[:n])
		}
		lead := strings.Index(surface, strings.TrimSpace(surface))
		trimmed := strings.TrimSpace(surface)
		start := runes + utf8.RuneCountInString(surface[:lead])
		ents = append(ents, nlu.Entity{
			Type: typ, Text: trimmed, Value: value,
			Start: start, End: start + utf8.RuneCountInString(trimmed),
		})
		b.WriteString(surface)
		runes += utf8.RuneCountInString(surface)
		s = rest[n:]
	}
	return b.String(), ents, nil
}

// scanMark reads "[surface](type)" or "[surface](type:value)" at the start
// of s and returns its parts and length.
func scanMark(s string) (surface, typ, value string, n int, ok bool) {
	close := strings.IndexByte(s, ']')
	if close < 0 || strings.IndexByte(s[1:close], '[') >= 0 {
		return "", "", "", 0, false
	}
	if close+1 >= len(s) || s[close+1] != '(' {
		return "", "", "", 0, false
	}
	end := strings.IndexByte(s[close+2:], ')')
	if end < 0 {
		return "", "", "", 0, false
	}
	inner := s[close+2 : close+2+end]
	typ, value, _ = strings.Cut(inner, ":")
	typ = strings.TrimSpace(typ)
	for _, r := range typ {
		if !(r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return "", "", "", 0, false
		}
	}
	return s[1:close], typ, strings.TrimSpace(value), close + 3 + end, true
}
