package httpexec

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

// hostile values, and how each must arrive as a path segment and as a
// query value.
var hostile = []struct {
	value, path, query string
}{
	{"a/../b", "a%2F..%2Fb", "a%2F..%2Fb"},
	{"x&y=z", "x&y=z", "x%26y%3Dz"},
	{`"quote"`, "%22quote%22", "%22quote%22"},
	{"{}", "%7B%7D", "%7B%7D"},
	{"日本 ü", "%E6%97%A5%E6%9C%AC%20%C3%BC", "%E6%97%A5%E6%9C%AC+%C3%BC"},
	{"%2F", "%252F", "%252F"},
	{"a b+c", "a%20b+c", "a+b%2Bc"},
	{"?#frag", "%3F%23frag", "%3F%23frag"},
	{"../..", "..%2F..", "..%2F.."},
	{"${API_KEY} {days}", "$%7BAPI_KEY%7D%20%7Bdays%7D", "%24%7BAPI_KEY%7D+%7Bdays%7D"},
}

func TestPathAndQueryEncoding(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{
		URL:        srv.URL + "/v1/accounts/{account}/trial?days={days}&q={account}&fixed=a%20b&flag",
		AllowHosts: local,
		Secrets:    map[string]string{"API_KEY": "k"},
	}, skillOf(map[string]skills.Type{"account": textType, "days": daysType}))
	for _, h := range hostile {
		t.Run(h.value, func(t *testing.T) {
			r.text(map[string]string{"account": h.value, "days": "14"})
			got := srv.last(t).requestURI
			want := "/v1/accounts/" + h.path + "/trial?days=14&q=" + h.query + "&fixed=a%20b&flag"
			if got != want {
				t.Fatalf("request URI\n  %s\nwant\n  %s", got, want)
			}
			rawPath, rawQuery, _ := strings.Cut(got, "?")
			segs := strings.Split(rawPath, "/")
			if len(segs) != 5 {
				t.Errorf("path %q has %d segments, want 5", rawPath, len(segs))
			}
			if seg, err := url.PathUnescape(segs[3]); err != nil || seg != h.value {
				t.Errorf("path segment decodes to %q, %v; want %q", seg, err, h.value)
			}
			q, err := url.ParseQuery(rawQuery)
			if err != nil || q.Get("q") != h.value || len(q) != 4 {
				t.Errorf("query %q parses to %v, %v; want q=%q among 4 parameters", rawQuery, q, err, h.value)
			}
		})
	}
}

func TestDotSegmentsAreRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{URL: srv.URL + "/v1/accounts/{account}/x{suffix}", AllowHosts: local},
		skillOf(map[string]skills.Type{"account": textType, "suffix": textType}))
	for _, raw := range []map[string]string{
		{"account": "..", "suffix": "y"},
		{"account": ".", "suffix": "y"},
	} {
		_, err := r.run(context.Background(), raw)
		if msg := userError(t, err); !strings.Contains(msg, "“..”") {
			t.Errorf("%v: %q", raw, msg)
		}
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("the server received %d requests", n)
	}
	// Dots inside a segment are only text.
	r.text(map[string]string{"account": "...", "suffix": "."})
	if got := srv.last(t).requestURI; got != "/v1/accounts/.../x." {
		t.Errorf("request URI %q", got)
	}
}

func TestJSONBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{
		Method:     "post",
		URL:        srv.URL + "/v1/trials",
		Body:       `{"account": {account}, "days": {days}, "note": "for {account} by parley {{x}}", "list": [{account}, {days}], "key": "k=${API_KEY}", "raw": ${API_KEY}, "nested": {"reason": {reason}}}`,
		BodyFormat: "json",
		Secrets:    map[string]string{"API_KEY": `s"e/c`},
		AllowHosts: local,
	}, skillOf(map[string]skills.Type{"account": textType, "days": daysType, "reason": textType}))

	account := `a"b\c</script>&{days} 日本 ✓`
	r.text(map[string]string{"account": account, "days": "14"})
	got := srv.last(t)
	want := `{"account": "a\"b\\c</script>&{days} 日本 ✓", "days": 14, "note": "for a\"b\\c</script>&{days} 日本 ✓ by parley {x}", "list": ["a\"b\\c</script>&{days} 日本 ✓", 14], "key": "k=s\"e/c", "raw": "s\"e/c", "nested": {"reason": null}}`
	if string(got.body) != want {
		t.Errorf("body\n  %s\nwant\n  %s", got.body, want)
	}
	if got.method != "POST" || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("method %s, content type %q", got.method, got.header.Get("Content-Type"))
	}

	for _, h := range hostile {
		r.text(map[string]string{"account": h.value, "days": "90", "reason": h.value})
		var doc struct {
			Account string
			Days    int
			Note    string
			List    []any
			Nested  struct{ Reason string }
		}
		body := srv.last(t).body
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%q: body %s is not JSON: %v", h.value, body, err)
		}
		if doc.Account != h.value || doc.Days != 90 || doc.Note != "for "+h.value+" by parley {x}" || doc.Nested.Reason != h.value || len(doc.List) != 2 {
			t.Errorf("%q: body decodes to %+v", h.value, doc)
		}
	}
}

func TestFormBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{
		Method:     "PUT",
		URL:        srv.URL + "/v1/trials",
		Body:       "account={account}&days={days}&src=parley&note={note}&token=${API_KEY}",
		BodyFormat: "form",
		Secrets:    map[string]string{"API_KEY": "a&b=c"},
		AllowHosts: local,
	}, skillOf(map[string]skills.Type{"account": textType, "days": daysType, "note": textType}))
	for _, h := range hostile {
		r.text(map[string]string{"account": h.value, "days": "7"})
		got := srv.last(t)
		if want := "account=" + h.query + "&days=7&src=parley&token=a%26b%3Dc"; string(got.body) != want {
			t.Errorf("body\n  %s\nwant\n  %s", got.body, want)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("content type %q", ct)
		}
		form, err := url.ParseQuery(string(got.body))
		if err != nil || form.Get("account") != h.value || form.Has("note") {
			t.Errorf("form %s parses to %v, %v", got.body, form, err)
		}
	}
}

func TestTextBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{
		Method: "POST", URL: srv.URL + "/notes", Body: "Note for {account}: {{verbatim}} ${API_KEY}", BodyFormat: "text",
		Secrets: map[string]string{"API_KEY": "k1"}, AllowHosts: local,
	}, skillOf(map[string]skills.Type{"account": textType}))
	r.text(map[string]string{"account": `x&y="z" {days}`})
	got := srv.last(t)
	if want := `Note for x&y="z" {days}: {verbatim} k1`; string(got.body) != want {
		t.Errorf("body %q, want %q", got.body, want)
	}
	if ct := got.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	r := newRunner(t, Spec{
		URL: srv.URL + "/x",
		Headers: map[string]string{
			"x-account":  "{account}",
			"X-Optional": "{note}",
			"X-Mixed":    "id={account}; {{braces}}",
			"User-Agent": "parley-billing/1",
			"Accept":     "text/csv",
		},
		AllowHosts: local,
	}, skillOf(map[string]skills.Type{"account": textType, "note": textType}))
	r.text(map[string]string{"account": `"quote" 日本 %2F {}`})
	h := srv.last(t).header
	for name, want := range map[string]string{
		"X-Account":  `"quote" 日本 %2F {}`,
		"X-Mixed":    `id="quote" 日本 %2F {}; {braces}`,
		"User-Agent": "parley-billing/1",
		"Accept":     "text/csv",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if _, ok := h["X-Optional"]; ok {
		t.Errorf("header X-Optional sent for an unset parameter: %q", h.Get("X-Optional"))
	}
}
