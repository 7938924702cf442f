// Package learn keeps Parley's understanding current while it runs: what
// people teach is stored, understood at once as an exact phrasing, and a
// model retrained on everything is swapped in atomically in the
// background. Teachings made by other bot processes (through a shared
// store) trigger the same retraining.
package learn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/training"
)

// Config assembles a Learner. Base, Store and Pipeline are required.
type Config struct {
	// Base are the examples the bot starts from (catalog and configured
	// files); taught examples come on top.
	Base *training.Set
	// Options train every model (lists, regexes, thresholds, seed).
	Options  nlu.Options
	Store    training.Store
	Pipeline *nlu.Pipeline
	// Known reports the intents a teaching may name.
	Known  func(intent string) bool
	Logger *slog.Logger
	Now    func() time.Time
	// Settle is how long to wait after a change for more before
	// retraining (default 100 ms), so a burst costs one retraining.
	Settle time.Duration
	// FreshEvery makes every n-th retraining start from scratch rather
	// than from the model in service (default 20; negative: never), so
	// what warm starts drift never outlives a while: a fresh model is the
	// one a restart would train.
	FreshEvery int
}

// Learner teaches, queues and retrains. It is safe for concurrent use.
type Learner struct {
	cfg     Config
	base    atomic.Pointer[training.Set]
	log     *slog.Logger
	trigger chan struct{}

	trainMu sync.Mutex // one retraining at a time

	mu        sync.Mutex
	retrains  int
	fresh     int // retrainings from scratch
	last      time.Duration
	lastErr   error
	lastModel time.Time
}

// New checks the configuration.
func New(cfg Config) (*Learner, error) {
	if cfg.Base == nil || cfg.Store == nil || cfg.Pipeline == nil {
		return nil, errors.New("learn: Base, Store and Pipeline are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Known == nil {
		cfg.Known = func(string) bool { return true }
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 100 * time.Millisecond
	}
	if cfg.FreshEvery == 0 {
		cfg.FreshEvery = 20
	}
	l := &Learner{cfg: cfg, log: cfg.Logger, trigger: make(chan struct{}, 1)}
	l.base.Store(cfg.Base)
	return l, nil
}

// SetBase replaces the base examples (skills reloaded with new examples)
// and retrains in the background.
func (l *Learner) SetBase(set *training.Set) {
	l.base.Store(set)
	l.kick()
}

// Examples returns the base examples with the taught ones on top: a taught
// phrasing replaces a base example of the same text.
func (l *Learner) Examples(ctx context.Context) ([]nlu.Example, error) {
	taught, err := l.cfg.Store.Examples(ctx)
	if err != nil {
		return nil, fmt.Errorf("taught examples: %w", err)
	}
	override := make(map[string]bool, len(taught))
	for _, t := range taught {
		override[training.Key(t.Text)] = true
	}
	base := l.base.Load()
	out := make([]nlu.Example, 0, len(base.Examples)+len(taught))
	for _, ex := range base.Examples {
		if !override[training.Key(ex.Text)] {
			out = append(out, ex)
		}
	}
	for _, t := range taught {
		if l.cfg.Known(t.Intent) {
			out = append(out, t.Example())
		}
	}
	return out, nil
}

// Train builds a model from the base and taught examples without putting
// it in service.
func (l *Learner) Train(ctx context.Context) (*nlu.Model, error) {
	examples, err := l.Examples(ctx)
	if err != nil {
		return nil, err
	}
	return nlu.Train(ctx, examples, l.cfg.Options)
}

// retrain trains a model on everything, starting from the model in
// service when warm (see nlu.Options.From).
func (l *Learner) retrain(ctx context.Context, warm bool) (*nlu.Model, error) {
	examples, err := l.Examples(ctx)
	if err != nil {
		return nil, err
	}
	opts := l.cfg.Options
	if warm {
		opts.From = l.cfg.Pipeline.Model()
	}
	return nlu.Train(ctx, examples, opts)
}

// Retrain trains a model on everything, starting from the one in service
// (every FreshEvery-th time from scratch), and swaps it in.
func (l *Learner) Retrain(ctx context.Context) error {
	l.trainMu.Lock()
	defer l.trainMu.Unlock()
	l.mu.Lock()
	fresh := l.cfg.FreshEvery > 0 && (l.retrains+1)%l.cfg.FreshEvery == 0
	l.mu.Unlock()
	start := time.Now()
	m, err := l.retrain(ctx, !fresh)
	took := time.Since(start)
	l.mu.Lock()
	l.lastErr = err
	if err == nil {
		l.retrains++
		if fresh {
			l.fresh++
		}
		l.last = took
		l.lastModel = l.cfg.Now()
	}
	l.mu.Unlock()
	if err != nil {
		l.log.ErrorContext(ctx, "retraining failed; the previous model stays in service", "err", err)
		return err
	}
	l.cfg.Pipeline.Swap(m)
	l.log.InfoContext(ctx, "retrained the model", "took", took, "from_scratch", fresh, "model", m.String())
	return nil
}

// Stats reports how many models were retrained, how long the last took,
// and the last failure.
func (l *Learner) Stats() (retrains int, last time.Duration, lastErr error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.retrains, l.last, l.lastErr
}

// FromScratch reports how many retrainings started from scratch.
func (l *Learner) FromScratch() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fresh
}

