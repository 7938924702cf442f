package dedupe_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/chat/dedupe"
	"github.com/parleybot/parley/internal/redistest"
)

// conformance runs the behaviour every Deduper shares. newDeduper returns
// two handles on one shared memory of ids (two processes, for Redis).
func conformance(t *testing.T, newDeduper func(t *testing.T) (a, b dedupe.Deduper)) {
	ctx := context.Background()
	t.Run("first then repeat", func(t *testing.T) {
		d, _ := newDeduper(t)
		for i, want := range []bool{true, false, false} {
			first, err := d.Seen(ctx, "Ev1")
			if err != nil || first != want {
				t.Fatalf("sighting %d: first=%v err=%v, want %v", i, first, err, want)
			}
		}
		if first, err := d.Seen(ctx, "Ev2"); err != nil || !first {
			t.Fatalf("another id: first=%v err=%v", first, err)
		}
	})
	t.Run("empty id", func(t *testing.T) {
		d, _ := newDeduper(t)
		if _, err := d.Seen(ctx, ""); !errors.Is(err, dedupe.ErrEmptyID) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("shared between handles under a race", func(t *testing.T) {
		a, b := newDeduper(t)
		const ids, racers = 50, 8
		var firsts atomic.Int64
		var wg sync.WaitGroup
		for r := range racers {
			d := a
			if r%2 == 1 {
				d = b
			}
			wg.Go(func() {
				for i := range ids {
					first, err := d.Seen(ctx, fmt.Sprintf("Ev%d", i))
					if err != nil {
						t.Error(err)
						return
					}
					if first {
						firsts.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if got := firsts.Load(); got != ids {
			t.Fatalf("%d first sightings for %d ids", got, ids)
		}
	})
}

func TestMemory(t *testing.T) {
	conformance(t, func(t *testing.T) (dedupe.Deduper, dedupe.Deduper) {
		m := dedupe.NewMemory(0, nil)
		return m, m
	})
}

func TestMemoryExpiry(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	m := dedupe.NewMemory(time.Minute, clock)
	ctx := context.Background()
	if first, _ := m.Seen(ctx, "a"); !first {
		t.Fatal("a not first")
	}
	now = now.Add(59 * time.Second)
	if first, _ := m.Seen(ctx, "a"); first {
		t.Fatal("a forgotten before its TTL")
	}
	now = now.Add(2 * time.Second)
	if first, _ := m.Seen(ctx, "a"); !first {
		t.Fatal("a remembered after its TTL")
	}
	now = now.Add(2 * time.Minute)
	_, _ = m.Seen(ctx, "b")
	if n := m.Len(); n != 1 {
		t.Fatalf("expired ids not swept: %d left", n)
	}
}

func TestRedis(t *testing.T) {
	conformance(t, func(t *testing.T) (dedupe.Deduper, dedupe.Deduper) {
		client, prefix := redistest.Client(t)
		other := redis.NewClient(redistest.Options())
		t.Cleanup(func() { other.Close() })
		return dedupe.NewRedis(client, prefix+"seen:", 0), dedupe.NewRedis(other, prefix+"seen:", 0)
	})
}

func TestRedisKeyAndExpiry(t *testing.T) {
	client, prefix := redistest.Client(t)
	ctx := context.Background()
	d := dedupe.NewRedis(client, prefix+"seen:", 90*time.Second+time.Millisecond)
	if first, err := d.Seen(ctx, "Ev42"); err != nil || !first {
		t.Fatalf("first=%v err=%v", first, err)
	}
	ttl, err := client.TTL(ctx, prefix+"seen:Ev42").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 85*time.Second || ttl > 91*time.Second {
		t.Fatalf("TTL %v, want about 91s (rounded up to whole seconds)", ttl)
	}
}

// With Redis unreachable the answer is an error, never "first": callers
// drop the event rather than risk running it twice.
func TestRedisDownFailsClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { client.Close() })
	first, err := dedupe.NewRedis(client, "p:", 0).Seen(context.Background(), "Ev1")
	if err == nil || first {
		t.Fatalf("first=%v err=%v, want an error and not first", first, err)
	}
}
