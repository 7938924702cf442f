package threads_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/chat/threads"
	"github.com/parleybot/parley/internal/redistest"
)

// index is what both implementations offer.
type index interface {
	Wait(ctx context.Context, user, channel, thread string) error
	Done(ctx context.Context, user, channel, thread string) error
	Get(ctx context.Context, user, channel string) (string, error)
}

// conformance runs the same steps against an index; two is a second handle
// on the same index (another process, for Redis).
func conformance(t *testing.T, one, two index) {
	ctx := context.Background()
	get := func(ix index, user, channel, want string) {
		t.Helper()
		got, err := ix.Get(ctx, user, channel)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("Get(%s, %s) = %q, want %q", user, channel, got, want)
		}
	}
	get(one, "alice", "C1", "")
	if err := one.Wait(ctx, "alice", "C1", "100.1"); err != nil {
		t.Fatal(err)
	}
	get(one, "alice", "C1", "100.1")
	get(two, "alice", "C1", "100.1")
	get(two, "alice", "C2", "")
	get(two, "bob", "C1", "")
	// A newer dialog in another thread replaces the older one; the older
	// one ending does not forget the newer.
	if err := two.Wait(ctx, "alice", "C1", "200.2"); err != nil {
		t.Fatal(err)
	}
	if err := one.Done(ctx, "alice", "C1", "100.1"); err != nil {
		t.Fatal(err)
	}
	get(one, "alice", "C1", "200.2")
	if err := one.Done(ctx, "alice", "C1", "200.2"); err != nil {
		t.Fatal(err)
	}
	get(two, "alice", "C1", "")
	// Many people at once.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			user := string(rune('a' + i))
			if err := one.Wait(ctx, user, "C9", user+".1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 20 {
		user := string(rune('a' + i))
		get(two, user, "C9", user+".1")
	}
}

func TestMemory(t *testing.T) {
	m := threads.NewMemory(0, nil)
	conformance(t, m, m)
}

func TestMemoryExpiry(t *testing.T) {
	now := time.Unix(1000, 0)
	m := threads.NewMemory(time.Minute, func() time.Time { return now })
	ctx := context.Background()
	if err := m.Wait(ctx, "alice", "C1", "1.1"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(59 * time.Second)
	if got, _ := m.Get(ctx, "alice", "C1"); got != "1.1" {
		t.Fatalf("before expiry: %q", got)
	}
	now = now.Add(2 * time.Second)
	if got, _ := m.Get(ctx, "alice", "C1"); got != "" {
		t.Fatalf("after expiry: %q", got)
	}
}

func TestRedis(t *testing.T) {
	client, prefix := redistest.Client(t)
	conformance(t, threads.NewRedis(client, prefix+"threads:", 0), threads.NewRedis(client, prefix+"threads:", 0))
	ttl, err := client.TTL(context.Background(), prefix+"threads:a:C9").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > threads.DefaultTTL {
		t.Errorf("TTL of a thread key = %v, want (0, %v]", ttl, threads.DefaultTTL)
	}
}
