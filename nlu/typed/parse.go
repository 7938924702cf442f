package typed

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reasons a value is rejected, worded for the person who typed it.
var (
	errIP            = errors.New("that is not a valid IP address")
	errHostname      = errors.New("that is not a valid host name")
	errHostnameLong  = errors.New("a host name can be at most 253 characters")
	errHostnameIsIP  = errors.New("use a host name, not an address")
	errHost          = errors.New("that is not a valid IP address or hostname")
	errURL           = errors.New("that is not a valid web link")
	errURLLong       = errors.New("a link can be at most 2048 characters")
	errURLScheme     = errors.New("only http and https links are allowed")
	errURLUser       = errors.New("a link can't include a user name or password")
	errURLChars      = errors.New("that link has spaces or characters that are not allowed")
	errURLHost       = errors.New("that link needs a valid host name or IP address")
	errEmail         = errors.New("that is not a valid email address")
	errInt           = errors.New("that is not a whole number")
	errVersion       = errors.New("that is not a version like 1.2.3, v2, a commit hash or latest")
	errSHA           = errors.New("that is not a commit hash (7 to 40 hex digits)")
	errIncident      = errors.New("that is not an incident number like #42 or INC-42")
	errIncidentRange = errors.New("an incident number must be from 1 to 1000000000")
)

const (
	maxHostname = 253
	maxURL      = 2048
	maxEmail    = 254
	maxIncident = 1_000_000_000
)

// ParseIP parses an IPv4 or IPv6 address without a zone. The canonical form
// is the returned address's String.
func ParseIP(s string) (netip.Addr, error) {
	// 45 bytes is the longest IPv6 address with an embedded IPv4 tail.
	if s == "" || len(s) > 45 {
		return netip.Addr{}, errIP
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errIP
	}
	return a, nil
}

// ParseHostname parses an RFC 1123 host name or fully qualified domain
// name and returns it in lower case without a trailing dot. Labels are 1 to
// 63 letters, digits and hyphens, neither starting nor ending with a
// hyphen; the whole name is at most 253 characters. IP addresses are
// rejected, and so is any name whose last label is a number (1.2.3,
// 2130706433, 0x7f.1), which resolvers would read as an address.
func ParseHostname(s string) (string, error) {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", errHostname
	}
	if len(s) > maxHostname {
		return "", errHostnameLong
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "", errHostnameIsIP
	}
	if !validHostname(s) {
		return "", errHostname
	}
	return lowerASCII(s), nil
}

// ParseHost parses an IP address (returned in canonical form) or a host
// name (as ParseHostname).
func ParseHost(s string) (string, error) {
	if a, err := ParseIP(s); err == nil {
		return a.String(), nil
	}
	h, err := ParseHostname(s)
	if err != nil {
		return "", errHost
	}
	return h, nil
}

// validHostname reports whether s (without a trailing dot, at most 253
// bytes) is a syntactically valid host name whose last label is not
// numeric.
func validHostname(s string) bool {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			if c := s[i]; !isAlnum(c) && c != '-' {
				return false
			}
			continue
		}
		label := s[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		start = i + 1
	}
	last := s[strings.LastIndexByte(s, '.')+1:]
	return !allDigits(last) && !isHexLiteral(last)
}

