package httpexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

const account = `{
	"account": {"name": "acme", "trial_ends": "2030-01-31", "seats": 12345678901234567890, "ratio": 1.50,
		"active": true, "owner": null, "tags": ["a", "b"], "plan": {"id": 7, "name": "pro <beta>"}},
	"items": [{"name": "one", "id": 1}, {"name": "two", "id": 2}, {"id": 3}],
	"odd key": {"x.y": "dotted", "a\"b": "quoted"},
	"empty": [],
	"bad": "line1\nline2\u001b[31m red\u0007"
}`

func jsonHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func TestResponseTemplate(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jsonHandler(account))
	tests := []struct {
		tmpl, want string
	}{
		{"Trial for {.account.name} now ends {.account.trial_ends}", "Trial for acme now ends 2030-01-31"},
		{"{.items[0].name} {.items[1].id} {.items[-1].id}", "one 2 3"},
		{"{.items[*].name}", "one, two"},
		{"{.items[*].id}", "1, 2, 3"},
		{"[{.empty[*].name}] [{.empty[0]}]", "[?] [?]"},
		{"{.missing} {.account.missing} {.items[9].name} {.items[-9].id} {.account.name.first} {.items.name}", "? ? ? ? ? ?"},
		{"{.account.seats} {.account.ratio} {.account.active} {.account.owner}", "12345678901234567890 1.50 true null"},
		{"{.account.tags} {.account.plan}", `["a","b"] {"id":7,"name":"pro <beta>"}`},
		{`{.["odd key"]["x.y"]} {.["odd key"].["a\"b"]}`, "dotted quoted"},
		{"{.bad}", "line1 line2 red"},
		{"{account} asked; {{literal}} {.account.name}", "café ✓ asked; {literal} acme"},
		{"{note}", "?"},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			r := newRunner(t, Spec{URL: srv.URL + "/a", AllowHosts: local, Response: tt.tmpl},
				skillOf(map[string]skills.Type{"account": textType, "note": textType}))
			if got := r.text(map[string]string{"account": "café ✓"}); got != tt.want {
				t.Errorf("reply %q, want %q", got, tt.want)
			}
			want := ""
			if strings.Contains(tt.tmpl, "{.") {
				want = "application/json"
			}
			if accept := srv.last(t).header.Get("Accept"); accept != want {
				t.Errorf("Accept = %q, want %q", accept, want)
			}
		})
	}
}

func TestResponseTopLevelArray(t *testing.T) {
	t.Parallel()
	srv := newServer(t, jsonHandler(`[{"name": "x"}, {"name": "y"}]`))
	r := newRunner(t, Spec{URL: srv.URL, AllowHosts: local, Response: "{.[0].name} and {.[*].name}"}, skillOf(nil))
	if got := r.text(nil); got != "x and x, y" {
		t.Errorf("reply %q", got)
	}
}

func TestResponseNotJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "<html>\n<body>maintenance</body></html>")
	})
	r := newRunner(t, Spec{URL: srv.URL, AllowHosts: local, Response: "{.name}"}, skillOf(nil))
	_, err := r.run(context.Background(), nil)
	if msg := userError(t, err); msg != "HTTP 200 OK, but the response is not JSON: <html> <body>maintenance</body></html>" {
		t.Errorf("message %q", msg)
	}
}

func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	big := `{"pad": "` + strings.Repeat("x", 2000) + `", "name": "n"}`
	srv := newServer(t, jsonHandler(big))
	r := newRunner(t, Spec{URL: srv.URL, AllowHosts: local, Response: "{.name}", MaxBody: 1024}, skillOf(nil))
	_, err := r.run(context.Background(), nil)
	if msg := userError(t, err); msg != "HTTP 200 OK, but the response is larger than 1024 bytes" {
		t.Errorf("message %q", msg)
	}
	plain := newRunner(t, Spec{URL: srv.URL, AllowHosts: local, MaxBody: 1024}, skillOf(nil))
	if got := plain.text(nil); !strings.HasPrefix(got, "HTTP 200 OK\n{\"pad\": \"xxx") || !strings.HasSuffix(got, "x…") {
		t.Errorf("plain reply %q", got)
	}
}

func TestPlainResponse(t *testing.T) {
	t.Parallel()
	body := "\x1b[1mhello\x1b[0m\r\nworld\x00\n" + strings.Repeat("z", 600)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/empty" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, body)
	})
	r := newRunner(t, Spec{Method: "POST", URL: srv.URL, AllowHosts: local}, skillOf(nil))
	want := "HTTP 201 Created\nhello\nworld\n" + strings.Repeat("z", 487) + "…"
	if got := r.text(nil); got != want {
		t.Errorf("reply\n%q\nwant\n%q", got, want)
	}
	r = newRunner(t, Spec{Method: "DELETE", URL: srv.URL + "/empty", AllowHosts: local}, skillOf(nil))
	if got := r.text(nil); got != "HTTP 204 No Content" {
		t.Errorf("reply %q", got)
	}
}

func TestNon2xx(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "upstream\n  is\tdown \x1b[31m"+strings.Repeat("y", 300))
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/odd":
			w.WriteHeader(599)
			_, _ = io.WriteString(w, `{"error": "odd"}`)
		}
	})
	tests := []struct{ path, want string }{
		{"/down", "HTTP 503 Service Unavailable: upstream is down " + strings.Repeat("y", 182) + "…"},
		{"/missing", "HTTP 404 Not Found"},
		{"/odd", `HTTP 599: {"error": "odd"}`},
	}
	for _, tt := range tests {
		r := newRunner(t, Spec{URL: srv.URL + tt.path, AllowHosts: local, Response: "{.ok}"}, skillOf(nil))
		res, err := r.run(context.Background(), nil)
		if msg := userError(t, err); msg != tt.want {
			t.Errorf("%s: %q\nwant %q", tt.path, msg, tt.want)
		}
		if res.Text != "" {
			t.Errorf("%s: result text %q beside the error", tt.path, res.Text)
		}
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trickle" {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"name": `)
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	for _, path := range []string{"/slow", "/trickle"} {
		r := newRunner(t, Spec{URL: srv.URL + path, AllowHosts: local, Timeout: 200 * time.Millisecond, Response: "{.name}"}, skillOf(nil))
		start := time.Now()
		_, err := r.run(context.Background(), nil)
		if msg := userError(t, err); msg != "timed out after 200ms" {
			t.Errorf("%s: %q", path, msg)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: timing out took %v", path, took)
		}
	}

	r := newRunner(t, Spec{URL: srv.URL + "/slow", AllowHosts: local}, skillOf(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := r.run(ctx, nil)
	if msg := userError(t, err); !strings.HasPrefix(msg, "timed out after ") || strings.HasSuffix(msg, "10s") {
		t.Errorf("under a caller's deadline: %q", msg)
	}
}

func TestDefaultTimeoutMessage(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Spec{URL: "http://127.0.0.1:1/", AllowHosts: local}, skillOf(nil))
	if r.exec.timeout != DefaultTimeout {
		t.Fatalf("default timeout %v", r.exec.timeout)
	}
	if got := fmt.Sprintf("timed out after %s", roundLimit(DefaultTimeout)); got != "timed out after 10s" {
		t.Errorf("message %q", got)
	}
}

func TestCancelledCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	r := newRunner(t, Spec{URL: srv.URL, AllowHosts: local}, skillOf(nil))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := r.run(ctx, nil)
	var ue *skills.UserError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ue) {
		t.Errorf("cancelled call: %v (%T), want an internal error wrapping context.Canceled", err, err)
	}
}
