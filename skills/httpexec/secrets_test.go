package httpexec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

const apiToken = `t0k3n/with+odd=chars"&`

// forms lists the ways a secret value could show up in text.
func forms(s string) []string {
	return []string{s, url.QueryEscape(s), url.PathEscape(s), jsonInner(s)}
}

func noSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range forms(s) {
			if strings.Contains(text, f) {
				t.Errorf("%s shows a secret (%q):\n%s", what, f, text)
			}
		}
	}
}

// echo answers with what it received: the Authorization and X-Pin
// headers and the raw query, as JSON; /fail does the same with a 500.
func echo(w http.ResponseWriter, r *http.Request) {
	doc, _ := json.Marshal(map[string]string{
		"auth":  r.Header.Get("Authorization"),
		"pin":   r.Header.Get("X-Pin"),
		"query": r.URL.RawQuery,
		"note":  "the apiToken is " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "),
	})
	if r.URL.Path == "/fail" {
		w.WriteHeader(http.StatusInternalServerError)
	}
	_, _ = w.Write(doc)
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	srv := newServer(t, echo)
	skill := skillOf(map[string]skills.Type{"account": textType, "pin": textType}, "pin")
	spec := Spec{
		URL:        srv.URL + "/ok?account={account}&key=${API_TOKEN}",
		Headers:    map[string]string{"Authorization": "Bearer ${API_TOKEN}", "X-Pin": "{pin}"},
		Secrets:    map[string]string{"API_TOKEN": apiToken},
		AllowHosts: local,
		Response:   "auth={.auth} pin={.pin} query={.query} note={.note} raw={.}",
	}
	raw := map[string]string{"account": "acme", "pin": "4711-secret-pin"}
	r := newRunner(t, spec, skill)

	text := r.text(raw)
	got := srv.last(t)
	if a := got.header.Get("Authorization"); a != "Bearer "+apiToken {
		t.Errorf("server got Authorization %q, want the secret", a)
	}
	if q := got.requestURI; q != "/ok?account=acme&key="+url.QueryEscape(apiToken) {
		t.Errorf("server got %q", q)
	}
	if p := got.header.Get("X-Pin"); p != "4711-secret-pin" {
		t.Errorf("server got X-Pin %q", p)
	}
	noSecret(t, "reply", text, apiToken, "4711-secret-pin")
	if !strings.Contains(text, "auth=Bearer ••••") || !strings.Contains(text, "pin=••••") {
		t.Errorf("reply does not show where the secrets were masked: %s", text)
	}

	plain := newRunner(t, Spec{URL: srv.URL + "/ok", Headers: spec.Headers, Secrets: spec.Secrets, AllowHosts: local}, skill)
	noSecret(t, "plain reply", plain.text(raw), apiToken, "4711-secret-pin")

	spec.URL = srv.URL + "/fail?key=${API_TOKEN}"
	_, err := newRunner(t, spec, skill).run(context.Background(), raw)
	noSecret(t, "error", userError(t, err), apiToken, "4711-secret-pin")

	// An internal error quoting the URL is scrubbed too.
	spec.URL = "http://127.0.0.1:1/?key=${API_TOKEN}"
	e := newRunner(t, spec, skill).exec
	args, _ := skill.Bind(raw, skills.Caller{})
	_, err = e.Execute(context.Background(), skills.Call{Args: args})
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	noSecret(t, "connection error", err.Error(), apiToken)
}

func TestSecretsDoNotPrint(t *testing.T) {
	spec := Spec{URL: "https://api.example.com/x", Secrets: map[string]string{"API_TOKEN": apiToken}, AllowHosts: []string{"api.example.com"}}
	e, err := New(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("skill", "spec", spec, "executor", e)
	for _, s := range []string{fmt.Sprint(spec), fmt.Sprintf("%+v", spec), fmt.Sprint(e), fmt.Sprintf("%v", e), logged.String()} {
		noSecret(t, "printed", s, apiToken)
		if !strings.Contains(s, "api.example.com") {
			t.Errorf("printed %q does not say what it calls", s)
		}
	}
}

func TestScrubber(t *testing.T) {
	sc := newScrubber([]string{"abc", "abcdef", `x"y`})
	tests := []struct{ in, want string }{
		{"abcdef and abc", "•••• and ••••"},
		{`{"k": "x\"y"}`, `{"k": "••••"}`},
		{"q=x%22y", "q=••••"},
		{"nothing", "nothing"},
	}
	for _, tt := range tests {
		if got := sc.scrub(tt.in); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := (scrubber{}).scrub("abc"); got != "abc" {
		t.Errorf("an empty scrubber changed %q", got)
	}

	vis := []struct {
		body     string
		cutShort bool
		want     string
	}{
		{"key x\x00\"y!", false, "key ••••!"},
		{"key x\x1b[1m\"y!", false, "key ••••!"},
		{"tail: 1234567890abcd", true, "tail: 12345678"},
		{"tail: 1234567890abcd", false, "tail: 1234567890••••d"},
	}
	for _, tt := range vis {
		if got := sc.visible([]byte(tt.body), tt.cutShort); got != tt.want {
			t.Errorf("visible(%q, %v) = %q, want %q", tt.body, tt.cutShort, got, tt.want)
		}
	}

	// A secret the display limit cuts in two is masked before the cut.
	long := strings.Repeat("z", 197) + "abcdef tail"
	if got, want := sc.short([]byte(long), false, 200), strings.Repeat("z", 197)+"••…"; got != want {
		t.Errorf("short = %q, want %q", got, want)
	}
}

// TestSecretsStayOnTheirHost checks that a redirect to another host and
// port does not carry headers holding secrets, while plain ones follow.
func TestSecretsStayOnTheirHost(t *testing.T) {
	t.Parallel()
	other := newServer(t, nil)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusTemporaryRedirect)
		default:
			_, _ = io.WriteString(w, `{"ok": true}`)
		}
	})
	spec := Spec{
		Headers:    map[string]string{"X-Api-Key": "${API_KEY}", "X-Plain": "visible"},
		Secrets:    map[string]string{"API_KEY": "k-123"},
		AllowHosts: local,
	}
	spec.URL = srv.URL + "/here"
	newRunner(t, spec, skillOf(nil)).text(nil)
	for _, req := range srv.requests() {
		if req.header.Get("X-Api-Key") != "k-123" {
			t.Errorf("%s on the same host lost its key", req.requestURI)
		}
	}
	spec.URL = srv.URL + "/away?key=${API_KEY}"
	newRunner(t, spec, skillOf(nil)).text(nil)
	got := other.last(t)
	if got.requestURI != "/landing" || got.header.Get("X-Plain") != "visible" {
		t.Errorf("the redirect target got %s with X-Plain %q", got.requestURI, got.header.Get("X-Plain"))
	}
	if k := got.header.Get("X-Api-Key"); k != "" {
		t.Errorf("the secret header followed the redirect to another host: %q", k)
	}
	if ref := got.header.Get("Referer"); ref != "" {
		t.Errorf("the redirect target was told where it came from: %q", ref)
	}
}
