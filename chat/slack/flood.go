package slack

import (
	"sync"
	"time"
)

// floodGuard bounds how fast one person's messages are handled, with a
// token bucket per person: a pasted wall of lines or a looping client
// costs one notice in the channel, not a reply to every line, and never a
// run of skills or language-model calls.
type floodGuard struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	people map[string]*floodState
}

type floodState struct {
	bucket bucket
	told   bool // the person was told they are going too fast
}

func newFloodGuard(rate float64, burst int) *floodGuard {
	return &floodGuard{rate: rate, burst: float64(burst), people: map[string]*floodState{}}
}

// allow reports whether a message of user's may be handled at now, and
// whether this is the first refused since the last allowed, so the person
// is told once.
func (g *floodGuard) allow(user string, now time.Time) (ok, tell bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.people[user]
	if st == nil {
		if len(g.people) >= 10_000 {
			g.forgetIdle(now)
		}
		st = &floodState{bucket: bucket{rate: g.rate, burst: g.burst}}
		g.people[user] = st
	}
	if st.bucket.take(now) {
		st.told = false
		return true, false
	}
	tell = !st.told
	st.told = true
	return false, tell
}

// forgetIdle drops the people whose buckets are full again: they would
// start afresh anyway.
func (g *floodGuard) forgetIdle(now time.Time) {
	full := time.Duration(g.burst / g.rate * float64(time.Second))
	for user, st := range g.people {
		if now.Sub(st.bucket.last) > full {
			delete(g.people, user)
		}
	}
}

// take takes a token if one is there.
func (b *bucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
