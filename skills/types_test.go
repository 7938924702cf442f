package skills

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// testTypes builds one parameter type of every kind NewType knows, shaped
// like the ones the default catalog declares.
func testTypes(t testing.TB) map[string]Type {
	t.Helper()
	specs := map[string]TypeSpec{
		"host":     {Name: "host"},
		"hostname": {Name: "hostname"},
		"name": {
			Name: "name", Open: true,
			Values:   []string{"apache", "nginx", "postgres", "redis", "haproxy"},
			Synonyms: map[string][]string{"apache": {"httpd", "apache2"}, "postgres": {"postgresql", "pg"}},
		},
		"enum": {
			Name:   "enum",
			Values: []string{"production", "staging", "development", "qa"},
			Synonyms: map[string][]string{
				"production": {"prod", "prd", "live"},
				"staging":    {"stage", "stg"},
			},
		},
		"person":   {Name: "person"},
		"int":      {Name: "int", Min: 1, Max: 90},
		"duration": {Name: "duration", Min: 60, Max: 7 * 24 * 3600},
		"url":      {Name: "url"},
		"email":    {Name: "email"},
		"version":  {Name: "version"},
		"incident": {Name: "incident"},
		"when":     {Name: "when"},
		"text":     {Name: "text", MaxLen: 200},
	}
	out := make(map[string]Type, len(specs))
	for name, spec := range specs {
		typ, err := NewType(spec)
		if err != nil {
			t.Fatalf("NewType(%+v): %v", spec, err)
		}
		out[name] = typ
	}
	return out
}

func TestTypeNamesCoverNewType(t *testing.T) {
	types := testTypes(t)
	names := TypeNames()
	if len(names) != len(types) {
		t.Fatalf("TypeNames() = %v, the tests build %d types", names, len(types))
	}
	for _, n := range names {
		typ, ok := types[n]
		if !ok {
			t.Errorf("TypeNames() lists %q, which the tests do not build", n)
			continue
		}
		if typ.Name() != n {
			t.Errorf("type built as %q says its name is %q", n, typ.Name())
		}
	}
	names[0] = "changed"
	if TypeNames()[0] == "changed" {
		t.Error("TypeNames returns its internal slice; a caller changed it")
	}
}

func TestTypesAcceptValid(t *testing.T) {
	types := testTypes(t)
	tests := []struct {
		typ, in, want string
	}{
		{"host", "web-1", "web-1"},
		{"host", "WEB-1.Example.COM.", "web-1.example.com"},
		{"host", "  db01.prod.internal  ", "db01.prod.internal"},
		{"host", "192.168.0.24", "192.168.0.24"},
		{"host", "2001:DB8:0:0::1", "2001:db8::1"},
		{"host", "::1", "::1"},
		{"hostname", "db01.prod.internal.", "db01.prod.internal"},
		{"hostname", "Node-17", "node-17"},
		{"hostname", "1e100.net", "1e100.net"},

		{"name", "nginx", "nginx"},
		{"name", "NGINX", "nginx"},
		{"name", "httpd", "apache"},
		{"name", "PostgreSQL", "postgres"},
		{"name", "apche", "apache"},
		{"name", "ngnix", "nginx"},
		{"name", "haprxy", "haproxy"},
		{"name", "flurbd", "flurbd"}, // open: a new, well-formed name
		{"name", "my_svc.v2-1", "my_svc.v2-1"},
		{"name", "0day", "0day"},
		{"enum", "production", "production"},
		{"enum", "prod", "production"},
		{"enum", "PROD", "production"},
		{"enum", "live", "production"},
		{"enum", " stg ", "staging"},
		{"enum", "stagign", "staging"},
		{"enum", "prodcution", "production"},
		{"enum", "QA", "qa"},
		{"person", "alice", "alice"},
		{"person", "Alice", "alice"},
		{"person", "@alice", "alice"},
		{"person", "<@alice>", "alice"},
		{"person", "<@U024BE7LH>", "u024be7lh"},
		{"person", "bob.smith", "bob.smith"},

		{"int", "7", "7"},
		{"int", "+7", "7"},
		{"int", "1", "1"},
		{"int", "90", "90"},
		{"int", "seven", "7"},
		{"int", "Twenty-Five", "25"},
		{"int", " 30 ", "30"},
		{"duration", "5m", "5m0s"},
		{"duration", "1h30m", "1h30m0s"},
		{"duration", "1.5h", "1h30m0s"},
		{"duration", "an hour", "1h0m0s"},
		{"duration", "half an hour", "30m0s"},
		{"duration", "2 hours and 30 minutes", "2h30m0s"},
		{"duration", "60s", "1m0s"},
		{"duration", "1w", "168h0m0s"},
		{"duration", "3 days", "72h0m0s"},

		{"url", "https://status.example.com/health", "https://status.example.com/health"},
		{"url", "example.com/a?b=c&d=e", "https://example.com/a?b=c&d=e"},
		{"url", "HTTP://Example.COM:8080/x", "http://example.com:8080/x"},
		{"url", "<https://x.io/a?b=1&amp;c=2|x.io/a>", "https://x.io/a?b=1&c=2"},
		{"url", "https://x.io/Go_(lang)", "https://x.io/Go_%28lang%29"},
		{"url", "http://[::1]:8080/", "http://[::1]:8080/"},
		{"email", "alice@example.com", "alice@example.com"},
		{"email", "Alice.Smith+ops@Example.COM", "Alice.Smith+ops@example.com"},
		{"email", "<mailto:a@b.co|a@b.co>", "a@b.co"},
		{"version", "1.2.3", "1.2.3"},
		{"version", "V1.2.3", "v1.2.3"},
		{"version", "v2", "v2"},
		{"version", "1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"},
		{"version", "LATEST", "latest"},
		{"version", "3F9C2AB", "3f9c2ab"},
		{"incident", "42", "42"},
		{"incident", "#42", "42"},
		{"incident", "INC-42", "42"},
		{"incident", "inc0042", "42"},
		{"incident", "incident #7", "7"},

		{"text", "disk full on db-1", "disk full on db-1"},
		{"text", "  padded  ", "padded"},
		{"text", "café ☕ 😀 naïve", "café ☕ 😀 naïve"},
		{"text", "it's \"down\" again; see $(ticket) `now` & a|b <x> {y} \\ (z)", "it's \"down\" again; see $(ticket) `now` & a|b <x> {y} \\ (z)"},
		{"text", "they typed -rf", "they typed -rf"},
		{"text", strings.Repeat("é", 200), strings.Repeat("é", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.in, func(t *testing.T) {
			v, err := types[tt.typ].Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, v.String(), tt.want)
			}
			if v.Type() != tt.typ {
				t.Errorf("Parse(%q).Type() = %q, want %q", tt.in, v.Type(), tt.typ)
			}
			if v.Display() != v.String() {
				t.Errorf("Display() = %q for a value that is not secret, want %q", v.Display(), v.String())
			}
		})
	}
}

