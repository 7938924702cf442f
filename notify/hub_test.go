package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // quiet hours in Europe/Berlin wherever the tests run

	"github.com/parleybot/parley/notify"
)

func teamConfig() notify.Config {
	return notify.Config{
		Default: "#general",
		Routes: []notify.Rule{
			{Labels: map[string]string{"team": "a"}, Channels: []string{"#a"}},
			{Labels: map[string]string{"team": "b"}, Channels: []string{"#b"}},
		},
	}
}

func TestRateLimitDigest(t *testing.T) {
	h := newHarness(t, teamConfig(), notify.Secrets{})
	for i := range 25 {
		h.generic(map[string]any{"title": fmt.Sprintf("disk full on db-%d", i), "labels": map[string]string{"team": "a"}})
		if i < 3 {
			h.generic(map[string]any{"title": fmt.Sprintf("build %d done", i), "labels": map[string]string{"team": "b"}})
		}
		h.clock.Advance(2 * time.Second)
	}
	h.flush()
	if got := len(h.posts("#a")); got != 20 {
		t.Fatalf("#a got %d posts within the minute, want 20:\n%s", got, texts(h.posts("#a")))
	}
	if got := len(h.posts("#b")); got != 3 {
		t.Errorf("#b got %d posts, want its 3: another channel's limit must not count", got)
	}

	// Not yet: the digest waits for the window to allow another post.
	h.clock.Advance(5 * time.Second)
	h.flush()
	if got := len(h.posts("#a")); got != 20 {
		t.Fatalf("#a got %d posts before the window allowed, want 20", got)
	}

	h.clock.Advance(time.Minute)
	h.flush()
	posts := h.posts("#a")
	if len(posts) != 21 {
		t.Fatalf("#a got %d posts after a minute, want 20 and a digest:\n%s", len(posts), texts(posts))
	}
	digest := posts[20].Message.Text
	if !strings.HasPrefix(digest, "5 more notifications in the last ") {
		t.Errorf("digest %q does not count 5", digest)
	}
	for i := 20; i < 25; i++ {
		if !strings.Contains(digest, fmt.Sprintf("1× disk full on db-%d", i)) {
			t.Errorf("digest %q does not list db-%d", digest, i)
		}
	}
	if len(h.posts("#b")) != 3 {
		t.Errorf("#b changed:\n%s", texts(h.posts("#b")))
	}
	if s := h.hub.Stats(); s.Digested != 5 || s.Posted != 24 {
		t.Errorf("stats %+v, want 5 digested and 24 posted", s)
	}
}

// In a flood, repeats of one alert are counted in the digest, and a
// critical still posts on its own as soon as the limit allows.
func TestRateLimitCountsAndCritical(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops", RatePerMinute: 2}, notify.Secrets{})
	h.generic(map[string]any{"title": "a"})
	h.generic(map[string]any{"title": "b"})
	for range 8 {
		h.generic(map[string]any{"title": "disk full on db-1", "severity": "warning"})
	}
	h.generic(map[string]any{"title": "api down", "severity": "critical"})
	h.flush()
	if got := len(h.posts("#ops")); got != 2 {
		t.Fatalf("%d posts, want 2", got)
	}
	h.clock.Advance(61 * time.Second)
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 3 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	d := posts[2].Message
	if d.Text != "9 more notifications in the last minute: 1× api down, 8× disk full on db-1" {
		t.Errorf("digest %q", d.Text)
	}
	if d.Severity != notify.Critical || len(d.Actions) != 2 {
		t.Errorf("digest severity %s actions %v: want critical with both actions", d.Severity, d.Actions)
	}
}

func TestQuietHours(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cfg := notify.Config{
		Default:    "#dev",
		QuietHours: map[string]notify.Quiet{"#dev": {From: "22:00", To: "07:00", TimeZone: "Europe/Berlin"}},
	}
	start := time.Date(2025, 3, 10, 23, 30, 0, 0, berlin)
	h := newHarnessWith(t, cfg, notify.Secrets{}, &notify.RecordingSink{}, start)

	h.generic(map[string]any{"title": "disk 80% on db-1", "severity": "warning"})
	h.generic(map[string]any{"title": "nightly build done"})
	h.flush()
	if posts := h.posts(""); len(posts) != 0 {
		t.Fatalf("quiet hours posted:\n%s", texts(posts))
	}
	h.generic(map[string]any{"title": "api down", "severity": "critical"})
	h.flush()
	if posts := h.posts("#dev"); len(posts) != 1 || !strings.HasPrefix(posts[0].Message.Text, "api down") {
		t.Fatalf("a critical in quiet hours: posted\n%s", texts(posts))
	}

	h.clock.Advance(7 * time.Hour) // 06:30: still quiet
	h.flush()
	if got := len(h.posts("#dev")); got != 1 {
		t.Fatalf("%d posts before the end of quiet hours", got)
	}
	h.clock.Advance(35 * time.Minute) // 07:05
	h.flush()
	posts := h.posts("#dev")
	if len(posts) != 2 {
		t.Fatalf("after quiet hours:\n%s", texts(posts))
	}
	const want = "2 notifications held during quiet hours (22:00–07:00): 1× disk 80% on db-1, 1× nightly build done"
	if got := posts[1].Message.Text; got != want {
		t.Errorf("digest %q, want %q", got, want)
	}
	if h.hub.Stats().Held != 2 {
		t.Errorf("stats %+v, want 2 held", h.hub.Stats())
	}
}

