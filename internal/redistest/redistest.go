package redistest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// Addr is where the test server listens.
	Addr = "127.0.0.1:6379"
	// DB is the database tests use, away from the default 0.
	DB = 9
	// RequireEnv names the environment variable that, set to 1, turns an
	// unreachable server into a failure instead of a skip.
	RequireEnv = "REQUIRE_REDIS"
)

// Options returns the client options tests use: Addr, DB, and timeouts short
// enough that a stuck server fails a test rather than hanging it.
func Options() *redis.Options {
	return &redis.Options{
		Addr:                  Addr,
		DB:                    DB,
		DialTimeout:           2 * time.Second,
		ReadTimeout:           5 * time.Second,
		WriteTimeout:          5 * time.Second,
		ContextTimeoutEnabled: true,
	}
}

// Client returns a client of the test server and a key prefix of the form
// "parleytest:<random>:" that no other test uses. Every key under the prefix
// is deleted, and the client closed, when the test ends. An unreachable
// server skips the test, or fails it when REQUIRE_REDIS=1.
func Client(t testing.TB) (*redis.Client, string) {
	t.Helper()
	if err := probe(t.Context()); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("Redis at %s unreachable and %s=1: %v", Addr, RequireEnv, err)
		}
		msg := fmt.Sprintf("SKIP: Redis at %s unreachable: %v (set %s=1 to fail instead)", Addr, err, RequireEnv)
		if _, ok := t.(*testing.B); ok {
			// go test -bench shows a skipped benchmark only with -v.
			fmt.Fprintf(os.Stderr, "%s: %s\n", t.Name(), msg)
		}
		t.Skip(msg)
	}
	c := redis.NewClient(Options())
	prefix := "parleytest:" + strings.ToLower(rand.Text()) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := deletePrefix(ctx, c, prefix); err != nil {
			t.Errorf("redistest: deleting keys under %q: %v", prefix, err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("redistest: closing client: %v", err)
		}
	})
	return c, prefix
}

// probe pings the server once, without the client's retries, so that an
// absent server costs a test no more than one refused dial.
func probe(ctx context.Context) error {
	opts := Options()
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	c := redis.NewClient(opts)
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// deletePrefix removes every key that starts with prefix, which must hold no
// glob metacharacters.
func deletePrefix(ctx context.Context, c *redis.Client, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	batch := make([]string, 0, 500)
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := c.Unlink(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("unlink: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := c.Unlink(ctx, batch...).Err(); err != nil {
		return fmt.Errorf("unlink: %w", err)
	}
	return nil
}
