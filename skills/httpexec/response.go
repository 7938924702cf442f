package httpexec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// missing is what a response path that finds nothing renders as.
	missing = "?"
	// maxValue bounds one value picked from a response, in characters.
	maxValue = 200
	// masked replaces a secret value wherever it would show.
	masked = "••••"
)

// step is one step of a response path: a key, an index, or every element.
type step struct {
	key   string
	index int
	kind  stepKind
}

type stepKind int

const (
	keyStep stepKind = iota
	indexStep
	allStep
)

// path picks values from a JSON document: "." is the document, ".a.b" a
// field of a field, ".items[0]" and ".items[-1]" the first and last
// element, ".items[*]" every element, and .["odd key"] a field whose name
// is not a plain word.
type path []step

// parsePath parses a response path; see path.
func parsePath(s string) (path, error) {
	if s == "" || s[0] != '.' {
		return nil, errors.New("a path starts with '.'")
	}
	if s == "." {
		return path{}, nil
	}
	var p path
	for i := 0; i < len(s); {
		switch {
		case s[i] == '.' && i+1 < len(s) && s[i+1] == '[':
			// .[0] and .["key"]: the dot only separates.
			i++
		case s[i] == '.':
			j := i + 1
			for j < len(s) && keyChar(s[j]) {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("a '.' at byte %d is not followed by a field name", i)
			}
			p = append(p, step{key: s[i+1 : j]})
			i = j
		case strings.HasPrefix(s[i:], `["`):
			key, n, err := quotedKey(s[i+1:])
			if err != nil {
				return nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			if i+1+n >= len(s) || s[i+1+n] != ']' {
				return nil, fmt.Errorf("unclosed '[' at byte %d", i)
			}
			p = append(p, step{key: key})
			i += n + 2
		case s[i] == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed '[' at byte %d", i)
			}
			in := s[i+1 : i+j]
			if in == "*" {
				p = append(p, step{kind: allStep})
			} else {
				n, err := strconv.Atoi(in)
				if err != nil || in != strconv.Itoa(n) {
					return nil, fmt.Errorf("[%s] at byte %d: want an index, a negative index from the end, or *", in, i)
				}
				p = append(p, step{kind: indexStep, index: n})
			}
			i += j + 1
		default:
			return nil, fmt.Errorf("unexpected %q at byte %d (a path looks like .a.b, .items[0].name or .items[*].name)", s[i], i)
		}
	}
	return p, nil
}

func keyChar(c byte) bool {
	return c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}

// quotedKey reads the JSON string at the start of s and returns its value
// and length.
func quotedKey(s string) (string, int, error) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			var key string
			if err := json.Unmarshal([]byte(s[:i+1]), &key); err != nil {
				return "", 0, fmt.Errorf("bad quoted key %s", s[:i+1])
			}
			return key, i + 1, nil
		}
	}
	return "", 0, errors.New("unclosed quoted key")
}

// eval returns the values the path picks from doc.
func (p path) eval(doc any) []any {
	vals := []any{doc}
	for _, s := range p {
		var next []any
		for _, v := range vals {
			switch s.kind {
			case keyStep:
				if obj, ok := v.(map[string]any); ok {
					if x, ok := obj[s.key]; ok {
						next = append(next, x)
					}
				}
			case indexStep:
				if arr, ok := v.([]any); ok {
					i := s.index
					if i < 0 {
						i += len(arr)
					}
					if 0 <= i && i < len(arr) {
						next = append(next, arr[i])
					}
				}
			case allStep:
				if arr, ok := v.([]any); ok {
					next = append(next, arr...)
				}
			}
		}
		vals = next
	}
	return vals
}

// render is the text of what the path picks from doc: one value as
// itself, several joined with ", ", nothing as "?". Each value is shown
// on one line, cut at maxValue characters, with secrets masked.
func (p path) render(doc any, sc scrubber) string {
	vals := p.eval(doc)
	if len(vals) == 0 {
		return missing
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = sc.short([]byte(renderValue(v)), false, maxValue)
	}
	return strings.Join(out, ", ")
}

// renderValue shows a JSON value: strings without quotes, numbers as
// written, objects and arrays as compact JSON.
func renderValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return missing
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// decodeJSON parses a response body, keeping numbers as written.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return doc, nil
}

// clean makes response text safe to show in chat: invalid UTF-8, ANSI
// escape sequences, and control and invisible format characters other
// than newline and tab are removed.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
		case r == 0x1b:
			size = escapeLen(s[i:])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', unicode.In(r, unicode.Cf) && r != '\u200d':
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escapeLen is the length of the escape sequence at the start of s, which
// begins with ESC: a whole CSI sequence ("\x1b[1;31m"), or the ESC alone.
func escapeLen(s string) int {
	if len(s) < 2 || s[1] != '[' {
		return 1
	}
	i := 2
	for i < len(s) && 0x20 <= s[i] && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && 0x40 <= s[i] && s[i] <= 0x7e {
		i++
	}
	return i
}

// cut shortens s to at most n characters, the last an ellipsis when
// something was cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		count++
	}
	return s
}

// scrubber replaces secret values, in the forms a request or a response
// may carry them, with a mask.
type scrubber struct {
	r       *strings.Replacer
	longest int // bytes in the longest form
}

func newScrubber(values []string) scrubber {
	var forms []string
	for _, v := range values {
		if v == "" {
			continue
		}
		forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v), jsonInner(v))
	}
	// Longer forms first, so that a form containing another is masked
	// whole.
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	forms = slices.Compact(forms)
	if len(forms) == 0 {
		return scrubber{}
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, masked)
	}
	return scrubber{r: strings.NewReplacer(pairs...), longest: len(forms[0])}
}

func (s scrubber) scrub(text string) string {
	if s.r == nil {
		return text
	}
	return s.r.Replace(text)
}

// visible is a response body as it may be shown: cleaned for chat, with
// secrets masked both before cleaning and after, as removing a control
// character or an escape sequence could join the pieces of one. A body cut
// at the size limit also loses as many bytes as the longest secret form,
// so that no piece of a secret cut in two is left at its end.
func (s scrubber) visible(body []byte, cutShort bool) string {
	if cutShort && s.r != nil {
		body = body[:max(len(body)-s.longest, 0)]
	}
	return s.scrub(clean(s.scrub(string(body))))
}

// short is text shown on one line of at most n characters: cleaned, its
// white space folded, then cut, with secrets masked after every step that
// could join the pieces of one.
func (s scrubber) short(body []byte, cutShort bool, n int) string {
	return cut(s.scrub(strings.Join(strings.Fields(s.visible(body, cutShort)), " ")), n)
}