// checkReason fails unless msg reads as a reason fit to show the person
// who typed in: one lower-case clause, no Go internals, and no echo of
// what they typed (which may be hostile or huge).
func checkReason(t *testing.T, msg, in string) {
	t.Helper()
	switch {
	case msg == "":
		t.Fatalf("empty error for %q", in)
	case strings.ContainsAny(msg, "\r\n\x00"):
		t.Errorf("error %q is not a single line", msg)
	case len(msg) > 200:
		t.Errorf("error is %d bytes long: %.80q...", len(msg), msg)
	}
	if r, _ := utf8.DecodeRuneInString(msg); !unicode.IsLower(r) {
		t.Errorf("error %q does not read as a clause after \"param: \"", msg)
	}
	for _, internal := range []string{"strconv", "invalid syntax", "ParseAddr", "%!", "<nil>", "panic", "runtime"} {
		if strings.Contains(msg, internal) {
			t.Errorf("error %q shows an internal detail (%s)", msg, internal)
		}
	}
	if len(in) > 3 && strings.Contains(msg, in) {
		t.Errorf("error %q repeats the input", msg)
	}
}

func TestTypesRejectInvalid(t *testing.T) {
	types := testTypes(t)
	tests := []struct {
		typ, in, want string // want is part of the reason
	}{
		{"host", "", "not a valid IP address or hostname"},
		{"host", "web_1", "not a valid IP address or hostname"},
		{"host", "web-", "not a valid IP address or hostname"},
		{"host", "300.1.1.1", "not a valid IP address or hostname"},
		{"host", "fe80::1%eth0", "not a valid IP address or hostname"},
		{"host", "0x7f.1", "not a valid IP address or hostname"},
		{"hostname", "10.0.0.1", "use a host name, not an address"},
		{"hostname", "web..1", "not a valid host name"},
		{"hostname", strings.Repeat("a.", 127) + "com", "at most 253 characters"},
		{"hostname", "2130706433", "not a valid host name"},

		{"name", "my service", "a name is letters, digits, dots, underscores and hyphens"},
		{"name", "", "a name is letters"},
		{"name", "_x", "a name is letters"},
		{"name", strings.Repeat("z", 64), "a name is letters"},
		{"enum", "moon", "it must be one of production, staging, development, qa"},
		{"enum", "", "it must be one of production, staging, development, qa"},
		{"person", "@", "a name is letters"},
		{"person", "al ice", "a name is letters"},
		{"person", "<@alice|Alice>", "a name is letters"},

		{"int", "0", "it must be a whole number from 1 to 90"},
		{"int", "91", "it must be a whole number from 1 to 90"},
		{"int", "-3", "it must be a whole number from 1 to 90"},
		{"int", "9223372036854775808", "it must be a whole number from 1 to 90"},
		{"int", "1.5", "that is not a whole number"},
		{"int", "ten apples", "that is not a whole number"},
		{"int", "1,00", "that is not a whole number"},
		{"int", "", "that is not a whole number"},
		{"duration", "30s", "a duration between 60s and 604800s is needed"},
		{"duration", "8 days", "a duration between 60s and 604800s is needed"},
		{"duration", "0m", "a duration must be longer than zero"},
		{"duration", "400d", "a duration can be at most 366 days"},
		{"duration", "soon", "that is not a duration like 30m, 2h or 3 days"},
		{"duration", "5 m", "that is not a duration"},
		{"duration", "30m1h", "that is not a duration"},

		{"url", "ftp://example.com/x", "only http and https links are allowed"},
		{"url", "javascript:alert(1)", "only http and https links are allowed"},
		{"url", "https://user:pw@example.com/", "can't include a user name or password"},
		{"url", "https://example.com/a b", "spaces or characters that are not allowed"},
		{"url", "https://", "needs a valid host name or IP address"},
		{"url", "https://example.com:99999/", "needs a valid host name or IP address"},
		{"url", "https://example.com/%0a", "spaces or characters that are not allowed"},
		{"url", "https://example.com/" + strings.Repeat("a", 2048), "at most 2048 characters"},
		{"email", "alice", "not a valid email address"},
		{"email", "alice@localhost", "not a valid email address"},
		{"email", ".alice@example.com", "not a valid email address"},
		{"email", "a..b@example.com", "not a valid email address"},
		{"version", "1.02", "not a version like 1.2.3"},
		{"version", "banana", "not a version like 1.2.3"},
		{"version", "deadbeef", "not a version like 1.2.3"},
		{"incident", "INC-0", "from 1 to 1000000000"},
		{"incident", "1000000001", "from 1 to 1000000000"},
		{"incident", "#abc", "not an incident number like #42"},
		{"incident", "INC--4", "not an incident number"},

		{"text", "", "it can't be empty"},
		{"text", " \t ", "it can't be empty"},
		{"text", strings.Repeat("é", 201), "at most 200 characters"},
		{"text", "two\nlines", "single line without control characters"},
		{"text", "tab\tinside", "single line without control characters"},
		{"text", "a\u2028b", "single line without control characters"},
		{"text", "bad \xff byte", "not valid text"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.in, func(t *testing.T) {
			v, err := types[tt.typ].Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.in, v.String())
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error %q, want it to say %q", tt.in, err, tt.want)
			}
			checkReason(t, err.Error(), tt.in)
		})
	}
}