// A chat that does not answer must not hold up the hook: once the queue is
// full, notifications are folded into the digest, and none is lost.
func TestSlowSinkNeverBlocksHooks(t *testing.T) {
	gate := make(chan struct{})
	sink := &notify.RecordingSink{Hook: func(ctx context.Context, op, channel string) error {
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	cfg := notify.Config{Default: "#ops", Queue: 4} // one waiting call per worker
	h := newHarnessWith(t, cfg, notify.Secrets{}, sink, t0)
	start := time.Now()
	for i := range 15 {
		h.generic(map[string]any{"title": fmt.Sprintf("event %d", i)})
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("15 hooks took %v with the chat stuck", took)
	}
	close(gate)
	h.flush()
	h.clock.Advance(time.Minute)
	h.flush()
	posts := h.posts("#ops")
	if len(posts) < 2 || len(posts) > 4 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	digest := posts[len(posts)-1].Message.Text
	individual := len(posts) - 1
	want := fmt.Sprintf("%d more notifications", 15-individual)
	if !strings.HasPrefix(digest, want) {
		t.Errorf("%d posted on their own, then %q; want it to start %q", individual, digest, want)
	}
}

// A post that fails is not lost: it waits in the digest.
func TestFailedPostGoesToDigest(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	sink := &notify.RecordingSink{Hook: func(_ context.Context, op, _ string) error {
		if broken.Load() {
			return errors.New("chat API: 500")
		}
		return nil
	}}
	h := newHarnessWith(t, notify.Config{Default: "#ops"}, notify.Secrets{}, sink, t0)
	h.generic(map[string]any{"title": "db-1 unreachable", "severity": "critical"})
	h.flush()
	if calls := h.sink.Calls("", ""); len(calls) != 0 {
		t.Fatalf("recorded a failed call: %s", texts(calls))
	}
	broken.Store(false)
	h.clock.Advance(time.Second)
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 1 || posts[0].Message.Text != "1 more notification in the last minute: 1× db-1 unreachable" {
		t.Fatalf("after the chat recovered:\n%s", texts(posts))
	}
}

// Updates of one message are throttled; the last count is shown by Flush.
func TestGroupingThrottlesUpdates(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{})
	h.generic(map[string]any{"title": "queue backlog", "key": "backlog"})
	h.flush()
	for range 60 {
		h.clock.Advance(5 * time.Second)
		h.generic(map[string]any{"title": "queue backlog", "key": "backlog"})
	}
	if got := len(h.updates("#ops")); got > 10 {
		t.Errorf("%d updates for 60 repeats over 5 min, want at most 10", got)
	}
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 1 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	if m := h.current(posts[0]); !strings.HasSuffix(m.Text, "(fired 61 times in 5 min)") {
		t.Errorf("message shows %q", m.Text)
	}
	// After the window the same key posts anew.
	h.clock.Advance(10 * time.Minute)
	h.generic(map[string]any{"title": "queue backlog", "key": "backlog"})
	h.flush()
	if got := len(h.posts("#ops")); got != 2 {
		t.Errorf("%d posts after the window, want 2", got)
	}
}

// One source cannot update or resolve another source's messages by
// reusing its key.
func TestKeysAreScopedBySource(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{})
	h.post("alertmanager", amBody(t, alert{status: "firing", fingerprint: "fp1", startsAt: t0}), nil, 202)
	h.flush()
	h.generic(map[string]any{"title": "spoof", "key": "fp1", "status": "resolved"})
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 2 || strings.Contains(h.current(posts[0]).Text, "resolved") {
		t.Errorf("a generic hook touched an Alertmanager message:\n%s", texts(h.sink.Calls("", "")))
	}
}

func TestNewHubValidates(t *testing.T) {
	cases := []struct {
		name string
		cfg  notify.Config
		want string
	}{
		{"no default", notify.Config{}, "default"},
		{"bad source", notify.Config{Default: "#x", Routes: []notify.Rule{{Source: "jenkins", Channels: []string{"#y"}}}}, "unknown source"},
		{"bad glob", notify.Config{Default: "#x", Routes: []notify.Rule{{Repository: "acme/[", Channels: []string{"#y"}}}}, "bad pattern"},
		{"bad severity", notify.Config{Default: "#x", Routes: []notify.Rule{{Severity: "loud", Channels: []string{"#y"}}}}, "unknown severity"},
		{"no channels", notify.Config{Default: "#x", Routes: []notify.Rule{{Source: "github"}}}, "at least one channel"},
		{"bad clock", notify.Config{Default: "#x", QuietHours: map[string]notify.Quiet{"#x": {From: "25:00", To: "07:00"}}}, "not a time of day"},
		{"empty quiet", notify.Config{Default: "#x", QuietHours: map[string]notify.Quiet{"#x": {From: "07:00", To: "07:00"}}}, "must not be empty"},
		{"bad zone", notify.Config{Default: "#x", QuietHours: map[string]notify.Quiet{"#x": {From: "22:00", To: "07:00", TimeZone: "Mars/Olympus"}}}, "time_zone"},
		{"negative window", notify.Config{Default: "#x", Window: -time.Second}, "window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.NewHub(tc.cfg, nopSink{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewHub = %v, want an error about %q", err, tc.want)
			}
		})
	}
}
