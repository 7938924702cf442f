package typed

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind is the type of a value Scan found.
type Kind string

// The kinds of value Scan finds.
const (
	KindIP       Kind = "ip"
	KindHostname Kind = "hostname"
	KindFQDN     Kind = "fqdn"
	KindURL      Kind = "url"
	KindEmail    Kind = "email"
	KindInteger  Kind = "integer"
	KindDuration Kind = "duration"
	KindVersion  Kind = "version"
	KindSHA      Kind = "sha"
	KindIncident Kind = "incident"
)

// Match is a typed value found in a message.
type Match struct {
	Kind Kind
	// Text is the surface text as in the input.
	Text string
	// Value is the canonical value: an IP address's canonical form, a host
	// name in lower case, a link's canonical form, an incident's number or
	// an integer in decimal, a duration as time.Duration.String, a version
	// or commit hash as ParseVersion returns it.
	Value string
	// Start and End are rune offsets into the input, end exclusive.
	Start, End int
}

// maxWrapped bounds Slack link markup: a link, a bar and a label.
const maxWrapped = 2*maxURL + 16

// Scan finds typed values in a chat message, left to right, never
// overlapping. Values are whole whitespace-separated words (or, for
// durations and incidents, short phrases such as "30 minutes" and
// "incident 42"); punctuation around a word is not part of it, and a comma
// separates words except inside a number ("1,000") or a link. Where
// candidates overlap the one starting first wins; of those starting at the
// same word the longer wins, then the kind that comes first in: URL, email,
// IP, incident, duration, version or SHA, FQDN, hostname, integer.
//
// Scan is built for precision: a single-label host name needs a letter
// first and a digit ("web-1", "db01"); a dotted name needs an alphabetic
// top-level label that is not a file extension ("config.yaml" is not a
// domain), and a two-label one a known or two-letter top-level label; a
// version without a leading v needs three numbers (1.2.3); a commit hash
// needs both a digit and a letter. Scan handles any input, including
// invalid UTF-8 (never part of a match), in time linear in its length, and
// allocates nothing when it finds nothing.
func Scan(text string) []Match {
	var out []Match
	pos, rpos := 0, 0
	for {
		w, ok := nextWord(text, pos, rpos)
		if !ok {
			return out
		}
		if m, last, ok := matchAt(text, &w); ok {
			out = append(out, m)
			pos, rpos = last.end, last.rend
			continue
		}
		pos, rpos = w.end, w.rend
	}
}

// word is a run of text between separators, and its core: the run without
// the punctuation around it.
type word struct {
	end, rend int // byte and rune offsets of the end of the run
	cs, ce    int // byte span of the core
	rs, re    int // rune span of the core
	// lead and trail say punctuation was trimmed before or after the
	// core; joined says only spaces or tabs came between this word and
	// the one before it.
	lead, trail, joined bool
}

func (w word) core(text string) string { return text[w.cs:w.ce] }

