package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/training"
)

// wait bounds how long a test waits for Changes before it fails. It only
// guards against a hang: a store that works answers far sooner.
const wait = 5 * time.Second

// Option configures Test.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, s training.Store) training.Store
}

// WithReopen gives Test a way to open a store again on the same data (the
// same directory, the same Redis prefix through a new client), so that it
// checks that nothing is lost. reopen may close s.
func WithReopen(reopen func(t *testing.T, s training.Store) training.Store) Option {
	return func(c *config) { c.reopen = reopen }
}

// Test runs the training.Store conformance tests, each as a subtest of t on
// a store made by newStore for that subtest, which must start out empty.
func Test(t *testing.T, newStore func(t *testing.T) training.Store, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s training.Store)
	}{
		{"Empty", testEmpty},
		{"TeachFillsIDAndAt", testTeachFills},
		{"TeachKeepsGiven", testTeachKeepsGiven},
		{"ExamplesOrder", testExamplesOrder},
		{"TeachSameTextReplaces", testTeachSameTextReplaces},
		{"ProposeFills", testProposeFills},
		{"ProposeDedupes", testProposeDedupes},
		{"ProposeDifferentIntent", testProposeDifferentIntent},
		{"CandidatesOrder", testCandidatesOrder},
		{"Approve", testApprove},
		{"ApproveOverridesIntent", testApproveOverridesIntent},
		{"ApproveNeedsIntent", testApproveNeedsIntent},
		{"ApproveReplacesExample", testApproveReplacesExample},
		{"Reject", testReject},
		{"ResolveUnknown", testResolveUnknown},
		{"ResolveTwice", testResolveTwice},
		{"ProposeAfterResolve", testProposeAfterResolve},
		{"ConcurrentPropose", testConcurrentPropose},
		{"ConcurrentResolve", testConcurrentResolve},
		{"ConcurrentTeach", testConcurrentTeach},
		{"ChangesAfterTeach", testChangesAfterTeach},
		{"ChangesAfterApprove", testChangesAfterApprove},
		{"ChangesEverySubscriber", testChangesEverySubscriber},
		{"CopiesOut", testCopiesOut},
		{"CanceledContext", testCanceledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
	t.Run("Reopen", func(t *testing.T) {
		if cfg.reopen == nil {
			t.Skip("no WithReopen option")
		}
		testReopen(t, newStore(t), cfg.reopen)
	})
}

// at is a fixed time for tests that give times themselves.
var at = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func teach(t *testing.T, s training.Store, text, intent string) training.Teaching {
	t.Helper()
	got, err := s.Teach(t.Context(), training.Teaching{Text: text, Intent: intent, By: "alice", Source: "chat"})
	if err != nil {
		t.Fatalf("Teach(%q, %q): %v", text, intent, err)
	}
	return got
}

func propose(t *testing.T, s training.Store, text, intent string) training.Candidate {
	t.Helper()
	got, err := s.Propose(t.Context(), training.Candidate{Text: text, Intent: intent, By: "bob", Source: "did-you-mean"})
	if err != nil {
		t.Fatalf("Propose(%q, %q): %v", text, intent, err)
	}
	return got
}

func examples(t *testing.T, s training.Store) []training.Teaching {
	t.Helper()
	got, err := s.Examples(t.Context())
	if err != nil {
		t.Fatalf("Examples: %v", err)
	}
	return got
}

func candidates(t *testing.T, s training.Store) []training.Candidate {
	t.Helper()
	got, err := s.Candidates(t.Context())
	if err != nil {
		t.Fatalf("Candidates: %v", err)
	}
	return got
}

func resolve(t *testing.T, s training.Store, id string, d training.Decision) training.Candidate {
	t.Helper()
	got, err := s.Resolve(t.Context(), id, d)
	if err != nil {
		t.Fatalf("Resolve(%q, %+v): %v", id, d, err)
	}
	return got
}

// pairs lists text→intent of examples, in order.
func pairs(ts []training.Teaching) []string {
	out := make([]string, len(ts))
	for i, x := range ts {
		out[i] = x.Text + "→" + x.Intent
	}
	return out
}

func wantExamples(t *testing.T, s training.Store, want ...string) []training.Teaching {
	t.Helper()
	got := examples(t, s)
	if p := pairs(got); !slices.Equal(p, want) {
		t.Fatalf("Examples = %q, want %q", p, want)
	}
	return got
}

// queue lists text/intent×count of candidates, in order.
func queue(cs []training.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s/%s×%d", c.Text, c.Intent, c.Count)
	}
	return out
}

