package redisstore_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/internal/redistest"
	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/redisstore"
	"github.com/parleybot/parley/training/storetest"
)

// TestConformance runs the suite on the real server. Reopening makes a new
// client on the same prefix, as a restarted bot would.
func TestConformance(t *testing.T) {
	var prefixes sync.Map // *redisstore.Store → prefix
	storetest.Test(t,
		func(t *testing.T) training.Store {
			c, prefix := redistest.Client(t)
			s := redisstore.New(c, prefix)
			prefixes.Store(s, prefix)
			return s
		},
		storetest.WithReopen(func(t *testing.T, s training.Store) training.Store {
			prefix, _ := prefixes.Load(s)
			c := redis.NewClient(redistest.Options())
			t.Cleanup(func() { _ = c.Close() })
			return redisstore.New(c, prefix.(string))
		}))
}

// miniClient starts a miniredis server for the test and returns it with a
// client of it that retries quickly.
func miniClient(t *testing.T) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	return mr, newMiniClient(t, mr)
}

func newMiniClient(t *testing.T, mr *miniredis.Miniredis) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:            mr.Addr(),
		PoolSize:        10,
		DialTimeout:     time.Second,
		DialerRetries:   1,
		MinRetryBackoff: time.Millisecond,
		MaxRetryBackoff: 5 * time.Millisecond,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The scripts must also run on miniredis's Lua, which other packages' unit
// tests use.
func TestConformanceMiniredis(t *testing.T) {
	var servers sync.Map // *redisstore.Store → *miniredis.Miniredis
	storetest.Test(t,
		func(t *testing.T) training.Store {
			mr, c := miniClient(t)
			s := redisstore.New(c, "")
			servers.Store(s, mr)
			return s
		},
		storetest.WithReopen(func(t *testing.T, s training.Store) training.Store {
			mr, _ := servers.Load(s)
			return redisstore.New(newMiniClient(t, mr.(*miniredis.Miniredis)), "")
		}))
}

func teach(t *testing.T, s *redisstore.Store, text, intent string) training.Teaching {
	t.Helper()
	got, err := s.Teach(t.Context(), training.Teaching{Text: text, Intent: intent, By: "alice"})
	if err != nil {
		t.Fatalf("Teach(%q): %v", text, err)
	}
	return got
}

func wantChange(t *testing.T, ch <-chan struct{}, after string, wait time.Duration) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("Changes channel closed after %s", after)
		}
	case <-time.After(wait):
		t.Fatalf("no value from Changes within %v after %s", wait, after)
	}
}

// drain empties ch of a value already waiting.
func drain(ch <-chan struct{}) {
	select {
	case <-ch:
	default:
	}
}

