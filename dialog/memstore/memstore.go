package memstore

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/skills"
)

// DefaultTTL is how long a record lives after its last write when
// Options.TTL is not set.
const DefaultTTL = 15 * time.Minute

// shardCount splits the records over independent locks so that
// conversations of different people do not wait for each other.
const shardCount = 16

// minSweepWrites is the least number of writes to a shard between two sweeps
// of it. Past that, a shard is swept again once it has taken as many writes
// as it kept records after its last sweep: the sweep's cost per write stays
// constant, and a shard holds at most about twice the records written
// within one TTL.
const minSweepWrites = 64

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// TTL is how long a record lives after its last write. Zero or
	// negative means DefaultTTL.
	TTL time.Duration
	// Now reads the clock. Nil means time.Now; tests inject their own.
	Now func() time.Time
}

// Store is an in-memory dialog.Store. It is safe for concurrent use. The
// zero value is not usable: call New.
type Store struct {
	ttl    time.Duration
	now    func() time.Time
	seed   maphash.Seed
	seq    atomic.Int64
	shards [shardCount]shard
	state  state
}

type shard struct {
	mu      sync.Mutex
	recs    map[string]record
	writes  int // since the last sweep
	sweepAt int // writes that call for the next sweep
}

type record struct {
	data    []byte // never modified once stored
	version int64
	expires time.Time
}

var _ dialog.Store = (*Store)(nil)

// New returns an empty Store.
func New(opts Options) *Store {
	s := &Store{
		ttl:  opts.TTL,
		now:  opts.Now,
		seed: maphash.MakeSeed(),
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i := range s.shards {
		s.shards[i].recs = make(map[string]record)
		s.shards[i].sweepAt = minSweepWrites
	}
	s.state.vals = make(map[string][]byte)
	s.state.lists = make(map[string][][]byte)
	return s
}

func (s *Store) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)%shardCount]
}

// Load returns a copy of the record at key and its version, or (nil, 0, nil)
// when there is none or it has expired.
func (s *Store) Load(ctx context.Context, key string) ([]byte, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("memstore: load: %w", err)
	}
	now := s.now()
	sh := s.shard(key)
	sh.mu.Lock()
	r, ok := sh.recs[key]
	if ok && !now.Before(r.expires) {
		delete(sh.recs, key)
		ok = false
	}
	sh.mu.Unlock()
	if !ok {
		return nil, 0, nil
	}
	return bytes.Clone(r.data), r.version, nil
}

// Swap stores a copy of data at key if the record's version is still
// version, and returns the new version; nil data deletes the record and
// returns 0. It returns dialog.ErrConflict and changes nothing when the
// version does not match.
func (s *Store) Swap(ctx context.Context, key string, version int64, data []byte) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: swap: %w", err)
	}
	stored := bytes.Clone(data) // nil stays nil
	now := s.now()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	r, ok := sh.recs[key]
	var current int64
	if ok && now.Before(r.expires) {
		current = r.version
	}
	if current != version {
		return 0, dialog.ErrConflict
	}
	if stored == nil {
		if ok {
			delete(sh.recs, key)
		}
		return 0, nil
	}
	// Taken under the shard's lock, so later writes to this key always get
	// larger numbers, whether or not the record was deleted in between.
	v := s.seq.Add(1)
	sh.recs[key] = record{data: stored, version: v, expires: now.Add(s.ttl)}
	sh.writes++
	if sh.writes >= sh.sweepAt {
		sh.sweep(now)
	}
	return v, nil
}

// sweep drops the shard's expired records. The caller holds sh.mu.
func (sh *shard) sweep(now time.Time) {
	for k, r := range sh.recs {
		if !now.Before(r.expires) {
			delete(sh.recs, k)
		}
	}
	sh.writes = 0
	sh.sweepAt = max(minSweepWrites, len(sh.recs))
}

// State returns the skills.State kept in this Store. Its values never
// expire. Every call returns a view of the same data.
func (s *Store) State() skills.State {
	return &s.state
}