func wantQueue(t *testing.T, s training.Store, want ...string) []training.Candidate {
	t.Helper()
	got := candidates(t, s)
	if q := queue(got); !slices.Equal(q, want) {
		t.Fatalf("Candidates = %q, want %q", q, want)
	}
	return got
}

// diffTeaching describes how got differs from want, or returns "".
func diffTeaching(got, want training.Teaching) string {
	switch {
	case got.ID != want.ID, got.Text != want.Text, got.Intent != want.Intent,
		got.By != want.By, got.Source != want.Source, !got.At.Equal(want.At),
		!slices.Equal(got.Entities, want.Entities):
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

// diffCandidate describes how got differs from want, or returns "".
func diffCandidate(got, want training.Candidate) string {
	switch {
	case got.ID != want.ID, got.Text != want.Text, got.Intent != want.Intent,
		got.By != want.By, got.Channel != want.Channel, got.Source != want.Source,
		!got.At.Equal(want.At), got.Count != want.Count,
		!slices.Equal(got.Guesses, want.Guesses):
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

func wantUnknown(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, training.ErrUnknown) {
		t.Fatalf("%s: %v, want ErrUnknown", what, err)
	}
}

// wantChange waits for a value on ch.
func wantChange(t *testing.T, ch <-chan struct{}, after string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("Changes channel closed after %s, while its context is live", after)
		}
	case <-time.After(wait):
		t.Fatalf("no value from Changes within %v after %s", wait, after)
	}
}

func testEmpty(t *testing.T, s training.Store) {
	if got := examples(t, s); len(got) != 0 {
		t.Fatalf("a new store has examples %q", pairs(got))
	}
	if got := candidates(t, s); len(got) != 0 {
		t.Fatalf("a new store has candidates %q", queue(got))
	}
}

func testTeachFills(t *testing.T, s training.Store) {
	a := teach(t, s, "restart apache", "restart")
	b := teach(t, s, "deploy the api", "deploy")
	if a.ID == "" || b.ID == "" || a.ID == b.ID {
		t.Fatalf("Teach gave ids %q and %q, want two distinct non-empty ids", a.ID, b.ID)
	}
	if a.At.IsZero() || b.At.IsZero() {
		t.Fatalf("Teach left At zero: %v, %v", a.At, b.At)
	}
	got := wantExamples(t, s, "restart apache→restart", "deploy the api→deploy")
	for i, want := range []training.Teaching{a, b} {
		if d := diffTeaching(got[i], want); d != "" {
			t.Errorf("example %d is not what Teach returned:\n%s", i, d)
		}
	}
}

func testTeachKeepsGiven(t *testing.T, s training.Store) {
	in := training.Teaching{
		ID:     "given-1",
		Text:   "restart apache on web-1",
		Intent: "restart",
		Entities: []nlu.Entity{
			{Type: "service", Text: "apache", Start: 8, End: 14},
			{Type: "host", Text: "web-1", Value: "web-1.example.com", Start: 18, End: 23, Source: "list"},
		},
		By:     "carol",
		At:     at,
		Source: "cli",
	}
	out, err := s.Teach(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffTeaching(out, in); d != "" {
		t.Fatalf("Teach changed a complete teaching:\n%s", d)
	}
	got := examples(t, s)
	if len(got) != 1 {
		t.Fatalf("Examples = %q, want one", pairs(got))
	}
	if d := diffTeaching(got[0], in); d != "" {
		t.Fatalf("stored example differs:\n%s", d)
	}
}

func testExamplesOrder(t *testing.T, s training.Store) {
	texts := []string{"zz top", "aa first", "mm middle", "restart apache", "bb later"}
	var want []string
	for _, x := range texts {
		teach(t, s, x, "intent-"+x[:2])
		want = append(want, x+"→intent-"+x[:2])
	}
	wantExamples(t, s, want...)
}

func testTeachSameTextReplaces(t *testing.T, s training.Store) {
	teach(t, s, "restart apache", "restart")
	teach(t, s, "check disk", "disk")
	teach(t, s, "restart apache", "deploy")
	wantExamples(t, s, "check disk→disk", "restart apache→deploy")

	// The same phrasing, case and spaces and trailing punctuation
	// aside, is the same example.
	last := teach(t, s, "Restart   Apache!", "reboot")
	got := wantExamples(t, s, "check disk→disk", "Restart   Apache!→reboot")
	if got[1].ID != last.ID {
		t.Fatalf("replacing example has id %q, want %q from Teach", got[1].ID, last.ID)
	}
}

func testProposeFills(t *testing.T, s training.Store) {
	in := training.Candidate{
		Text:    "bounce apache",
		Intent:  "restart",
		Guesses: []string{"restart", "deploy"},
		By:      "bob",
		Channel: "C123",
		Source:  "did-you-mean",
		Count:   41,
	}
	got, err := s.Propose(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.At.IsZero() || got.Count != 1 {
		t.Fatalf("Propose = %+v, want an id, a time and Count 1", got)
	}
	want := in
	want.ID, want.At, want.Count = got.ID, got.At, 1
	if d := diffCandidate(got, want); d != "" {
		t.Fatalf("Propose returned:\n%s", d)
	}
	cs := candidates(t, s)
	if len(cs) != 1 {
		t.Fatalf("Candidates = %q, want one", queue(cs))
	}
	if d := diffCandidate(cs[0], want); d != "" {
		t.Fatalf("queued candidate:\n%s", d)
	}

	in = training.Candidate{ID: "given-2", Text: "what is up", By: "dan", At: at, Source: "chat"}
	got, err = s.Propose(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || !got.At.Equal(at) || got.Count != 1 {
		t.Fatalf("Propose with a time = %+v, want that time kept and Count 1", got)
	}
}

func testProposeDedupes(t *testing.T, s training.Store) {
	first := propose(t, s, "Restart apache", "restart")
	for i, text := range []string{
		"restart apache",
		"RESTART APACHE",
		"restart   apache",
		"  restart apache  ",
		"restart apache?",
		"Restart apache!!!",
		"restart\tapache .",
	} {
		got := propose(t, s, text, "restart")
		if got.ID != first.ID || got.Count != i+2 {
			t.Fatalf("Propose(%q) = id %q count %d, want id %q count %d", text, got.ID, got.Count, first.ID, i+2)
		}
	}
	cs := wantQueue(t, s, "Restart apache/restart×8")
	if !cs[0].At.Equal(first.At) || cs[0].By != first.By {
		t.Fatalf("counted candidate is %+v, want the first proposal's text, time and proposer (%+v)", cs[0], first)
	}
	// Not-understood messages (no intent) are counted the same way.
	propose(t, s, "flibber the gronk", "")
	propose(t, s, "Flibber the gronk.", "")
	wantQueue(t, s, "Restart apache/restart×8", "flibber the gronk/×2")
	// Other words are another candidate.
	propose(t, s, "restart apache now", "restart")
	wantQueue(t, s, "Restart apache/restart×8", "flibber the gronk/×2", "restart apache now/restart×1")
}

func testProposeDifferentIntent(t *testing.T, s training.Store) {
	a := propose(t, s, "bounce apache", "restart")
	b := propose(t, s, "bounce apache", "deploy")
	c := propose(t, s, "bounce apache", "")
	if a.ID == b.ID || a.ID == c.ID || b.ID == c.ID {
		t.Fatalf("ids %q, %q, %q: want three candidates", a.ID, b.ID, c.ID)
	}
	propose(t, s, "Bounce apache", "deploy")
	wantQueue(t, s, "bounce apache/restart×1", "bounce apache/deploy×2", "bounce apache/×1")
}

func testCandidatesOrder(t *testing.T, s training.Store) {
	propose(t, s, "zz", "a")
	propose(t, s, "aa", "b")
	propose(t, s, "mm", "")
	propose(t, s, "zz", "a") // counting keeps its place
	propose(t, s, "bb", "c")
	wantQueue(t, s, "zz/a×2", "aa/b×1", "mm/×1", "bb/c×1")
}

func testApprove(t *testing.T, s training.Store) {
	teach(t, s, "check disk", "disk")
	c := propose(t, s, "bounce apache", "restart")
	propose(t, s, "bounce apache", "restart")
	other := propose(t, s, "what now", "")
	got := resolve(t, s, c.ID, training.Decision{Approve: true, By: "reviewer", At: at})
	if got.ID != c.ID || got.Text != "bounce apache" || got.Intent != "restart" || got.Count != 2 {
		t.Fatalf("Resolve returned %+v, want the candidate with Count 2", got)
	}
	wantQueue(t, s, "what now/×1")
	ex := wantExamples(t, s, "check disk→disk", "bounce apache→restart")
	if e := ex[1]; e.Source != "review" || e.By != "reviewer" || !e.At.Equal(at) || e.ID == "" {
		t.Fatalf("approved example = %+v, want Source review, By reviewer, At %v and an id", e, at)
	}
	if candidates(t, s)[0].ID != other.ID {
		t.Fatal("the other candidate changed")
	}

	// Without a time, the decision is stamped.
	c = propose(t, s, "reboot web-1", "restart")
	resolve(t, s, c.ID, training.Decision{Approve: true, By: "reviewer"})
	ex = wantExamples(t, s, "check disk→disk", "bounce apache→restart", "reboot web-1→restart")
	if ex[2].At.IsZero() {
		t.Fatal("approved example without a decision time has a zero At")
	}
}

func testApproveOverridesIntent(t *testing.T, s training.Store) {
	c := propose(t, s, "roll out api", "restart")
	resolve(t, s, c.ID, training.Decision{Approve: true, Intent: "deploy", By: "reviewer"})
	wantExamples(t, s, "roll out api→deploy")
	wantQueue(t, s)

	c = propose(t, s, "blorp", "")
	resolve(t, s, c.ID, training.Decision{Approve: true, Intent: "greet", By: "reviewer"})
	wantExamples(t, s, "roll out api→deploy", "blorp→greet")
}

func testApproveNeedsIntent(t *testing.T, s training.Store) {
	c := propose(t, s, "blorp", "")
	_, err := s.Resolve(t.Context(), c.ID, training.Decision{Approve: true, By: "reviewer"})
	if err == nil || errors.Is(err, training.ErrUnknown) {
		t.Fatalf("approving a candidate without an intent: %v, want an error other than ErrUnknown", err)
	}
	// Nothing changed: it can still be resolved.
	wantQueue(t, s, "blorp/×1")
	wantExamples(t, s)
	resolve(t, s, c.ID, training.Decision{Approve: false, By: "reviewer"})
	wantQueue(t, s)
}

func testApproveReplacesExample(t *testing.T, s training.Store) {
	teach(t, s, "bounce apache", "deploy")
	teach(t, s, "check disk", "disk")
	c := propose(t, s, "Bounce Apache?", "restart")
	resolve(t, s, c.ID, training.Decision{Approve: true, By: "reviewer"})
	wantExamples(t, s, "check disk→disk", "Bounce Apache?→restart")
}

func testReject(t *testing.T, s training.Store) {
	c := propose(t, s, "bounce apache", "restart")
	got := resolve(t, s, c.ID, training.Decision{Approve: false, By: "reviewer"})
	if got.ID != c.ID {
		t.Fatalf("Resolve returned %+v, want candidate %q", got, c.ID)
	}
	wantQueue(t, s)
	wantExamples(t, s)
}

func testResolveUnknown(t *testing.T, s training.Store) {
	propose(t, s, "bounce apache", "restart")
	for _, d := range []training.Decision{{Approve: true, By: "r"}, {Approve: false, By: "r"}, {Approve: true, Intent: "x", By: "r"}} {
		_, err := s.Resolve(t.Context(), "no-such-id", d)
		wantUnknown(t, err, fmt.Sprintf("Resolve of an unknown id with %+v", d))
	}
	wantQueue(t, s, "bounce apache/restart×1")
	wantExamples(t, s)
}

func testResolveTwice(t *testing.T, s training.Store) {
	a := propose(t, s, "bounce apache", "restart")
	b := propose(t, s, "zap it", "")
	resolve(t, s, a.ID, training.Decision{Approve: true, By: "r"})
	resolve(t, s, b.ID, training.Decision{Approve: false, By: "r"})
	for _, id := range []string{a.ID, b.ID} {
		for _, d := range []training.Decision{{Approve: true, Intent: "x", By: "r"}, {Approve: false, By: "r"}} {
			_, err := s.Resolve(t.Context(), id, d)
			wantUnknown(t, err, "second Resolve")
		}
	}
	wantExamples(t, s, "bounce apache→restart")
}

func testProposeAfterResolve(t *testing.T, s training.Store) {
	a := propose(t, s, "bounce apache", "restart")
	propose(t, s, "bounce apache", "restart")
	resolve(t, s, a.ID, training.Decision{Approve: false, By: "r"})
	b := propose(t, s, "bounce apache", "restart")
	if b.ID == a.ID || b.Count != 1 {
		t.Fatalf("proposal after the candidate was resolved = %+v, want a new candidate with Count 1", b)
	}
	wantQueue(t, s, "bounce apache/restart×1")
}

func testConcurrentPropose(t *testing.T, s training.Store) {
	const n = 8
	propose(t, s, "unrelated", "")
	counts := make([]int, n)
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			// Every goroutine its own spelling of one phrasing.
			text := []string{"Restart apache", "restart apache!", "RESTART  APACHE?", "restart apache."}[i%4]
			c, err := s.Propose(context.Background(), training.Candidate{Text: text, Intent: "restart", By: fmt.Sprint("user", i)})
			counts[i], ids[i], errs[i] = c.Count, c.ID, err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Propose %d: %v", i, err)
		}
		if ids[i] != ids[0] {
			t.Fatalf("concurrent proposals got ids %q, want one", ids)
		}
	}
	sort.Ints(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("concurrent proposals returned counts %v, want 1 to %d once each", counts, n)
		}
	}
	wantQueue(t, s, "unrelated/×1", fmt.Sprintf("%s/restart×%d", candidates(t, s)[1].Text, n))
}

func testConcurrentResolve(t *testing.T, s training.Store) {
	const n = 8
	c := propose(t, s, "bounce apache", "restart")
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Resolve(context.Background(), c.ID, training.Decision{Approve: true, By: fmt.Sprint("reviewer", i)})
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, training.ErrUnknown):
			t.Errorf("Resolve %d: %v, want nil or ErrUnknown", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent resolutions succeeded, want exactly 1", ok, n)
	}
	wantQueue(t, s)
	wantExamples(t, s, "bounce apache→restart")
}