// Run retrains whenever the taught examples change, here or in another
// process, until ctx ends. Changes arriving while a model trains are
// folded into the next retraining.
func (l *Learner) Run(ctx context.Context) error {
	changes := l.cfg.Store.Changes(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
		case <-l.trigger:
		}
		// Let a burst settle, then take everything that came meanwhile.
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.cfg.Settle):
		}
		drain(changes)
		drain(l.trigger)
		_ = l.Retrain(ctx)
	}
}

func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func (l *Learner) kick() {
	select {
	case l.trigger <- struct{}{}:
	default:
	}
}

// MaxText bounds a taught phrasing.
const MaxText = 500

// ErrBadTeaching marks a teaching that cannot be used; its text says why.
var ErrBadTeaching = errors.New("cannot learn that")

func (l *Learner) check(text, intent string) (string, error) {
	text = strings.Join(strings.Fields(text), " ")
	switch {
	case text == "":
		return "", fmt.Errorf("%w: the phrasing is empty", ErrBadTeaching)
	case !utf8.ValidString(text):
		return "", fmt.Errorf("%w: the phrasing is not valid text", ErrBadTeaching)
	case utf8.RuneCountInString(text) > MaxText:
		return "", fmt.Errorf("%w: the phrasing is longer than %d characters", ErrBadTeaching, MaxText)
	case intent != "" && !l.cfg.Known(intent):
		return "", fmt.Errorf("%w: I have no skill called %q", ErrBadTeaching, intent)
	}
	return text, nil
}

// Teach records that text means intent, makes it understood at once, and
// retrains in the background (when Run is running).
func (l *Learner) Teach(ctx context.Context, text, intent, by, source string) (training.Teaching, error) {
	text, err := l.check(text, intent)
	if err != nil {
		return training.Teaching{}, err
	}
	if intent == "" {
		return training.Teaching{}, fmt.Errorf("%w: say which skill it means", ErrBadTeaching)
	}
	t, err := l.cfg.Store.Teach(ctx, training.Teaching{Text: text, Intent: intent, By: by, At: l.cfg.Now(), Source: source})
	if err != nil {
		return training.Teaching{}, fmt.Errorf("store the teaching: %w", err)
	}
	l.cfg.Pipeline.Teach(text, intent)
	l.log.InfoContext(ctx, "taught", "text", text, "intent", intent, "by", by, "source", source)
	l.kick()
	return t, nil
}

// Propose puts a phrasing in the review queue.
func (l *Learner) Propose(ctx context.Context, c training.Candidate) (training.Candidate, error) {
	text, err := l.check(c.Text, c.Intent)
	if err != nil {
		return training.Candidate{}, err
	}
	c.Text = text
	if c.At.IsZero() {
		c.At = l.cfg.Now()
	}
	return l.cfg.Store.Propose(ctx, c)
}

// Candidates returns the review queue.
func (l *Learner) Candidates(ctx context.Context) ([]training.Candidate, error) {
	return l.cfg.Store.Candidates(ctx)
}

// Resolve approves (as d.Intent or the candidate's own) or rejects a
// candidate; an approval is understood at once and retrained.
func (l *Learner) Resolve(ctx context.Context, id string, d training.Decision) (training.Candidate, error) {
	if d.Approve && d.Intent != "" && !l.cfg.Known(d.Intent) {
		return training.Candidate{}, fmt.Errorf("%w: I have no skill called %q", ErrBadTeaching, d.Intent)
	}
	if d.At.IsZero() {
		d.At = l.cfg.Now()
	}
	c, err := l.cfg.Store.Resolve(ctx, id, d)
	if err != nil {
		return training.Candidate{}, err
	}
	if d.Approve {
		intent := d.Intent
		if intent == "" {
			intent = c.Intent
		}
		l.cfg.Pipeline.Teach(c.Text, intent)
		l.log.InfoContext(ctx, "approved", "text", c.Text, "intent", intent, "by", d.By)
		l.kick()
	}
	return c, nil
}
