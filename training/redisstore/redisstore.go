package redisstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/training"
)

// DefaultPrefix is the key prefix used when New is given none.
const DefaultPrefix = "parley:"

// Store is a training.Store in Redis, shared by every process that uses
// the same server and prefix. It is safe for concurrent use and holds no
// connection of its own except, while someone waits on Changes, one
// subscription.
type Store struct {
	client redis.UniversalClient
	// Keys, all under prefix+"train:".
	seq, examples, exOrder, queue, qOrder, qCount, qDedupe string
	// channel carries change notices; origin marks this Store's own.
	channel string
	origin  string

	changes hub
}

var _ training.Store = (*Store)(nil)

// New returns a Store that keeps its data through client under
// prefix+"train:". An empty prefix means DefaultPrefix. Closing the client
// is the caller's job.
func New(client redis.UniversalClient, prefix string) *Store {
	p := cmp.Or(prefix, DefaultPrefix) + "train:"
	s := &Store{
		client:   client,
		seq:      p + "seq",
		examples: p + "examples",
		exOrder:  p + "examples:order",
		queue:    p + "queue",
		qOrder:   p + "queue:order",
		qCount:   p + "queue:count",
		qDedupe:  p + "queue:dedupe",
		channel:  p + "changed",
		origin:   newID(),
	}
	s.changes.start = s.listen
	return s
}

// newID returns a random id of 12 hex digits.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// dedupeKey is the field of the dedupe hash under which a candidate is
// counted rather than queued again.
func dedupeKey(text, intent string) string {
	return training.Key(text) + "\x00" + intent
}

func wrap(op string, err error) error {
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// Examples returns every taught example, oldest first, read in one
// MULTI.
func (s *Store) Examples(ctx context.Context) ([]training.Teaching, error) {
	var order *redis.StringSliceCmd
	var all *redis.MapStringStringCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		order = p.ZRange(ctx, s.exOrder, 0, -1)
		all = p.HGetAll(ctx, s.examples)
		return nil
	})
	if err != nil {
		return nil, wrap("examples", err)
	}
	byKey := all.Val()
	out := make([]training.Teaching, 0, len(byKey))
	for _, key := range order.Val() {
		raw, ok := byKey[key]
		if !ok {
			continue
		}
		var t training.Teaching
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return nil, fmt.Errorf("redisstore: examples: bad teaching at %s %q: %w", s.examples, key, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Teach records an example, replacing any earlier one with the same
// normalised text, and announces the change. An empty ID is filled with a
// random one and a zero At with the current time.
func (s *Store) Teach(ctx context.Context, t training.Teaching) (training.Teaching, error) {
	if t.Text == "" || t.Intent == "" {
		return training.Teaching{}, errors.New("redisstore: teach: text and intent are required")
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.At.IsZero() {
		t.At = time.Now()
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return training.Teaching{}, wrap("teach", err)
	}
	keys := []string{s.seq, s.examples, s.exOrder}
	if err := teachScript.Run(ctx, s.client, keys, training.Key(t.Text), raw, s.channel, s.origin).Err(); err != nil {
		return training.Teaching{}, wrap("teach", err)
	}
	s.changes.notify()
	return t, nil
}

// Propose queues a candidate, or counts it when the same normalised text
// with the same intent is already queued, in one script run, and returns
// the queued candidate with its count. An empty ID is filled in and a zero
// At stamped.
func (s *Store) Propose(ctx context.Context, c training.Candidate) (training.Candidate, error) {
	if c.Text == "" {
		return training.Candidate{}, errors.New("redisstore: propose: text is required")
	}
	if c.ID == "" {
		c.ID = newID()
	}
	if c.At.IsZero() {
		c.At = time.Now()
	}
	c.Count = 1
	keys := []string{s.seq, s.queue, s.qOrder, s.qCount, s.qDedupe}
	dedupe := dedupeKey(c.Text, c.Intent)
	for range 5 {
		raw, err := json.Marshal(c)
		if err != nil {
			return training.Candidate{}, wrap("propose", err)
		}
		res, err := proposeScript.Run(ctx, s.client, keys, dedupe, c.ID, raw).Slice()
		if err != nil {
			return training.Candidate{}, wrap("propose", err)
		}
		if len(res) == 0 {
			// The id is taken: draw another.
			c.ID = newID()
			continue
		}
		if len(res) != 3 {
			return training.Candidate{}, fmt.Errorf("redisstore: propose: unexpected reply %v", res)
		}
		id, _ := res[0].(string)
		count, _ := res[1].(int64)
		stored, _ := res[2].(string)
		var out training.Candidate
		if err := json.Unmarshal([]byte(stored), &out); err != nil {
			return training.Candidate{}, fmt.Errorf("redisstore: propose: bad candidate at %s %q: %w", s.queue, id, err)
		}
		out.ID, out.Count = id, int(count)
		return out, nil
	}
	return training.Candidate{}, errors.New("redisstore: propose: no free id")
}

// Candidates returns the queue, oldest first, read in one MULTI.
func (s *Store) Candidates(ctx context.Context) ([]training.Candidate, error) {
	var order *redis.StringSliceCmd
	var all, counts *redis.MapStringStringCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		order = p.ZRange(ctx, s.qOrder, 0, -1)
		all = p.HGetAll(ctx, s.queue)
		counts = p.HGetAll(ctx, s.qCount)
		return nil
	})
	if err != nil {
		return nil, wrap("candidates", err)
	}
	byID, countOf := all.Val(), counts.Val()
	out := make([]training.Candidate, 0, len(byID))
	for _, id := range order.Val() {
		raw, ok := byID[id]
		if !ok {
			continue
		}
		var c training.Candidate
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return nil, fmt.Errorf("redisstore: candidates: bad candidate at %s %q: %w", s.queue, id, err)
		}
		c.ID = id
		if n, err := strconv.Atoi(countOf[id]); err == nil {
			c.Count = n
		}
		out = append(out, c)
	}
	return out, nil
}

