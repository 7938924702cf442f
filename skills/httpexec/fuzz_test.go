package httpexec

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

// FuzzValueEncoding checks, for any value the text type accepts, that a
// path placeholder fills exactly one segment, a query placeholder exactly
// one value, and a JSON placeholder exactly one string, each decoding back
// to the value, and that the host never changes.
func FuzzValueEncoding(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.value)
	}
	for _, s := range []string{"..", ".", "a\\b", "\u00e9\u0301", "@evil.com", "//evil.com", "%", "%%32%66", "+", "&", "#", "\"}", "{account}", "${API_KEY}"} {
		f.Add(s)
	}
	skill := skillOf(map[string]skills.Type{"v": textType})
	n := &names{params: map[string]bool{"v": true}, secrets: map[string]string{}}
	u, err := n.parseURL("https://api.example.com/a/{v}/b?x=1&q={v}&y=2")
	if err != nil {
		f.Fatal(err)
	}
	body, err := n.parseJSON(`{"v": {v}, "in": "<{v}>", "list": [{v}]}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		args, err := skill.Bind(map[string]string{"v": raw}, skills.Caller{})
		if err != nil {
			return
		}
		v := args.String("v")
		s, err := u.build(args, nil)
		if err != nil {
			if v != "." && v != ".." {
				t.Fatalf("build(%q): %v", v, err)
			}
			return
		}
		parsed, err := url.Parse(s)
		if err != nil {
			t.Fatalf("build(%q) = %q, which does not parse: %v", v, s, err)
		}
		if parsed.Scheme != "https" || parsed.Host != "api.example.com" || parsed.User != nil || parsed.Fragment != "" {
			t.Fatalf("build(%q) = %q reaches %s://%s", v, s, parsed.Scheme, parsed.Host)
		}
		segs := strings.Split(parsed.EscapedPath(), "/")
		if len(segs) != 4 || segs[1] != "a" || segs[3] != "b" {
			t.Fatalf("build(%q) = %q: path segments %q", v, s, segs)
		}
		if seg, err := url.PathUnescape(segs[2]); err != nil || seg != v {
			t.Fatalf("build(%q) = %q: segment decodes to %q, %v", v, s, seg, err)
		}
		q, err := url.ParseQuery(parsed.RawQuery)
		if err != nil || len(q) != 3 || q.Get("q") != v || q.Get("x") != "1" || q.Get("y") != "2" {
			t.Fatalf("build(%q) = %q: query %v, %v", v, s, q, err)
		}

		var doc struct {
			V    string
			In   string
			List []string
		}
		out := body.fill(args, nil)
		dec := json.NewDecoder(strings.NewReader(string(out)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("JSON body for %q is %s: %v", v, out, err)
		}
		if doc.V != v || doc.In != "<"+v+">" || len(doc.List) != 1 || doc.List[0] != v {
			t.Fatalf("JSON body for %q decodes to %+v", v, doc)
		}
	})
}

// FuzzResponsePath checks that any path either fails to parse or renders
// without panicking.
func FuzzResponsePath(f *testing.F) {
	for _, s := range []string{".", ".a.b", ".items[0].name", ".items[*].name", ".items[-1]", `.["a b"]`, ".[0]", ".a[", ".a[x]", `.["`, ".a..b"} {
		f.Add(s)
	}
	var doc any
	if err := json.Unmarshal([]byte(account), &doc); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePath(s)
		if err != nil {
			return
		}
		_ = p.render(doc, scrubber{})
		_ = p.render(nil, scrubber{})
	})
}
