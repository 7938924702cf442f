package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/notify"
)

// t0 is when every test starts: Monday 10 March 2025, 12:00 UTC.
var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a Hub behind the real Handler on an httptest server, posting
// to a RecordingSink, on a fake clock. Run's ticker is effectively off:
// tests call flush.
type harness struct {
	t     *testing.T
	hub   *notify.Hub
	sink  *notify.RecordingSink
	clock *fakeClock
	srv   *httptest.Server
}

func newHarness(t *testing.T, cfg notify.Config, secrets notify.Secrets) *harness {
	t.Helper()
	return newHarnessWith(t, cfg, secrets, &notify.RecordingSink{}, t0)
}

func newHarnessWith(t *testing.T, cfg notify.Config, secrets notify.Secrets, sink *notify.RecordingSink, start time.Time) *harness {
	t.Helper()
	clock := &fakeClock{t: start}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	hub, err := notify.NewHub(cfg, sink, notify.WithClock(clock.Now), notify.WithLogger(logger), notify.WithTick(time.Hour))
	if err != nil {
		t.Fatalf("NewHub: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	srv := httptest.NewServer(notify.Handler(hub, secrets, logger))
	t.Cleanup(srv.Close)
	return &harness{t: t, hub: hub, sink: sink, clock: clock, srv: srv}
}

type reply struct {
	Accepted int    `json:"accepted"`
	Note     string `json:"note"`
	Error    string `json:"error"`
}

// do sends one request and returns the status and the decoded reply.
func (h *harness) do(method, path string, body []byte, header http.Header) (int, reply) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		r.Error = string(raw) // the mux's own 404 is plain text
	}
	return res.StatusCode, r
}

// with returns h reporting to t, for subtests sharing one harness.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// post sends body to /hooks/source and requires code.
func (h *harness) post(source string, body []byte, header http.Header, code int) reply {
	h.t.Helper()
	got, r := h.do(http.MethodPost, "/hooks/"+source, body, header)
	if got != code {
		h.t.Fatalf("POST /hooks/%s = %d %+v, want %d", source, got, r, code)
	}
	return r
}

// generic posts a generic notification as JSON and requires 202.
func (h *harness) generic(v any) {
	h.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		h.t.Fatal(err)
	}
	h.post("generic", body, nil, http.StatusAccepted)
}

func (h *harness) flush() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.hub.Flush(ctx); err != nil {
		h.t.Fatalf("Flush: %v", err)
	}
}

func (h *harness) posts(channel string) []notify.Call   { return h.sink.Calls("post", channel) }
func (h *harness) updates(channel string) []notify.Call { return h.sink.Calls("update", channel) }

// current returns what the message of a post shows now.
func (h *harness) current(c notify.Call) notify.Message {
	h.t.Helper()
	m, ok := h.sink.Current(c.Ref)
	if !ok {
		h.t.Fatalf("no message %s", c.Ref)
	}
	return m
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func texts(calls []notify.Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.Channel + " " + c.Op + " " + c.Ref + ": " + c.Message.Text + "\n")
	}
	return b.String()
}

// nopSink posts nowhere, fast.
type nopSink struct{}

func (nopSink) Post(context.Context, string, notify.Message) (string, error) { return "r", nil }
func (nopSink) Update(context.Context, string, string, notify.Message) error { return nil }
