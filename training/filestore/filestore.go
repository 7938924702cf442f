package filestore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/parleybot/parley/training"
)

// The files in a Store's directory.
const (
	TaughtFile = "taught.jsonl"
	QueueFile  = "queue.jsonl"
)

// pollInterval is how often a Store with someone waiting on Changes looks
// for lines appended by another process.
const pollInterval = time.Second

// Store is a training.Store in two files of one directory. It is safe for
// concurrent use.
type Store struct {
	dir string
	now func() time.Time

	mu     sync.Mutex
	closed bool
	// broken is set when a failed write could not be cut off again:
	// appending more would leave a bad line in the middle of the file.
	broken error
	taught logFile
	queue  logFile
	// seq orders examples and candidates by when they were added.
	seq uint64
	// examples are keyed by normalised text, candidates by id; keys maps
	// a dedupeKey to the id of the candidate counted under it.
	examples   map[string]*example
	candidates map[string]*candidate
	keys       map[string]string

	changes hub
}

type example struct {
	t   training.Teaching
	seq uint64
}

type candidate struct {
	c   training.Candidate
	key string
	seq uint64
}

var _ training.Store = (*Store)(nil)

// Open opens the store in dir, creating the directory (0700) and its files
// (0600) when missing, and rebuilds its state from the files. now stamps
// teachings, candidates and decisions given without a time; nil means
// time.Now. A file with a bad line other than a torn last one is an error
// of type *training.Error naming the file and line.
func Open(dir string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	s := &Store{
		dir: dir,
		now: now,
		taught: logFile{
			path: filepath.Join(dir, TaughtFile),
			ops:  []string{opTaught},
		},
		queue: logFile{
			path: filepath.Join(dir, QueueFile),
			ops:  []string{opProposed, opResolved},
		},
		examples:   make(map[string]*example),
		candidates: make(map[string]*candidate),
		keys:       make(map[string]string),
	}
	s.changes.start = s.startPolling
	for _, lf := range []*logFile{&s.taught, &s.queue} {
		f, err := os.OpenFile(lf.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			s.closeFiles()
			return nil, fmt.Errorf("filestore: %w", err)
		}
		lf.f = f
		if err := s.load(lf); err != nil {
			s.closeFiles()
			return nil, err
		}
	}
	// Make the files' names durable too, in case they were just created.
	if err := syncDir(dir); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("filestore: syncing %s: %w", dir, err)
	}
	return nil
}

func (s *Store) closeFiles() error {
	var errs []error
	for _, lf := range []*logFile{&s.taught, &s.queue} {
		if lf.f != nil {
			errs = append(errs, lf.f.Close())
			lf.f = nil
		}
	}
	return errors.Join(errs...)
}

// Dir returns the directory the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

// Close closes the files. Calls after Close fail with os.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.closeFiles(); err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	return nil
}

// apply changes the state by one event read from a file.
func (s *Store) apply(ev event) {
	switch ev.Op {
	case opTaught:
		s.seq++
		s.examples[training.Key(ev.Teaching.Text)] = &example{t: *ev.Teaching, seq: s.seq}
	case opProposed:
		c := *ev.Candidate
		if e, ok := s.candidates[c.ID]; ok {
			e.c.Count++
			return
		}
		c.Count = 1
		s.seq++
		key := dedupeKey(c.Text, c.Intent)
		s.candidates[c.ID] = &candidate{c: c, key: key, seq: s.seq}
		if _, ok := s.keys[key]; !ok {
			s.keys[key] = c.ID
		}
	case opResolved:
		e, ok := s.candidates[ev.ID]
		if !ok {
			return
		}
		delete(s.candidates, ev.ID)
		if s.keys[e.key] != ev.ID {
			return
		}
		delete(s.keys, e.key)
		// Two writing processes may have queued the same phrasing
		// twice: count under the older one left, if any.
		var next *candidate
		for _, o := range s.candidates {
			if o.key == e.key && (next == nil || o.seq < next.seq) {
				next = o
			}
		}
		if next != nil {
			s.keys[e.key] = next.c.ID
		}
	}
}

// refresh applies what was appended to the files since they were last
// read, and wakes Changes when that taught something. s.mu must be held.
func (s *Store) refresh() error {
	if s.closed {
		return fmt.Errorf("filestore: %w", os.ErrClosed)
	}
	before := s.taught.line
	err := s.catchUp(&s.taught)
	if s.taught.line != before {
		s.changes.notify()
	}
	if err != nil {
		return err
	}
	return s.catchUp(&s.queue)
}

// write appends events to their files, in order, and applies them.
// s.mu must be held, and refresh called since it was taken.
func (s *Store) write(evs ...event) error {
	if s.broken != nil {
		return s.broken
	}
	for _, ev := range evs {
		lf := &s.queue
		if ev.Op == opTaught {
			lf = &s.taught
		}
		if err := s.appendEvent(lf, ev); err != nil {
			return errors.Join(err, s.refresh())
		}
	}
	return s.refresh()
}

