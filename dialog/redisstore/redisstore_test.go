package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/redisstore"
	"github.com/parleybot/parley/dialog/storetest"
	"github.com/parleybot/parley/internal/redistest"
	"github.com/parleybot/parley/skills"
)

func TestConformance(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) dialog.Store {
		c, prefix := redistest.Client(t)
		return redisstore.New(c, redisstore.Options{Prefix: prefix})
	})
}

func TestStateConformance(t *testing.T) {
	storetest.TestState(t, func(t *testing.T) skills.State {
		c, prefix := redistest.Client(t)
		return redisstore.New(c, redisstore.Options{Prefix: prefix}).State()
	})
}

// miniClient starts a miniredis server for the test and returns it with a
// client of it that retries quickly. The pool size is fixed because it
// decides how many failed dials open go-redis's dial circuit breaker.
func miniClient(t *testing.T) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{
		Addr:            mr.Addr(),
		PoolSize:        10,
		DialTimeout:     time.Second,
		DialerRetries:   1,
		MinRetryBackoff: time.Millisecond,
		MaxRetryBackoff: 5 * time.Millisecond,
	})
	t.Cleanup(func() { _ = c.Close() })
	return mr, c
}

// The script must also run on miniredis's Lua, which other packages' unit
// tests use.
func TestConformanceMiniredis(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) dialog.Store {
		_, c := miniClient(t)
		return redisstore.New(c, redisstore.Options{})
	})
}

func TestStateConformanceMiniredis(t *testing.T) {
	storetest.TestState(t, func(t *testing.T) skills.State {
		_, c := miniClient(t)
		return redisstore.New(c, redisstore.Options{}).State()
	})
}

func mustSwap(t *testing.T, s *redisstore.Store, key string, version int64, data []byte) int64 {
	t.Helper()
	v, err := s.Swap(t.Context(), key, version, data)
	if err != nil {
		t.Fatalf("Swap(%q, %d): %v", key, version, err)
	}
	return v
}

func pttl(t *testing.T, c redis.Cmdable, key string) time.Duration {
	t.Helper()
	d, err := c.PTTL(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	return d
}

func TestTTL(t *testing.T) {
	c, prefix := redistest.Client(t)
	const ttl = 90 * time.Second
	s := redisstore.New(c, redisstore.Options{Prefix: prefix, TTL: ttl})
	key := prefix + "conv:k"

	v := mustSwap(t, s, "k", 0, []byte("x"))
	if d := pttl(t, c, key); d <= 0 || d > ttl {
		t.Fatalf("PTTL after create = %v, want within (0, %v]", d, ttl)
	}

	// Every write starts the TTL again.
	if err := c.PExpire(t.Context(), key, 5*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	mustSwap(t, s, "k", v, []byte("y"))
	if d := pttl(t, c, key); d <= ttl-10*time.Second || d > ttl {
		t.Fatalf("PTTL after update = %v, want close to %v", d, ttl)
	}

	// State keys never expire.
	if err := s.State().Put(t.Context(), "p", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if d := pttl(t, c, prefix+"state:p"); d != -1 {
		t.Fatalf("PTTL of a state key = %v, want -1 (no expiry)", d)
	}
}

func TestDefaults(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, redisstore.Options{})
	mustSwap(t, s, "k", 0, []byte("x"))
	if !mr.Exists("parley:conv:k") {
		t.Fatalf("record not at parley:conv:k; keys: %q", mr.Keys())
	}
	if got := mr.TTL("parley:conv:k"); got != redisstore.DefaultTTL {
		t.Fatalf("TTL = %v, want %v", got, redisstore.DefaultTTL)
	}
	mr.FastForward(redisstore.DefaultTTL)
	if data, v, err := s.Load(t.Context(), "k"); err != nil || data != nil || v != 0 {
		t.Fatalf("Load after the TTL = %q, %d, %v; want nil, 0, nil", data, v, err)
	}
	if _, err := s.State().Incr(t.Context(), "n"); err != nil {
		t.Fatal(err)
	}
	if !mr.Exists("parley:state:n") {
		t.Fatalf("state not at parley:state:n; keys: %q", mr.Keys())
	}
}

// TestRecordLayout pins the documented value layout "<version>:<data>" and
// that versions follow the server's clock in microseconds.
func TestRecordLayout(t *testing.T) {
	c, prefix := redistest.Client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: prefix})
	before, err := c.Time(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	v := mustSwap(t, s, "k", 0, []byte("a:b\x00c"))
	after, err := c.Time(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if v < before.UnixMicro() || v > after.UnixMicro() {
		t.Errorf("version %d outside the server clock's [%d, %d]", v, before.UnixMicro(), after.UnixMicro())
	}
	raw, err := c.Get(t.Context(), prefix+"conv:k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.FormatInt(v, 10) + ":a:b\x00c"; raw != want {
		t.Fatalf("stored value %q, want %q", raw, want)
	}
}

// TestVersionRunsAheadOfClock checks that a version above the server clock
// (left by a clock that stepped back) still only grows.
func TestVersionRunsAheadOfClock(t *testing.T) {
	c, prefix := redistest.Client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: prefix})
	future := time.Now().Add(time.Hour).UnixMicro()
	if err := c.Set(t.Context(), prefix+"conv:k", strconv.FormatInt(future, 10)+":x", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	v := mustSwap(t, s, "k", future, []byte("y"))
	if v != future+1 {
		t.Fatalf("version after %d = %d, want %d", future, v, future+1)
	}
}

func TestRecreateAfterExpiry(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, redisstore.Options{TTL: time.Minute})
	v := mustSwap(t, s, "k", 0, []byte("one"))
	v = mustSwap(t, s, "k", v, []byte("two"))
	mr.FastForward(time.Minute)
	if _, err := s.Swap(t.Context(), "k", v, []byte("stale")); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Swap of an expired record from its old version: %v, want ErrConflict", err)
	}
	if v2 := mustSwap(t, s, "k", 0, []byte("new")); v2 <= v {
		t.Fatalf("record written again after expiry got version %d, not above the old %d", v2, v)
	}
}