// lookalike replaces the first Latin letter or digit of s that has a
// look-alike (Cyrillic or fullwidth) with it.
func lookalike(s string) string {
	swaps := map[rune]rune{
		'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'i': 'і', 'm': 'м', 's': 'ѕ',
		'1': '１', '2': '２', '3': '３', '4': '４', '5': '５',
	}
	rs := []rune(s)
	for i, r := range rs {
		if l, ok := swaps[r]; ok {
			rs[i] = l
			return string(rs)
		}
	}
	panic("no look-alike for " + s)
}

// hostileVariants dresses a valid value up as an injection attempt.
func hostileVariants(v string) map[string]string {
	out := map[string]string{
		"semicolon command":        v + ";reboot",
		"semicolon spaced command": v + "; reboot",
		"pipe":                     v + "|id",
		"and":                      v + "&id",
		"and and":                  v + "&&id",
		"dollar variable":          v + "$HOME",
		"substitution alone":       "$(reboot)",
		"substitution after":       v + "$(reboot)",
		"backticks alone":          "`reboot`",
		"backticks after":          v + "`id`",
		"parentheses after":        v + "(x)",
		"parentheses around":       "(" + v + ")",
		"redirect in":              v + "<in",
		"redirect out":             v + ">out",
		"braces":                   "{" + v + "}",
		"space and more":           v + " " + v,
		"newline":                  v + "\nreboot",
		"carriage return":          v + "\rreboot",
		"crlf":                     v + "\r\nreboot",
		"NUL inside":               v + "\x00reboot",
		"escape sequence":          v + "\x1b[2J",
		"option":                   "-oProxyCommand=x",
		"long option":              "--help",
		"dash prefix":              "-" + v,
		"double dash prefix":       "--" + v,
		"look-alike letter":        lookalike(v),
		"unicode hyphen":           v + "\u2010x",
		"RTL override after":       v + "\u202e",
		"RTL override before":      "\u202e" + v,
		"zero-width space after":   v + "\u200b",
		"zero-width space before":  "\u200b" + v,
		"line separator":           v + "\u2028x",
		"paragraph separator":      v + "\u2029x",
		"1 MB of the value":        strings.Repeat(v, (1<<20)/len(v)+1),
		"1 MB of letters":          strings.Repeat("a", 1<<20),
	}
	// One metacharacter is within the fuzzy-match budget of a known word,
	// so these probe whether typo correction launders hostile input.
	for _, c := range []string{";", "|", "&", "$", "(", ")", "<", ">", "`", "'", `"`, `\`, "\x00", "\x7f"} {
		out["trailing "+c] = v + c
	}
	out["quoted single"] = "'" + v + "'"
	out["quoted double"] = `"` + v + `"`
	return out
}

// textRejects are the hostile variants text refuses: everything that is
// not printable, single-line and short. The rest is ordinary text.
var textRejects = map[string]bool{
	"newline": true, "carriage return": true, "crlf": true, "NUL inside": true, "escape sequence": true,
	"trailing \x00": true, "trailing \x7f": true,
	"line separator": true, "paragraph separator": true,
	"RTL override after": true, "RTL override before": true,
	"zero-width space after": true, "zero-width space before": true,
	"1 MB of the value": true, "1 MB of letters": true,
	// A leading hyphen could be read as an option by a program that gets
	// the text as an argument.
	"double dash prefix": true, "dash prefix": true, "long option": true, "option": true,
}

// TestHostileValues checks that no parameter type lets an injection
// attempt through. Every type but text and url must reject every variant
// outright. A url may keep ; & ( ) ' and non-ASCII in its path only
// percent-encoded (& stays bare in the query), which safeURL checks. Text
// takes any printable single line, shell metacharacters included: text
// values only ever reach an executor as one whole argv element or a bind
// parameter, never through a shell, so the characters are inert there;
// what text must refuse is what could break a line or a display.
func TestHostileValues(t *testing.T) {
	types := testTypes(t)
	bases := map[string]string{
		"host": "web-1", "hostname": "web-1", "name": "nginx", "enum": "production", "person": "alice",
		"int": "42", "duration": "5m", "url": "https://example.com/a", "email": "ops@example.com",
		"version": "1.2.3", "incident": "42", "when": "tomorrow", "text": "hello",
	}
	for _, typName := range TypeNames() {
		typ := types[typName]
		base, ok := bases[typName]
		if !ok {
			t.Fatalf("no base value for type %s", typName)
		}
		if _, err := typ.Parse(base); err != nil {
			t.Fatalf("%s: base value %q: %v", typName, base, err)
		}
		for label, in := range hostileVariants(base) {
			t.Run(typName+"/"+label, func(t *testing.T) {
				v, err := typ.Parse(in)
				switch typName {
				case "text":
					if textRejects[label] {
						if err == nil {
							t.Fatalf("Parse(%.60q) = %.60q, want it rejected", in, v.String())
						}
						checkReason(t, err.Error(), in)
						return
					}
					if err != nil {
						t.Fatalf("Parse(%.60q): %v; text takes any printable single line", in, err)
					}
					if v.String() != strings.TrimSpace(in) {
						t.Errorf("Parse(%.60q) = %.60q, want the text unchanged", in, v.String())
					}
				case "url":
					if err != nil {
						checkReason(t, err.Error(), in)
						return
					}
					if reason := safeURL(v.String()); reason != "" {
						t.Errorf("Parse(%.60q) = %q: %s", in, v.String(), reason)
					}
				default:
					if err == nil {
						t.Fatalf("Parse(%.60q) = %q, want it rejected", in, v.String())
					}
					checkReason(t, err.Error(), in)
				}
			})
		}
	}
}

// safeURL returns why a canonical link would be unsafe as a command-line
// argument, or "". & may appear bare only in the query or fragment (RFC
// 3986 sub-delimiters there are data); everything else a shell would read
// specially must be percent-encoded or absent.
func safeURL(s string) string {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return "does not start with http:// or https://"
	}
	for _, r := range s {
		if r > unicode.MaxASCII || r <= ' ' || r == 0x7f {
			return "has whitespace, control or non-ASCII characters"
		}
	}
	if i := strings.IndexAny(s, "`$<>\"{}|\\;'()"); i >= 0 {
		return "has " + s[i:i+1] + " unencoded"
	}
	path := s
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		path = s[:i]
	}
	if strings.Contains(path, "&") {
		return "has & in its path"
	}
	return ""
}

