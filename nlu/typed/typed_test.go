package typed

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// hostile are inputs every parser must reject.
var hostile = []string{
	"",
	" ",
	"web-1; rm -rf /",
	"web-1;reboot",
	"$(reboot)",
	"`id`",
	"web-1`id`",
	"a\nb",
	"a\x00b",
	"web-1\n",
	"web-1\r\n",
	" web-1",
	"web-1 ",
	"web-1\t",
	"web 1",
	"-oProxyCommand=x",
	"--help",
	"-web-1",
	"web‐1",       // U+2010 hyphen
	"wеb-1",       // U+0435 Cyrillic e
	"ｗｅｂ-1",       // fullwidth letters
	"web-1\u200b", // zero-width space
	"web-1\u202e", // right-to-left override
	"web-1|id",
	"web-1&&id",
	"web-1>out",
	"web-1<in",
	"'web-1'",
	"\"web-1\"",
	"web-1\\",
	"{web-1}",
	"(web-1)",
	"web-1\xff",
	"../etc/passwd",
	"%0aid",
	strings.Repeat("a", 1<<20),
	strings.Repeat("1", 1<<20),
	strings.Repeat("web-1.", 1<<17),
	strings.Repeat("<", 1<<20),
}

func TestHostileRejected(t *testing.T) {
	parsers := map[string]func(string) error{
		"ParseIP":       func(s string) error { _, err := ParseIP(s); return err },
		"ParseHostname": func(s string) error { _, err := ParseHostname(s); return err },
		"ParseHost":     func(s string) error { _, err := ParseHost(s); return err },
		"ParseURL":      func(s string) error { _, err := ParseURL(s); return err },
		"ParseEmail":    func(s string) error { _, err := ParseEmail(s); return err },
		"ParseInt":      func(s string) error { _, err := ParseInt(s, math.MinInt64, math.MaxInt64); return err },
		"ParseDuration": func(s string) error { _, err := ParseDuration(s); return err },
		"ParseVersion":  func(s string) error { _, err := ParseVersion(s); return err },
		"ParseSHA":      func(s string) error { _, err := ParseSHA(s); return err },
		"ParseIncident": func(s string) error { _, err := ParseIncident(s); return err },
	}
	for name, parse := range parsers {
		for _, in := range hostile {
			if err := parse(in); err == nil {
				t.Errorf("%s(%.40q) accepted a hostile input", name, in)
			} else if msg := err.Error(); msg == "" || len(msg) > 80 || strings.ContainsAny(msg, "\n%") {
				t.Errorf("%s(%.40q): error %q is not a short reason", name, in, msg)
			}
		}
	}
}

