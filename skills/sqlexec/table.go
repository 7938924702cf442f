package sqlexec

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxCell is how many characters of a value a table shows.
	maxCell = 60
	// null is how a table shows SQL NULL.
	null = "∅"
	// moreRows ends a table that was cut at the row limit.
	moreRows = "…and more"
)

// cell is one value of a result row, already in text form.
type cell struct {
	text  string
	valid bool // false for NULL
}

// table is the part of a result a read shows.
type table struct {
	cols []string
	rows [][]cell
	more bool // rows were left out at the limit
}

// String renders the table for chat: a header line, a rule, then one line
// per row, columns left-aligned and separated by two spaces. Values are
// flattened to one line and cut at maxCell characters; NULL shows as ∅.
func (t table) String() string {
	if len(t.rows) == 0 {
		return "no rows"
	}
	lines := make([][]string, 0, len(t.rows)+1)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = flatten(c)
	}
	lines = append(lines, head)
	for _, r := range t.rows {
		line := make([]string, len(t.cols))
		for i := range line {
			switch {
			case i >= len(r):
			case !r[i].valid:
				line[i] = null
			default:
				line[i] = flatten(r[i].text)
			}
		}
		lines = append(lines, line)
	}
	width := make([]int, len(t.cols))
	for _, line := range lines {
		for i, s := range line {
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	write := func(line []string) {
		var l strings.Builder
		for i, s := range line {
			if i > 0 {
				l.WriteString("  ")
			}
			l.WriteString(s)
			l.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(s)))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	write(lines[0])
	rule := make([]string, len(width))
	for i, w := range width {
		rule[i] = strings.Repeat("-", max(w, 1))
	}
	write(rule)
	for _, line := range lines[1:] {
		write(line)
	}
	if t.more {
		b.WriteString(moreRows + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// flatten makes a value fit one table cell: line breaks and tabs become
// spaces, other control characters and invalid UTF-8 are dropped, and text
// longer than maxCell characters is cut with an ellipsis.
func flatten(s string) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				continue
			}
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			r = ' '
		case unicode.IsControl(r) || unicode.In(r, unicode.Cf) && r != '\u200d':
			continue
		}
		if n == maxCell {
			return truncate(b.String())
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// truncate replaces the last character of a full cell with an ellipsis.
func truncate(s string) string {
	_, size := utf8.DecodeLastRuneInString(s)
	return s[:len(s)-size] + "…"
}
