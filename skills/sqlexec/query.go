package sqlexec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// dialect is the SQL spoken by a connection's driver.
type dialect int

const (
	pgDialect dialect = iota
	sqliteDialect
)

func (d dialect) String() string {
	if d == sqliteDialect {
		return "sqlite"
	}
	return "postgres"
}

// statement is a query compiled for one dialect: its text uses the driver's
// bind parameters, and params names the skill parameter bound at each
// position.
type statement struct {
	text   string
	params []string
}

// compile rewrites the :name placeholders of src into bind parameters of d.
// Every placeholder must name a declared parameter; a name used twice binds
// one value. Literals, quoted identifiers and comments are copied as they
// are, "::" is always literal, and the driver's own parameter syntax is
// refused so that every bound value goes through a named placeholder. src
// must be a single statement; a trailing semicolon is dropped.
func compile(src string, d dialect, declared map[string]bool) (statement, error) {
	var (
		b   strings.Builder
		st  statement
		pos = map[string]int{} // parameter name → 1-based position
	)
	b.Grow(len(src))
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\'':
			n, err := quoted(src[i:], '\'', d == pgDialect && escapeString(src, i))
			if err != nil {
				return statement{}, fmt.Errorf("%w at byte %d", err, i)
			}
			b.WriteString(src[i : i+n])
			i += n
		case c == '"' || (d == sqliteDialect && c == '`'):
			n, err := quoted(src[i:], c, false)
			if err != nil {
				return statement{}, fmt.Errorf("%w at byte %d", err, i)
			}
			b.WriteString(src[i : i+n])
			i += n
		case d == sqliteDialect && c == '[':
			j := strings.IndexByte(src[i:], ']')
			if j < 0 {
				return statement{}, fmt.Errorf("unclosed [identifier] at byte %d", i)
			}
			b.WriteString(src[i : i+j+1])
			i += j + 1
		case strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			b.WriteString(src[i : i+j])
			i += j
		case strings.HasPrefix(src[i:], "/*"):
			n, err := blockComment(src[i:], d == pgDialect)
			if err != nil {
				return statement{}, fmt.Errorf("%w at byte %d", err, i)
			}
			b.WriteString(src[i : i+n])
			i += n
		case c == '$' && d == pgDialect && (i == 0 || !isNameChar(src[i-1])):
			// Inside a word ("a$b") a '$' is part of an identifier.
			if i+1 < len(src) && isDigit(src[i+1]) {
				return statement{}, fmt.Errorf("positional parameter at byte %d: write :name instead", i)
			}
			n, err := dollarQuoted(src[i:])
			if err != nil {
				return statement{}, fmt.Errorf("%w at byte %d", err, i)
			}
			if n == 0 {
				n = 1
			}
			b.WriteString(src[i : i+n])
			i += n
		case d == sqliteDialect && (c == '?' || ((c == '$' || c == '@') && i+1 < len(src) && isNameStart(src[i+1]))):
			return statement{}, fmt.Errorf("SQLite parameter %q at byte %d: write :name instead", c, i)
		case strings.HasPrefix(src[i:], "::"):
			b.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(src) && isNameStart(src[i+1]):
			j := i + 2
			for j < len(src) && isNameChar(src[j]) {
				j++
			}
			name := src[i+1 : j]
			if !declared[name] {
				return statement{}, fmt.Errorf("placeholder :%s is not a parameter of the skill", name)
			}
			p, ok := pos[name]
			if !ok {
				st.params = append(st.params, name)
				p = len(st.params)
				pos[name] = p
			}
			if d == pgDialect {
				b.WriteByte('$')
			} else {
				b.WriteByte('?')
			}
			b.WriteString(strconv.Itoa(p))
			i = j
		case c == ';':
			if rest := strings.TrimSpace(stripComments(src[i+1:])); rest != "" {
				return statement{}, fmt.Errorf("more than one statement (a ';' at byte %d is followed by more SQL)", i)
			}
			i = len(src)
		default:
			b.WriteByte(c)
			i++
		}
	}
	st.text = strings.TrimSpace(b.String())
	if strings.TrimSpace(stripComments(st.text)) == "" {
		return statement{}, errors.New("the query is empty")
	}
	return st, nil
}

// quoted returns the length of the quoted token at the start of s, which
// opens with q; a doubled q inside stands for itself, and with backslash
// set a backslash escapes the next byte (PostgreSQL's E'...' strings).
func quoted(s string, q byte, backslash bool) (int, error) {
	for i := 1; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] != q:
		case i+1 < len(s) && s[i+1] == q:
			i++
		default:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unclosed %c", q)
}

// escapeString reports whether the quote at src[i] opens a PostgreSQL
// escape string: it follows an E that is not the end of a longer word.
func escapeString(src string, i int) bool {
	if i == 0 || (src[i-1] != 'E' && src[i-1] != 'e') {
		return false
	}
	return i == 1 || !isNameChar(src[i-2])
}

// blockComment returns the length of the /* comment */ at the start of s;
// PostgreSQL comments nest, SQLite ones do not.
func blockComment(s string, nest bool) (int, error) {
	depth := 0
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] == '/' && s[i+1] == '*' && (nest || depth == 0):
			depth++
			i++
		case s[i] == '*' && s[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, errors.New("unclosed /* comment")
}

// dollarQuoted returns the length of the PostgreSQL dollar-quoted string
// ($$...$$ or $tag$...$tag$) at the start of s, or 0 when s does not start
// one.
func dollarQuoted(s string) (int, error) {
	j := 1
	for j < len(s) && isNameChar(s[j]) && s[j] != '$' {
		j++
	}
	if j >= len(s) || s[j] != '$' || (j > 1 && isDigit(s[1])) {
		return 0, nil
	}
	tag := s[:j+1]
	end := strings.Index(s[len(tag):], tag)
	if end < 0 {
		return 0, fmt.Errorf("unclosed %s string", tag)
	}
	return 2*len(tag) + end, nil
}

// stripComments removes -- and /* */ comments from a tail of SQL that has
// no literals worth keeping.
func stripComments(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "--"):
			j := strings.IndexByte(s, '\n')
			if j < 0 {
				return b.String()
			}
			s = s[j:]
		case strings.HasPrefix(s, "/*"):
			j := strings.Index(s, "*/")
			if j < 0 {
				return b.String()
			}
			s = s[j+2:]
		default:
			b.WriteByte(s[0])
			s = s[1:]
		}
	}
	return b.String()
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isNameStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || isDigit(c) }