// Resolve takes a candidate off the queue and returns it; approving also
// teaches it as d.Intent, or as the candidate's own intent when d.Intent is
// empty, and announces the change. Taking it off and teaching happen in one
// script run, so of several resolutions of one id exactly one succeeds; the
// others get training.ErrUnknown.
func (s *Store) Resolve(ctx context.Context, id string, d training.Decision) (training.Candidate, error) {
	keys := []string{s.seq, s.queue, s.qOrder, s.qCount, s.qDedupe, s.examples, s.exOrder}
	for range 5 {
		stored, err := s.client.HGet(ctx, s.queue, id).Result()
		if errors.Is(err, redis.Nil) {
			return training.Candidate{}, fmt.Errorf("redisstore: resolve %q: %w", id, training.ErrUnknown)
		}
		if err != nil {
			return training.Candidate{}, wrap("resolve", err)
		}
		var c training.Candidate
		if err := json.Unmarshal([]byte(stored), &c); err != nil {
			return training.Candidate{}, fmt.Errorf("redisstore: resolve: bad candidate at %s %q: %w", s.queue, id, err)
		}
		c.ID = id
		approve, teaching := "0", []byte(nil)
		if d.Approve {
			intent := cmp.Or(d.Intent, c.Intent)
			if intent == "" {
				return training.Candidate{}, fmt.Errorf("redisstore: resolve %q: approving a candidate without an intent needs Decision.Intent", id)
			}
			t := training.Teaching{ID: newID(), Text: c.Text, Intent: intent, By: d.By, At: d.At, Source: "review"}
			if t.At.IsZero() {
				t.At = time.Now()
			}
			if teaching, err = json.Marshal(t); err != nil {
				return training.Candidate{}, wrap("resolve", err)
			}
			approve = "1"
		}
		res, err := resolveScript.Run(ctx, s.client, keys,
			id, stored, dedupeKey(c.Text, c.Intent), approve, training.Key(c.Text), teaching, s.channel, s.origin).Slice()
		if errors.Is(err, redis.Nil) {
			return training.Candidate{}, fmt.Errorf("redisstore: resolve %q: %w", id, training.ErrUnknown)
		}
		if err != nil {
			return training.Candidate{}, wrap("resolve", err)
		}
		if len(res) == 0 {
			// Resolved and proposed again under the same id since
			// it was read: read it again.
			continue
		}
		count, _ := res[0].(int64)
		c.Count = int(count)
		if d.Approve {
			s.changes.notify()
		}
		return c, nil
	}
	return training.Candidate{}, fmt.Errorf("redisstore: resolve %q: candidate keeps changing", id)
}

// Changes returns a channel that receives a value after each change to the
// examples made through this Store or announced by any other on the same
// prefix, until ctx ends. When no other call is waiting, it first waits
// until the subscription is made, or has failed (it is then retried in the
// background), so that changes made after it returns are not missed. When
// the subscription is lost and made again, the channel receives a value
// too, since changes may have been missed meanwhile.
func (s *Store) Changes(ctx context.Context) <-chan struct{} {
	ch, ready := s.changes.subscribe(ctx)
	select {
	case <-ready:
	case <-ctx.Done():
	}
	return ch
}
