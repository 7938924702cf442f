package httpexec

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

func TestNewErrors(t *testing.T) {
	params := []string{"account", "days"}
	hosts := []string{"api.example.com"}
	secrets := map[string]string{"API_KEY": "k"}
	base := "https://api.example.com/v1"
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"empty allow-list", Spec{URL: base}, "allow_hosts is empty"},
		{"host off the allow-list", Spec{URL: "https://evil.example/v1", AllowHosts: hosts}, "host evil.example is not on allow_hosts"},
		{"placeholder in host", Spec{URL: "https://{account}.example.com/", AllowHosts: []string{"*.example.com"}}, "placeholders are not allowed in the host"},
		{"placeholder in port", Spec{URL: "https://api.example.com:{days}/", AllowHosts: hosts}, "placeholders are not allowed in the host"},
		{"secret in host", Spec{URL: "https://${API_KEY}.example.com/", AllowHosts: hosts, Secrets: secrets}, "placeholders are not allowed in the host"},
		{"placeholder in scheme", Spec{URL: "{account}://api.example.com/", AllowHosts: hosts}, "placeholders are not allowed in the scheme"},
		{"other scheme", Spec{URL: "ftp://api.example.com/", AllowHosts: hosts}, "must start with http:// or https://"},
		{"no scheme", Spec{URL: "api.example.com/x", AllowHosts: hosts}, "must start with http:// or https://"},
		{"credentials", Spec{URL: "https://user:pw@api.example.com/", AllowHosts: hosts}, "credentials in the URL are not allowed"},
		{"fragment", Spec{URL: base + "#top", AllowHosts: hosts}, "fragment"},
		{"bad port", Spec{URL: "https://api.example.com:99999/", AllowHosts: hosts}, `bad port "99999"`},
		{"unknown path placeholder", Spec{URL: base + "/{acount}", AllowHosts: hosts}, "placeholder {acount} is not a parameter of the skill"},
		{"unknown query placeholder", Spec{URL: base + "?d={day}", AllowHosts: hosts}, "placeholder {day} is not a parameter"},
		{"placeholder in a query name", Spec{URL: base + "?{account}=1", AllowHosts: hosts}, "placeholders may fill values, not names"},
		{"secret in path", Spec{URL: base + "/${API_KEY}", AllowHosts: hosts, Secrets: secrets}, "secret ${API_KEY} is not allowed here"},
		{"unknown secret", Spec{URL: base + "?k=${API_KY}", AllowHosts: hosts, Secrets: secrets}, "unknown secret ${API_KY}"},
		{"bad secret reference", Spec{URL: base + "?k=${api-key}", AllowHosts: hosts}, "a secret name is letters"},
		{"unclosed secret", Spec{URL: base + "?k=${API_KEY", AllowHosts: hosts, Secrets: secrets}, "unclosed ${"},
		{"dot segment", Spec{URL: base + "/../admin", AllowHosts: hosts}, `"." and ".." segments are not allowed`},
		{"encoded dot segment", Spec{URL: base + "/%2e%2E/admin", AllowHosts: hosts}, `"." and ".." segments are not allowed`},
		{"space in path", Spec{URL: base + "/a b", AllowHosts: hosts}, "character ' ' must be percent-encoded"},
		{"literal brace in path", Spec{URL: base + "/{{x}}", AllowHosts: hosts}, "character '{' must be percent-encoded"},
		{"unbalanced brace", Spec{URL: base + "/x}", AllowHosts: hosts}, "unbalanced '}'"},
		{"unclosed brace", Spec{URL: base + "/{account", AllowHosts: hosts}, "unclosed '{'"},
		{"empty placeholder", Spec{URL: base + "/{}", AllowHosts: hosts}, "empty placeholder {}"},
		{"empty query item", Spec{URL: base + "?a=1&&b=2", AllowHosts: hosts}, "a parameter without a name"},
		{"response path in URL", Spec{URL: base + "/{.id}", AllowHosts: hosts}, "response path {.id} used outside the response template"},
		{"bad method", Spec{Method: "TRACE", URL: base, AllowHosts: hosts}, `method "TRACE"`},
		{"GET with a body", Spec{URL: base, Body: "x", BodyFormat: "text", AllowHosts: hosts}, "a GET request has no body"},
		{"body without format", Spec{Method: "POST", URL: base, Body: "x={account}", AllowHosts: hosts}, "a body needs body_format json, form or text"},
		{"unknown format", Spec{Method: "POST", URL: base, Body: "x", BodyFormat: "xml", AllowHosts: hosts}, `body_format "xml"`},
		{"format without body", Spec{Method: "POST", URL: base, BodyFormat: "json", AllowHosts: hosts}, "without a body"},
		{"invalid JSON", Spec{Method: "POST", URL: base, Body: `{"a": "{account}"`, BodyFormat: "json", AllowHosts: hosts}, "not valid JSON"},
		{"quoted JSON placeholder", Spec{Method: "POST", URL: base, Body: `{"a": "{account}" "b"}`, BodyFormat: "json", AllowHosts: hosts}, "not valid JSON"},
		{"unknown JSON placeholder", Spec{Method: "POST", URL: base, Body: `{"a": {acount}}`, BodyFormat: "json", AllowHosts: hosts}, "placeholder {acount} is not a parameter"},
		{"unknown form placeholder", Spec{Method: "POST", URL: base, Body: "a={acount}", BodyFormat: "form", AllowHosts: hosts}, "placeholder {acount}"},
		{"unknown text placeholder", Spec{Method: "POST", URL: base, Body: "{acount}", BodyFormat: "text", AllowHosts: hosts}, "placeholder {acount}"},
		{"bad header name", Spec{URL: base, Headers: map[string]string{"X Bad": "1"}, AllowHosts: hosts}, `header name "X Bad"`},
		{"header twice", Spec{URL: base, Headers: map[string]string{"x-a": "1", "X-A": "2"}, AllowHosts: hosts}, "header X-A is given twice"},
		{"reserved header", Spec{URL: base, Headers: map[string]string{"host": "evil.example"}, AllowHosts: hosts}, "header Host is set by the HTTP client"},
		{"line break in header", Spec{URL: base, Headers: map[string]string{"X-A": "a\r\nX-B: b"}, AllowHosts: hosts}, "a value is one line"},
		{"unknown header placeholder", Spec{URL: base, Headers: map[string]string{"X-A": "{acount}"}, AllowHosts: hosts}, "header X-A: placeholder {acount}"},
		{"secret in response", Spec{URL: base, Response: "${API_KEY}", AllowHosts: hosts, Secrets: secrets}, "secret ${API_KEY} is not allowed here"},
		{"bad response path", Spec{URL: base, Response: "{.a..b}", AllowHosts: hosts}, "not followed by a field name"},
		{"bad response index", Spec{URL: base, Response: "{.a[x]}", AllowHosts: hosts}, "[x] at byte 2"},
		{"unclosed response index", Spec{URL: base, Response: "{.a[1}", AllowHosts: hosts}, "unclosed '['"},
		{"response path with spaces", Spec{URL: base, Response: "{.a b}", AllowHosts: hosts}, `unexpected ' '`},
		{"unknown response placeholder", Spec{URL: base, Response: "{acount}", AllowHosts: hosts}, "placeholder {acount}"},
		{"empty secret", Spec{URL: base, Secrets: map[string]string{"K": ""}, AllowHosts: hosts}, "secret K is empty"},
		{"secret with a line break", Spec{URL: base, Secrets: map[string]string{"K": "a\nb"}, AllowHosts: hosts}, "secret K holds a line break"},
		{"bad secret name", Spec{URL: base, Secrets: map[string]string{"my-key": "v"}, AllowHosts: hosts}, `secret name "my-key"`},
		{"negative timeout", Spec{URL: base, Timeout: -time.Second, AllowHosts: hosts}, "negative timeout"},
		{"negative max body", Spec{URL: base, MaxBody: -1, AllowHosts: hosts}, "negative max_body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.spec, params)
			if err == nil {
				t.Fatalf("New(%v) = %v, want an error saying %q", tt.spec, e, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%v) error %q, want it to say %q", tt.spec, err, tt.want)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	params := []string{"account", "days"}
	for _, spec := range []Spec{
		{URL: "HTTPS://API.Example.com:8443", AllowHosts: []string{"api.example.com"}},
		{URL: "https://api.example.com/v1/{account}/x;v=1/@me/a:b?x=1&y&days={days}&s=a%2Fb", AllowHosts: []string{"*.example.com", "api.example.com"}},
		{URL: "http://[::1]:8080/x", AllowHosts: []string{"::1"}},
		{URL: "http://10.1.2.3/x", AllowHosts: []string{"10.0.0.0/8"}},
		{Method: "patch", URL: "https://api.example.com/", Body: `{"a": [{account}, {"b": {days}}], "c": "{{literal}}"}`, BodyFormat: "json", AllowHosts: []string{"api.example.com"}},
		{Method: "DELETE", URL: "https://api.example.com/", Body: "a={account}&b", BodyFormat: "form", AllowHosts: []string{"api.example.com"}},
		{URL: "https://api.example.com/", Response: "{.} {.a} {.[0]} {.a.b[0][*].c} {.[\"x}y\"]} {account} {{}}", AllowHosts: []string{"api.example.com"}},
	} {
		if _, err := New(spec, params); err != nil {
			t.Errorf("New(%v): %v", spec, err)
		}
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, `{"account": %q}`, strings.TrimPrefix(r.URL.Path, "/accounts/"))
	})
	r := newRunner(t, Spec{URL: srv.URL + "/accounts/{account}", AllowHosts: local, Response: "{.account}"},
		skillOf(map[string]skills.Type{"account": textType}))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		wg.Go(func() {
			for j := range 5 {
				want := fmt.Sprintf("acct-%d-%d", i, j)
				args, err := r.skill.Bind(map[string]string{"account": want}, skills.Caller{})
				if err != nil {
					errs <- err
					return
				}
				res, err := r.exec.Execute(context.Background(), skills.Call{Args: args})
				if err != nil || res.Text != want {
					errs <- fmt.Errorf("call %s: %q, %v", want, res.Text, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