func TestURLEncodesSpecialCharacters(t *testing.T) {
	typ := MustType(TypeSpec{Name: "url"})
	tests := []struct{ in, want string }{
		{"https://example.com/a;reboot", "https://example.com/a%3Breboot"},
		{"https://example.com/a&id", "https://example.com/a%26id"},
		{"https://example.com/a(x)'", "https://example.com/a%28x%29%27"},
		{"https://example.com/a?x=1&y=(2)", "https://example.com/a?x=1&y=%282%29"},
		{"https://example.com/café", "https://example.com/caf%C3%A9"},
		{"https://example.com/a\u2010x", "https://example.com/a%E2%80%90x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := typ.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, v.String(), tt.want)
			}
			if reason := safeURL(v.String()); reason != "" {
				t.Errorf("Parse(%q) = %q: %s", tt.in, v.String(), reason)
			}
		})
	}
}

// TestTextKeepsOrdinaryUnicode pins what text must go on accepting while
// it refuses invisible and reordering characters: joined emoji and scripts
// that need joiners are ordinary text.
func TestTextKeepsOrdinaryUnicode(t *testing.T) {
	typ := MustType(TypeSpec{Name: "text"})
	for _, in := range []string{
		"deploy by 👩‍💻 went fine",       // U+200D zero-width joiner inside an emoji
		"नमस्ते टीम",                    // Devanagari with virama
		"日本語のテキスト",                      // CJK
		"שלום world",                    // right-to-left script without override characters
		"math: 2 × 3 ≤ 7 — ok “quoted”", // typographic punctuation
	} {
		t.Run(in, func(t *testing.T) {
			v, err := typ.Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			if v.String() != in {
				t.Errorf("Parse(%q) = %q", in, v.String())
			}
		})
	}
}