func testConcurrentTeach(t *testing.T, s training.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Teach(context.Background(), training.Teaching{Text: fmt.Sprint("phrase ", i), Intent: "a", By: "x"})
		})
		wg.Go(func() {
			_, errs[n+i] = s.Teach(context.Background(), training.Teaching{Text: "same phrase", Intent: fmt.Sprint("i", i), By: "x"})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got := examples(t, s)
	if len(got) != n+1 {
		t.Fatalf("after %d distinct and %d same teachings, Examples = %q, want %d", n, n, pairs(got), n+1)
	}
}

func testChangesAfterTeach(t *testing.T, s training.Store) {
	ch := s.Changes(t.Context())
	teach(t, s, "restart apache", "restart")
	wantChange(t, ch, "Teach")
	teach(t, s, "check disk", "disk")
	wantChange(t, ch, "a second Teach")
}

func testChangesAfterApprove(t *testing.T, s training.Store) {
	ch := s.Changes(t.Context())
	c := propose(t, s, "bounce apache", "restart")
	resolve(t, s, c.ID, training.Decision{Approve: true, By: "reviewer"})
	wantChange(t, ch, "an approving Resolve")
}

func testChangesEverySubscriber(t *testing.T, s training.Store) {
	// A subscriber that went away, and one that never reads, hold
	// nothing up.
	ctx, cancel := context.WithCancel(t.Context())
	s.Changes(ctx)
	cancel()
	s.Changes(t.Context())
	a := s.Changes(t.Context())
	b := s.Changes(t.Context())
	teach(t, s, "restart apache", "restart")
	wantChange(t, a, "Teach")
	wantChange(t, b, "Teach")
	// A burst reaches a subscriber that does not read as at least one
	// value.
	for i := range 20 {
		teach(t, s, fmt.Sprint("burst ", i), "x")
	}
	wantChange(t, a, "a burst")
}

func testCopiesOut(t *testing.T, s training.Store) {
	in := training.Teaching{Text: "restart apache", Intent: "restart", By: "a",
		Entities: []nlu.Entity{{Type: "service", Text: "apache", Start: 8, End: 14}}}
	if _, err := s.Teach(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	in.Entities[0].Type = "changed by caller"
	if _, err := s.Propose(t.Context(), training.Candidate{Text: "x", Guesses: []string{"a", "b"}, By: "b"}); err != nil {
		t.Fatal(err)
	}
	ex := examples(t, s)
	ex[0].Entities[0].Type = "changed by reader"
	cs := candidates(t, s)
	cs[0].Guesses[0] = "changed by reader"
	if got := examples(t, s)[0].Entities[0].Type; got != "service" {
		t.Errorf("stored entity type became %q", got)
	}
	if got := candidates(t, s)[0].Guesses[0]; got != "a" {
		t.Errorf("stored guess became %q", got)
	}
}

func testCanceledContext(t *testing.T, s training.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Teach(ctx, training.Teaching{Text: "restart apache", Intent: "restart"}); err == nil {
		t.Error("Teach with a canceled context succeeded")
	}
	if _, err := s.Propose(ctx, training.Candidate{Text: "bounce apache"}); err == nil {
		t.Error("Propose with a canceled context succeeded")
	}
	if _, err := s.Examples(ctx); err == nil {
		t.Error("Examples with a canceled context succeeded")
	}
	wantExamples(t, s)
	wantQueue(t, s)
}

func testReopen(t *testing.T, s training.Store, reopen func(t *testing.T, s training.Store) training.Store) {
	ents := []nlu.Entity{
		{Type: "service", Text: "apache", Start: 8, End: 14},
		{Type: "host", Text: "web-1", Value: "web-1.example.com", Start: 18, End: 23, Source: "list"},
	}
	if _, err := s.Teach(t.Context(), training.Teaching{Text: "restart apache on web-1", Intent: "restart", Entities: ents, By: "alice", At: at, Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	teach(t, s, "check disk", "disk")
	teach(t, s, "deploy api", "deploy")
	teach(t, s, "Deploy API.", "ship") // replaces the one before
	a := propose(t, s, "bounce apache", "restart")
	propose(t, s, "Bounce apache!", "restart")
	b := propose(t, s, "roll out api", "")
	c := propose(t, s, "greet me", "greet")
	d := propose(t, s, "zap it", "")
	resolve(t, s, c.ID, training.Decision{Approve: true, By: "reviewer", At: at})
	resolve(t, s, d.ID, training.Decision{Approve: false, By: "reviewer"})
	wantEx := examples(t, s)
	wantCs := candidates(t, s)

	s = reopen(t, s)
	gotEx := examples(t, s)
	if len(gotEx) != len(wantEx) {
		t.Fatalf("after reopening, Examples = %q, want %q", pairs(gotEx), pairs(wantEx))
	}
	for i := range wantEx {
		if d := diffTeaching(gotEx[i], wantEx[i]); d != "" {
			t.Errorf("example %d after reopening:\n%s", i, d)
		}
	}
	gotCs := candidates(t, s)
	if len(gotCs) != len(wantCs) {
		t.Fatalf("after reopening, Candidates = %q, want %q", queue(gotCs), queue(wantCs))
	}
	for i := range wantCs {
		if d := diffCandidate(gotCs[i], wantCs[i]); d != "" {
			t.Errorf("candidate %d after reopening:\n%s", i, d)
		}
	}
	if t.Failed() {
		return
	}

	// The queue still counts, resolves and refuses as before.
	if got := propose(t, s, "BOUNCE APACHE", "restart"); got.ID != a.ID || got.Count != 3 {
		t.Fatalf("proposal after reopening = %+v, want candidate %q with Count 3", got, a.ID)
	}
	for _, id := range []string{c.ID, d.ID} {
		_, err := s.Resolve(t.Context(), id, training.Decision{Approve: false, By: "r"})
		wantUnknown(t, err, "Resolve after reopening of an id resolved before")
	}
	ch := s.Changes(t.Context())
	resolve(t, s, b.ID, training.Decision{Approve: true, Intent: "deploy", By: "reviewer"})
	wantChange(t, ch, "approving after reopening")
	teach(t, s, "check disk", "storage")
	wantExamples(t, s, "restart apache on web-1→restart", "Deploy API.→ship", "greet me→greet", "roll out api→deploy", "check disk→storage")
	wantQueue(t, s, "bounce apache/restart×3")
}