// dedupeKey is the key under which a candidate is counted rather than
// queued again.
func dedupeKey(text, intent string) string {
	return training.Key(text) + "\x00" + intent
}

// newID returns a random id of 12 hex digits.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Examples returns every taught example, oldest first.
func (s *Store) Examples(ctx context.Context) ([]training.Teaching, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	all := make([]*example, 0, len(s.examples))
	for _, e := range s.examples {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *example) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]training.Teaching, len(all))
	for i, e := range all {
		out[i] = e.t
		out[i].Entities = slices.Clone(e.t.Entities)
	}
	return out, nil
}

// Teach records an example, replacing any earlier one with the same
// normalised text. An empty ID is filled with a random one and a zero At
// with the store's clock.
func (s *Store) Teach(ctx context.Context, t training.Teaching) (training.Teaching, error) {
	if err := ctx.Err(); err != nil {
		return training.Teaching{}, err
	}
	if t.Text == "" || t.Intent == "" {
		return training.Teaching{}, errors.New("filestore: teach: text and intent are required")
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.At.IsZero() {
		t.At = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return training.Teaching{}, err
	}
	if err := s.write(event{Op: opTaught, Teaching: &t}); err != nil {
		return training.Teaching{}, err
	}
	return t, nil
}

// Propose queues a candidate, or counts it when the same normalised text
// with the same intent is already queued, and returns the queued candidate
// with its count. An empty ID is filled in and a zero At stamped.
func (s *Store) Propose(ctx context.Context, c training.Candidate) (training.Candidate, error) {
	if err := ctx.Err(); err != nil {
		return training.Candidate{}, err
	}
	if c.Text == "" {
		return training.Candidate{}, errors.New("filestore: propose: text is required")
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return training.Candidate{}, err
	}
	if id, ok := s.keys[dedupeKey(c.Text, c.Intent)]; ok {
		// Recorded under the queued candidate's id, as who proposed
		// it again and when.
		c.ID = id
		c.Count = s.candidates[id].c.Count + 1
	} else {
		if c.ID == "" || s.candidates[c.ID] != nil {
			c.ID = newID()
			for s.candidates[c.ID] != nil {
				c.ID = newID()
			}
		}
		c.Count = 1
	}
	if err := s.write(event{Op: opProposed, Candidate: &c}); err != nil {
		return training.Candidate{}, err
	}
	return s.candidateCopy(c.ID), nil
}

func (s *Store) candidateCopy(id string) training.Candidate {
	e, ok := s.candidates[id]
	if !ok {
		return training.Candidate{}
	}
	c := e.c
	c.Guesses = slices.Clone(c.Guesses)
	return c
}

// Candidates returns the queue, oldest first.
func (s *Store) Candidates(ctx context.Context) ([]training.Candidate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	all := make([]*candidate, 0, len(s.candidates))
	for _, e := range s.candidates {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *candidate) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]training.Candidate, len(all))
	for i, e := range all {
		out[i] = s.candidateCopy(e.c.ID)
	}
	return out, nil
}

// Resolve takes a candidate off the queue and returns it; approving also
// teaches it as d.Intent, or as the candidate's own intent when d.Intent is
// empty. An unknown id is training.ErrUnknown.
func (s *Store) Resolve(ctx context.Context, id string, d training.Decision) (training.Candidate, error) {
	if err := ctx.Err(); err != nil {
		return training.Candidate{}, err
	}
	at := d.At
	if at.IsZero() {
		at = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return training.Candidate{}, err
	}
	if s.candidates[id] == nil {
		return training.Candidate{}, fmt.Errorf("filestore: resolve %q: %w", id, training.ErrUnknown)
	}
	c := s.candidateCopy(id)
	resolved := event{Op: opResolved, ID: id, Approve: &d.Approve, By: d.By, At: at}
	evs := []event{resolved}
	if d.Approve {
		intent := cmp.Or(d.Intent, c.Intent)
		if intent == "" {
			return training.Candidate{}, fmt.Errorf("filestore: resolve %q: approving a candidate without an intent needs Decision.Intent", id)
		}
		evs[0].Intent = intent
		t := training.Teaching{ID: newID(), Text: c.Text, Intent: intent, By: d.By, At: at, Source: "review"}
		evs = []event{{Op: opTaught, Teaching: &t}, evs[0]}
	}
	if err := s.write(evs...); err != nil {
		return training.Candidate{}, err
	}
	return c, nil
}

// Changes returns a channel that receives a value after each change to the
// examples until ctx ends. While anyone waits on Changes the store also
// looks for lines appended by another process once a second.
func (s *Store) Changes(ctx context.Context) <-chan struct{} {
	return s.changes.subscribe(ctx)
}

// startPolling looks for other processes' lines until the returned
// function is called.
func (s *Store) startPolling() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(pollInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			s.mu.Lock()
			if !s.closed {
				// An error is the next call's to report.
				_ = s.refresh()
			}
			s.mu.Unlock()
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