// TestTwoProcesses has two Stores on one prefix through separate clients,
// as two bot processes would have.
func TestTwoProcesses(t *testing.T) {
	ca, prefix := redistest.Client(t)
	cb := redis.NewClient(redistest.Options())
	t.Cleanup(func() { _ = cb.Close() })
	a, b := redisstore.New(ca, prefix), redisstore.New(cb, prefix)

	chA, chB := a.Changes(t.Context()), b.Changes(t.Context())
	teach(t, a, "restart apache", "restart")
	wantChange(t, chB, "a Teach in the other store", 5*time.Second)
	wantChange(t, chA, "its own Teach", 5*time.Second)
	ex, err := b.Examples(t.Context())
	if err != nil || len(ex) != 1 || ex[0].Intent != "restart" {
		t.Fatalf("the other store's Examples = %+v, %v", ex, err)
	}

	// Both count one phrasing; only one can approve it.
	c1, err := a.Propose(t.Context(), training.Candidate{Text: "bounce apache", Intent: "restart"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := b.Propose(t.Context(), training.Candidate{Text: "Bounce Apache!", Intent: "restart"})
	if err != nil || c2.ID != c1.ID || c2.Count != 2 {
		t.Fatalf("the other store's proposal = %+v, %v; want %s with Count 2", c2, err, c1.ID)
	}
	drain(chA)
	if _, err := b.Resolve(t.Context(), c1.ID, training.Decision{Approve: true, By: "r"}); err != nil {
		t.Fatal(err)
	}
	wantChange(t, chA, "an approval in the other store", 5*time.Second)
	if _, err := a.Resolve(t.Context(), c1.ID, training.Decision{Approve: true, By: "r"}); !errors.Is(err, training.ErrUnknown) {
		t.Fatalf("approving again in the other store: %v, want ErrUnknown", err)
	}
}

// TestOwnNoticeOnce: a Store's own change reaches its subscribers
// directly, and its echo through Redis is not delivered a second time.
func TestOwnNoticeOnce(t *testing.T) {
	c, prefix := redistest.Client(t)
	s := redisstore.New(c, prefix)
	ch := s.Changes(t.Context())
	teach(t, s, "restart apache", "restart")
	wantChange(t, ch, "Teach", 5*time.Second)
	// Give the published notice time to come back.
	time.Sleep(200 * time.Millisecond)
	select {
	case <-ch:
		t.Fatal("a second value for one Teach")
	default:
	}
}

func TestKeyLayout(t *testing.T) {
	for _, tt := range []struct{ prefix, want string }{
		{"", "parley:train:"},
		{"bot7:", "bot7:train:"},
	} {
		mr, c := miniClient(t)
		s := redisstore.New(c, tt.prefix)
		teach(t, s, "restart apache", "restart")
		cand, err := s.Propose(t.Context(), training.Candidate{Text: "Bounce  Apache?", Intent: "restart"})
		if err != nil {
			t.Fatal(err)
		}
		keys := mr.Keys()
		for _, k := range keys {
			if !strings.HasPrefix(k, tt.want) {
				t.Errorf("prefix %q: key %q outside %q", tt.prefix, k, tt.want)
			}
		}
		if len(keys) != 7 {
			t.Errorf("prefix %q: keys %q, want 7", tt.prefix, keys)
		}
		if got := mr.HGet(tt.want+"queue:dedupe", "bounce apache\x00restart"); got != cand.ID {
			t.Errorf("dedupe entry = %q, want %q", got, cand.ID)
		}
		if got := mr.HGet(tt.want+"examples", "restart apache"); !strings.Contains(got, `"intent":"restart"`) {
			t.Errorf("example entry = %q", got)
		}
	}
}

// unreachable reports whether err says the server could not be reached,
// through the store's wrapping.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, redis.ErrClosed)
}

// TestOutageAndRecovery takes the server away under working stores and
// brings it back on the same address.
func TestOutageAndRecovery(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, "")
	other := redisstore.New(newMiniClient(t, mr), "")
	cand, err := s.Propose(t.Context(), training.Candidate{Text: "bounce apache", Intent: "restart"})
	if err != nil {
		t.Fatal(err)
	}
	teach(t, s, "restart apache", "restart")
	ch := other.Changes(t.Context())

	mr.Close()
	ctx := t.Context()
	errs := map[string]error{}
	_, errs["Examples"] = s.Examples(ctx)
	_, errs["Teach"] = s.Teach(ctx, training.Teaching{Text: "x", Intent: "y"})
	_, errs["Propose"] = s.Propose(ctx, training.Candidate{Text: "x"})
	_, errs["Candidates"] = s.Candidates(ctx)
	_, errs["Resolve"] = s.Resolve(ctx, cand.ID, training.Decision{Approve: true})
	for op, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") || !unreachable(err) {
			t.Errorf("%s during the outage: %v, want a wrapped connection error", op, err)
		}
		if errors.Is(err, training.ErrUnknown) {
			t.Errorf("%s during the outage: %v reads as ErrUnknown", op, err)
		}
	}

	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	// After as many failed dials as the pool has connections, go-redis
	// answers single commands with the last dial error until a probe,
	// once a second, gets through (pipelines get through sooner): give it
	// a few probes.
	start := time.Now()
	for deadline := start.Add(10 * time.Second); ; {
		_, err = s.Resolve(ctx, cand.ID, training.Decision{Approve: true, By: "r"})
		if err == nil || time.Now().After(deadline) {
			break
		}
		if !unreachable(err) {
			t.Fatalf("Resolve while recovering: %v, want a connection error", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Resolve after restart: %v", err)
	}
	t.Logf("store served again %v after the server came back", time.Since(start).Round(time.Millisecond))
	ex, err := s.Examples(ctx)
	if err != nil || len(ex) != 2 {
		t.Fatalf("Examples after restart = %+v, %v; want the one taught before and the one approved", ex, err)
	}

	// The other store subscribed again, and says so, since it may have
	// missed notices; then it hears new ones.
	wantChange(t, ch, "the server came back", 10*time.Second)
	drain(ch)
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		teach(t, s, "check disk", "disk")
		select {
		case <-ch:
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notice after a Teach once the server was back")
		}
	}
}

// TestChangesWithoutServer: Changes returns even when Redis cannot be
// reached.
func TestChangesWithoutServer(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	s := redisstore.New(c, "")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan (<-chan struct{}))
	go func() { done <- s.Changes(ctx) }()
	var ch <-chan struct{}
	select {
	case ch = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Changes did not return without a server")
	}
	if _, err := s.Teach(t.Context(), training.Teaching{Text: "x", Intent: "y"}); err == nil || !unreachable(err) {
		t.Fatalf("Teach without a server: %v, want a connection error", err)
	}
	select {
	case <-ch:
		t.Fatal("a change without one")
	default:
	}
	cancel()
}
