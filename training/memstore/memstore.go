// Package memstore keeps taught examples and the review queue in memory:
// for tests, conversation tests and runs that should forget what they
// learned. It passes the storetest conformance suite.
package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleybot/parley/training"
)

// Store is an in-memory training.Store.
type Store struct {
	mu       sync.Mutex
	now      func() time.Time
	taught   []training.Teaching
	queue    []training.Candidate
	watchers []chan struct{}
}

var _ training.Store = (*Store)(nil)

// New returns an empty store; now defaults to time.Now.
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: now}
}

func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Examples returns every taught example, oldest first.
func (s *Store) Examples(ctx context.Context) ([]training.Teaching, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]training.Teaching, len(s.taught))
	for i, t := range s.taught {
		t.Entities = slices.Clone(t.Entities)
		out[i] = t
	}
	return out, ctx.Err()
}

// Teach records an example; the same text taught again replaces the earlier one.
func (s *Store) Teach(ctx context.Context, t training.Teaching) (training.Teaching, error) {
	if err := ctx.Err(); err != nil {
		return training.Teaching{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Entities = slices.Clone(t.Entities)
	s.teach(&t)
	return t, nil
}

func (s *Store) teach(t *training.Teaching) {
	if t.ID == "" {
		t.ID = newID()
	}
	if t.At.IsZero() {
		t.At = s.now()
	}
	k := training.Key(t.Text)
	s.taught = slices.DeleteFunc(s.taught, func(old training.Teaching) bool { return training.Key(old.Text) == k })
	s.taught = append(s.taught, *t)
	for _, w := range s.watchers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Propose queues a candidate, counting repeats of the same text and intent.
func (s *Store) Propose(ctx context.Context, c training.Candidate) (training.Candidate, error) {
	if err := ctx.Err(); err != nil {
		return training.Candidate{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := training.Key(c.Text)
	for i := range s.queue {
		if training.Key(s.queue[i].Text) == k && s.queue[i].Intent == c.Intent {
			s.queue[i].Count++
			return s.queue[i], nil
		}
	}
	if c.ID == "" {
		c.ID = newID()
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	c.Count = 1
	c.Guesses = slices.Clone(c.Guesses)
	s.queue = append(s.queue, c)
	return c, nil
}

// Candidates returns the queue, oldest first.
func (s *Store) Candidates(ctx context.Context) ([]training.Candidate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]training.Candidate, len(s.queue))
	for i, c := range s.queue {
		c.Guesses = slices.Clone(c.Guesses)
		out[i] = c
	}
	return out, ctx.Err()
}

// Resolve takes a candidate off the queue, teaching it when approved.
func (s *Store) Resolve(ctx context.Context, id string, d training.Decision) (training.Candidate, error) {
	if err := ctx.Err(); err != nil {
		return training.Candidate{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.queue, func(c training.Candidate) bool { return c.ID == id })
	if i < 0 {
		return training.Candidate{}, fmt.Errorf("candidate %s: %w", id, training.ErrUnknown)
	}
	c := s.queue[i]
	if d.Approve {
		intent := d.Intent
		if intent == "" {
			intent = c.Intent
		}
		if intent == "" {
			return training.Candidate{}, fmt.Errorf("candidate %s has no intent: say which one it means", id)
		}
		at := d.At
		if at.IsZero() {
			at = s.now()
		}
		s.teach(&training.Teaching{Text: c.Text, Intent: intent, By: d.By, At: at, Source: "review"})
	}
	s.queue = slices.Delete(s.queue, i, i+1)
	return c, nil
}

// Changes delivers a value after every change to the examples until ctx ends.
func (s *Store) Changes(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers = append(s.watchers, ch)
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		s.watchers = slices.DeleteFunc(s.watchers, func(w chan struct{}) bool { return w == ch })
		s.mu.Unlock()
	}()
	return ch
}