// isHexLiteral reports whether s reads as a C hex number (0x7f), which
// inet_aton accepts as part of an address.
func isHexLiteral(s string) bool {
	if len(s) < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// ParseURL parses an http or https link. A bare "example.com/path" is taken
// as https. Slack's "<https://x|label>" and "<https://x>" are unwrapped.
// The host must be a valid host name or IP address with an optional port;
// user names, passwords, whitespace, control characters and the characters
// `$<>"{}|\ are rejected. In the canonical form (the returned URL's String)
// non-ASCII bytes and ' ( ) ; [ ] ^ are percent-encoded, as is & before
// any '?', so & separating parameters is the only character left that a
// shell would treat specially. The canonical form is at most 2048 bytes.
func ParseURL(s string) (*url.URL, error) {
	if len(s) > 2*maxURL {
		return nil, errURLLong
	}
	target, ok := unwrapSlack(s)
	if !ok || target == "" {
		return nil, errURL
	}
	if len(target) > maxURL {
		return nil, errURLLong
	}
	if err := checkURLChars(target); err != nil {
		return nil, err
	}
	scheme, rest := "https", target
	if i := schemeEnd(target); i > 0 {
		name, after := target[:i], target[i+1:]
		isWeb := strings.EqualFold(name, "http") || strings.EqualFold(name, "https")
		switch {
		case strings.HasPrefix(after, "//"):
			if !isWeb {
				return nil, errURLScheme
			}
			scheme, rest = strings.ToLower(name), after[2:]
		case isWeb:
			return nil, errURL
		case after == "" || !isDigit(after[0]):
			// "mailto:", "javascript:", "ftp:" and the like; a digit
			// after the colon is a port ("example.com:8080/x").
			return nil, errURLScheme
		}
	} else if strings.HasPrefix(target, "/") {
		return nil, errURL
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if strings.ContainsRune(authority, '@') {
		return nil, errURLUser
	}
	host, err := urlAuthority(authority)
	if err != nil {
		return nil, err
	}
	tail, err = urlTail(tail)
	if err != nil {
		return nil, err
	}
	out := scheme + "://" + host + tail
	if len(out) > maxURL {
		return nil, errURLLong
	}
	u, err := url.Parse(out)
	if err != nil || u.String() != out {
		return nil, errURL
	}
	return u, nil
}

// unwrapSlack returns the target of Slack's link markup "<target|label>" or
// "<target>", with Slack's &amp; escape undone; other text is returned as
// it is. ok is false for text that starts with '<' but is not such markup.
func unwrapSlack(s string) (target string, ok bool) {
	if s == "" || s[0] != '<' {
		return s, true
	}
	if len(s) < 2 || s[len(s)-1] != '>' {
		return "", false
	}
	target, label, _ := strings.Cut(s[1:len(s)-1], "|")
	for i := 0; i < len(label); i++ {
		if c := label[i]; c < ' ' || c == 0x7f || c == '<' || c == '>' {
			return "", false
		}
	}
	if strings.Contains(target, "&amp;") {
		target = strings.ReplaceAll(target, "&amp;", "&")
	}
	return target, true
}

// checkURLChars rejects invalid UTF-8, whitespace, control and format
// characters, and the ASCII characters that have no place in a link.
func checkURLChars(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f || strings.IndexByte("`$<>\"{}|\\", c) >= 0 {
				return errURLChars
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return errURLChars
		}
		i += size
	}
	return nil
}

// schemeEnd returns the index of the colon ending a URL scheme at the start
// of s, or -1.
func schemeEnd(s string) int {
	if s == "" || !isLetter(s[0]) {
		return -1
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			return i
		case isAlnum(c) || c == '+' || c == '-' || c == '.':
		default:
			return -1
		}
	}
	return -1
}

// urlAuthority validates "host", "host:port", "[v6]" or "[v6]:port" and
// returns it in canonical form.
func urlAuthority(a string) (string, error) {
	if a == "" {
		return "", errURLHost
	}
	var host, port string
	hasPort := false
	if a[0] == '[' {
		i := strings.IndexByte(a, ']')
		if i < 0 {
			return "", errURLHost
		}
		ip, err := ParseIP(a[1:i])
		if err != nil || !ip.Is6() {
			return "", errURLHost
		}
		host = "[" + ip.String() + "]"
		if rest := a[i+1:]; rest != "" {
			if rest[0] != ':' {
				return "", errURLHost
			}
			port, hasPort = rest[1:], true
		}
	} else {
		h, p, found := strings.Cut(a, ":")
		if ip, err := ParseIP(h); err == nil && ip.Is4() {
			host = ip.String()
		} else if name, err := ParseHostname(h); err == nil {
			host = name
		} else {
			return "", errURLHost
		}
		port, hasPort = p, found
	}
	if hasPort {
		if port == "" || len(port) > 5 || port[0] == '0' || !allDigits(port) {
			return "", errURLHost
		}
		if n, _ := strconv.Atoi(port); n > 65535 {
			return "", errURLHost
		}
		host += ":" + port
	}
	return host, nil
}

// urlTail canonicalises the path, query and fragment of a link: it checks
// percent escapes (refusing encoded control characters) and encodes the
// bytes a shell or Go's URL printer would treat specially.
func urlTail(t string) (string, error) {
	if i := strings.IndexByte(t, '#'); i >= 0 && i == len(t)-1 {
		t = t[:i] // an empty fragment does not survive printing
	}
	var b strings.Builder
	b.Grow(len(t))
	inFragment, question := false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '%':
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return "", errURL
			}
			if v := unhex(t[i+1])<<4 | unhex(t[i+2]); v < ' ' || v == 0x7f {
				return "", errURLChars
			}
			b.WriteString(t[i : i+3])
			i += 2
		case c == '?':
			question = true
			b.WriteByte(c)
		case c == '#' && !inFragment:
			inFragment = true
			b.WriteByte(c)
		case c == '&' && question:
			// A parameter separator, in the query or in a fragment
			// holding parameters ("#/view?a=1&b=2").
			b.WriteByte(c)
		case c >= utf8.RuneSelf || strings.IndexByte("#&'();[]^", c) >= 0:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

