package netcheck

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// checkURL runs the HTTP check on target. The url parameter is free text
// here so that the check itself, not the url type's policy, is under test.
func checkURL(t *testing.T, ctx context.Context, opts HTTPOptions, target string, now time.Time) (skills.Result, error) {
	t.Helper()
	c := call(t, "url", "text", target)
	if !now.IsZero() {
		c.Time = now
	}
	return HTTP(opts).Execute(ctx, c)
}

func userMsg(t *testing.T, err error) string {
	t.Helper()
	ue, ok := errors.AsType[*skills.UserError](err)
	if !ok {
		t.Fatalf("error = %v (%T), want a *skills.UserError", err, err)
	}
	return ue.Msg
}

func TestHTTPStatus(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 1<<20)))
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("maintenance"))
	})
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(799)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/health", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path string
		opts HTTPOptions
		want string // pattern; URL stands for the server's URL
	}{
		{"/health", HTTPOptions{}, `^URL/health → 200 OK in \d+ ms$`},
		{"/down", HTTPOptions{}, `^⚠ URL/down → 503 Service Unavailable in \d+ ms$`},
		{"/teapot", HTTPOptions{}, `^⚠ URL/teapot → 799 in \d+ ms$`},
		{"/old", HTTPOptions{}, `^URL/old → 200 OK in \d+ ms \(redirected to URL/health\)$`},
		{"/old", HTTPOptions{MaxRedirects: -1}, `^⚠ URL/old → 302 Found in \d+ ms$`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := checkURL(t, context.Background(), tt.opts, srv.URL+tt.path, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tt.want, "URL", regexp.QuoteMeta(srv.URL))
			if !regexp.MustCompile(want).MatchString(res.Text) {
				t.Fatalf("Text = %q, want it to match %s", res.Text, want)
			}
		})
	}
}

func TestHTTPWithURLType(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res, err := HTTP(HTTPOptions{}).Execute(context.Background(), call(t, "url", "url", srv.URL+"/health"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Text, srv.URL+"/health → 200 OK in ") {
		t.Fatalf("Text = %q", res.Text)
	}
}

func TestHTTPMasksPasswords(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	target := strings.Replace(srv.URL, "://", "://bob:hunter2@", 1) + "/x"
	res, err := checkURL(t, context.Background(), HTTPOptions{}, target, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Text, "hunter2") || !strings.Contains(res.Text, "bob:xxxxx@") {
		t.Fatalf("Text = %q, want the password masked", res.Text)
	}
}

func TestHTTPRedirectLoop(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	}))
	defer srv.Close()
	_, err := checkURL(t, context.Background(), HTTPOptions{}, srv.URL+"/loop", time.Time{})
	if msg, want := userMsg(t, err), "GET "+srv.URL+"/loop failed: more than 3 redirects"; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
	if n := hits.Load(); n != 4 {
		t.Errorf("server saw %d requests, want 4 (the first and 3 redirects)", n)
	}
}

func TestHTTPTimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()

	start := time.Now()
	_, err := checkURL(t, context.Background(), HTTPOptions{Timeout: 100 * time.Millisecond}, srv.URL, time.Time{})
	if msg, want := userMsg(t, err), "GET "+srv.URL+" failed: timed out after 100ms"; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("check took %v", took)
	}

	// A caller's earlier deadline wins, and is what the message names.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = checkURL(t, ctx, HTTPOptions{}, srv.URL, time.Time{})
	if msg, want := userMsg(t, err), "GET "+srv.URL+" failed: timed out after 150ms"; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}

	// A caller that gives up is not told anything.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = checkURL(t, ctx, HTTPOptions{}, srv.URL, time.Time{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want one wrapping context.Canceled", err)
	}
	if _, ok := errors.AsType[*skills.UserError](err); ok {
		t.Errorf("a cancelled check is reported to the person: %v", err)
	}
}

func TestHTTPCouldNotConnect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL
	srv.Close()
	_, err := checkURL(t, context.Background(), HTTPOptions{}, target, time.Time{})
	if msg := userMsg(t, err); !strings.HasPrefix(msg, "GET "+target+" failed: could not connect") {
		t.Errorf("message = %q, want could not connect", msg)
	}
}

func TestHTTPNotAWebURL(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"ftp://example.com/file", "example.com/health", "https://"} {
		_, err := checkURL(t, context.Background(), HTTPOptions{}, target, time.Time{})
		if msg := userMsg(t, err); !strings.Contains(msg, "is not an http or https URL") {
			t.Errorf("%s: message = %q", target, msg)
		}
	}
}

func TestHTTPUnknownAuthority(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
	srv.StartTLS()
	defer srv.Close()
	// The default client does not trust the test server's own certificate.
	_, err := checkURL(t, context.Background(), HTTPOptions{}, srv.URL, time.Time{})
	if msg, want := userMsg(t, err), "GET "+srv.URL+" failed: TLS error: certificate signed by unknown authority"; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
}

func TestHTTPCertificateExpiry(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	notAfter := srv.Certificate().NotAfter
	day := 24 * time.Hour
	tests := []struct {
		name string
		now  time.Time
		note string
	}{
		{"far from expiry", notAfter.Add(-90 * day), ""},
		{"23 days left", notAfter.Add(-23*day - time.Hour), " (TLS certificate expires in 23 days)"},
		{"one day left", notAfter.Add(-day - time.Minute), " (TLS certificate expires in 1 day)"},
		{"hours left", notAfter.Add(-3 * time.Hour), " (TLS certificate expires within a day)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := checkURL(t, context.Background(), HTTPOptions{Client: srv.Client()}, srv.URL+"/", tt.now)
			if err != nil {
				t.Fatal(err)
			}
			want := `^` + regexp.QuoteMeta(srv.URL+"/") + ` → 200 OK in \d+ ms` + regexp.QuoteMeta(tt.note) + `$`
			if !regexp.MustCompile(want).MatchString(res.Text) {
				t.Fatalf("Text = %q, want it to match %s", res.Text, want)
			}
		})
	}
}

// The check connects only where its network policy lets it, whatever the
// URL names, redirects included; link-local addresses (cloud metadata
// services) are refused by default.
func TestHTTPNetworkPolicy(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name   string
		target string
		opts   HTTPOptions
		want   string // the start of the reply, or of the refusal
	}{
		{"default allows a local service", srv.URL + "/health", HTTPOptions{}, srv.URL + "/health → 200 OK"},
		{"default refuses metadata", "http://169.254.169.254/latest/meta-data/", HTTPOptions{},
			"GET http://169.254.169.254/latest/meta-data/ failed: refused: 169.254.169.254 is on a network the check may not reach"},
		{"default refuses a redirect to metadata", srv.URL + "/metadata", HTTPOptions{},
			"GET " + srv.URL + "/metadata failed: refused: 169.254.169.254 is on a network the check may not reach"},
		{"deny loopback", srv.URL + "/health", HTTPOptions{Deny: loopback},
			"GET " + srv.URL + "/health failed: refused: 127.0.0.1 is on a network the check may not reach"},
		{"allow elsewhere only", srv.URL + "/health", HTTPOptions{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			"GET " + srv.URL + "/health failed: refused: 127.0.0.1 is not on a network the check may reach"},
		{"allow loopback", srv.URL + "/health", HTTPOptions{Allow: loopback}, srv.URL + "/health → 200 OK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := checkURL(t, context.Background(), tt.opts, tt.target, time.Time{})
			got := res.Text
			if err != nil {
				got = userMsg(t, err)
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Fatalf("got %q, want it to start with %q", got, tt.want)
			}
		})
	}
}
