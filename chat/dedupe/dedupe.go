package dedupe

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Deduper tells first sightings of an event id from repeats.
// Implementations are safe for concurrent use.
type Deduper interface {
	// Seen records id and reports whether this call was the first to see
	// it within the retention period. An error means the answer is
	// unknown: the caller must treat the event as not to be handled.
	Seen(ctx context.Context, id string) (first bool, err error)
}

// DefaultTTL is how long an id is remembered: well beyond the few minutes
// over which Slack re-delivers an event.
const DefaultTTL = time.Hour

// ErrEmptyID is returned for an empty id, which could never be told apart
// from another event's.
var ErrEmptyID = errors.New("dedupe: empty event id")

// Memory remembers ids in this process only.
type Memory struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	seen      map[string]time.Time // id -> expiry
	lastSweep time.Time
}

var _ Deduper = (*Memory)(nil)

// NewMemory returns an in-process Deduper that remembers ids for ttl
// (DefaultTTL when zero). now is the clock (time.Now when nil).
func NewMemory(ttl time.Duration, now func() time.Time) *Memory {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{ttl: ttl, now: now, seen: map[string]time.Time{}}
}

// Seen implements Deduper. It never fails for a non-empty id.
func (m *Memory) Seen(_ context.Context, id string) (bool, error) {
	if id == "" {
		return false, ErrEmptyID
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.lastSweep) > m.ttl/4 {
		for k, exp := range m.seen {
			if !now.Before(exp) {
				delete(m.seen, k)
			}
		}
		m.lastSweep = now
	}
	if exp, ok := m.seen[id]; ok && now.Before(exp) {
		return false, nil
	}
	m.seen[id] = now.Add(m.ttl)
	return true, nil
}

// Len reports how many ids are remembered, expired ones not yet swept
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// Redis remembers ids in Redis, shared by every process using the same
// server and prefix. Each sighting is one SET key 1 NX EX ttl.
type Redis struct {
	client redis.UniversalClient
	prefix string
	ttl    time.Duration
}

var _ Deduper = (*Redis)(nil)

// NewRedis returns a Deduper keeping ids at prefix+id for ttl (DefaultTTL
// when zero; Redis expiries are whole seconds, so it is rounded up).
func NewRedis(client redis.UniversalClient, prefix string, ttl time.Duration) *Redis {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if r := ttl % time.Second; r != 0 {
		ttl += time.Second - r
	}
	return &Redis{client: client, prefix: prefix, ttl: ttl}
}

// Seen implements Deduper. Any failure to get Redis's answer is returned
// as an error, which callers treat as "do not handle" (fail closed).
func (r *Redis) Seen(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, ErrEmptyID
	}
	err := r.client.SetArgs(ctx, r.prefix+id, "1", redis.SetArgs{Mode: "NX", TTL: r.ttl}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	}
	return false, fmt.Errorf("dedupe: recording event %q: %w", id, err)
}