// TestSurroundingSpaceIsTrimmed documents that leading and trailing
// whitespace, including a trailing newline a chat client adds, is removed
// before a value is checked, so it never reaches the canonical value.
func TestSurroundingSpaceIsTrimmed(t *testing.T) {
	types := testTypes(t)
	tests := []struct{ typ, in, want string }{
		{"host", "web-1\n", "web-1"},
		{"host", "\r\n web-1 \t", "web-1"},
		{"name", "nginx\n", "nginx"},
		{"enum", "\tprod\r\n", "production"},
		{"int", "42\n", "42"},
		{"text", "\u00a0hello\u2028", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.in, func(t *testing.T) {
			v, err := types[tt.typ].Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, v.String(), tt.want)
			}
		})
	}
}

func TestNameTypes(t *testing.T) {
	closed := MustType(TypeSpec{Name: "name", Values: []string{"Apache", "nginx"}})
	open := MustType(TypeSpec{Name: "name", Values: []string{"apache", "nginx"}, Open: true})
	bare := MustType(TypeSpec{Name: "name"})
	env := MustType(TypeSpec{
		Name:     "enum",
		Values:   []string{"production", "staging"},
		Synonyms: map[string][]string{"Production": {"prod", "prd", "Live"}},
	})
	person := MustType(TypeSpec{Name: "person"})
	tests := []struct {
		name    string
		typ     Type
		in      string
		want    string // canonical value, when accepted
		wantErr string // part of the reason, when rejected
	}{
		{"closed exact", closed, "nginx", "nginx", ""},
		{"closed value given in upper case", closed, "apache", "apache", ""},
		{"closed near miss", closed, "apche", "apache", ""},
		{"closed transposition", closed, "ngnix", "nginx", ""},
		{"closed unknown lists the values", closed, "redis", "", "it must be one of apache, nginx"},
		{"closed far miss", closed, "apxxhe", "", "it must be one of apache, nginx"},
		{"open near miss", open, "apche", "apache", ""},
		{"open new name", open, "redis", "redis", ""},
		{"open new name lower-cased", open, "RabbitMQ", "rabbitmq", ""},
		{"open invalid", open, "my service", "", "a name is letters"},
		{"open option-like", open, "-rf", "", "a name is letters"},
		{"bare name is open", bare, "anything-1", "anything-1", ""},
		{"bare name rejects a slash", bare, "a/b", "", "a name is letters"},
		{"synonym", env, "prod", "production", ""},
		{"synonym case-insensitive", env, "LIVE", "production", ""},
		{"synonym near miss", env, "lvie", "production", ""},
		{"canonical near miss", env, "stagin", "staging", ""},
		{"a near miss of two spellings of one value", env, "prdd", "production", ""},
		{"short words are not corrected", env, "stg1", "", "it must be one of production, staging"},
		{"enum unknown", env, "mars", "", "it must be one of production, staging"},
		// "prdo" is one edit from both "prod" and "prd"; both spell
		// production, so there is nothing ambiguous to refuse.
		{"near miss of two synonyms of one value", env, "prdo", "production", ""},
		{"person at", person, "@alice", "alice", ""},
		{"person mention", person, "<@alice>", "alice", ""},
		{"person upper", person, "<@ALICE>", "alice", ""},
		{"person option-like", person, "@-alice", "", "a name is letters"},
		{"person empty mention", person, "<@>", "", "a name is letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.typ.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %q, want an error saying %q", tt.in, v.String(), tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Parse(%q) error %q, want it to say %q", tt.in, err, tt.wantErr)
				}
				checkReason(t, err.Error(), tt.in)
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, v.String(), tt.want)
			}
		})
	}
}

