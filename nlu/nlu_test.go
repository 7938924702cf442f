package nlu_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/internal/latency"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/training"
)

// catalogLists mirrors the demo configuration's vocabularies.
func catalogLists() []nlu.List {
	return []nlu.List{
		{Type: "service", Values: []string{"apache", "nginx", "postgres", "redis", "mysql", "haproxy", "kafka"},
			Synonyms: map[string][]string{"apache": {"httpd"}, "postgres": {"postgresql", "pg"}}},
		{Type: "environment", Values: []string{"production", "staging", "development", "qa"},
			Synonyms: map[string][]string{"production": {"prod", "prd", "live"}, "staging": {"stage", "stg"}, "development": {"dev"}}},
		{Type: "app", Values: []string{"checkout", "billing", "frontend", "api", "payments", "search", "auth"}},
		{Type: "team", Values: []string{"platform", "payments", "sre", "data", "mobile"}},
		{Type: "severity", Values: []string{"sev1", "sev2", "sev3", "sev4"},
			Synonyms: map[string][]string{"sev1": {"critical", "p1"}, "sev2": {"high", "p2"}}},
	}
}

var (
	modelOnce sync.Once
	model     *nlu.Model
	modelErr  error
)

func catalogExamples(t testing.TB) []nlu.Example {
	t.Helper()
	set, err := training.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	return set.Examples
}