// nextWord returns the first word at or after byte offset pos, which is
// rune offset rpos.
func nextWord(t string, pos, rpos int) (word, bool) {
	w := word{joined: true}
	for pos < len(t) {
		c := t[pos]
		if c == ' ' || c == '\t' {
			pos++
			rpos++
			continue
		}
		if c < utf8.RuneSelf {
			if c == ',' || isBreakSpace(c) {
				w.joined = false
				pos++
				rpos++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(t[pos:])
		if (r == utf8.RuneError && size == 1) || unicode.IsSpace(r) {
			w.joined = false
			pos += size
			rpos++
			continue
		}
		break
	}
	if pos >= len(t) {
		return w, false
	}
	start := pos
	cs, crs := pos, rpos
	for cs < len(t) {
		r, size := utf8.DecodeRuneInString(t[cs:])
		if !isOpener(r) {
			break
		}
		cs += size
		crs++
	}
	end, rend := cs, crs
	linkish := false
	if cs < len(t) && t[cs] == '<' {
		if k := wrappedEnd(t, cs); k > 0 {
			rend += utf8.RuneCountInString(t[cs:k])
			end, linkish = k, true
		}
	} else if hasPrefixFold(t[cs:], "http://") || hasPrefixFold(t[cs:], "https://") {
		linkish = true
	}
	for end < len(t) {
		c := t[end]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || isBreakSpace(c) {
				break
			}
			if c == ',' && !linkish && !(end > start && isDigit(t[end-1]) && end+1 < len(t) && isDigit(t[end+1])) {
				break
			}
			end++
			rend++
			continue
		}
		r, size := utf8.DecodeRuneInString(t[end:])
		if (r == utf8.RuneError && size == 1) || unicode.IsSpace(r) {
			break
		}
		end += size
		rend++
	}
	w.end, w.rend = end, rend
	w.cs, w.rs = cs, crs
	w.ce, w.re = trimTrailing(t, cs, end, rend)
	w.lead = cs > start
	w.trail = w.ce < end
	return w, true
}

func isBreakSpace(c byte) bool { return c == '\n' || c == '\r' || c == '\v' || c == '\f' }

// trimTrailing returns the end of the core of t[cs:end] (rune offset
// rend): without closing punctuation, unbalanced brackets or a possessive
// "'s".
func trimTrailing(t string, cs, end, rend int) (int, int) {
	var parens, brackets int // opening minus closing in the core
	for i := cs; i < end; i++ {
		switch t[i] {
		case '(':
			parens++
		case ')':
			parens--
		case '[':
			brackets++
		case ']':
			brackets--
		}
	}
	ce, re := end, rend
	for ce > cs {
		r, size := utf8.DecodeLastRuneInString(t[cs:ce])
		switch {
		case r == ')':
			if parens >= 0 {
				return possessive(t, cs, ce, re)
			}
			parens++
		case r == ']':
			if brackets >= 0 {
				return possessive(t, cs, ce, re)
			}
			brackets++
		case r == ':' && ce-size > cs && t[ce-size-1] == ':':
			return possessive(t, cs, ce, re) // keep an IPv6 "::"
		case !isCloser(r):
			return possessive(t, cs, ce, re)
		}
		ce -= size
		re--
	}
	return ce, re
}

// possessive drops a possessive "'s" or "’s" after a letter or digit.
func possessive(t string, cs, ce, re int) (int, int) {
	s := t[cs:ce]
	for _, suffix := range [...]string{"'s", "'S", "’s"} {
		if len(s) > len(suffix) && strings.HasSuffix(s, suffix) && isAlnum(s[len(s)-len(suffix)-1]) {
			return ce - len(suffix), re - 2
		}
	}
	return ce, re
}

// isOpener reports punctuation that may come before a value.
func isOpener(r rune) bool {
	switch r {
	case '(', '[', '{', '"', '\'', '`', '*', '_', '~', '“', '‘', '«', '¿', '¡':
		return true
	}
	return false
}

// isCloser reports punctuation that may come after a value.
func isCloser(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '`', '*', '_', '~', '”', '’', '»', '…':
		return true
	}
	return false
}

// wrappedEnd returns the offset just past Slack link markup starting at
// t[i] == '<' ("<https://x|label>", "<mailto:a@b.c>"), or -1. The target
// holds no whitespace and the label no '<' or line break, so a failed
// attempt never reads past the next '<' and scanning stays linear.
func wrappedEnd(t string, i int) int {
	rest := t[i+1:]
	if !hasPrefixFold(rest, "http://") && !hasPrefixFold(rest, "https://") && !hasPrefixFold(rest, "mailto:") {
		return -1
	}
	limit := min(len(t), i+maxWrapped)
	label := false
	for j := i + 1; j < limit; j++ {
		if t[j] >= utf8.RuneSelf {
			if r, _ := utf8.DecodeRuneInString(t[j:]); r == utf8.RuneError {
				return -1 // invalid UTF-8 is never part of a match
			}
		}
		switch c := t[j]; {
		case c == '>':
			return j + 1
		case c == '<' || c == '\n' || c == '\r':
			return -1
		case c == '|':
			label = true
		case !label && (c <= ' ' || c == 0x7f):
			return -1
		}
	}
	return -1
}

// matchAt returns the best match starting at w and the last word it
// covers.
func matchAt(t string, w *word) (Match, word, bool) {
	var best Match
	last, found := *w, false
	c := w.core(t)
	if c == "" {
		return best, last, false
	}
	if k, v, ok := classify(c); ok {
		best = Match{Kind: k, Text: c, Value: v, Start: w.rs, End: w.re}
		found = true
	}
	if !w.trail && strings.EqualFold(c, "incident") {
		if m, l, ok := incidentPhraseAt(t, w); ok && (!found || better(m, best)) {
			best, last, found = m, l, true
		}
	}
	if isDigit(c[0]) || durationStarter(c) {
		if m, l, ok := readDuration(t, w, c); ok && (!found || better(m, best)) {
			best, last, found = m, l, true
		}
	}
	return best, last, found
}