const upperHex = "0123456789ABCDEF"

// ParseEmail parses a plain address: a local part of letters, digits and
// ._%+- (not starting with '.' or '-'), '@', and a host name with at least
// one dot, lower-cased. Slack's "<mailto:a@b.c|a@b.c>" is unwrapped.
func ParseEmail(s string) (string, error) {
	if len(s) > 4*maxEmail {
		return "", errEmail
	}
	addr, ok := unwrapSlack(s)
	if !ok {
		return "", errEmail
	}
	if hasPrefixFold(addr, "mailto:") {
		addr = addr[len("mailto:"):]
	} else if addr != s {
		return "", errEmail
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || !validLocalPart(local) {
		return "", errEmail
	}
	host, err := ParseHostname(domain)
	if err != nil || !strings.Contains(host, ".") {
		return "", errEmail
	}
	out := local + "@" + host
	if len(out) > maxEmail {
		return "", errEmail
	}
	return out, nil
}

func validLocalPart(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[0] == '-' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte("._%+-", c) < 0 {
			return false
		}
	}
	return true
}

// ParseInt parses a whole number: decimal digits with an optional sign,
// optionally grouped by commas ("1,000"), or a number word ("seven",
// "twenty-five", "a hundred"). min and max bound it, inclusive.
func ParseInt(s string, min, max int64) (int64, error) {
	n, st := parseInteger(s)
	switch {
	case st == intInvalid:
		return 0, errInt
	case st == intOverflow || n < min || n > max:
		return 0, fmt.Errorf("it must be a whole number from %d to %d", min, max)
	}
	return n, nil
}

type intStatus int

const (
	intOK intStatus = iota
	intInvalid
	intOverflow
)

// parseInteger parses s as ParseInt does, without bounds.
func parseInteger(s string) (int64, intStatus) {
	if s == "" || len(s) > 64 {
		return 0, intInvalid
	}
	if isLetter(s[0]) {
		if n, ok := numberPhrase(s); ok {
			return n, intOK
		}
		return 0, intInvalid
	}
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	n, st := parseDigits(s)
	if st != intOK {
		return 0, st
	}
	const limit = 1 << 63
	switch {
	case neg && n == limit:
		return -1 << 63, intOK
	case n >= limit:
		return 0, intOverflow
	case neg:
		return -int64(n), intOK
	}
	return int64(n), intOK
}

// parseDigits parses unsigned decimal digits, optionally in comma groups
// of three after a first group of one to three.
func parseDigits(s string) (uint64, intStatus) {
	var n uint64
	over, commas := false, false
	group := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			d := uint64(c - '0')
			if n > (1<<64-1-d)/10 {
				over = true
			} else {
				n = n*10 + d
			}
			group++
		case c == ',':
			if group == 0 || (!commas && group > 3) || (commas && group != 3) {
				return 0, intInvalid
			}
			commas, group = true, 0
		default:
			return 0, intInvalid
		}
	}
	if group == 0 || (commas && group != 3) {
		return 0, intInvalid
	}
	if over {
		return 0, intOverflow
	}
	return n, intOK
}

// numberPhrase reads number words: "zero" to "ninety-nine" (with a hyphen
// or a space between tens and units) and "a hundred" or "one hundred".
func numberPhrase(s string) (int64, bool) {
	first, second, two := strings.Cut(s, " ")
	if two {
		second = strings.TrimLeft(second, " ")
		if second == "" || strings.Contains(second, " ") {
			return 0, false
		}
		if strings.EqualFold(second, "hundred") && (strings.EqualFold(first, "a") || strings.EqualFold(first, "one")) {
			return 100, true
		}
		t, ok1 := numberWord(first)
		u, ok2 := numberWord(second)
		if ok1 && ok2 && t >= 20 && t%10 == 0 && u >= 1 && u <= 9 {
			return t + u, true
		}
		return 0, false
	}
	return numberWord(s)
}

