package exec

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parleybot/parley/skills"
)

// part is a piece of a template element: literal text, or a placeholder
// naming a parameter when param is set.
type part struct {
	lit   string
	param string
}

// element is one template element; it always yields one argument.
type element []part

// literal returns the text of an element without placeholders.
func (el element) literal() (string, bool) {
	var b strings.Builder
	for _, p := range el {
		if p.param != "" {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// sole returns the parameter name of an element that is a single
// placeholder and nothing else.
func (el element) sole() (string, bool) {
	if len(el) == 1 && el[0].param != "" {
		return el[0].param, true
	}
	return "", false
}

// parseElement splits one template element into literal text and
// placeholders. "{{" and "}}" stand for literal braces; every placeholder
// must name a declared parameter.
func parseElement(s string, declared map[string]bool) (element, error) {
	var (
		el  element
		lit strings.Builder
	)
	flush := func() {
		if lit.Len() > 0 {
			el = append(el, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && strings.HasPrefix(s[i:], "{{"):
			lit.WriteByte('{')
			i += 2
		case c == '}' && strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, fmt.Errorf("unbalanced '}' at byte %d (write '}}' for a literal brace)", i)
		case c == '{':
			j := strings.IndexAny(s[i+1:], "{}")
			if j < 0 || s[i+1+j] != '}' {
				return nil, fmt.Errorf("unclosed '{' at byte %d (write '{{' for a literal brace)", i)
			}
			name := s[i+1 : i+1+j]
			switch {
			case name == "":
				return nil, errors.New("empty placeholder {}")
			case !declared[name]:
				return nil, fmt.Errorf("placeholder {%s} is not a parameter of the skill", name)
			}
			flush()
			el = append(el, part{param: name})
			i += j + 2
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return el, nil
}

// Argv fills the template with the canonical text of the arguments. Each
// template element yields exactly one argument, byte for byte, whatever the
// values contain. An element that is only a placeholder for an absent
// optional parameter is left out; any other use of an absent parameter is an
// error.
func (e *Executor) Argv(args skills.Args) ([]string, error) {
	out := make([]string, 0, len(e.tmpl))
	for i, el := range e.tmpl {
		if name, ok := el.sole(); ok {
			if v, present := args.Get(name); present {
				out = append(out, v.String())
			}
			continue
		}
		var b strings.Builder
		for _, p := range el {
			if p.param == "" {
				b.WriteString(p.lit)
				continue
			}
			v, present := args.Get(p.param)
			if !present {
				return nil, fmt.Errorf("exec: argv[%d] %q needs parameter %q, which is not set", i, e.src[i], p.param)
			}
			b.WriteString(v.String())
		}
		out = append(out, b.String())
	}
	return out, nil
}

// Quote renders argv as a POSIX shell would need it typed, for display
// only: an argument made only of letters, digits and @%_+=:,./- is shown as
// it is, anything else is single-quoted.
func Quote(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteArg(a))
	}
	return b.String()
}

func quoteArg(s string) string {
	if s != "" && strings.IndexFunc(s, needsQuote) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func needsQuote(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("@%_+=:,./-", r)
}