// better reports whether a should be chosen over b, both starting at the
// same place.
func better(a, b Match) bool {
	if a.End != b.End {
		return a.End > b.End
	}
	return rank(a.Kind) < rank(b.Kind)
}

func rank(k Kind) int {
	switch k {
	case KindURL:
		return 0
	case KindEmail:
		return 1
	case KindIP:
		return 2
	case KindIncident:
		return 3
	case KindDuration:
		return 4
	case KindVersion, KindSHA:
		return 5
	case KindFQDN:
		return 6
	case KindHostname:
		return 7
	}
	return 8
}

// incidentPhraseAt matches "incident 42" and "incident #42" at w, whose
// core is "incident".
func incidentPhraseAt(t string, w *word) (Match, word, bool) {
	next, ok := nextWord(t, w.end, w.rend)
	if !ok || !next.joined || next.lead {
		return Match{}, next, false
	}
	n, st := parseIncident(next.core(t), false)
	if st != intOK {
		return Match{}, next, false
	}
	return Match{Kind: KindIncident, Text: t[w.cs:next.ce], Value: strconv.FormatInt(n, 10), Start: w.rs, End: next.re}, next, true
}

// readDuration reads the words of a duration phrase that starts with w,
// whose core is c.
func readDuration(t string, w *word, c string) (Match, word, bool) {
	var words [maxDurationWords]word
	var cores [maxDurationWords]string
	words[0], cores[0] = *w, c
	n, more := 1, true
	var d time.Duration
	var k int
	var over bool
	// Read words a few at a time: a group is at most three words after an
	// "and", so the phrase can only grow while it reaches near the end of
	// what has been read.
	for {
		for want := min(len(words), k+5); more && n < want; {
			if words[n-1].trail {
				more = false
				break
			}
			next, ok := nextWord(t, words[n-1].end, words[n-1].rend)
			if !ok || !next.joined || next.lead || !durationVocabulary(next.core(t)) {
				more = false
				break
			}
			words[n], cores[n] = next, next.core(t)
			n++
		}
		d, k, over = durationPhrase(cores[:n], true)
		if k == 0 || !more || n == len(words) || k+4 <= n {
			break
		}
	}
	if k == 0 || over || d <= 0 {
		return Match{}, *w, false
	}
	last := words[k-1]
	return Match{Kind: KindDuration, Text: t[w.cs:last.ce], Value: d.String(), Start: w.rs, End: last.re}, last, true
}

// durationStarter reports words that can start a spoken duration.
func durationStarter(c string) bool {
	if strings.EqualFold(c, "a") || strings.EqualFold(c, "an") || strings.EqualFold(c, "half") {
		return true
	}
	_, ok := numberWord(c)
	return ok
}

// durationVocabulary reports words that can continue a duration.
func durationVocabulary(c string) bool {
	if c == "" {
		return false
	}
	if isDigit(c[0]) || durationStarter(c) || strings.EqualFold(c, "and") {
		return true
	}
	_, ok := lookupLower(spokenUnits, c)
	return ok
}

// shape counts the kinds of byte in a candidate word.
type shape struct {
	digits, letters, nonHex                     int
	dots, hyphens, colons, slashes, ats, hashes int
	commas, plus, other, nonASCII               int
}

func shapeOf(s string) shape {
	var f shape
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			f.digits++
		case isLetter(c):
			f.letters++
			if !isHex(c) {
				f.nonHex++
			}
		case c >= utf8.RuneSelf:
			f.nonASCII++
		case c == '.':
			f.dots++
		case c == '-':
			f.hyphens++
		case c == ':':
			f.colons++
		case c == '/':
			f.slashes++
		case c == '@':
			f.ats++
		case c == '#':
			f.hashes++
		case c == ',':
			f.commas++
		case c == '+':
			f.plus++
		default:
			f.other++
		}
	}
	return f
}

