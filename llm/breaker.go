package llm

import (
	"sync"
	"time"
)

// BreakerState is the state of the circuit breaker in front of the model.
type BreakerState int

// Breaker states.
const (
	Closed   BreakerState = iota // calls go through
	Open                         // calls are refused until the cooldown ends
	HalfOpen                     // one trial call is let through
)

func (s BreakerState) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "unknown"
}

// outcome is what a call tells the breaker.
type outcome int

const (
	success outcome = iota
	failure
	// neutral says nothing about the model's health (the caller gave up,
	// or the server refused this one request as malformed).
	neutral
)

// breaker opens after threshold consecutive failures and stays open for
// cooldown; then it lets one trial call through (half-open), whose success
// closes it and whose failure opens it again. It is safe for concurrent use.
type breaker struct {
	threshold int
	cooldown  time.Duration

	mu       sync.Mutex
	state    BreakerState
	gen      uint64    // changes with every state change
	failures int       // consecutive, while closed
	until    time.Time // end of the cooldown, while open
	trial    bool      // the trial call is in flight, while half-open
	opened   uint64    // times it opened
}

// ticket is the breaker's permission for one call; its outcome counts
// only in the state it was given in.
type ticket struct{ gen uint64 }

// allow reports whether a call may go out now. Every allowed call must be
// followed by exactly one record with its ticket.
func (b *breaker) allow(now time.Time) (ticket, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Open:
		if now.Before(b.until) {
			return ticket{}, false
		}
		b.set(HalfOpen)
		b.trial = true
	case HalfOpen:
		if b.trial {
			return ticket{}, false
		}
		b.trial = true
	}
	return ticket{gen: b.gen}, true
}

// record takes the outcome of an allowed call and returns the states
// before and after it.
func (b *breaker) record(t ticket, o outcome, now time.Time) (from, to BreakerState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	from = b.state
	if t.gen != b.gen {
		// Given out before the state changed: a late answer from before
		// the breaker opened says nothing about the trial.
		return from, from
	}
	switch b.state {
	case Closed:
		switch o {
		case success:
			b.failures = 0
		case failure:
			b.failures++
			if b.failures >= b.threshold {
				b.open(now)
			}
		}
	case HalfOpen:
		b.trial = false
		switch o {
		case success:
			b.set(Closed)
		case failure:
			b.open(now)
		}
	}
	return from, b.state
}

func (b *breaker) set(s BreakerState) {
	b.state, b.failures, b.trial = s, 0, false
	b.gen++
}

func (b *breaker) open(now time.Time) {
	b.set(Open)
	b.until = now.Add(b.cooldown)
	b.opened++
}

// snapshot returns the state as seen at now (open reads as half-open once
// the cooldown is over) and how often it opened.
func (b *breaker) snapshot(now time.Time) (BreakerState, uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && !now.Before(b.until) {
		return HalfOpen, b.opened
	}
	return b.state, b.opened
}
