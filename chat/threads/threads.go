// Package threads remembers, per person and channel, the thread of the
// dialog that waits for their answer, so that an answer typed at the top
// of the channel, without a mention, reaches the dialog in its thread.
//
// Memory serves one process. Redis is shared by every bot process that
// points at the same server and prefix: with two processes behind one
// chat app, the answer may arrive at the process that did not ask. Either
// is only a hint of where to look: the dialog store, which every process
// shares, still decides whether a dialog waits there.
//
// This package imports no other package of Parley.
package threads

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultTTL is how long a waiting dialog's thread is remembered when no
// answer comes.
const DefaultTTL = 30 * time.Minute

// maxMemory bounds the entries Memory keeps before it drops expired ones.
const maxMemory = 10000

// Memory is an index in this process's memory. It is safe for concurrent
// use.
type Memory struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]entry
}

type entry struct {
	thread  string
	expires time.Time
}

// NewMemory returns an index keeping threads for ttl (DefaultTTL when
// zero); now is the clock (time.Now when nil).
func NewMemory(ttl time.Duration, now func() time.Time) *Memory {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{ttl: ttl, now: now, m: map[string]entry{}}
}

func key(user, channel string) string { return user + "\x00" + channel }

// Wait records that a dialog of user in channel waits in thread.
func (m *Memory) Wait(_ context.Context, user, channel, thread string) error {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= maxMemory {
		for k, e := range m.m {
			if now.After(e.expires) {
				delete(m.m, k)
			}
		}
	}
	m.m[key(user, channel)] = entry{thread: thread, expires: now.Add(m.ttl)}
	return nil
}

// Done records that the dialog in thread no longer waits; a dialog of the
// same person waiting in another thread of the channel is kept.
func (m *Memory) Done(_ context.Context, user, channel, thread string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(user, channel)
	if e, ok := m.m[k]; ok && e.thread == thread {
		delete(m.m, k)
	}
	return nil
}

// Get returns the thread where a dialog of user in channel waits, or "".
func (m *Memory) Get(_ context.Context, user, channel string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key(user, channel)]
	if !ok || m.now().After(e.expires) {
		return "", nil
	}
	return e.thread, nil
}

// Redis is an index in Redis: one key per person and channel, holding the
// thread, with an expiry.
type Redis struct {
	client redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewRedis returns an index keeping threads at prefix+user+":"+channel
// for ttl (DefaultTTL when zero, rounded up to whole seconds).
func NewRedis(client redis.UniversalClient, prefix string, ttl time.Duration) *Redis {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if r := ttl % time.Second; r != 0 {
		ttl += time.Second - r
	}
	return &Redis{client: client, prefix: prefix, ttl: ttl}
}

func (r *Redis) key(user, channel string) string { return r.prefix + user + ":" + channel }

// Wait implements the index.
func (r *Redis) Wait(ctx context.Context, user, channel, thread string) error {
	if err := r.client.Set(ctx, r.key(user, channel), thread, r.ttl).Err(); err != nil {
		return fmt.Errorf("threads: recording the thread of %s in %s: %w", user, channel, err)
	}
	return nil
}

// doneScript deletes the key only while it still holds the thread, so a
// dialog started meanwhile in another thread is kept.
var doneScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Done implements the index.
func (r *Redis) Done(ctx context.Context, user, channel, thread string) error {
	if err := doneScript.Run(ctx, r.client, []string{r.key(user, channel)}, thread).Err(); err != nil {
		return fmt.Errorf("threads: forgetting the thread of %s in %s: %w", user, channel, err)
	}
	return nil
}

// Get implements the index.
func (r *Redis) Get(ctx context.Context, user, channel string) (string, error) {
	thread, err := r.client.Get(ctx, r.key(user, channel)).Result()
	switch {
	case err == redis.Nil:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("threads: reading the thread of %s in %s: %w", user, channel, err)
	}
	return thread, nil
}