// classify decides what a single word's core is.
func classify(c string) (Kind, string, bool) {
	if c == "" || len(c) > maxWrapped {
		return "", "", false
	}
	if c[0] == '<' {
		return classifyWrapped(c)
	}
	if len(c) > maxURL {
		return "", "", false
	}
	if hasPrefixFold(c, "http://") || hasPrefixFold(c, "https://") {
		if u, err := ParseURL(c); err == nil {
			return KindURL, u.String(), true
		}
		return "", "", false
	}
	f := shapeOf(c)
	switch {
	case f.nonASCII > 0:
		return "", "", false
	case f.ats > 0:
		if e, err := ParseEmail(c); err == nil {
			return KindEmail, e, true
		}
		return "", "", false
	case f.slashes > 0:
		return classifyBareLink(c)
	case len(c) > maxHostname:
		return "", "", false
	case f.colons > 0:
		if a, err := ParseIP(c); err == nil && f.digits+f.letters > 0 {
			return KindIP, a.String(), true
		}
		return "", "", false
	case f.hashes > 0:
		if n, st := parseIncident(c, false); st == intOK {
			return KindIncident, strconv.FormatInt(n, 10), true
		}
		return "", "", false
	case f.commas > 0:
		if f.digits+f.commas == len(c) {
			if n, st := parseDigits(c); st == intOK && n < 1<<63 {
				return KindInteger, strconv.FormatUint(n, 10), true
			}
		}
		return "", "", false
	case f.other > 0:
		return "", "", false
	}
	if f.letters == 0 && f.hyphens == 0 && f.plus == 0 {
		switch {
		case f.dots == 0:
			if n, st := parseDigits(c); st == intOK && n < 1<<63 {
				return KindInteger, strconv.FormatUint(n, 10), true
			}
			return "", "", false
		case f.dots == 3:
			if a, err := ParseIP(c); err == nil {
				return KindIP, a.String(), true
			}
		}
		if parts, _, ok := parseSemver(c); ok && parts == 3 {
			return KindVersion, c, true
		}
		return "", "", false
	}
	if f.hashes == 0 && f.dots == 0 && f.plus == 0 && isLetter(c[0]) && f.digits > 0 {
		if n, st := parseIncident(c, false); st == intOK {
			return KindIncident, strconv.FormatInt(n, 10), true
		}
	}
	if isDigit(c[0]) && f.hyphens == 0 && f.plus == 0 && f.letters > 0 {
		if d, _, _, ok, over := parseCompact(c); ok && !over && d > 0 {
			return KindDuration, d.String(), true
		}
	}
	if parts, v, ok := parseSemver(c); ok && (v || parts == 3) {
		return KindVersion, lowerASCII(c), true
	}
	if f.nonHex == 0 && f.letters > 0 && f.digits > 0 && f.dots+f.hyphens+f.plus == 0 {
		if h, err := ParseSHA(c); err == nil {
			return KindSHA, h, true
		}
	}
	if f.plus > 0 {
		return "", "", false
	}
	if f.dots > 0 {
		if h, ok := domainName(c); ok {
			return KindFQDN, h, true
		}
		return "", "", false
	}
	if h, ok := singleLabelHost(c, f); ok {
		return KindHostname, h, true
	}
	return "", "", false
}

// classifyWrapped reads Slack link markup: a link, a mailto address, or a
// bare domain or address Slack turned into a link.
func classifyWrapped(c string) (Kind, string, bool) {
	if len(c) < 3 || c[len(c)-1] != '>' {
		return "", "", false
	}
	target, label, hasLabel := strings.Cut(c[1:len(c)-1], "|")
	if hasPrefixFold(target, "mailto:") {
		if e, err := ParseEmail(c); err == nil {
			return KindEmail, e, true
		}
		return "", "", false
	}
	if !hasPrefixFold(target, "http://") && !hasPrefixFold(target, "https://") {
		return "", "", false
	}
	u, err := ParseURL(c)
	if err != nil {
		return "", "", false
	}
	if hasLabel && !strings.Contains(label, "/") && u.RawQuery == "" && u.Fragment == "" && (u.Path == "" || u.Path == "/") {
		// Slack links a bare "example.com" as <http://example.com|example.com>.
		if a, err := ParseIP(label); err == nil && a.String() == u.Hostname() {
			return KindIP, a.String(), true
		}
		if h, ok := domainName(label); ok && h == u.Hostname() {
			return KindFQDN, h, true
		}
	}
	return KindURL, u.String(), true
}

// classifyBareLink reads "example.com/path" as an https link when what
// comes before the first slash is a domain name, possibly with a port.
func classifyBareLink(c string) (Kind, string, bool) {
	host, _, _ := strings.Cut(c[:strings.IndexByte(c, '/')], ":")
	if _, ok := domainName(host); !ok {
		return "", "", false
	}
	if u, err := ParseURL(c); err == nil {
		return KindURL, u.String(), true
	}
	return "", "", false
}