func TestTypeMetadata(t *testing.T) {
	tests := []struct {
		spec       TypeSpec
		wantKinds  []string
		wantValues []string
	}{
		{TypeSpec{Name: "host"}, []string{"host", "ip", "hostname", "fqdn"}, nil},
		{TypeSpec{Name: "hostname"}, []string{"hostname", "fqdn", "host"}, nil},
		{TypeSpec{Name: "int"}, []string{"integer"}, nil},
		{TypeSpec{Name: "incident"}, []string{"incident", "integer"}, nil},
		{TypeSpec{Name: "person"}, []string{"person"}, nil},
		{TypeSpec{Name: "enum", Values: []string{"B", "a"}}, nil, []string{"b", "a"}},
		{TypeSpec{Name: "name", Values: []string{"x"}, Open: true}, nil, []string{"x"}},
		{TypeSpec{Name: "name"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.spec.Name, func(t *testing.T) {
			typ := MustType(tt.spec)
			if got := typ.Kinds(); !slices.Equal(got, tt.wantKinds) {
				t.Errorf("Kinds() = %v, want %v", got, tt.wantKinds)
			}
			if got := typ.Values(); !slices.Equal(got, tt.wantValues) {
				t.Errorf("Values() = %v, want %v", got, tt.wantValues)
			}
		})
	}
}

func TestIntBounds(t *testing.T) {
	tests := []struct {
		name    string
		spec    TypeSpec
		in      string
		want    int64
		wantErr string
	}{
		{"default lower bound", TypeSpec{Name: "int"}, "0", 0, ""},
		{"default upper bound", TypeSpec{Name: "int"}, "1,000,000", 1_000_000, ""},
		{"above default", TypeSpec{Name: "int"}, "1000001", 0, "from 0 to 1000000"},
		{"negative below default", TypeSpec{Name: "int"}, "-1", 0, "from 0 to 1000000"},
		{"inclusive min", TypeSpec{Name: "int", Min: 1, Max: 90}, "1", 1, ""},
		{"inclusive max", TypeSpec{Name: "int", Min: 1, Max: 90}, "ninety", 90, ""},
		{"single value", TypeSpec{Name: "int", Min: 5, Max: 5}, "5", 5, ""},
		{"single value other", TypeSpec{Name: "int", Min: 5, Max: 5}, "6", 0, "from 5 to 5"},
		// A negative lower bound lets a canonical value start with '-':
		// such a parameter must never be the whole of an argv element
		// that a command parses for options.
		{"negative range", TypeSpec{Name: "int", Min: -10, Max: 10}, "-5", -5, ""},
		{"negative range below", TypeSpec{Name: "int", Min: -10, Max: 10}, "-11", 0, "from -10 to 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := MustType(tt.spec).Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) = %v, %v; want an error saying %q", tt.in, v.String(), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.Int() != tt.want {
				t.Errorf("Parse(%q).Int() = %d, want %d", tt.in, v.Int(), tt.want)
			}
		})
	}
}

func TestDurationValue(t *testing.T) {
	tests := []struct {
		spec    TypeSpec
		in      string
		want    time.Duration
		wantErr string
	}{
		{TypeSpec{Name: "duration"}, "366d", 366 * 24 * time.Hour, ""},
		{TypeSpec{Name: "duration"}, "2 hours and 30 minutes", 150 * time.Minute, ""},
		{TypeSpec{Name: "duration", Min: 60, Max: 3600}, "1m", time.Minute, ""},
		{TypeSpec{Name: "duration", Min: 60, Max: 3600}, "1h", time.Hour, ""},
		{TypeSpec{Name: "duration", Min: 60, Max: 3600}, "59s", 0, "between 60s and 3600s"},
		{TypeSpec{Name: "duration", Min: 60, Max: 3600}, "1h1s", 0, "between 60s and 3600s"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := MustType(tt.spec).Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) = %v, %v; want an error saying %q", tt.in, v.String(), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if v.Duration() != tt.want {
				t.Errorf("Parse(%q).Duration() = %v, want %v", tt.in, v.Duration(), tt.want)
			}
		})
	}
}

func TestIncidentValue(t *testing.T) {
	v, err := MustType(TypeSpec{Name: "incident"}).Parse("INC-0042")
	if err != nil {
		t.Fatal(err)
	}
	if v.Int() != 42 || v.String() != "42" {
		t.Errorf("Parse(INC-0042) = %q (%d), want \"42\" (42)", v.String(), v.Int())
	}
}

// TestCanonicalIsAFixedPoint checks that a canonical value parses back to
// itself: stored conversations and confirmations are re-bound from their
// canonical text, so a value that cannot be read back breaks them.
func TestCanonicalIsAFixedPoint(t *testing.T) {
	types := testTypes(t)
	types["duration"] = MustType(TypeSpec{Name: "duration"}) // unbounded
	types["int"] = MustType(TypeSpec{Name: "int", Min: -1000, Max: 1000})
	tests := []struct{ typ, in string }{
		{"host", "WEB-1.Example.COM."},
		{"host", "2001:DB8:0:0::1"},
		{"host", "::ffff:10.0.0.1"},
		{"name", "apche"},
		{"enum", "LIVE"},
		{"person", "<@Alice>"},
		{"int", "-1,000"},
		{"int", "twenty-five"},
		{"duration", "an hour and a half"},
		{"duration", "1.5d"},
		{"duration", "1.5m"},
		{"url", "<https://x.io/a?b=1&amp;c=(2)|x>"},
		{"url", "example.com/caf\u00e9#frag"},
		{"email", "<mailto:A@B.CO|x>"},
		{"version", "V1.2.3-RC.1"},
		{"incident", "incident #0042"},
		{"text", "  hi there  "},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.in, func(t *testing.T) {
			typ := types[tt.typ]
			v, err := typ.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			again, err := typ.Parse(v.String())
			if err != nil {
				t.Fatalf("Parse(%q) = %q, which does not parse: %v", tt.in, v.String(), err)
			}
			if again != v {
				t.Errorf("Parse(%q) = %+v, but its canonical form parses to %+v", tt.in, v, again)
			}
		})
	}
}

func TestNewTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		spec TypeSpec
		want string
	}{
		{"unknown type", TypeSpec{Name: "colour"}, `unknown parameter type "colour" (want one of host, hostname, name`},
		{"type in upper case", TypeSpec{Name: "Host"}, `unknown parameter type "Host"`},
		{"empty type", TypeSpec{}, "parameter type is empty"},
		{"int min above max", TypeSpec{Name: "int", Min: 10, Max: 1}, "int type: min 10 is above max 1"},
		{"int max below zero min", TypeSpec{Name: "int", Max: -1}, "min 0 is above max -1"},
		{"duration min above max", TypeSpec{Name: "duration", Min: 60, Max: 1}, "duration type: min 60 is above max 1"},
		{"enum without values", TypeSpec{Name: "enum"}, "enum type needs values"},
		{"enum with only synonyms", TypeSpec{Name: "enum", Synonyms: map[string][]string{"a": {"b"}}}, "enum type needs values"},
		{"synonym of a missing value", TypeSpec{Name: "enum", Values: []string{"production"}, Synonyms: map[string][]string{"staging": {"stg"}}}, `synonyms given for "staging", which is not one of its values`},
		{"spelling shared by two values", TypeSpec{Name: "enum", Values: []string{"sev1", "sev2"}, Synonyms: map[string][]string{"sev1": {"urgent"}, "sev2": {"Urgent"}}}, "means both"},
		{"synonym that is another value", TypeSpec{Name: "name", Values: []string{"apache", "nginx"}, Synonyms: map[string][]string{"apache": {"nginx"}}}, `"nginx" means both "nginx" and "apache"`},
		{"blank synonym", TypeSpec{Name: "enum", Values: []string{"a"}, Synonyms: map[string][]string{"a": {"  "}}}, "enum type: empty value"},
		{"value that is no name", TypeSpec{Name: "name", Values: []string{"my service"}}, `value "my service" is not a valid name`},
		{"option-like value", TypeSpec{Name: "enum", Values: []string{"-rf"}}, `value "-rf" is not a valid name`},
		{"person value that is no name", TypeSpec{Name: "person", Values: []string{"@alice"}}, `value "@alice" is not a valid name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, err := NewType(tt.spec)
			if err == nil {
				t.Fatalf("NewType(%+v) = %v, want an error", tt.spec, typ)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewType(%+v) error %q, want it to contain %q", tt.spec, err, tt.want)
			}
		})
	}
}

func TestMustTypePanicsOnInvalid(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustType(colour) did not panic")
		}
	}()
	MustType(TypeSpec{Name: "colour"})
}

// FuzzTypes feeds arbitrary text to every parameter type. Whatever a type
// accepts must have a canonical form that is safe to hand to an executor
// and that parses back to itself.
func FuzzTypes(f *testing.F) {
	types := testTypes(f)
	types["duration any"] = MustType(TypeSpec{Name: "duration"})
	types["int negative"] = MustType(TypeSpec{Name: "int", Min: -100, Max: 100})
	types["name closed"] = MustType(TypeSpec{Name: "name", Values: []string{"apache", "nginx"}})
	for _, s := range []string{
		"web-1", "192.168.0.24", "::ffff:1.2.3.4", "apche", "prod", "<@alice>", "twenty-five", "-5",
		"1h30m", "0.5s", "an hour and a half", "example.com/a?b=(c)&d=e#f", "<https://x.io|x>",
		"<mailto:a@b.co|a@b.co>", "V1.2.3-rc.1+b.5", "INC-0042", "hello; $(reboot) `id`",
		"nginx;", "-nginx", "a\u202eb", "x\u200by", "prod\n", "\xff\xfe", "",
	} {
		f.Add(s)
	}
	const shell = ";|&$`<>(){}\\'\""
	f.Fuzz(func(t *testing.T, in string) {
		for name, typ := range types {
			v, err := typ.Parse(in)
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("%s: Parse(%q) failed with an empty reason", name, in)
				}
				continue
			}
			c := v.String()
			if c == "" || !utf8.ValidString(c) {
				t.Fatalf("%s: Parse(%q) = %q, empty or not UTF-8", name, in, c)
			}
			if v.Type() != typ.Name() {
				t.Fatalf("%s: Parse(%q).Type() = %q", name, in, v.Type())
			}
			for _, r := range c {
				if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
					t.Fatalf("%s: Parse(%q) = %q has control character %U", name, in, c, r)
				}
				if typ.Name() != "text" && unicode.IsSpace(r) {
					t.Fatalf("%s: Parse(%q) = %q has whitespace", name, in, c)
				}
			}
			switch typ.Name() {
			case "text":
				if strings.TrimSpace(c) != c {
					t.Fatalf("%s: Parse(%q) = %q is not trimmed", name, in, c)
				}
			case "url":
				if reason := safeURL(c); reason != "" {
					t.Fatalf("%s: Parse(%q) = %q: %s", name, in, c, reason)
				}
			default:
				if strings.ContainsAny(c, shell) {
					t.Fatalf("%s: Parse(%q) = %q has a shell metacharacter", name, in, c)
				}
				if strings.HasPrefix(c, "-") && !(name == "int negative" && v.Int() < 0) {
					t.Fatalf("%s: Parse(%q) = %q starts with '-'", name, in, c)
				}
			}
			switch typ.Name() {
			case "name", "enum", "person":
				if !nameRE.MatchString(c) {
					t.Fatalf("%s: Parse(%q) = %q is not a name", name, in, c)
				}
				if vs := typ.Values(); name == "enum" || name == "name closed" {
					if !slices.Contains(vs, c) {
						t.Fatalf("%s: Parse(%q) = %q, not one of %v", name, in, c, vs)
					}
				}
			}
			again, err := typ.Parse(c)
			if err != nil {
				t.Fatalf("%s: Parse(%q) = %q, which does not parse: %v", name, in, c, err)
			}
			if again != v {
				t.Fatalf("%s: Parse(%q) = %+v, its canonical form parses to %+v", name, in, v, again)
			}
		}
	})
}

