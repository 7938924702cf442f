package memstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/memstore"
	"github.com/parleybot/parley/dialog/storetest"
	"github.com/parleybot/parley/skills"
)

func TestConformance(t *testing.T) {
	storetest.TestStore(t, func(*testing.T) dialog.Store {
		return memstore.New(memstore.Options{})
	})
}

func TestStateConformance(t *testing.T) {
	storetest.TestState(t, func(*testing.T) skills.State {
		return memstore.New(memstore.Options{}).State()
	})
}

// fakeClock is a clock that only moves when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func mustSwap(t *testing.T, s *memstore.Store, key string, version int64, data []byte) int64 {
	t.Helper()
	v, err := s.Swap(t.Context(), key, version, data)
	if err != nil {
		t.Fatalf("Swap(%q, %d): %v", key, version, err)
	}
	return v
}

func loadVersion(t *testing.T, s *memstore.Store, key string) int64 {
	t.Helper()
	_, v, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load(%q): %v", key, err)
	}
	return v
}

func TestExpiry(t *testing.T) {
	const ttl = 10 * time.Minute
	clock := newFakeClock()
	s := memstore.New(memstore.Options{TTL: ttl, Now: clock.Now})

	v := mustSwap(t, s, "k", 0, []byte("x"))
	clock.Advance(ttl - time.Nanosecond)
	if got := loadVersion(t, s, "k"); got != v {
		t.Fatalf("just before the TTL: version %d, want %d", got, v)
	}
	clock.Advance(time.Nanosecond)
	data, got, err := s.Load(t.Context(), "k")
	if err != nil || data != nil || got != 0 {
		t.Fatalf("at the TTL: Load = %q, %d, %v; want nil, 0, nil", data, got, err)
	}
	if _, err := s.Swap(t.Context(), "k", v, []byte("y")); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Swap of an expired record from its old version: %v, want ErrConflict", err)
	}
	if v2 := mustSwap(t, s, "k", 0, []byte("y")); v2 == v {
		t.Fatalf("record written again after expiry reused version %d", v)
	}
}

func TestExpiryWithoutLoad(t *testing.T) {
	// An expired record that nobody loaded is absent to Swap as well.
	clock := newFakeClock()
	s := memstore.New(memstore.Options{TTL: time.Minute, Now: clock.Now})
	v := mustSwap(t, s, "k", 0, []byte("x"))
	clock.Advance(time.Minute)
	if _, err := s.Swap(t.Context(), "k", v, nil); !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("delete of an expired record from its old version: %v, want ErrConflict", err)
	}
	mustSwap(t, s, "k", 0, nil)
}

func TestWriteRefreshesTTL(t *testing.T) {
	const ttl = time.Minute
	clock := newFakeClock()
	s := memstore.New(memstore.Options{TTL: ttl, Now: clock.Now})

	v := mustSwap(t, s, "k", 0, []byte("one"))
	clock.Advance(ttl / 2)
	v = mustSwap(t, s, "k", v, []byte("two"))
	clock.Advance(ttl/2 + time.Second)
	if got := loadVersion(t, s, "k"); got != v {
		t.Fatalf("TTL after the second write: version %d, want %d", got, v)
	}
	// Loading does not keep a record alive.
	clock.Advance(ttl/2 - time.Second)
	if got := loadVersion(t, s, "k"); got != 0 {
		t.Fatalf("TTL after the last write: version %d, want 0", got)
	}
}

func TestDefaultTTL(t *testing.T) {
	clock := newFakeClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	mustSwap(t, s, "k", 0, []byte("x"))
	clock.Advance(memstore.DefaultTTL - time.Second)
	if loadVersion(t, s, "k") == 0 {
		t.Fatal("record gone before DefaultTTL")
	}
	clock.Advance(time.Second)
	if loadVersion(t, s, "k") != 0 {
		t.Fatal("record still there at DefaultTTL")
	}
}

func TestStateDoesNotExpire(t *testing.T) {
	clock := newFakeClock()
	s := memstore.New(memstore.Options{TTL: time.Minute, Now: clock.Now})
	st := s.State()
	if err := st.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(24 * time.Hour)
	if v, err := st.Get(t.Context(), "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get after a day = %q, %v; want v", v, err)
	}
}

func TestStateShared(t *testing.T) {
	s := memstore.New(memstore.Options{})
	if _, err := s.State().Incr(t.Context(), "n"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.State().Incr(t.Context(), "n"); err != nil || n != 2 {
		t.Fatalf("Incr through a second State() = %d, %v; want 2", n, err)
	}
	// State keys and record keys do not collide.
	if v := loadVersion(t, s, "n"); v != 0 {
		t.Fatalf("state key seen as a record with version %d", v)
	}
}

func TestStateKindsDoNotMix(t *testing.T) {
	st := memstore.New(memstore.Options{}).State()
	ctx := t.Context()
	if err := st.Append(ctx, "l", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "l"); err == nil || errors.Is(err, skills.ErrNotFound) {
		t.Errorf("Get of a list: %v, want a kind error", err)
	}
	if _, err := st.Incr(ctx, "l"); err == nil {
		t.Error("Incr of a list succeeded")
	}
	if err := st.Put(ctx, "v", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := st.Append(ctx, "v", []byte("a")); err == nil {
		t.Error("Append to a value succeeded")
	}
	if _, err := st.List(ctx, "v"); err == nil {
		t.Error("List of a value succeeded")
	}
	// Put replaces whatever was there, as SET does.
	if err := st.Put(ctx, "l", []byte("now a value")); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Get(ctx, "l"); err != nil || string(v) != "now a value" {
		t.Errorf("Get after Put over a list = %q, %v", v, err)
	}
}
