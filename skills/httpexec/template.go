package httpexec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleybot/parley/skills"
)

// kind is what a template part stands for.
type kind int

const (
	literal  kind = iota
	param         // {name}: a parameter of the skill
	secret        // ${NAME}: a secret from the Spec
	jsonPath      // {.a.b}: a value picked from a JSON response
)

// part is a piece of a template.
type part struct {
	kind kind
	text string // the literal text, or the parameter or secret name
	path path   // for jsonPath
}

// tmpl is a parsed template.
type tmpl []part

// allow says which kinds of placeholder a position takes.
type allow struct {
	params, secrets, paths bool
}

// names checks template references against what the Spec declares.
type names struct {
	params  map[string]bool
	secrets map[string]string
}

// parse splits s into literal text and placeholders: {name} for a
// parameter, ${NAME} for a secret, {.path} for a JSON response value, and
// "{{" and "}}" for literal braces. A placeholder of a kind the position
// does not allow, or naming nothing declared, is an error.
func (n *names) parse(s string, ok allow) (tmpl, error) {
	var (
		t   tmpl
		lit strings.Builder
	)
	flush := func() {
		if lit.Len() > 0 {
			t = append(t, part{kind: literal, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "${"):
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ${ at byte %d", i)
			}
			name := s[i+2 : i+j]
			p, err := n.secret(name, ok)
			if err != nil {
				return nil, err
			}
			flush()
			t = append(t, p)
			i += j + 1
		case strings.HasPrefix(s[i:], "{{"):
			lit.WriteByte('{')
			i += 2
		case strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, fmt.Errorf("unbalanced '}' at byte %d (write '}}' for a literal brace)", i)
		case c == '{':
			j := closing(s[i:])
			if j < 0 {
				return nil, fmt.Errorf("unclosed '{' at byte %d (write '{{' for a literal brace)", i)
			}
			p, err := n.placeholder(s[i+1:i+j], ok)
			if err != nil {
				return nil, err
			}
			flush()
			t = append(t, p)
			i += j + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

// closing returns the index of the '}' that closes the placeholder opening
// s, or -1. A JSON path may hold quoted keys with braces in them.
func closing(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '}':
			return i
		case c == '{':
			return -1
		}
	}
	return -1
}

func (n *names) placeholder(name string, ok allow) (part, error) {
	switch {
	case name == "":
		return part{}, errors.New("empty placeholder {}")
	case name[0] == '.':
		if !ok.paths {
			return part{}, fmt.Errorf("response path {%s} used outside the response template", name)
		}
		p, err := parsePath(name)
		if err != nil {
			return part{}, fmt.Errorf("response path {%s}: %w", name, err)
		}
		return part{kind: jsonPath, text: name, path: p}, nil
	case !n.params[name]:
		return part{}, fmt.Errorf("placeholder {%s} is not a parameter of the skill", name)
	case !ok.params:
		return part{}, fmt.Errorf("placeholder {%s} is not allowed here", name)
	}
	return part{kind: param, text: name}, nil
}

func (n *names) secret(name string, ok allow) (part, error) {
	if !secretNameOK(name) {
		return part{}, fmt.Errorf("${%s}: a secret name is letters, digits and '_'", name)
	}
	if _, known := n.secrets[name]; !known {
		return part{}, fmt.Errorf("unknown secret ${%s}", name)
	}
	if !ok.secrets {
		return part{}, fmt.Errorf("secret ${%s} is not allowed here", name)
	}
	return part{kind: secret, text: name}, nil
}

func secretNameOK(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || '0' <= c && c <= '9' }

// uses reports whether the template has a part of kind k.
func (t tmpl) uses(k kind) bool {
	for _, p := range t {
		if p.kind == k {
			return true
		}
	}
	return false
}

// sole returns the parameter of a template that is one placeholder and
// nothing else.
func (t tmpl) sole() (string, bool) {
	if len(t) == 1 && t[0].kind == param {
		return t[0].text, true
	}
	return "", false
}

// filler turns placeholders into text at one position of a request.
type filler struct {
	args    skills.Args
	secrets map[string]string
	// encode encodes a parameter value or a secret for the position;
	// literal text is copied as it is.
	encode func(s string) string
}

// errUnset is a placeholder whose optional parameter was not given.
type errUnset struct{ name string }

func (e errUnset) Error() string { return fmt.Sprintf("parameter %q is used but not set", e.name) }

func (f filler) fill(t tmpl) (string, error) {
	var b strings.Builder
	for _, p := range t {
		switch p.kind {
		case literal:
			b.WriteString(p.text)
		case param:
			v, ok := f.args.Get(p.text)
			if !ok {
				return "", errUnset{p.text}
			}
			b.WriteString(f.encode(v.String()))
		case secret:
			b.WriteString(f.encode(f.secrets[p.text]))
		}
	}
	return b.String(), nil
}

// jsonBody is a JSON body template. Braces are JSON's own: a placeholder
// is {name} with a parameter name and nothing else between the braces, or
// ${NAME}, and any other brace is JSON. Outside a JSON string a placeholder
// becomes a whole JSON value (a number for integer parameters, a string
// otherwise); inside one it becomes escaped string content, and there
// "{{" and "}}" stand for literal braces.
type jsonBody []jsonPart

type jsonPart struct {
	part
	inString bool
}

func (n *names) parseJSON(s string) (jsonBody, error) {
	var (
		body jsonBody
		lit  strings.Builder
		in   bool // inside a JSON string
	)
	flush := func() {
		if lit.Len() > 0 {
			body = append(body, jsonPart{part: part{kind: literal, text: lit.String()}})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case in && c == '\\' && i+1 < len(s):
			lit.WriteString(s[i : i+2])
			i += 2
			continue
		case c == '"':
			in = !in
		case in && (strings.HasPrefix(s[i:], "{{") || strings.HasPrefix(s[i:], "}}")):
			lit.WriteByte(c)
			i += 2
			continue
		case strings.HasPrefix(s[i:], "${"):
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("unclosed ${ at byte %d", i)
			}
			p, err := n.secret(s[i+2:i+j], allow{secrets: true})
			if err != nil {
				return nil, err
			}
			flush()
			body = append(body, jsonPart{part: p, inString: in})
			i += j + 1
			continue
		case c == '{' && i+1 < len(s) && isIdentStart(s[i+1]):
			j := i + 2
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '}' {
				p, err := n.placeholder(s[i+1:j], allow{params: true})
				if err != nil {
					return nil, err
				}
				flush()
				body = append(body, jsonPart{part: p, inString: in})
				i = j + 1
				continue
			}
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	// A template is valid when it is valid JSON whatever the values are.
	var probe bytes.Buffer
	for _, p := range body {
		switch {
		case p.kind == literal:
			probe.WriteString(p.text)
		case p.inString:
			probe.WriteString("x")
		default:
			probe.WriteString("0")
		}
	}
	if !json.Valid(probe.Bytes()) {
		return nil, errors.New("the JSON body template is not valid JSON (write a placeholder as {name}, without quotes, where a value goes)")
	}
	return body, nil
}

// fill renders the body. An unset optional parameter is null as a value
// and empty inside a string.
func (b jsonBody) fill(args skills.Args, secrets map[string]string) []byte {
	var out bytes.Buffer
	for _, p := range b {
		switch p.kind {
		case literal:
			out.WriteString(p.text)
		case param:
			v, ok := args.Get(p.text)
			switch {
			case !ok && p.inString:
			case !ok:
				out.WriteString("null")
			case p.inString:
				out.WriteString(jsonInner(v.String()))
			case isInt(v):
				out.WriteString(strconv.FormatInt(v.Int(), 10))
			default:
				out.WriteString(jsonString(v.String()))
			}
		case secret:
			if p.inString {
				out.WriteString(jsonInner(secrets[p.text]))
			} else {
				out.WriteString(jsonString(secrets[p.text]))
			}
		}
	}
	return out.Bytes()
}

// isInt reports whether a value is a number to JSON.
func isInt(v skills.Value) bool { return v.Type() == "int" || v.Type() == "incident" }

// jsonString encodes s as a JSON string, leaving <, > and & as they are.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonInner is the content of s as a JSON string, without the quotes.
func jsonInner(s string) string {
	q := jsonString(s)
	return q[1 : len(q)-1]
}