// catalogModel trains the catalog model once per test binary.
func catalogModel(t testing.TB) *nlu.Model {
	t.Helper()
	modelOnce.Do(func() {
		set, err := training.Catalog()
		if err != nil {
			modelErr = err
			return
		}
		model, modelErr = nlu.Train(context.Background(), set.Examples, nlu.Options{Seed: 1, Lists: catalogLists()})
	})
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

func parse(t *testing.T, m *nlu.Model, text string) nlu.Result {
	t.Helper()
	r, err := m.Parse(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func entityMap(r nlu.Result) map[string]string {
	out := map[string]string{}
	for _, e := range r.Entities {
		if _, ok := out[e.Type]; !ok {
			out[e.Type] = e.Value
		}
	}
	return out
}

func TestUnderstandsChatLines(t *testing.T) {
	m := catalogModel(t)
	tests := []struct {
		text     string
		intent   string
		entities map[string]string
	}{
		{"restart apache", "restart_service", map[string]string{"service": "apache"}},
		{"@parley restart apache on 192.168.0.24", "restart_service", map[string]string{"service": "apache", "host": "192.168.0.24"}},
		{"restart flurbd on zeta-12", "restart_service", map[string]string{"service": "flurbd", "host": "zeta-12"}},
		{"restrat apche on web-1", "restart_service", map[string]string{"service": "apache", "host": "web-1"}},
		{"is nginx up on web-2?", "service_status", map[string]string{"service": "nginx", "host": "web-2"}},
		{"deploy checkout to prod", "deploy", map[string]string{"app": "checkout", "environment": "production"}},
		{"deploy billing v2.3.1 to stage", "deploy", map[string]string{"app": "billing", "environment": "staging", "version": "v2.3.1"}},
		{"roll back frontend in production", "rollback", map[string]string{"app": "frontend", "environment": "production"}},
		{"who is on call for payments?", "oncall_who", map[string]string{"team": "payments"}},
		{"when am i on call next", "oncall_next", nil},
		{"ack #42", "incident_ack", map[string]string{"incident": "42"}},
		{"resolve INC-7", "incident_resolve", map[string]string{"incident": "7"}},
		{"list open incidents", "incident_list", nil},
		{"look up api.example.com", "dns_lookup", map[string]string{"hostname": "api.example.com"}},
		{"check https://status.example.com/health", "http_check", map[string]string{"url": "https://status.example.com/health"}},
		{"extend the trial for acme by 14 days", "extend_trial", map[string]string{"account": "acme", "days": "14"}},
		{"yes", "affirm", nil},
		{"nope", "deny", nil},
		{"never mind", "cancel", nil},
		{"what's the weather in paris", nlu.OutOfScope, nil},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			r := parse(t, m, tc.text)
			if r.Intent != tc.intent {
				t.Errorf("intent %s (%.2f), want %s; alternatives %v", r.Intent, r.Confidence, tc.intent, r.Alternatives)
			}
			got := entityMap(r)
			for typ, want := range tc.entities {
				if got[typ] != want {
					t.Errorf("entity %s = %q, want %q (all: %+v)", typ, got[typ], want, r.Entities)
				}
			}
			runes := []rune(tc.text)
			for _, e := range r.Entities {
				if e.Start < 0 || e.End > len(runes) || e.Start >= e.End || string(runes[e.Start:e.End]) != e.Text {
					t.Errorf("entity %+v: span does not match its text", e)
				}
			}
		})
	}
}

func TestConfidenceIsCalibratedAndRanked(t *testing.T) {
	m := catalogModel(t)
	r := parse(t, m, "restart nginx on web-3")
	if r.Confidence <= 0 || r.Confidence > 1 {
		t.Fatalf("confidence %v", r.Confidence)
	}
	var sum float64
	for i, a := range r.Alternatives {
		if i > 0 && a.Confidence > r.Alternatives[i-1].Confidence {
			t.Fatalf("alternatives not ranked: %v", r.Alternatives)
		}
		sum += a.Confidence
	}
	if sum > 1.0001 || len(r.Alternatives) == 0 || len(r.Alternatives) > 5 {
		t.Fatalf("alternatives %v", r.Alternatives)
	}
}

func TestOddInputNeverFails(t *testing.T) {
	m := catalogModel(t)
	for _, text := range []string{"", "   ", "\x00\x01", "\xff\xfe\xfd", strings.Repeat("restart ", 20000), "🙂🙂🙂", "((((((((", "$(reboot)", "a\nb\tc"} {
		r, err := m.Parse(context.Background(), text)
		if err != nil {
			t.Fatalf("%q: %v", shortQ(text), err)
		}
		if r.Intent == "" {
			t.Fatalf("%q: no intent", shortQ(text))
		}
		for _, tok := range r.Tokens {
			if tok.Start < 0 || tok.End < tok.Start {
				t.Fatalf("%q: bad token %+v", shortQ(text), tok)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Parse(ctx, "restart apache"); err == nil {
		t.Fatal("a cancelled context was ignored")
	}
}

func shortQ(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func TestTokensCarryRuneSpans(t *testing.T) {
	m := catalogModel(t)
	text := "Redémarre “apache” sur wéb-1, s'il te plaît!"
	r := parse(t, m, text)
	runes := []rune(text)
	if len(r.Tokens) < 6 {
		t.Fatalf("tokens %+v", r.Tokens)
	}
	for _, tok := range r.Tokens {
		if got := strings.ToLower(string(runes[tok.Start:tok.End])); got != tok.Text && !(tok.Text == `"` || tok.Text == "'") {
			t.Errorf("token %q spans %q", tok.Text, got)
		}
	}
}

func TestTrainingIsDeterministic(t *testing.T) {
	ex := catalogExamples(t)[:400]
	opts := nlu.Options{Seed: 7, Lists: catalogLists()}
	var saved [2][]byte
	for i := range saved {
		m, err := nlu.Train(context.Background(), ex, opts)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		saved[i] = buf.Bytes()
	}
	if !bytes.Equal(saved[0], saved[1]) {
		t.Fatal("two trainings on the same data and seed wrote different model files")
	}
	a, err1 := nlu.Load(bytes.NewReader(saved[0]))
	b, err2 := nlu.Load(bytes.NewReader(saved[1]))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for _, text := range []string{"restart apache on web-1", "who is on call", "deploy api to qa", "gibberish words"} {
		ra, rb := parse(t, a, text), parse(t, b, text)
		if fmt.Sprint(ra.Alternatives, ra.Entities) != fmt.Sprint(rb.Alternatives, rb.Entities) {
			t.Fatalf("%q: two trainings differ:\n%v\n%v", text, ra.Alternatives, rb.Alternatives)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := catalogModel(t)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	back, err := nlu.Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"restart flurbd on zeta-12", "ack #42", "deploy checkout to prod", "yes", "tell me a joke"} {
		a, b := parse(t, m, text), parse(t, back, text)
		if a.Intent != b.Intent || fmt.Sprint(a.Alternatives) != fmt.Sprint(b.Alternatives) || fmt.Sprint(a.Entities) != fmt.Sprint(b.Entities) {
			t.Fatalf("%q: loaded model differs:\n%+v\n%+v", text, a, b)
		}
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("hello"),
		"truncated": data[:len(data)/2],
	} {
		if _, err := nlu.Load(bytes.NewReader(bad)); err == nil || errors.Is(err, nlu.ErrModelFormat) {
			t.Errorf("%s model file: %v", name, err)
		}
	}
	var old bytes.Buffer
	zw := gzip.NewWriter(&old)
	if err := gob.NewEncoder(zw).Encode(struct{ Format int }{Format: 1}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	if _, err := nlu.Load(&old); !errors.Is(err, nlu.ErrModelFormat) {
		t.Errorf("a model file of another format: %v", err)
	}
}

func TestNoData(t *testing.T) {
	if _, err := nlu.Train(context.Background(), nil, nlu.Options{}); err != nlu.ErrNoData {
		t.Fatalf("got %v", err)
	}
}

func TestThresholds(t *testing.T) {
	ex := []nlu.Example{
		{Text: "restart the service", Intent: "restart"},
		{Text: "restart it please", Intent: "restart"},
		{Text: "status of the service", Intent: "status"},
		{Text: "is it up", Intent: "status"},
		{Text: "tell me a joke", Intent: nlu.OutOfScope},
	}
	closed, err := nlu.Train(context.Background(), ex[:4], nlu.Options{Seed: 1, Threshold: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	if r := parse(t, closed, "service"); r.Intent == nlu.OutOfScope {
		t.Fatalf("a model never shown out-of-scope examples rejected its best guess: %+v", r)
	}
	strict, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1, Threshold: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	if r := parse(t, strict, "service"); r.Intent != nlu.OutOfScope {
		t.Fatalf("below the threshold: %+v", r)
	}
	if r := parse(t, strict, "restart the service"); r.Intent != "restart" {
		t.Fatalf("a taught phrasing must stand: %+v", r)
	}
	close, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1, Threshold: 0.01, Margin: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if r := parse(t, close, "the service"); !r.Ambiguous || r.Intent != nlu.OutOfScope || len(r.Alternatives) < 2 {
		t.Fatalf("two close intents must be ambiguous: %+v", r)
	}
}

// A retrained model swapped in while messages are parsed: every parse is
// answered by one whole model.
func TestPipelineHotSwap(t *testing.T) {
	ex := catalogExamples(t)
	// Small models: what is tested is the swap, not the model.
	first, err := nlu.Train(context.Background(), ex[:300], nlu.Options{Seed: 1, Epochs: 5, TaggerEpochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := nlu.NewPipeline(first)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var parsed [4]int
	for w := range parsed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := p.Parse(context.Background(), "restart apache on web-1")
				if err != nil || r.Intent == "" {
					t.Errorf("parse during swap: %+v %v", r, err)
					return
				}
				parsed[w]++
			}
		}()
	}
	for i := 0; i < 3; i++ {
		m, err := nlu.Train(context.Background(), ex[300*i:300*(i+1)], nlu.Options{Seed: uint64(i + 2), Epochs: 5, TaggerEpochs: 2})
		if err != nil {
			t.Fatal(err)
		}
		p.Swap(m)
	}
	close(stop)
	wg.Wait()
	if p.Swaps() != 3 || p.Model() == first {
		t.Fatalf("swaps %d", p.Swaps())
	}
	for w, n := range parsed {
		if n == 0 {
			t.Errorf("worker %d parsed nothing", w)
		}
	}
}

// Cross-validated accuracy on the catalog's own data. The floor guards
// against regressions; the measured value is logged.
func TestCatalogCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validation trains five models")
	}
	ex := catalogExamples(t)
	m, err := nlu.CrossValidate(context.Background(), ex, 5, nlu.Options{Seed: 1, Lists: catalogLists()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5-fold CV on %d examples: intent accuracy %.1f%%, entity P/R/F1 %.1f/%.1f/%.1f%%",
		m.Examples, 100*m.IntentAccuracy, 100*m.EntityPrecision, 100*m.EntityRecall, 100*m.EntityF1)
	if m.IntentAccuracy < 0.95 || m.EntityF1 < 0.93 {
		t.Fatalf("accuracy %.3f, entity F1 %.3f below the floor", m.IntentAccuracy, m.EntityF1)
	}
}

func TestFolds(t *testing.T) {
	var ex []nlu.Example
	for i := 0; i < 30; i++ {
		ex = append(ex, nlu.Example{Text: fmt.Sprint("a", i), Intent: []string{"x", "y", "z"}[i%3]})
	}
	folds, err := nlu.Folds(ex, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, f := range folds {
		per := map[string]int{}
		for _, i := range f {
			if seen[i] {
				t.Fatalf("example %d in two folds", i)
			}
			seen[i] = true
			per[ex[i].Intent]++
		}
		for intent, n := range per {
			if n != 2 {
				t.Fatalf("fold has %d of %s, want 2 (stratified)", n, intent)
			}
		}
	}
	if len(seen) != len(ex) {
		t.Fatalf("folds cover %d of %d", len(seen), len(ex))
	}
	if _, err := nlu.Folds(ex, 1, 1); err == nil {
		t.Fatal("one fold accepted")
	}
}

func BenchmarkParse(b *testing.B) {
	m := catalogModel(b)
	ctx := context.Background()
	lines := []string{"restart apache on web-1", "who is on call for payments?", "deploy checkout v2.3.1 to prod", "ack #42"}
	var lat latency.Recorder
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		_, err := m.Parse(ctx, lines[i%len(lines)])
		lat.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	lat.Report(b)
}

func BenchmarkTrainCatalog(b *testing.B) {
	ex := catalogExamples(b)
	for b.Loop() {
		if _, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1, Lists: catalogLists()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ex)), "examples")
}

func TestRegexEntities(t *testing.T) {
	ex := []nlu.Example{
		{Text: "look at jira-12 please", Intent: "ticket"},
		{Text: "show ticket JIRA-7", Intent: "ticket"},
		{Text: "hello there", Intent: "greet"},
	}
	m, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1, Regexes: []nlu.Regex{{Type: "ticket", Pattern: `JIRA-\d+`}}})
	if err != nil {
		t.Fatal(err)
	}
	r := parse(t, m, "what about Jira-404 and JIRA-5?")
	var got []string
	for _, e := range r.Entities {
		if e.Source == "regex" {
			got = append(got, fmt.Sprintf("%s %q %d-%d", e.Type, e.Text, e.Start, e.End))
		}
	}
	if want := []string{`ticket "Jira-404" 11-19`, `ticket "JIRA-5" 24-30`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := nlu.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r2 := parse(t, back, "what about Jira-404 and JIRA-5?"); fmt.Sprint(r2.Entities) != fmt.Sprint(r.Entities) {
		t.Fatalf("regexes lost in the model file: %+v", r2.Entities)
	}
	if _, err := nlu.Train(context.Background(), ex, nlu.Options{Regexes: []nlu.Regex{{Type: "x", Pattern: "a*"}}}); err == nil {
		t.Fatal("a pattern matching empty text was accepted")
	}
}

func TestPrune(t *testing.T) {
	inf := float32(math.Inf(-1))
	for _, tc := range []struct {
		in   []float32
		k    int
		want []int32 // the indexes kept
	}{
		{[]float32{5, 1, 4, 2, 3}, 1, []int32{0}},
		{[]float32{5, 1, 4, 2, 3}, 2, []int32{0, 2}},
		{[]float32{5, 1, 4, 2, 3}, 5, []int32{0, 1, 2, 3, 4}},
		{[]float32{5, 1, 4, 2, 3}, 0, []int32{0, 1, 2, 3, 4}},
		{[]float32{2, 2, 2, 1}, 2, []int32{0, 1}},             // ties: the first ones
		{[]float32{-1, -5, 7, 7, 0}, 3, []int32{2, 3, 4}},     // negative scores
		{[]float32{inf, 3, inf, 1, inf, 2}, 2, []int32{1, 5}}, // dead ones never count
		{[]float32{inf, 3, inf, 1}, 2, []int32{1, 3}},         // no more alive than k
		{[]float32{inf, inf}, 1, nil},
		{[]float32{1, 9, 8, 7, 6, 5, 4, 3, 2, 10}, 3, []int32{1, 2, 9}},
	} {
		scores := slices.Clone(tc.in)
		kept := nlu.Prune(scores, tc.k)
		if fmt.Sprint(kept) != fmt.Sprint(tc.want) {
			t.Errorf("prune(%v, %d) kept %v, want %v", tc.in, tc.k, kept, tc.want)
		}
		for i, v := range scores {
			if alive := slices.Contains(kept, int32(i)); alive && v != tc.in[i] || !alive && v != inf {
				t.Errorf("prune(%v, %d): score %d is %v after", tc.in, tc.k, i, v)
			}
		}
	}
}

func TestSparseRows(t *testing.T) {
	const n = 3
	index := map[uint64]int32{}
	var w []float32
	for i := range 3000 {
		index[uint64(i)*0x10000] = int32(i) // keys alike in their low bits
		row := make([]float32, n)
		if i%3 != 0 { // every third row is all zeros
			row[i%n] = float32(i)
		}
		w = append(w, row...)
	}
	rowOf := nlu.SparseRows(index, w, n)
	for h, row := range index {
		got := rowOf(h)
		want := w[int(row)*n : int(row)*n+n]
		if row%3 == 0 {
			if got != nil {
				t.Fatalf("row %d of zeros is stored: %v", row, got)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Fatalf("row of %#x = %v, want %v", h, got, want)
		}
	}
	for _, h := range []uint64{1, 0x10001, 3000 * 0x10000, ^uint64(0)} {
		if got := rowOf(h); got != nil {
			t.Errorf("feature %#x never added has the row %v", h, got)
		}
	}
	if got := nlu.SparseRows(nil, nil, n)(0); got != nil {
		t.Errorf("the empty table has a row %v", got)
	}
}

// A word seen only inside entity marks is a word the model knows: it is
// not "corrected" to a near word seen outside them ("four" is not "for"),
// before or after a save and load.
func TestMarkedWordsAreNotCorrected(t *testing.T) {
	var ex []nlu.Example
	for _, n := range []string{"four", "three", "eight", "nine"} {
		ex = append(ex,
			nlu.Example{Text: "rate it " + n + " stars", Intent: "rate", Entities: []nlu.Entity{{Type: "rating", Start: 8, End: 8 + len(n)}}},
			nlu.Example{Text: "give this " + n + " stars", Intent: "rate", Entities: []nlu.Entity{{Type: "rating", Start: 10, End: 10 + len(n)}}},
		)
	}
	for _, s := range []string{"look for a book", "search for music", "find a film for me", "look for it"} {
		ex = append(ex, nlu.Example{Text: s, Intent: "search"})
	}
	m, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := nlu.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*nlu.Model{"trained": m, "loaded": back} {
		r := parse(t, m, "rate it four stars")
		if !strings.Contains(r.Normalized, "four") {
			t.Errorf("%s: %q became %q", name, r.Text, r.Normalized)
		}
		if got := entityMap(r)["rating"]; got != "four" {
			t.Errorf("%s: rating %q, want \"four\" (%+v)", name, got, r.Entities)
		}
		// A near miss of a word seen outside marks is still corrected.
		if r := parse(t, m, "serch for music"); !strings.Contains(r.Normalized, "search") {
			t.Errorf("%s: %q was not corrected: %q", name, r.Text, r.Normalized)
		}
	}
}

// The intent classifier learns from the entity spans a tagger finds on
// examples it never saw, as when parsing: a pattern the other examples
// teach is found, a role marked once is not.
func TestHeldOutSpans(t *testing.T) {
	var ex []nlu.Example
	for i, svc := range []string{"apache", "nginx", "redis", "kafka", "mysql", "haproxy", "postgres", "memcached"} {
		host := fmt.Sprintf("web-%d", i)
		ex = append(ex, nlu.Example{Text: "restart " + svc + " on " + host, Intent: "restart", Entities: []nlu.Entity{
			{Type: "service", Start: 8, End: 8 + len(svc)},
			{Type: "host", Start: 12 + len(svc), End: 12 + len(svc) + len(host)},
		}})
	}
	ex = append(ex, nlu.Example{Text: "frobnicate the zork", Intent: "frob", Entities: []nlu.Entity{{Type: "gadget", Start: 15, End: 19}}})
	got, err := nlu.HeldOutSpans(context.Background(), ex)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if want := []string{"service 1-1", "host 3-3"}; !slices.Equal(got[i], want) {
			t.Errorf("%q: held-out spans %v, want %v", ex[i].Text, got[i], want)
		}
	}
	for _, s := range got[8] {
		if strings.HasPrefix(s, "gadget") {
			t.Errorf("%q: held-out span %s, but its only gadget was never seen by the other half", ex[8].Text, s)
		}
	}
}

// A message none of whose words the model knows is marked unfamiliar:
// its intent is a guess from spelling alone.
func TestUnfamiliar(t *testing.T) {
	m := catalogModel(t)
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"forever", true},
		{"zxqv wibble", true},
		{"", true},
		{"42", true},
		{"cancel", false},
		{"nope", false},
		{"cancle", false}, // corrected to a known word
		{"apache", false}, // a list value
		{"forever apache", false},
		{"restart flurbd on zeta-12", false},
	} {
		if got := parse(t, m, tc.text).Unfamiliar; got != tc.want {
			t.Errorf("%q: unfamiliar %v, want %v", tc.text, got, tc.want)
		}
	}
}

// rolesModel knows two intents that mark one entity type each.
func rolesModel(t *testing.T) *nlu.Model {
	var ex []nlu.Example
	for _, c := range []string{"red", "blue", "green", "amber", "teal"} {
		ex = append(ex,
			nlu.Example{Text: "paint it " + c, Intent: "paint", Entities: []nlu.Entity{{Type: "colour", Start: 9, End: 9 + len(c)}}},
			nlu.Example{Text: "paint the fence " + c, Intent: "paint", Entities: []nlu.Entity{{Type: "colour", Start: 16, End: 16 + len(c)}}},
		)
	}
	for _, s := range []string{"home", "the shop", "work", "the park", "school"} {
		ex = append(ex,
			nlu.Example{Text: "walk to " + s, Intent: "walk", Entities: []nlu.Entity{{Type: "place", Start: 8, End: 8 + len(s)}}},
			nlu.Example{Text: "please walk me to " + s, Intent: "walk", Entities: []nlu.Entity{{Type: "place", Start: 18, End: 18 + len(s)}}},
		)
	}
	m, err := nlu.Train(context.Background(), ex, nlu.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Once the intent is known, only the entity types its examples mark are
// tagged: "the shop" looks like a place, but painting takes colours.
func TestIntentRoles(t *testing.T) {
	m := rolesModel(t)
	for _, tc := range []struct {
		text, intent string
		want         map[string]string
	}{
		{"paint it violet", "paint", map[string]string{"colour": "violet"}},
		{"walk to the beach", "walk", map[string]string{"place": "the beach"}},
		{"walk to teal", "walk", map[string]string{"place": "teal"}},
		{"paint it home", "paint", map[string]string{"colour": "home"}},
		{"paint the shop", "paint", map[string]string{"colour": "the shop"}},
	} {
		r := parse(t, m, tc.text)
		if r.Intent != tc.intent || fmt.Sprint(entityMap(r)) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %s %v, want %s %v", tc.text, r.Intent, entityMap(r), tc.intent, tc.want)
		}
		for _, e := range r.Entities {
			if e.Type != "colour" && tc.intent == "paint" || e.Type != "place" && tc.intent == "walk" {
				t.Errorf("%q: %s tagged as a %s, a role %s never marks", tc.text, e.Text, e.Type, tc.intent)
			}
		}
	}
}

// A warm start from the model in service takes in a taught phrasing, keeps
// the accuracy of training from scratch on phrasings it never saw, gives
// the same model twice, and falls back to training from scratch when the
// intents differ.
func TestWarmStart(t *testing.T) {
	ctx := context.Background()
	all := catalogExamples(t)
	folds, err := nlu.Folds(all, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	testIdx := map[int]bool{}
	for _, i := range folds[0] {
		testIdx[i] = true
	}
	var train, test []nlu.Example
	for i, ex := range all {
		if testIdx[i] {
			test = append(test, ex)
		} else {
			train = append(train, ex)
		}
	}
	opts := nlu.Options{Seed: 1, Lists: catalogLists()}
	fresh, err := nlu.Train(ctx, train, opts)
	if err != nil {
		t.Fatal(err)
	}
	taught := nlu.Example{Text: "frobnicate the quux gadget", Intent: "restart_service"}
	warmOpts := opts
	warmOpts.From = fresh
	save := func(m *nlu.Model) []byte {
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	var warm *nlu.Model
	var saved [2][]byte
	for i := range saved {
		if warm, err = nlu.Train(ctx, append(slices.Clone(train), taught), warmOpts); err != nil {
			t.Fatal(err)
		}
		saved[i] = save(warm)
	}
	if !bytes.Equal(saved[0], saved[1]) {
		t.Fatal("two warm starts from the same model gave different models")
	}
	if r := parse(t, warm, taught.Text); r.Intent != taught.Intent {
		t.Fatalf("the warm-started model does not know the taught phrasing: %s (%.2f)", r.Intent, r.Confidence)
	}
	mf, err := nlu.Evaluate(ctx, fresh, test)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := nlu.Evaluate(ctx, warm, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("unseen fold: from scratch %.1f%%, warm start %.1f%%", 100*mf.IntentAccuracy, 100*mw.IntentAccuracy)
	if mw.IntentAccuracy < mf.IntentAccuracy-0.01 {
		t.Fatalf("warm start lost accuracy: %.3f, from scratch %.3f", mw.IntentAccuracy, mf.IntentAccuracy)
	}

	// A new intent: From is ignored, so the model is the one from scratch.
	withNew := append(slices.Clone(train), nlu.Example{Text: "order more coffee beans", Intent: "coffee"}, nlu.Example{Text: "we need coffee", Intent: "coffee"})
	a, err := nlu.Train(ctx, withNew, warmOpts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nlu.Train(ctx, withNew, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(save(a), save(b)) {
		t.Fatal("a new intent did not make training start from scratch")
	}
}

// With many intents (the sampled epochs), a warm start learns a taught
// phrasing too.
func TestWarmStartManyIntents(t *testing.T) {
	ctx := context.Background()
	var ex []nlu.Example
	for i := range 40 {
		w := fmt.Sprintf("thing%02d", i)
		for _, tpl := range []string{"show me the %s", "open %s now", "what about %s", "i want %s please", "%s status"} {
			ex = append(ex, nlu.Example{Text: fmt.Sprintf(tpl, w), Intent: "intent_" + w})
		}
	}
	opts := nlu.Options{Seed: 3}
	base, err := nlu.Train(ctx, ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.From = base
	taught := nlu.Example{Text: "zorble the wibbly widget", Intent: "intent_thing07"}
	warm, err := nlu.Train(ctx, append(slices.Clone(ex), taught), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, want string }{
		{taught.Text, taught.Intent},
		{"show me the thing12", "intent_thing12"},
		{"thing33 status", "intent_thing33"},
	} {
		if r := parse(t, warm, c.text); r.Intent != c.want {
			t.Errorf("%q: %s (%.2f), want %s", c.text, r.Intent, r.Confidence, c.want)
		}
	}
}
