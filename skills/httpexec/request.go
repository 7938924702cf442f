package httpexec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleybot/parley/skills"
)

// urlTmpl is a parsed URL template. The scheme and host are fixed text;
// placeholders may only fill the path and query values.
type urlTmpl struct {
	scheme string
	host   string // host[:port], as it goes on the wire
	name   string // the host name alone, lower case
	path   tmpl
	query  []pair
}

// pair is one name=value of a query string or form body. The name is
// fixed text; hasValue is false for a bare name ("?verbose").
type pair struct {
	name     string
	value    tmpl
	hasValue bool
}

func (n *names) parseURL(raw string) (*urlTmpl, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	switch {
	case strings.ContainsAny(scheme, "{}$"):
		return nil, errors.New("placeholders are not allowed in the scheme")
	case !ok || (!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https")):
		return nil, errors.New("the URL must start with http:// or https://")
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	switch {
	case strings.ContainsAny(authority, "{}$"):
		return nil, errors.New("placeholders are not allowed in the host: it comes from the template only")
	case strings.Contains(authority, "@"):
		return nil, errors.New("credentials in the URL are not allowed: put them in a header with a ${SECRET}")
	}
	hu, err := url.Parse("http://" + authority)
	if err != nil || hu.Hostname() == "" {
		return nil, fmt.Errorf("bad host %q", authority)
	}
	if p := hu.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("bad port %q", p)
		}
	}
	u := &urlTmpl{scheme: strings.ToLower(scheme), host: strings.ToLower(hu.Host), name: strings.ToLower(hu.Hostname())}
	rest = rest[end:]
	if strings.Contains(rest, "#") {
		return nil, errors.New("a URL fragment (#...) is never sent; leave it out")
	}
	rawPath, rawQuery, hasQuery := strings.Cut(rest, "?")
	if u.path, err = n.parse(rawPath, allow{params: true}); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if err := checkPath(u.path); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	if hasQuery {
		if u.query, err = n.parsePairs(rawQuery); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
	}
	return u, nil
}

// checkPath validates the fixed text of a path template: URL characters
// only, and no "." or ".." segments.
func checkPath(t tmpl) error {
	var b strings.Builder
	for _, p := range t {
		if p.kind != literal {
			b.WriteString("x")
			continue
		}
		if err := urlText(p.text, "/:@"); err != nil {
			return err
		}
		b.WriteString(p.text)
	}
	if s := b.String(); s != "" && s[0] != '/' {
		return fmt.Errorf("%q does not start with '/'", s)
	}
	if dotSegment(b.String()) {
		return errors.New(`"." and ".." segments are not allowed`)
	}
	return nil
}

// dotSegment reports whether a raw path has a segment that is, once
// decoded, "." or "..".
func dotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if s, err := url.PathUnescape(seg); err == nil && (s == "." || s == "..") {
			return true
		}
	}
	return false
}

// urlText checks that fixed text may stand in a URL as it is: unreserved
// and sub-delimiter characters, the extra ones given, and %XX escapes.
func urlText(s, extra string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!$'()*+,;=", c) >= 0:
		case strings.IndexByte(extra, c) >= 0:
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			i += 2
		default:
			return fmt.Errorf("character %q must be percent-encoded", c)
		}
	}
	return nil
}

func ishex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// parsePairs parses "name=value&name2=value2": names are fixed text,
// values templates with parameters and secrets.
func (n *names) parsePairs(s string) ([]pair, error) {
	var out []pair
	for _, item := range strings.Split(s, "&") {
		name, value, hasValue := strings.Cut(item, "=")
		if name == "" {
			return nil, fmt.Errorf("%q: a parameter without a name", item)
		}
		if strings.ContainsAny(name, "{}$") {
			return nil, fmt.Errorf("%q: placeholders may fill values, not names", name)
		}
		if err := urlText(name, "/:@?"); err != nil {
			return nil, fmt.Errorf("%q: %w", name, err)
		}
		t, err := n.parse(value, allow{params: true, secrets: true})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, p := range t {
			if p.kind == literal {
				if err := urlText(p.text, "/:@?"); err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
			}
		}
		out = append(out, pair{name: name, value: t, hasValue: hasValue})
	}
	return out, nil
}

// encodePairs fills pairs, escaping each value as a query value. A pair
// whose value is only an unset optional parameter is left out.
func encodePairs(pairs []pair, args skills.Args, secrets map[string]string) (string, error) {
	f := filler{args: args, secrets: secrets, encode: url.QueryEscape}
	var b strings.Builder
	for _, p := range pairs {
		if name, ok := p.value.sole(); ok {
			if _, set := args.Get(name); !set {
				continue
			}
		}
		v, err := f.fill(p.value)
		if err != nil {
			return "", err
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.hasValue {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// build fills the URL template. Each path value is one escaped path
// segment and each query value one escaped query value, whatever they
// contain; a value that would make a "." or ".." segment is refused.
func (u *urlTmpl) build(args skills.Args, secrets map[string]string) (string, error) {
	path, err := filler{args: args, encode: url.PathEscape}.fill(u.path)
	if err != nil {
		return "", err
	}
	if dotSegment(path) {
		return "", skills.Errorf(`a value can't be “.” or “..” in a URL path`)
	}
	if path == "" {
		path = "/"
	}
	s := u.scheme + "://" + u.host + path
	if len(u.query) > 0 {
		q, err := encodePairs(u.query, args, secrets)
		if err != nil {
			return "", err
		}
		if q != "" {
			s += "?" + q
		}
	}
	return s, nil
}

// header is one request header template.
type header struct {
	name      string
	value     tmpl
	sensitive bool // carries a secret
}

// reservedHeaders are set by the HTTP client itself.
var reservedHeaders = map[string]bool{
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true, "Keep-Alive": true,
	"Proxy-Connection": true, "Upgrade": true, "Te": true, "Trailer": true,
}

func (n *names) parseHeader(name, value string) (header, error) {
	if !token(name) {
		return header{}, fmt.Errorf("header name %q is not a valid token", name)
	}
	name = http.CanonicalHeaderKey(name)
	if reservedHeaders[name] {
		return header{}, fmt.Errorf("header %s is set by the HTTP client", name)
	}
	t, err := n.parse(value, allow{params: true, secrets: true})
	if err != nil {
		return header{}, fmt.Errorf("header %s: %w", name, err)
	}
	for _, p := range t {
		if p.kind == literal && strings.ContainsAny(p.text, "\r\n\x00") {
			return header{}, fmt.Errorf("header %s: a value is one line", name)
		}
	}
	return header{name: name, value: t, sensitive: t.uses(secret)}, nil
}

// token reports whether s is an HTTP token (RFC 9110).
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
