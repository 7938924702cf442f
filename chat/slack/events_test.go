package slack_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	chatslack "github.com/parleybot/parley/chat/slack"
)

// Every request is checked before it is parsed; only good ones reach the
// bot.
func TestEventsAPIRequests(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{config: func(c *chatslack.Config) { c.MaxBody = 4 << 10 }})
	good := mention("EvGood", jason, opsChan, "who is on call for payments?", "100.000001", "")
	now := time.Now()
	for _, tc := range []struct {
		name   string
		body   []byte
		header http.Header
		method string
		want   int
		reply  string
	}{
		{name: "good", body: good, header: sign(good, now, secret), want: http.StatusOK},
		{name: "replayed", body: good, header: sign(good, now, secret), want: http.StatusOK},
		{name: "wrong secret", body: good, header: sign(good, now, "not-the-secret"), want: http.StatusUnauthorized},
		{name: "body changed after signing", body: append([]byte(" "), good...), header: sign(good, now, secret), want: http.StatusUnauthorized},
		{name: "stale", body: good, header: sign(good, now.Add(-6*time.Minute), secret), want: http.StatusUnauthorized},
		{name: "from the future", body: good, header: sign(good, now.Add(10*time.Minute), secret), want: http.StatusUnauthorized},
		{name: "unsigned", body: good, header: http.Header{}, want: http.StatusUnauthorized},
		{name: "not v0", body: good, header: withHeader(sign(good, now, secret), "X-Slack-Signature", "v1=00"), want: http.StatusUnauthorized},
		{name: "timestamp not a number", body: good, header: withHeader(sign(good, now, secret), "X-Slack-Request-Timestamp", "soon"), want: http.StatusUnauthorized},
		{name: "malformed JSON", body: []byte(`{"type":`), header: sign([]byte(`{"type":`), now, secret), want: http.StatusBadRequest},
		{name: "not an event", body: []byte(`[1,2]`), header: sign([]byte(`[1,2]`), now, secret), want: http.StatusBadRequest},
		{name: "too large", body: bigBody(8 << 10), header: sign(bigBody(8<<10), now, secret), want: http.StatusRequestEntityTooLarge},
		{name: "url_verification", body: []byte(`{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`),
			header: sign([]byte(`{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`), now, secret),
			want:   http.StatusOK, reply: `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`},
		{name: "GET", method: http.MethodGet, header: http.Header{}, want: http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, p.server.URL+"/slack/events", strings.NewReader(string(tc.body)))
			req.Header = tc.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.reply != "" {
				data, _ := io.ReadAll(resp.Body)
				if strings.TrimSpace(string(data)) != tc.reply {
					t.Fatalf("reply %q, want %q", data, tc.reply)
				}
			}
		})
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	// The good request ran once although it arrived twice; nothing else ran.
	if n := p.runs.get("oncall_who"); n != 1 || p.runs.total() != 1 {
		t.Fatalf("oncall_who ran %d times, %d runs in all; want exactly one", n, p.runs.total())
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 1 {
		t.Fatalf("%d replies, want 1:\n%s", len(posts), dump(fs.snapshot()))
	}
}

func withHeader(h http.Header, k, v string) http.Header {
	h = h.Clone()
	h.Set(k, v)
	return h
}

func bigBody(n int) []byte {
	return []byte(`{"type":"event_callback","pad":"` + strings.Repeat("x", n) + `"}`)
}

// Slack delivers an event up to three more times when it thinks it was not
// acknowledged, each delivery signed anew: it executes once.
func TestRedeliveryExecutesOnce(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	body := mention("EvRetry", jason, opsChan, "who is on call for payments?", "100.000001", "")
	for retry := range 4 {
		h := sign(body, time.Now().Add(time.Duration(retry)*time.Second), secret)
		if retry > 0 {
			h.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
			h.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if code := p.post("/slack/events", body, h); code != http.StatusOK {
			t.Fatalf("delivery %d answered %d", retry, code)
		}
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("oncall_who"); n != 1 {
		t.Fatalf("oncall_who ran %d times for one event delivered 4 times", n)
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 1 {
		t.Fatalf("%d replies, want 1:\n%s", len(posts), dump(fs.snapshot()))
	}
	if !strings.Contains(p.logs.String(), "ignoring a repeated delivery") {
		t.Fatal("repeats were not logged")
	}
}

// failingDeduper stands for a Redis that cannot be reached.
type failingDeduper struct{}

func (failingDeduper) Seen(context.Context, string) (bool, error) {
	return false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// When it cannot be told whether an event was handled before, the event is
// acknowledged but not acted on, and nothing is said.
func TestDedupeDownFailsClosed(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{deduper: func(c *chatslack.Config) { c.Deduper = failingDeduper{} }})
	p.send(mention("EvDown", jason, opsChan, "who is on call for payments?", "100.000001", ""))
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.total(); n != 0 {
		t.Fatalf("%d executions with the deduper down", n)
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 0 {
		t.Fatalf("replied with the deduper down:\n%s", dump(fs.snapshot()))
	}
	if !strings.Contains(p.logs.String(), "so it is dropped") {
		t.Fatalf("the drop was not logged:\n%s", p.logs.String())
	}
}

// A full queue answers 503 so that Slack delivers the event again; once
// the queue frees up the next delivery is taken.
func TestFullQueueAnswers503(t *testing.T) {
	fs := newFakeSlack(t)
	held := &runs{gate: make(chan struct{}), started: make(chan string, 4)}
	p := startParley(t, fs, options{runs: held, config: func(c *chatslack.Config) { c.QueueSize = 1 }})
	first := mention("EvSlow", jason, opsChan, "who is on call for payments?", "100.000001", "")
	sendUntil(t, p, first, http.StatusOK)
	select {
	case <-held.started: // the only place in the queue is taken
	case <-time.After(hangGuard):
		t.Fatal("the first event never ran")
	}
	second := mention("EvLater", bob, devChan, "who is on call for payments?", "200.000001", "")
	if code := p.post("/slack/events", second, signedNow(second)); code != http.StatusServiceUnavailable {
		t.Fatalf("event into a full queue answered %d, want 503", code)
	}
	close(held.gate)
	sendUntil(t, p, second, http.StatusOK) // Slack's next attempt
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("oncall_who"); n != 2 {
		t.Fatalf("oncall_who ran %d times, want 2", n)
	}
}

// sendUntil delivers body again, as Slack would, until it is answered want.
func sendUntil(t *testing.T, p *parley, body []byte, want int) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for p.post("/slack/events", body, signedNow(body)) != want {
		if time.Now().After(deadline) {
			t.Fatalf("never answered %d", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