func TestCorruptRecord(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, redisstore.Options{})
	for _, raw := range []string{"no header", "x:bad version", "-4:negative"} {
		if err := mr.Set("parley:conv:k", raw); err != nil {
			t.Fatal(err)
		}
		_, _, err := s.Load(t.Context(), "k")
		if err == nil || errors.Is(err, dialog.ErrUnavailable) {
			t.Errorf("Load of %q: %v, want a plain error", raw, err)
		}
	}
	if err := mr.Set("parley:conv:k", "no header"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Swap(t.Context(), "k", 0, []byte("x"))
	if err == nil || errors.Is(err, dialog.ErrUnavailable) || errors.Is(err, dialog.ErrConflict) {
		t.Errorf("Swap over a record without header: %v, want a plain error", err)
	}
}

// TestUnavailable points a store at a port nobody listens on.
func TestUnavailable(t *testing.T) {
	c := redis.NewClient(&redis.Options{
		Addr:          "127.0.0.1:1",
		DialTimeout:   200 * time.Millisecond,
		DialerRetries: 1,
		MaxRetries:    -1,
	})
	t.Cleanup(func() { _ = c.Close() })
	s := redisstore.New(c, redisstore.Options{})
	checkAllUnavailable(t, s)

	// A caller's own cancellation stays the caller's.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := s.Load(ctx, "k"); err == nil || errors.Is(err, dialog.ErrUnavailable) {
		t.Errorf("Load with a canceled context: %v, want a context error only", err)
	}
}

// checkAllUnavailable runs every operation of s and of its State and wants
// each to fail with dialog.ErrUnavailable.
func checkAllUnavailable(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := t.Context()
	st := s.State()
	errs := map[string]error{}
	_, _, errs["Load"] = s.Load(ctx, "k")
	_, errs["Swap"] = s.Swap(ctx, "k", 0, []byte("x"))
	_, errs["Swap delete"] = s.Swap(ctx, "k", 7, nil)
	_, errs["Get"] = st.Get(ctx, "k")
	errs["Put"] = st.Put(ctx, "k", []byte("x"))
	_, errs["Incr"] = st.Incr(ctx, "n")
	errs["Append"] = st.Append(ctx, "l", []byte("x"))
	_, errs["List"] = st.List(ctx, "l")
	for op, err := range errs {
		if !errors.Is(err, dialog.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", op, err)
		}
		if errors.Is(err, dialog.ErrConflict) || errors.Is(err, skills.ErrNotFound) {
			t.Errorf("%s: %v also reads as a conflict or a missing key", op, err)
		}
	}
}

// TestOutageAndRecovery takes the server away under a working store and
// brings it back on the same address: the same Store must serve again.
func TestOutageAndRecovery(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, redisstore.Options{})
	v := mustSwap(t, s, "k", 0, []byte("before"))
	if err := s.State().Put(t.Context(), "p", []byte("kept")); err != nil {
		t.Fatal(err)
	}

	mr.Close()
	checkAllUnavailable(t, s)

	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	// After as many failed dials as the pool has connections, go-redis
	// stops dialing and answers with the last dial error until a probe,
	// once a second, gets through: give it a few probes.
	start := time.Now()
	var (
		data []byte
		got  int64
		err  error
	)
	for deadline := start.Add(5 * time.Second); ; {
		data, got, err = s.Load(t.Context(), "k")
		if err == nil || time.Now().After(deadline) {
			break
		}
		if !errors.Is(err, dialog.ErrUnavailable) {
			t.Fatalf("Load while recovering: %v, want ErrUnavailable", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || string(data) != "before" || got != v {
		t.Fatalf("Load after restart = %q, %d, %v; want %q, %d", data, got, err, "before", v)
	}
	t.Logf("store served again %v after the server came back", time.Since(start).Round(time.Millisecond))

	v2 := mustSwap(t, s, "k", v, []byte("after"))
	if v2 <= v {
		t.Fatalf("version after restart %d, want above %d", v2, v)
	}
	if p, err := s.State().Get(t.Context(), "p"); err != nil || string(p) != "kept" {
		t.Fatalf("state after restart = %q, %v", p, err)
	}
}

// TestShortOutage: a blip that fails fewer dials than the pool holds
// connections is over as soon as the server is back.
func TestShortOutage(t *testing.T) {
	mr, c := miniClient(t)
	s := redisstore.New(c, redisstore.Options{})
	v := mustSwap(t, s, "k", 0, []byte("before"))

	mr.Close()
	if _, _, err := s.Load(t.Context(), "k"); !errors.Is(err, dialog.ErrUnavailable) {
		t.Fatalf("Load during the outage: %v, want ErrUnavailable", err)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Swap(t.Context(), "k", v, []byte("after")); err != nil {
		t.Fatalf("Swap right after the server came back: %v", err)
	}
}