func TestParseIP(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"192.168.0.24", "192.168.0.24"},
		{"10.0.0.1", "10.0.0.1"},
		{"0.0.0.0", "0.0.0.0"},
		{"::1", "::1"},
		{"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"fe80::1%eth0", ""},
		{"256.1.1.1", ""},
		{"1.2.3", ""},
		{"01.2.3.4", ""},
		{"1.2.3.4.5", ""},
		{"1.2.3.4/24", ""},
		{"[::1]", ""},
		{"0x7f.0.0.1", ""},
		{"2130706433", ""},
		{"localhost", ""},
		{"1.2.3.4 ", ""},
		{"１.2.3.4", ""}, // fullwidth digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIP(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ParseIP(%q) = %v, want an error", tt.in, got)
				}
				if err.Error() != "that is not a valid IP address" {
					t.Errorf("ParseIP(%q) error %q", tt.in, err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("ParseIP(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseHostname(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	name253 := strings.Join([]string{long63, long63, long63, strings.Repeat("b", 61)}, ".")
	tests := []struct {
		in, want, err string
	}{
		{in: "web-1", want: "web-1"},
		{in: "WEB-1", want: "web-1"},
		{in: "db01.prod.internal", want: "db01.prod.internal"},
		{in: "API.Example.COM.", want: "api.example.com"},
		{in: "localhost", want: "localhost"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "a", want: "a"},
		{in: "3com.net", want: "3com.net"},
		{in: long63, want: long63},
		{in: name253, want: name253},
		{in: name253 + ".", want: name253},
		{in: name253 + "b", err: "a host name can be at most 253 characters"},
		{in: long63 + "a", err: "that is not a valid host name"},
		{in: "192.168.0.24", err: "use a host name, not an address"},
		{in: "::1", err: "use a host name, not an address"},
		{in: "1.2.3", err: "that is not a valid host name"},
		{in: "2130706433", err: "that is not a valid host name"},
		{in: "0x7f000001", err: "that is not a valid host name"},
		{in: "127.0x1", err: "that is not a valid host name"},
		{in: "web-", err: "that is not a valid host name"},
		{in: "-web", err: "that is not a valid host name"},
		{in: "web..1", err: "that is not a valid host name"},
		{in: ".web", err: "that is not a valid host name"},
		{in: ".", err: "that is not a valid host name"},
		{in: "web_1", err: "that is not a valid host name"},
		{in: "web-1.", want: "web-1"},
		{in: "web-1..", err: "that is not a valid host name"},
		{in: "wéb-1", err: "that is not a valid host name"},
		{in: "web-1:22", err: "that is not a valid host name"},
		{in: "user@web-1", err: "that is not a valid host name"},
		{in: "*.example.com", err: "that is not a valid host name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseHostname(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseHostname(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseHostname(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseHost(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"192.168.0.24", "192.168.0.24"},
		{"2001:0db8::0001", "2001:db8::1"},
		{"Web-1", "web-1"},
		{"db1.prod.internal.", "db1.prod.internal"},
		{"999.1.1.1", ""},
		{"10.0.0.1:22", ""},
		{"[::1]", ""},
		{"web-1/x", ""},
	}
	for _, tt := range tests {
		got, err := ParseHost(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseHost(%q) = %q, want an error", tt.in, got)
		case tt.want == "" && err.Error() != "that is not a valid IP address or hostname":
			t.Errorf("ParseHost(%q) error %q", tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseHost(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "https://status.example.com/health", want: "https://status.example.com/health"},
		{in: "HTTP://Example.COM", want: "http://example.com"},
		{in: "example.com/path", want: "https://example.com/path"},
		{in: "example.com", want: "https://example.com"},
		{in: "example.com:8443/x", want: "https://example.com:8443/x"},
		{in: "http://10.0.0.1:8080/metrics", want: "http://10.0.0.1:8080/metrics"},
		{in: "https://[2001:db8::1]:443/", want: "https://[2001:db8::1]:443/"},
		{in: "<https://x.io/a|x.io/a>", want: "https://x.io/a"},
		{in: "<https://x.io/a>", want: "https://x.io/a"},
		{in: "<https://x.io/?a=1&amp;b=2|label with spaces>", want: "https://x.io/?a=1&b=2"},
		{in: "https://grafana.example.com/d/abc?orgId=1&from=now-1h#panel&x", want: "https://grafana.example.com/d/abc?orgId=1&from=now-1h#panel&x"},
		{in: "https://en.wikipedia.org/wiki/Go_(lang)", want: "https://en.wikipedia.org/wiki/Go_%28lang%29"},
		{in: "https://x.io/a;b'c", want: "https://x.io/a%3Bb%27c"},
		{in: "https://x.io/a&b", want: "https://x.io/a%26b"},
		{in: "https://x.io/caf%C3%A9", want: "https://x.io/caf%C3%A9"},
		{in: "https://x.io/café", want: "https://x.io/caf%C3%A9"},
		{in: "https://x.io/a#", want: "https://x.io/a"},
		{in: "https://x.io/#a#b", want: "https://x.io/#a%23b"},
		{in: "https://x.io?", want: "https://x.io?"},
		{in: "https://x.io/a#b&c", want: "https://x.io/a#b%26c"},
		{in: "https://x.io/#/view?a=1&b=2", want: "https://x.io/#/view?a=1&b=2"},
		{in: "https://example.com./", want: "https://example.com/"},
		{in: "ftp://example.com/", err: "only http and https links are allowed"},
		{in: "javascript:alert(1)", err: "only http and https links are allowed"},
		{in: "mailto:bob@example.com", err: "only http and https links are allowed"},
		{in: "file:///etc/passwd", err: "only http and https links are allowed"},
		{in: "https://user:pass@example.com/", err: "a link can't include a user name or password"},
		{in: "https://example.com@evil.io/", err: "a link can't include a user name or password"},
		{in: "bob@example.com", err: "a link can't include a user name or password"},
		{in: "https://example.com/a b", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/$(reboot)", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/`id`", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/a|b", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com\\@evil.io", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/%0d%0aSet-Cookie:x", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/%00", err: "that link has spaces or characters that are not allowed"},
		{in: "https://example.com/\u202e", err: "that link has spaces or characters that are not allowed"},
		{in: "https://exam ple.com", err: "that link has spaces or characters that are not allowed"},
		{in: "https://wеb-1.example.com/", err: "that link needs a valid host name or IP address"},
		{in: "https://2130706433/", err: "that link needs a valid host name or IP address"},
		{in: "https://-x.example.com/", err: "that link needs a valid host name or IP address"},
		{in: "https://example.com:0/", err: "that link needs a valid host name or IP address"},
		{in: "https://example.com:65536/", err: "that link needs a valid host name or IP address"},
		{in: "https://example.com:/", err: "that link needs a valid host name or IP address"},
		{in: "https://[fe80::1%25eth0]/", err: "that link needs a valid host name or IP address"},
		{in: "https://[10.0.0.1]/", err: "that link needs a valid host name or IP address"},
		{in: "https:///path", err: "that link needs a valid host name or IP address"},
		{in: "https://ex%61mple.com/", err: "that link needs a valid host name or IP address"},
		{in: "https:example.com", err: "that is not a valid web link"},
		{in: "//example.com/", err: "that is not a valid web link"},
		{in: "/etc/passwd", err: "that is not a valid web link"},
		{in: "https://x.io/%zz", err: "that is not a valid web link"},
		{in: "<https://x.io", err: "that is not a valid web link"},
		{in: "<https://x.io|a\nb>", err: "that is not a valid web link"},
		{in: "https://x.io/" + strings.Repeat("a", 2040), err: "a link can be at most 2048 characters"},
		{in: "https://x.io/" + strings.Repeat("(", 700), err: "a link can be at most 2048 characters"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.60s", tt.in), func(t *testing.T) {
			u, err := ParseURL(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseURL(%q) = %v, %v; want error %q", tt.in, u, err, tt.err)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("ParseURL(%q) = %v, %v; want %q", tt.in, u, err, tt.want)
			}
		})
	}
}

func TestParseEmail(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"bob@example.com", "bob@example.com"},
		{"Bob.Smith+ops@Example.COM", "Bob.Smith+ops@example.com"},
		{"a_b%c-d@mail.example.org", "a_b%c-d@mail.example.org"},
		{"<mailto:bob@example.com|bob@example.com>", "bob@example.com"},
		{"<mailto:bob@example.com>", "bob@example.com"},
		{"mailto:bob@example.com", "bob@example.com"},
		{"bob@localhost", ""},
		{"bob@192.168.0.1", ""},
		{"bob@[192.168.0.1]", ""},
		{"@example.com", ""},
		{"bob@", ""},
		{"bob@@example.com", ""},
		{"bob@a@example.com", ""},
		{".bob@example.com", ""},
		{"bob.@example.com", ""},
		{"bo..b@example.com", ""},
		{"-bob@example.com", ""},
		{"bob smith@example.com", ""},
		{"\"bob\"@example.com", ""},
		{"bob@exa_mple.com", ""},
		{"bob@-example.com", ""},
		{"<https://example.com|bob@example.com>", ""},
		{"<bob@example.com>", ""},
		{"bob@example.com>", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
	}
	for _, tt := range tests {
		got, err := ParseEmail(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseEmail(%q) = %q, want an error", tt.in, got)
		case tt.want == "" && err.Error() != "that is not a valid email address":
			t.Errorf("ParseEmail(%q) error %q", tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in       string
		min, max int64
		want     int64
		err      string
	}{
		{in: "42", min: 0, max: 100, want: 42},
		{in: "+42", min: 0, max: 100, want: 42},
		{in: "-5", min: -10, max: 10, want: -5},
		{in: "007", min: 0, max: 10, want: 7},
		{in: "1,000", min: 0, max: 10000, want: 1000},
		{in: "12,345,678", min: 0, max: 1e9, want: 12345678},
		{in: "zero", min: 0, max: 10, want: 0},
		{in: "Seven", min: 0, max: 10, want: 7},
		{in: "twenty", min: 0, max: 100, want: 20},
		{in: "twenty-five", min: 0, max: 100, want: 25},
		{in: "ninety nine", min: 0, max: 100, want: 99},
		{in: "sixty", min: 0, max: 100, want: 60},
		{in: "a hundred", min: 0, max: 100, want: 100},
		{in: "one hundred", min: 0, max: 100, want: 100},
		{in: "9223372036854775807", min: math.MinInt64, max: math.MaxInt64, want: math.MaxInt64},
		{in: "-9223372036854775808", min: math.MinInt64, max: math.MaxInt64, want: math.MinInt64},
		{in: "9223372036854775808", min: math.MinInt64, max: math.MaxInt64, err: "it must be a whole number from -9223372036854775808 to 9223372036854775807"},
		{in: "99999999999999999999999", min: 0, max: 10, err: "it must be a whole number from 0 to 10"},
		{in: "11", min: 1, max: 10, err: "it must be a whole number from 1 to 10"},
		{in: "0", min: 1, max: 10, err: "it must be a whole number from 1 to 10"},
		{in: "a hundred", min: 1, max: 10, err: "it must be a whole number from 1 to 10"},
		{in: "1.5", min: 0, max: 10, err: "that is not a whole number"},
		{in: "1e3", min: 0, max: 10000, err: "that is not a whole number"},
		{in: "0x10", min: 0, max: 100, err: "that is not a whole number"},
		{in: "1_000", min: 0, max: 10000, err: "that is not a whole number"},
		{in: "1,00", min: 0, max: 10000, err: "that is not a whole number"},
		{in: "1000,000", min: 0, max: 1e9, err: "that is not a whole number"},
		{in: ",100", min: 0, max: 1000, err: "that is not a whole number"},
		{in: "100,", min: 0, max: 1000, err: "that is not a whole number"},
		{in: "1,,000", min: 0, max: 10000, err: "that is not a whole number"},
		{in: "--5", min: -10, max: 10, err: "that is not a whole number"},
		{in: "-", min: -10, max: 10, err: "that is not a whole number"},
		{in: "five hundred", min: 0, max: 1000, err: "that is not a whole number"},
		{in: "twenty-ten", min: 0, max: 100, err: "that is not a whole number"},
		{in: "ten five", min: 0, max: 100, err: "that is not a whole number"},
		{in: "a  hundred", min: 0, max: 100, want: 100},
		{in: "a\thundred", min: 0, max: 100, err: "that is not a whole number"},
		{in: "lots", min: 0, max: 100, err: "that is not a whole number"},
		{in: "٣", min: 0, max: 100, err: "that is not a whole number"}, // Arabic-Indic three
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseInt(tt.in, tt.min, tt.max)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseInt(%q, %d, %d) = %d, %v; want error %q", tt.in, tt.min, tt.max, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseInt(%q, %d, %d) = %d, %v; want %d", tt.in, tt.min, tt.max, got, err, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "90s", want: 90 * time.Second},
		{in: "5m", want: 5 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "2h", want: 2 * time.Hour},
		{in: "3d", want: 72 * time.Hour},
		{in: "1w", want: 7 * 24 * time.Hour},
		{in: "1.5h", want: 90 * time.Minute},
		{in: "5min", want: 5 * time.Minute},
		{in: "2hrs", want: 2 * time.Hour},
		{in: "3days", want: 72 * time.Hour},
		{in: "1h30m15s", want: time.Hour + 30*time.Minute + 15*time.Second},
		{in: "1H", want: time.Hour},
		{in: "5 min", want: 5 * time.Minute},
		{in: "2 hours", want: 2 * time.Hour},
		{in: "3 days", want: 72 * time.Hour},
		{in: "30 minutes", want: 30 * time.Minute},
		{in: "1 hour", want: time.Hour},
		{in: "2.5 days", want: 60 * time.Hour},
		{in: "a week", want: 7 * 24 * time.Hour},
		{in: "an hour", want: time.Hour},
		{in: "An Hour", want: time.Hour},
		{in: "a second", want: time.Second},
		{in: "half an hour", want: 30 * time.Minute},
		{in: "half a day", want: 12 * time.Hour},
		{in: "twenty minutes", want: 20 * time.Minute},
		{in: "forty-five minutes", want: 45 * time.Minute},
		{in: "an hour and a half", want: 90 * time.Minute},
		{in: "1 hour 30 minutes", want: 90 * time.Minute},
		{in: "2 hours and 30 minutes", want: 150 * time.Minute},
		{in: "1h 30m", want: 90 * time.Minute},
		{in: "1 day  2 hours", want: 26 * time.Hour},
		{in: "366 days", want: 366 * 24 * time.Hour},
		{in: "52w", want: 52 * 7 * 24 * time.Hour},
		{in: "367 days", err: "a duration can be at most 366 days"},
		{in: "53 weeks", err: "a duration can be at most 366 days"},
		{in: "999999999999w", err: "a duration can be at most 366 days"},
		{in: "366d1s", err: "a duration can be at most 366 days"},
		{in: "0s", err: "a duration must be longer than zero"},
		{in: "zero minutes", err: "a duration must be longer than zero"},
		{in: "0.0000000001h", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "5", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "m", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "5 m", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "100ms", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "-5m", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "5m5m", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "30m1h", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "30 minutes 1 hour", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "2 months", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "an hour and", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "and an hour", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "hour", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "five", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "1.h", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "5 minutes\n", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: "5\tminutes", err: "that is not a duration like 30m, 2h or 3 days"},
		{in: strings.Repeat("1 hour ", 13) + "x", err: "that is not a duration like 30m, 2h or 3 days"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"latest", "latest"},
		{"LATEST", "latest"},
		{"1.2.3", "1.2.3"},
		{"v1.2", "v1.2"},
		{"V1.2.3", "v1.2.3"},
		{"2", "2"},
		{"v2", "v2"},
		{"0.1.0", "0.1.0"},
		{"1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"},
		{"1.2.3-RC.1", "1.2.3-rc.1"},
		{"1.0.0-alpha-1", "1.0.0-alpha-1"},
		{"1.0.0+20130313144700", "1.0.0+20130313144700"},
		{"3F9C2AB", "3f9c2ab"},
		{"0123456", "0123456"},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"", ""},
		{"v", ""},
		{"1.", ""},
		{"1..2", ""},
		{"1.2.3.4", ""},
		{"01.2.3", ""},
		{"1.02.3", ""},
		{"1.2.3-", ""},
		{"1.2.3-01", ""},
		{"1.2.3-rc..1", ""},
		{"1.2.3+", ""},
		{"1.2.3+a+b", ""},
		{"1.2.3_4", ""},
		{"vv1", ""},
		{"version1", ""},
		{"deadbeef", ""},
		{"-1.2.3", ""},
		{"1.2.3;id", ""},
		{"1.2.3 ", ""},
		{"v1.2.3\n", ""},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseVersion(%q) = %q, want an error", tt.in, got)
		case tt.want == "" && !strings.HasPrefix(err.Error(), "that is not a version"):
			t.Errorf("ParseVersion(%q) error %q", tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseVersion(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSHA(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"3f9c2ab", "3f9c2ab"},
		{"3F9C2AB", "3f9c2ab"},
		{"1234567", "1234567"},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"deadbeef", ""},
		{"3f9c2a", ""},
		{"da39a3ee5e6b4b0d3255bfef95601890afd807091", ""},
		{"3f9c2ag", ""},
		{"3f9c-2ab", ""},
		{"0x3f9c2ab", ""},
	}
	for _, tt := range tests {
		got, err := ParseSHA(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseSHA(%q) = %q, want an error", tt.in, got)
		case tt.want == "" && err.Error() != "that is not a commit hash (7 to 40 hex digits)":
			t.Errorf("ParseSHA(%q) error %q", tt.in, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseSHA(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseIncident(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "#42", want: 42},
		{in: "INC-42", want: 42},
		{in: "inc42", want: 42},
		{in: "inc 42", want: 42},
		{in: "Incident 42", want: 42},
		{in: "incident #42", want: 42},
		{in: "incident-42", want: 42},
		{in: "inc #42", want: 42},
		{in: "42", want: 42},
		{in: "INC0012345", want: 12345},
		{in: "1000000000", want: 1000000000},
		{in: "1000000001", err: "an incident number must be from 1 to 1000000000"},
		{in: "#0", err: "an incident number must be from 1 to 1000000000"},
		{in: "0", err: "an incident number must be from 1 to 1000000000"},
		{in: "-42", err: "that is not an incident number like #42 or INC-42"},
		{in: "#-42", err: "that is not an incident number like #42 or INC-42"},
		{in: "##42", err: "that is not an incident number like #42 or INC-42"},
		{in: "# 42", err: "that is not an incident number like #42 or INC-42"},
		{in: "inc", err: "that is not an incident number like #42 or INC-42"},
		{in: "incident", err: "that is not an incident number like #42 or INC-42"},
		{in: "increase 42", err: "that is not an incident number like #42 or INC-42"},
		{in: "inc--42", err: "that is not an incident number like #42 or INC-42"},
		{in: "42a", err: "that is not an incident number like #42 or INC-42"},
		{in: "4 2", err: "that is not an incident number like #42 or INC-42"},
		{in: "#42.", err: "that is not an incident number like #42 or INC-42"},
		{in: "1e3", err: "that is not an incident number like #42 or INC-42"},
		{in: "9999999999999", err: "that is not an incident number like #42 or INC-42"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIncident(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseIncident(%q) = %d, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseIncident(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func mk(k Kind, text, value string, start, end int) Match {
	return Match{Kind: k, Text: text, Value: value, Start: start, End: end}
}

func TestScan(t *testing.T) {
	tests := []struct {
		in   string
		want []Match
	}{
		{"restart apache on 192.168.0.24", []Match{mk(KindIP, "192.168.0.24", "192.168.0.24", 18, 30)}},
		{"deploy checkout v2.3.1 to prod", []Match{mk(KindVersion, "v2.3.1", "v2.3.1", 16, 22)}},
		{"ack #42", []Match{mk(KindIncident, "#42", "42", 4, 7)}},
		{"resolve INC-7 please", []Match{mk(KindIncident, "INC-7", "7", 8, 13)}},
		{"incident 12 is fixed", []Match{mk(KindIncident, "incident 12", "12", 0, 11)}},
		{"Incident #99: db down", []Match{mk(KindIncident, "Incident #99", "99", 0, 12)}},
		{"check https://status.example.com/health.", []Match{mk(KindURL, "https://status.example.com/health", "https://status.example.com/health", 6, 39)}},
		{"snooze for 30 minutes", []Match{mk(KindDuration, "30 minutes", "30m0s", 11, 21)}},
		{"ping db01.prod.internal", []Match{mk(KindFQDN, "db01.prod.internal", "db01.prod.internal", 5, 23)}},
		{"lookup api.example.com", []Match{mk(KindFQDN, "api.example.com", "api.example.com", 7, 22)}},
		{"extend trial for acme by 14 days", []Match{mk(KindDuration, "14 days", "336h0m0s", 25, 32)}},
		{"mail bob@example.com", []Match{mk(KindEmail, "bob@example.com", "bob@example.com", 5, 20)}},
		{"rollback to 3f9c2ab", []Match{mk(KindSHA, "3f9c2ab", "3f9c2ab", 12, 19)}},
		{"résumé on wéb-1 192.168.0.24", []Match{mk(KindIP, "192.168.0.24", "192.168.0.24", 16, 28)}},
		{"restart apache on web-1?", []Match{mk(KindHostname, "web-1", "web-1", 18, 23)}},
		{"Restart DB01 and zeta-12, then ip-10-0-0-5.", []Match{
			mk(KindHostname, "DB01", "db01", 8, 12),
			mk(KindHostname, "zeta-12", "zeta-12", 17, 24),
			mk(KindHostname, "ip-10-0-0-5", "ip-10-0-0-5", 31, 42),
		}},
		{"web-1,web-2 and web-3's disk", []Match{
			mk(KindHostname, "web-1", "web-1", 0, 5),
			mk(KindHostname, "web-2", "web-2", 6, 11),
			mk(KindHostname, "web-3", "web-3", 16, 21),
		}},
		{"snooze an hour, then half an hour", []Match{
			mk(KindDuration, "an hour", "1h0m0s", 7, 14),
			mk(KindDuration, "half an hour", "30m0s", 21, 33),
		}},
		{"mute for 1h30m or 2 hours and 30 minutes or an hour and a half", []Match{
			mk(KindDuration, "1h30m", "1h30m0s", 9, 14),
			mk(KindDuration, "2 hours and 30 minutes", "2h30m0s", 18, 40),
			mk(KindDuration, "an hour and a half", "1h30m0s", 44, 62),
		}},
		{"scale to 3 replicas for a week", []Match{
			mk(KindInteger, "3", "3", 9, 10),
			mk(KindDuration, "a week", "168h0m0s", 24, 30),
		}},
		{"give me a second, set limit to 1,000", []Match{mk(KindInteger, "1,000", "1000", 31, 36)}},
		{"upgrade to 1.2.3-rc.1+build.5 or v2", []Match{
			mk(KindVersion, "1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5", 11, 29),
			mk(KindVersion, "v2", "v2", 33, 35),
		}},
		{"(see https://en.wikipedia.org/wiki/Go_(lang))", []Match{mk(KindURL, "https://en.wikipedia.org/wiki/Go_(lang)", "https://en.wikipedia.org/wiki/Go_%28lang%29", 5, 44)}},
		{"open grafana.example.com/d/abc?from=now-1h", []Match{mk(KindURL, "grafana.example.com/d/abc?from=now-1h", "https://grafana.example.com/d/abc?from=now-1h", 5, 42)}},
		{"see x.io/" + strings.Repeat("a", 300) + ",", []Match{mk(KindURL, "x.io/"+strings.Repeat("a", 300), "https://x.io/"+strings.Repeat("a", 300), 4, 309)}},
		{"see <https://x.io/a?b=1&amp;c=2|x.io/a> now", []Match{mk(KindURL, "<https://x.io/a?b=1&amp;c=2|x.io/a>", "https://x.io/a?b=1&c=2", 4, 39)}},
		{"ping <http://example.com|example.com>.", []Match{mk(KindFQDN, "<http://example.com|example.com>", "example.com", 5, 37)}},
		{"mail <mailto:bob@example.com|bob@example.com>", []Match{mk(KindEmail, "<mailto:bob@example.com|bob@example.com>", "bob@example.com", 5, 45)}},
		{"block fe80::1 and 10.0.0.1", []Match{
			mk(KindIP, "fe80::1", "fe80::1", 6, 13),
			mk(KindIP, "10.0.0.1", "10.0.0.1", 18, 26),
		}},
		{"route 2001:db8:: via fe80::1.", []Match{
			mk(KindIP, "2001:db8::", "2001:db8::", 6, 16),
			mk(KindIP, "fe80::1", "fe80::1", 21, 28),
		}},
		{"«web-1» — “db-2”", []Match{
			mk(KindHostname, "web-1", "web-1", 1, 6),
			mk(KindHostname, "db-2", "db-2", 11, 15),
		}},
		{"INCIDENT 7\nincident\n8", []Match{mk(KindIncident, "INCIDENT 7", "7", 0, 10), mk(KindInteger, "8", "8", 20, 21)}},
		{"wait 5\nminutes", []Match{mk(KindInteger, "5", "5", 5, 6)}},
		{"the incident 3 days ago", []Match{mk(KindIncident, "incident 3", "3", 4, 14)}},
		{"web-1\xffweb-2", []Match{mk(KindHostname, "web-1", "web-1", 0, 5), mk(KindHostname, "web-2", "web-2", 6, 11)}},
		// No matches.
		{"who is on call", nil},
		{"hello there", nil},
		{"e.g. the config.yaml file", nil},
		{"i.e. see README.md and main.go, node.js or nginx.service", nil},
		{"done.Thanks for the follow-up", nil},
		{"this is a p1 on k8s, ipv6 only, 1st time, 100gb disk, 5xx errors", nil},
		{"restart wéb-1 and wеb-1 and web‐1", nil},
		{"the -oProxyCommand=x trick and $(reboot) and `id`", nil},
		{"deadbeef and cafe and 1.5 and 3.14", nil},
		{"at 10:30 on 2024-01-02", nil},
		{"move it 5 m left", []Match{mk(KindInteger, "5", "5", 8, 9)}},
		{"a second server, one of us, the 5 servers", []Match{mk(KindInteger, "5", "5", 32, 33)}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Scan(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("Scan(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Scan(%q)[%d] = %+v, want %+v", tt.in, i, got[i], tt.want[i])
				}
			}
			checkMatches(t, tt.in, got)
		})
	}
}

// checkMatches verifies the invariants every Scan result must hold.
func checkMatches(t *testing.T, text string, ms []Match) {
	t.Helper()
	runes := []rune(text)
	prev := 0
	for i, m := range ms {
		if m.Start < prev || m.End <= m.Start || m.End > len(runes) {
			t.Fatalf("Scan(%q)[%d] span [%d,%d) out of order or range (prev end %d, %d runes)", text, i, m.Start, m.End, prev, len(runes))
		}
		if got := string(runes[m.Start:m.End]); got != m.Text {
			t.Fatalf("Scan(%q)[%d] text %q but span holds %q", text, i, m.Text, got)
		}
		if m.Value == "" || m.Kind == "" {
			t.Fatalf("Scan(%q)[%d] = %+v has no kind or value", text, i, m)
		}
		if m.Kind != KindURL && m.Kind != KindDuration {
			if err := unsafeText(m.Value, false); err != nil {
				t.Fatalf("Scan(%q)[%d] value %q: %v", text, i, m.Value, err)
			}
		}
		prev = m.End
	}
}

// unsafeText returns why s is unsafe to hand to an executor, or nil. With
// link set, '&' is allowed after a '?'.
func unsafeText(s string, link bool) error {
	if s == "" {
		return fmt.Errorf("empty")
	}
	if s[0] == '-' {
		return fmt.Errorf("starts with '-'")
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	query := strings.IndexByte(s, '?')
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return fmt.Errorf("whitespace or control character %U", r)
		case r == '&' && link && query >= 0 && i > query:
		case strings.ContainsRune(";|&$`<>(){}'\"\\", r):
			return fmt.Errorf("shell metacharacter %q", r)
		case r >= utf8.RuneSelf && !link:
			return fmt.Errorf("non-ASCII %q", r)
		}
	}
	return nil
}

func TestScanLinearTime(t *testing.T) {
	const size = 1 << 20
	inputs := map[string]string{
		"letters":   strings.Repeat("a", size),
		"words":     strings.Repeat("abc ", size/4),
		"digits":    strings.Repeat("1", size),
		"commas":    strings.Repeat("1,", size/2),
		"numbers":   strings.Repeat("5 ", size/2),
		"articles":  strings.Repeat("an ", size/3),
		"units":     strings.Repeat("5 hours and ", size/12),
		"incidents": strings.Repeat("incident ", size/9),
		"hosts":     strings.Repeat("web-1 ", size/6),
		"dots":      strings.Repeat("a.", size/2),
		"opens":     strings.Repeat("(", size),
		"closes":    strings.Repeat(")", size),
		"wrapped":   strings.Repeat("<http://x|", size/10),
		"wrapped2":  "<http://x|" + strings.Repeat("a", size),
		"link":      "https://x.io/" + strings.Repeat("a", size),
		"invalid":   strings.Repeat("\xff", size),
		"mixed":     strings.Repeat("é€😀\xffa-1 ", size/16),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			ms := Scan(in)
			elapsed := time.Since(start)
			if elapsed > 5*time.Second {
				t.Errorf("Scan of 1 MB took %v", elapsed)
			}
			if len(ms) > 0 && len(ms) < 100 {
				checkMatches(t, in, ms)
			}
		})
	}
}

func TestScanNoAllocationsWithoutMatches(t *testing.T) {
	for _, in := range []string{
		"who is on call for the payments team today?",
		"e.g. the config.yaml file, a second server, one of us",
		"restart wéb-1 and half the deploys",
	} {
		if n := testing.AllocsPerRun(100, func() { Scan(in) }); n != 0 {
			t.Errorf("Scan(%q) allocates %v times", in, n)
		}
	}
}

func BenchmarkScan(b *testing.B) {
	for _, in := range []string{
		"can you restart apache on web-1 please?",
		"who is on call for the payments team??",
		"snooze INC-42 for 30 minutes, then ping me",
	} {
		b.Run(fmt.Sprintf("%d", len(in)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Scan(in)
			}
		})
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"restart apache on 192.168.0.24",
		"résumé on wéb-1 192.168.0.24",
		"check https://status.example.com/health.",
		"see <https://x.io/a?b=1&amp;c=2|x.io/a> now",
		"incident #42 for 2 hours and 30 minutes",
		"web-1,web-2 and web-3's disk (db01.prod.internal)",
		"an hour and a half\nincident\n8",
		"\xff<http://x|<mailto:a@b.c|",
		"fe80::1 ::1 1,000 v2.3.1 3f9c2ab",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkMatches(t, text, Scan(text))
	})
}

func FuzzParseHost(f *testing.F) {
	for _, s := range append([]string{"web-1", "192.168.0.24", "::1", "db01.prod.internal.", "WEB-1"}, hostile[:len(hostile)-4]...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHost(s)
		if err != nil {
			return
		}
		if e := unsafeText(h, false); e != nil {
			t.Fatalf("ParseHost(%q) = %q: %v", s, h, e)
		}
		if again, err := ParseHost(h); err != nil || again != h {
			t.Fatalf("ParseHost(%q) = %q, not canonical: %q, %v", s, h, again, err)
		}
		if hn, err := ParseHostname(s); err == nil && hn != h {
			t.Fatalf("ParseHostname(%q) = %q but ParseHost gives %q", s, hn, h)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"https://status.example.com/health", "example.com/a?b=c&d=e#f", "<https://x.io/a|x.io/a>",
		"http://[::1]:8080/", "https://x.io/Go_(lang)", "https://x/%7e;'", "javascript:alert(1)",
		"https://x.io/café?ä#ö", "https://x.io/#a#b", "https://x.io/a#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		out := u.String()
		if e := unsafeText(out, true); e != nil {
			t.Fatalf("ParseURL(%q) = %q: %v", s, out, e)
		}
		if len(out) > maxURL || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" {
			t.Fatalf("ParseURL(%q) = %q breaks the rules", s, out)
		}
		if again, err := ParseURL(out); err != nil || again.String() != out {
			t.Fatalf("ParseURL(%q) = %q, not canonical: %v, %v", s, out, again, err)
		}
	})
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"bob@example.com", "v1.2.3-rc.1", "3f9c2ab", "1,000", "an hour and a half", "INC-42", "twenty-five"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, err := ParseEmail(s); err == nil {
			if bad := unsafeText(e, false); bad != nil {
				t.Fatalf("ParseEmail(%q) = %q: %v", s, e, bad)
			}
		}
		if v, err := ParseVersion(s); err == nil {
			if bad := unsafeText(v, false); bad != nil {
				t.Fatalf("ParseVersion(%q) = %q: %v", s, v, bad)
			}
		}
		if d, err := ParseDuration(s); err == nil && (d <= 0 || d > maxDuration) {
			t.Fatalf("ParseDuration(%q) = %v, out of range", s, d)
		}
		if n, err := ParseIncident(s); err == nil && (n < 1 || n > maxIncident) {
			t.Fatalf("ParseIncident(%q) = %d, out of range", s, n)
		}
		if n, err := ParseInt(s, -100, 100); err == nil && (n < -100 || n > 100) {
			t.Fatalf("ParseInt(%q) = %d, out of range", s, n)
		}
	})
}