// domainName applies Scan's rule for dotted names: a valid host name whose
// last label is alphabetic, at least two letters and not a file extension;
// with only two labels, the last must be a known top-level domain or two
// letters long.
func domainName(s string) (string, bool) {
	s = strings.TrimSuffix(s, ".")
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 || len(s) > maxHostname || !validHostname(s) {
		return "", false
	}
	tld := s[dot+1:]
	if len(tld) < 2 {
		return "", false
	}
	for i := 0; i < len(tld); i++ {
		if !isLetter(tld[i]) {
			return "", false
		}
	}
	if _, ext := lookupLower(fileExtensions, tld); ext {
		return "", false
	}
	if strings.IndexByte(s, '.') == dot && len(tld) != 2 {
		if _, known := lookupLower(topLevelDomains, tld); !known {
			return "", false
		}
	}
	return lowerASCII(s), true
}

// singleLabelHost applies Scan's rule for undotted host names: letters,
// digits and hyphens, starting with a letter, with at least one digit, and
// not one of the technical words that look like host names.
func singleLabelHost(s string, f shape) (string, bool) {
	if f.digits == 0 || f.dots > 0 || !isLetter(s[0]) || len(s) <= 2 {
		return "", false
	}
	if _, common := lookupLower(notHostnames, s); common {
		return "", false
	}
	if !validHostname(s) {
		return "", false
	}
	return lowerASCII(s), true
}

// fileExtensions are last labels that make a dotted word a file name.
var fileExtensions = setOf(
	"yaml", "yml", "json", "txt", "log", "logs", "conf", "cfg", "md", "go", "py", "sh", "js",
	"ts", "html", "htm", "css", "csv", "tsv", "xml", "ini", "toml", "lock", "pid", "sock",
	"tar", "gz", "tgz", "zip", "xz", "zst", "rb", "rs", "java", "class", "jar", "war", "php",
	"c", "h", "cc", "cpp", "hpp", "swift", "kt", "scala", "sql", "db", "sqlite", "env",
	"bak", "tmp", "swp", "old", "orig", "out", "err", "png", "jpg", "jpeg", "gif", "svg",
	"ico", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "exe", "dll", "so", "dylib",
	"bin", "img", "iso", "deb", "rpm", "apk", "msi", "dmg", "pem", "crt", "cer", "key",
	"csr", "pub", "tf", "tfvars", "hcl", "service", "socket", "timer", "mount", "target",
	"jsx", "tsx", "vue", "mjs", "cjs", "map", "wasm", "proto", "gradle", "mod", "sum",
	"lua", "ps", "bat", "cmd", "dat", "gpg", "asc", "diff", "patch", "rst", "adoc",
)

// topLevelDomains are the top-level labels (besides any two-letter one)
// that Scan accepts in a two-label name such as "example.com".
var topLevelDomains = setOf(
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro",
	"dev", "app", "cloud", "tech", "online", "site", "xyz", "top", "club", "shop",
	"store", "blog", "page", "wiki", "link", "live", "news", "email", "systems",
	"services", "network", "digital", "solutions", "software", "agency", "company",
	"global", "world", "zone", "space", "website", "host", "hosting", "codes", "run",
	"tools", "team", "works", "company", "aero", "coop", "museum", "jobs", "mobi",
	"internal", "local", "localhost", "localdomain", "lan", "home", "corp", "intranet",
	"private", "test", "example", "invalid", "arpa", "svc", "cluster",
)

// notHostnames are technical words that pass the single-label host name
// rule but are almost never hosts in chat.
var notHostnames = setOf(
	"ipv4", "ipv6", "k8s", "k3s", "ec2", "mp3", "mp4", "h264", "h265", "utf8", "utf16",
	"md5", "sha1", "sha256", "sha384", "sha512", "base64", "x86", "x64", "amd64", "arm64",
	"aarch64", "i386", "i686", "http2", "http3", "oauth2", "log4j", "i18n", "l10n",
	"a11y", "e2e", "b2b", "b2c", "p2p", "p50", "p75", "p90", "p95", "p99", "p999", "y2k",
	"win10", "win11", "covid19", "covid-19", "sev0", "sev1", "sev2", "sev3", "sev4",
	"sev5", "sev-0", "sev-1", "sev-2", "sev-3", "sev-4", "sev-5", "pri0", "pri1", "pri2",
	"pri3", "gpt3", "gpt4", "gpt-3", "gpt-4", "gpt-4o", "gpt-5", "ssl3", "tls1", "rfc1918",
	"python3", "python2", "php7", "php8", "node18", "node20", "node22", "es6", "vp8", "vp9",
	"av1", "3des", "pkcs12", "ed25519", "rsa2048", "rsa4096", "grpc2",
)

func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}