func TestValueErrorsAreNotSentinels(t *testing.T) {
	// A rejected value is a reason for the person, never ErrMissing:
	// the dialog asks again on ErrMissing and explains on anything else.
	_, err := MustType(TypeSpec{Name: "int"}).Parse("")
	if err == nil || errors.Is(err, ErrMissing) {
		t.Fatalf("Parse(\"\") error = %v, want a reason that is not ErrMissing", err)
	}
}

// TestDescribe checks that every type says what its values look like, and
// that a value the description offers as an example is one the type takes.
func TestDescribe(t *testing.T) {
	tests := []struct {
		spec    TypeSpec
		want    string
		example string // a value quoted in the description, "" if none
	}{
		{TypeSpec{Name: "host"}, "a host name or IP address, like web-1 or 10.0.0.5", "web-1"},
		{TypeSpec{Name: "hostname"}, "a host name, like api.example.com", "api.example.com"},
		{TypeSpec{Name: "url"}, "a web address, like https://status.example.com/health", "https://status.example.com/health"},
		{TypeSpec{Name: "email"}, "an email address, like alice@example.com", "alice@example.com"},
		{TypeSpec{Name: "version"}, "a version like v2.3.1, a commit hash, or latest", "v2.3.1"},
		{TypeSpec{Name: "incident"}, "an incident number, like #42 or INC-42", "INC-42"},
		{TypeSpec{Name: "int", Min: 1, Max: 5}, "a whole number from 1 to 5", "5"},
		{TypeSpec{Name: "int", Min: 1, Max: 90, Days: true}, "a number of days from 1 to 90, like 14 or “2 weeks”", "2 weeks"},
		{TypeSpec{Name: "int", Min: 1, Max: 7, Days: true}, "a number of days from 1 to 7, like 7 or “1 week”", "1 week"},
		{TypeSpec{Name: "int", Min: 1, Max: 3, Days: true}, "a number of days from 1 to 3, like 3", "3"},
		{TypeSpec{Name: "int", Min: 30, Max: 60, Days: true}, "a number of days from 30 to 60, like 30", "30"},
		{TypeSpec{Name: "duration"}, "a duration, like 30m or 2h", "30m"},
		{TypeSpec{Name: "duration", Min: 60, Max: 3600}, "a duration between 60s and 3600s, like 30m or 2h", "30m"},
		{TypeSpec{Name: "text", MaxLen: 80}, "a line of text of at most 80 characters", ""},
		{TypeSpec{Name: "enum", Values: []string{"prod", "qa"}}, "one of prod, qa", "qa"},
		{TypeSpec{Name: "name", Values: []string{"checkout"}, Open: true}, "a name such as checkout", "checkout"},
		{TypeSpec{Name: "name"}, "a name of letters, digits, dots, underscores and hyphens", ""},
		{TypeSpec{Name: "person", Values: []string{"carol"}}, "one of carol", "carol"},
		{TypeSpec{Name: "person", Values: []string{"carol"}, Open: true}, "a person, like @carol", "@carol"},
		{TypeSpec{Name: "person"}, "a person, like @alice", "@alice"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			typ := MustType(tt.spec)
			if got := typ.Describe(); got != tt.want {
				t.Errorf("Describe() = %q, want %q", got, tt.want)
			}
			if tt.example == "" {
				return
			}
			if _, err := typ.Parse(tt.example); err != nil {
				t.Errorf("the description's example %q is refused: %v", tt.example, err)
			}
		})
	}
}

// A number of days reads weeks, months (30 days) and fortnights, in words
// or digits, and keeps to its range.
func TestIntDays(t *testing.T) {
	ty := MustType(TypeSpec{Name: "int", Min: 1, Max: 90, Days: true})
	plain := MustType(TypeSpec{Name: "int", Min: 1, Max: 90})
	for _, tt := range []struct {
		raw  string
		want string // "" when refused
	}{
		{"14", "14"}, {"fourteen", "14"}, {"ten days", "10"}, {"2 weeks", "14"}, {"two weeks", "14"}, {"a week", "7"},
		{"a month", "30"}, {"an month", "30"}, {"2 months", "60"}, {"three months", "90"}, {"a fortnight", "14"},
		{"4 months", ""}, {"0 days", ""}, {"a moth", ""}, {"many months", ""}, {"2 months ago", ""},
	} {
		v, err := ty.Parse(tt.raw)
		if got := v.String(); tt.want == "" && err == nil || tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("days %q = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
	if v, err := plain.Parse("a month"); err == nil {
		t.Errorf("a plain int read %q", v.String())
	}
}