// ParseVersion parses "latest", a semantic version with an optional
// leading v ("1.2.3", "v1.2", "2", "1.2.3-rc.1+build.5"), or a commit hash
// (as ParseSHA). The canonical form is the text lower-cased.
func ParseVersion(s string) (string, error) {
	if strings.EqualFold(s, "latest") {
		return "latest", nil
	}
	if _, _, ok := parseSemver(s); ok {
		return lowerASCII(s), nil
	}
	if h, err := ParseSHA(s); err == nil {
		return h, nil
	}
	return "", errVersion
}

// parseSemver reads an optional v, one to three dot-separated numbers
// without leading zeros, then optional "-prerelease" and "+build" parts of
// dot-separated [0-9A-Za-z-] identifiers. It reports how many numbers there
// were and whether the text starts with v.
func parseSemver(s string) (parts int, v, ok bool) {
	if s == "" || len(s) > 128 {
		return 0, false, false
	}
	i := 0
	if s[0] == 'v' || s[0] == 'V' {
		v, i = true, 1
	}
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i || j-i > 10 || (s[i] == '0' && j-i > 1) {
			return 0, v, false
		}
		parts++
		i = j
		if parts < 3 && i < len(s) && s[i] == '.' {
			i++
			continue
		}
		break
	}
	if i < len(s) && s[i] == '-' {
		if i, ok = semverIdents(s, i+1, true); !ok {
			return 0, v, false
		}
	}
	if i < len(s) && s[i] == '+' {
		if i, ok = semverIdents(s, i+1, false); !ok {
			return 0, v, false
		}
	}
	return parts, v, i == len(s)
}

// semverIdents reads dot-separated identifiers from s[i:], stopping at
// '+' when they are a prerelease (where numbers must not have leading
// zeros), and returns the index after them.
func semverIdents(s string, i int, pre bool) (int, bool) {
	for {
		j := i
		digits := true
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			digits = digits && isDigit(s[j])
			j++
		}
		if j == i || (pre && digits && s[i] == '0' && j-i > 1) {
			return j, false
		}
		i = j
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		return i, !(i < len(s) && !(pre && s[i] == '+'))
	}
}

// ParseSHA parses a git commit hash: 7 to 40 hex digits, at least one of
// them a decimal digit (so English words like "deadbeef" are not taken),
// returned in lower case.
func ParseSHA(s string) (string, error) {
	if len(s) < 7 || len(s) > 40 {
		return "", errSHA
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isHex(c) {
			return "", errSHA
		}
		digit = digit || isDigit(c)
	}
	if !digit {
		return "", errSHA
	}
	return lowerASCII(s), nil
}

// ParseIncident parses an incident reference: "#42", "INC-42", "inc42",
// "inc 42", "incident 42", "incident #42" or "42", case-insensitive. The
// number is from 1 to 1,000,000,000; leading zeros (INC0042) are allowed.
func ParseIncident(s string) (int64, error) {
	n, st := parseIncident(s, true)
	switch st {
	case intInvalid:
		return 0, errIncident
	case intOverflow:
		return 0, errIncidentRange
	}
	return n, nil
}

// parseIncident parses an incident reference; spaces (between the word and
// the number) are allowed only when spaced is set.
func parseIncident(s string, spaced bool) (int64, intStatus) {
	if s == "" || len(s) > 40 {
		return 0, intInvalid
	}
	rest := s
	switch {
	case hasPrefixFold(rest, "incident"):
		rest = rest[len("incident"):]
	case hasPrefixFold(rest, "inc"):
		rest = rest[len("inc"):]
	}
	if len(rest) < len(s) && spaced {
		rest = strings.TrimLeft(rest, " ")
	}
	if rest != "" && (rest[0] == '#' || (rest[0] == '-' && len(rest) < len(s))) {
		rest = rest[1:]
	}
	if rest == "" || len(rest) > 12 || !allDigits(rest) {
		return 0, intInvalid
	}
	n, _ := strconv.ParseInt(rest, 10, 64)
	if n < 1 || n > maxIncident {
		return 0, intOverflow
	}
	return n, intOK
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isHex(c byte) bool    { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// lowerASCII lower-cases ASCII letters, allocating only when there is one
// to change.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lookupLower looks up the ASCII-lower-cased s in a table without
// allocating; words longer than 24 bytes are never found.
func lookupLower[V any](table map[string]V, s string) (V, bool) {
	var buf [24]byte
	if len(s) > len(buf) {
		var zero V
		return zero, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	v, ok := table[string(buf[:len(s)])]
	return v, ok
}
