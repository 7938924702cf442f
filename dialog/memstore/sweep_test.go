package memstore

import (
	"fmt"
	"testing"
	"time"
)

// size counts the records held, expired ones not yet dropped included.
func (s *Store) size() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.recs)
		sh.mu.Unlock()
	}
	return n
}

func TestSweepDropsExpiredRecords(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{TTL: time.Minute, Now: func() time.Time { return now }})
	ctx := t.Context()
	write := func(key string) {
		t.Helper()
		if _, err := s.Swap(ctx, key, 0, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}

	// Conversations that are never touched again.
	const old, live = 1000, 4000
	for i := range old {
		write(fmt.Sprintf("old-%d", i))
	}
	now = now.Add(2 * time.Minute)
	for i := range live {
		write(fmt.Sprintf("live-%d", i))
	}
	if got := s.size(); got != live {
		t.Fatalf("after expiry and %d new writes the store holds %d records, want %d", live, got, live)
	}
}

func TestMemoryStaysBounded(t *testing.T) {
	// A steady stream of new conversations, each written once: the store
	// must keep about what one TTL's worth of traffic holds, not all of it.
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(Options{TTL: time.Minute, Now: func() time.Time { return now }})
	ctx := t.Context()
	const perSecond = 50
	peak := 0
	for sec := range 600 {
		for i := range perSecond {
			if _, err := s.Swap(ctx, fmt.Sprintf("c-%d-%d", sec, i), 0, []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Second)
		peak = max(peak, s.size())
	}
	t.Logf("peak %d records, at most %d live", peak, 60*perSecond)
	if liveMax := 60 * perSecond; peak > 3*liveMax {
		t.Fatalf("store peaked at %d records with at most %d live", peak, liveMax)
	}
}
