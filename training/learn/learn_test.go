package learn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/learn"
	"github.com/parleybot/parley/training/memstore"
)

func base() *training.Set {
	set := &training.Set{}
	for _, ex := range []nlu.Example{
		{Text: "restart the web server", Intent: "restart"},
		{Text: "restart nginx please", Intent: "restart"},
		{Text: "please restart it", Intent: "restart"},
		{Text: "is it running", Intent: "status"},
		{Text: "status of nginx", Intent: "status"},
		{Text: "what is the status", Intent: "status"},
		{Text: "tell me a joke", Intent: nlu.OutOfScope},
		{Text: "what's the weather", Intent: nlu.OutOfScope},
	} {
		set.Add(ex, training.Pos{File: "base", Line: 1})
	}
	return set
}

type fixture struct {
	l     *learn.Learner
	p     *nlu.Pipeline
	store *memstore.Store
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	opts := nlu.Options{Seed: 1, Epochs: 10, TaggerEpochs: 2}
	m, err := nlu.Train(context.Background(), base().Examples, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{p: nlu.NewPipeline(m), store: memstore.New(nil)}
	known := func(intent string) bool { return intent == "restart" || intent == "status" || intent == nlu.OutOfScope }
	f.l, err = learn.New(learn.Config{Base: base(), Options: opts, Store: f.store, Pipeline: f.p, Known: known, Settle: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func intentOf(t *testing.T, p interface {
	Parse(context.Context, string) (nlu.Result, error)
}, text string) string {
	t.Helper()
	r, err := p.Parse(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	return r.Intent
}

func TestTaughtPhrasingIsUnderstoodAtOnce(t *testing.T) {
	f := newFixture(t)
	const phrase = "bounce the frobnicator"
	if got := intentOf(t, f.p, phrase); got == "restart" {
		t.Fatalf("already understood before teaching: %s", got)
	}
	tt, err := f.l.Teach(context.Background(), "  bounce   the frobnicator ", "restart", "alice", "chat")
	if err != nil {
		t.Fatal(err)
	}
	if tt.ID == "" || tt.By != "alice" || tt.At.IsZero() || tt.Text != phrase {
		t.Fatalf("teaching not recorded with who and when: %+v", tt)
	}
	if got := intentOf(t, f.p, "Bounce the frobnicator!"); got != "restart" {
		t.Fatalf("taught phrasing not understood at once: %s", got)
	}
	// The model in service does not know it yet; a retraining does.
	if got := intentOf(t, f.p.Model(), phrase); got == "restart" {
		t.Log("the old model happened to know it")
	}
	if err := f.l.Retrain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := intentOf(t, f.p.Model(), phrase); got != "restart" {
		t.Fatalf("retrained model does not know the taught phrasing: %s", got)
	}
	if n, _, _ := f.l.Stats(); n != 1 {
		t.Fatalf("retrains %d", n)
	}
}

func TestTaughtExamplesOverrideTheBase(t *testing.T) {
	f := newFixture(t)
	if _, err := f.l.Teach(context.Background(), "Status of nginx.", "restart", "bob", "cli"); err != nil {
		t.Fatal(err)
	}
	ex, err := f.l.Examples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ex {
		if training.Key(e.Text) == "status of nginx" {
			n++
			if e.Intent != "restart" {
				t.Fatalf("base example kept: %+v", e)
			}
		}
	}
	if n != 1 || len(ex) != len(base().Examples) {
		t.Fatalf("%d copies, %d examples", n, len(ex))
	}
}

func TestBadTeachings(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ text, intent string }{
		{"", "restart"},
		{"   ", "restart"},
		{"do the thing", "launch_missiles"},
		{"do the thing", ""},
		{"\xff\xfe", "restart"},
	} {
		if _, err := f.l.Teach(context.Background(), tc.text, tc.intent, "x", "chat"); !errors.Is(err, learn.ErrBadTeaching) {
			t.Errorf("Teach(%q, %q) = %v, want ErrBadTeaching", tc.text, tc.intent, err)
		}
	}
	if ex, _ := f.store.Examples(context.Background()); len(ex) != 0 {
		t.Fatalf("bad teachings stored: %+v", ex)
	}
}

func TestReviewQueue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c1, err := f.l.Propose(ctx, training.Candidate{Text: "kick the web box", Intent: "restart", By: "bob", Source: "chat"})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.l.Propose(ctx, training.Candidate{Text: "zorp the gizmo", By: "carol", Source: "unknown"})
	if again, _ := f.l.Propose(ctx, training.Candidate{Text: "Kick the web box!", Intent: "restart", By: "dave"}); again.ID != c1.ID || again.Count != 2 {
		t.Fatalf("repeat not counted: %+v", again)
	}
	if _, err := f.l.Resolve(ctx, c2.ID, training.Decision{Approve: true, Intent: "launch", By: "alice"}); !errors.Is(err, learn.ErrBadTeaching) {
		t.Fatalf("approved as an unknown intent: %v", err)
	}
	if _, err := f.l.Resolve(ctx, c1.ID, training.Decision{Approve: true, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	if got := intentOf(t, f.p, "kick the web box"); got != "restart" {
		t.Fatalf("approved phrasing not understood at once: %s", got)
	}
	if _, err := f.l.Resolve(ctx, c2.ID, training.Decision{Approve: false, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.l.Candidates(ctx); len(q) != 0 {
		t.Fatalf("queue not empty: %+v", q)
	}
	taught, _ := f.store.Examples(ctx)
	if len(taught) != 1 || taught[0].Source != "review" || taught[0].By != "alice" {
		t.Fatalf("taught %+v", taught)
	}
	if _, err := f.l.Resolve(ctx, c1.ID, training.Decision{Approve: true}); !errors.Is(err, training.ErrUnknown) {
		t.Fatalf("second resolve: %v", err)
	}
}

// Teachings arrive while messages are parsed: the background loop retrains
// and swaps without dropping or failing a parse.
func TestRunRetrainsInTheBackground(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.l.Run(ctx) }()

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if r, err := f.p.Parse(context.Background(), "restart nginx please"); err != nil || r.Intent == "" {
					t.Errorf("parse during retraining: %+v %v", r, err)
					return
				}
			}
		}()
	}
	for _, phrase := range []string{"bounce the box", "cycle the daemon", "kick it over"} {
		if _, err := f.l.Teach(context.Background(), phrase, "restart", "alice", "chat"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a speed test
	for {
		if n, _, _ := f.l.Stats(); n > 0 && intentOf(t, f.p.Model(), "kick it over") == "restart" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the taught phrasings never reached a retrained model")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTeachToUnderstood measures how long a taught phrasing takes to
// be understood: at once as an exact phrasing (µs-to-understood), and by a
// model retrained on everything (s-to-retrained); on the catalog's own
// examples and, when ../shared/datasets is there, on 25,000 examples
// (the CLINC150 and Banking77 train splits).
func BenchmarkTeachToUnderstood(b *testing.B) {
	b.Run("catalog", func(b *testing.B) {
		set, err := training.Catalog()
		if err != nil {
			b.Fatal(err)
		}
		benchTeach(b, set)
	})
	b.Run("25k", func(b *testing.B) {
		set := &training.Set{}
		for _, path := range []string{"../../../shared/datasets/clinc150/train.jsonl", "../../../shared/datasets/banking77/train.jsonl"} {
			f, err := os.Open(path)
			if err != nil {
				b.Skipf("datasets not available: %v", err)
			}
			err = training.ParseJSONL(set, path, f)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
		set.Examples = set.Examples[:min(25000, len(set.Examples))]
		benchTeach(b, set)
	})
}

func benchTeach(b *testing.B, base *training.Set) {
	opts := nlu.Options{Seed: 1}
	ctx := context.Background()
	m, err := nlu.Train(ctx, base.Examples, opts)
	if err != nil {
		b.Fatal(err)
	}
	p := nlu.NewPipeline(m)
	known := func(string) bool { return true }
	intent := base.Examples[0].Intent
	for i := 0; b.Loop(); i++ {
		l, err := learn.New(learn.Config{Base: base, Options: opts, Store: memstore.New(nil), Pipeline: p, Known: known, Settle: time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		phrase := fmt.Sprintf("frobnicate the quux number %d", i)
		start := time.Now()
		if _, err := l.Teach(ctx, phrase, intent, "bench", "cli"); err != nil {
			b.Fatal(err)
		}
		if r, _ := p.Parse(ctx, phrase); r.Intent != intent {
			b.Fatalf("not understood at once: %+v", r)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds()), "µs-to-understood")
		if err := l.Retrain(ctx); err != nil {
			b.Fatal(err)
		}
		if r, _ := p.Model().Parse(ctx, phrase); r.Intent != intent {
			b.Fatalf("the retrained model does not know it: %+v", r)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s-to-retrained")
		b.ReportMetric(float64(len(base.Examples)), "examples")
	}
}

// Every FreshEvery-th retraining starts from scratch, and gives the very
// model a restart would train on the same examples.
func TestFreshRetraining(t *testing.T) {
	ctx := context.Background()
	opts := nlu.Options{Seed: 1, Epochs: 10, TaggerEpochs: 2}
	m, err := nlu.Train(ctx, base().Examples, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := nlu.NewPipeline(m)
	store := memstore.New(nil)
	l, err := learn.New(learn.Config{Base: base(), Options: opts, Store: store, Pipeline: p, Settle: time.Millisecond, FreshEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Teach(ctx, training.Teaching{Text: "bounce the web server", Intent: "restart", By: "alice", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	restart, err := l.Train(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := restart.Save(&want); err != nil {
		t.Fatal(err)
	}
	for i, wantFresh := range []int{0, 0, 1, 1, 1, 2} {
		if err := l.Retrain(ctx); err != nil {
			t.Fatal(err)
		}
		if got := l.FromScratch(); got != wantFresh {
			t.Fatalf("after %d retrainings, %d from scratch, want %d", i+1, got, wantFresh)
		}
		var got bytes.Buffer
		if err := p.Model().Save(&got); err != nil {
			t.Fatal(err)
		}
		if same := bytes.Equal(got.Bytes(), want.Bytes()); (i == 2 || i == 5) != same {
			t.Errorf("retraining %d: same model as a restart = %v", i+1, same)
		}
	}
}
