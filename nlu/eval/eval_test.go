package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
)

// fixed is a Parser that answers from a table.
type fixed map[string]nlu.Result

func (f fixed) Parse(_ context.Context, text string) (nlu.Result, error) {
	res, ok := f[text]
	if !ok {
		return nlu.Result{}, fmt.Errorf("no answer for %q", text)
	}
	res.Text = text
	return res, nil
}

// labelled builds examples and a fixed parser from (text, gold, predicted)
// triples.
func labelled(rows ...[3]string) ([]nlu.Example, fixed) {
	var exs []nlu.Example
	p := fixed{}
	for _, r := range rows {
		exs = append(exs, nlu.Example{Text: r[0], Intent: r[1]})
		p[r[0]] = nlu.Result{Intent: r[2], Confidence: 0.9}
	}
	return exs, p
}

// clock returns a fake time.Now under which the n-th Parse takes
// took[n % len(took)].
func clock(took ...time.Duration) func() time.Time {
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := 0
	return func() time.Time {
		if calls%2 == 1 {
			t = t.Add(took[(calls/2)%len(took)])
		}
		calls++
		return t
	}
}

func near(got, want float64) bool { return math.Abs(got-want) < 1e-9 }

func checkRatio(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %.4f", name, want)
	} else if !near(*got, want) {
		t.Errorf("%s = %.6f, want %.6f", name, *got, want)
	}
}

func TestIntentMetrics(t *testing.T) {
	// c is never predicted: precision, recall and F1 0, still in the mean.
	exs, p := labelled(
		[3]string{"a1", "a", "a"},
		[3]string{"a2", "a", "a"},
		[3]string{"a3", "a", "b"},
		[3]string{"b1", "b", "b"},
		[3]string{"c1", "c", "b"},
	)
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Examples != 5 || r.Intents != 3 || !near(r.IntentAccuracy, 0.6) {
		t.Errorf("examples %d, intents %d, accuracy %v; want 5, 3, 0.6", r.Examples, r.Intents, r.IntentAccuracy)
	}
	want := map[string]IntentScore{
		"a": {Precision: 1, Recall: 2.0 / 3, F1: 0.8, Support: 3, Predicted: 2},
		"b": {Precision: 1.0 / 3, Recall: 1, F1: 0.5, Support: 1, Predicted: 3},
		"c": {Precision: 0, Recall: 0, F1: 0, Support: 1, Predicted: 0},
	}
	if len(r.PerIntent) != len(want) {
		t.Errorf("per intent: %+v", r.PerIntent)
	}
	for intent, w := range want {
		g := r.PerIntent[intent]
		if !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) || g.Support != w.Support || g.Predicted != w.Predicted {
			t.Errorf("%s: %+v, want %+v", intent, g, w)
		}
	}
	if !near(r.MacroF1, (0.8+0.5+0)/3) {
		t.Errorf("macro-F1 = %v, want %v", r.MacroF1, 1.3/3)
	}
	wantConf := []Confusion{{"a", "b", 1}, {"c", "b", 1}}
	if fmt.Sprint(r.Confusions) != fmt.Sprint(wantConf) {
		t.Errorf("confusions %v, want %v", r.Confusions, wantConf)
	}
	if r.InScopeAccuracy != nil || r.OOSRecall != nil || r.EntityF1 != nil || r.EntityF1Partial != nil || r.TrainSeconds != nil || r.Folds != nil {
		t.Errorf("metrics that do not apply are set: %+v", r)
	}
	if len(r.Misclassified) != 2 || r.Misclassified[0] != (Miss{Text: "a3", Gold: "a", Predicted: "b", Confidence: 0.9}) {
		t.Errorf("misclassified %+v", r.Misclassified)
	}
	if got := r.Confidence[9]; got.Correct != 3 || got.Wrong != 2 || got.From != 0.9 || got.To != 1 {
		t.Errorf("confidence bin 0.9-1.0 = %+v", got)
	}
}

func TestRankedWorstFirst(t *testing.T) {
	exs, p := labelled(
		[3]string{"a1", "a", "a"}, [3]string{"a2", "a", "b"},
		[3]string{"b1", "b", "b"},
		[3]string{"c1", "c", "c"},
	)
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, row := range r.ranked() {
		order = append(order, row.Intent)
	}
	// a: F1 2/3, b: F1 2/3 with less support, c: 1.
	if got := strings.Join(order, " "); got != "a b c" {
		t.Errorf("ranked %s, want a b c", got)
	}
}

func TestOutOfScope(t *testing.T) {
	tests := []struct {
		name      string
		spelling  string // gold out-of-scope label of the data
		predicted string // what the model says for out of scope
		label     string // how the report names it
	}{
		{"CLINC data, model says out_of_scope", "oos", nlu.OutOfScope, "oos"},
		{"CLINC data, model learned oos", "oos", "oos", "oos"},
		{"our data, model says out_of_scope", nlu.OutOfScope, nlu.OutOfScope, nlu.OutOfScope},
		{"our data, model says oos", nlu.OutOfScope, "oos", nlu.OutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exs, p := labelled(
				[3]string{"x1", tt.spelling, tt.predicted},
				[3]string{"x2", tt.spelling, tt.predicted},
				[3]string{"x3", tt.spelling, "a"},
				[3]string{"a1", "a", "a"},
				[3]string{"a2", "a", tt.predicted},
				[3]string{"b1", "b", "b"},
			)
			r, err := Score(context.Background(), p, exs)
			if err != nil {
				t.Fatal(err)
			}
			if !near(r.IntentAccuracy, 4.0/6) {
				t.Errorf("accuracy %v, want 4/6", r.IntentAccuracy)
			}
			checkRatio(t, "in-scope accuracy", r.InScopeAccuracy, 2.0/3)
			checkRatio(t, "oos recall", r.OOSRecall, 2.0/3)
			if r.OOSPredicted != 3 {
				t.Errorf("%d predicted out of scope, want 3", r.OOSPredicted)
			}
			if r.OOSLabel != tt.label {
				t.Errorf("oos label %q, want %q", r.OOSLabel, tt.label)
			}
			if _, ok := r.PerIntent[tt.label]; !ok || len(r.PerIntent) != 3 {
				t.Errorf("per intent has %v, want a, b and %s", r.PerIntent, tt.label)
			}
			if got, want := fmt.Sprint(r.Confusions), fmt.Sprint([]Confusion{{"a", tt.label, 1}, {tt.label, "a", 1}}); got != want {
				t.Errorf("confusions %s, want %s", got, want)
			}
		})
	}
	t.Run("both spellings in the data", func(t *testing.T) {
		exs, p := labelled([3]string{"x1", "oos", nlu.OutOfScope}, [3]string{"x2", nlu.OutOfScope, "oos"}, [3]string{"a1", "a", "a"})
		r, err := Score(context.Background(), p, exs)
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.IntentAccuracy, 1) || r.OOSLabel != nlu.OutOfScope || r.PerIntent[nlu.OutOfScope].Support != 2 {
			t.Errorf("accuracy %v, label %q, per intent %+v", r.IntentAccuracy, r.OOSLabel, r.PerIntent)
		}
		checkRatio(t, "oos recall", r.OOSRecall, 1)
	})
	t.Run("only out-of-scope examples", func(t *testing.T) {
		exs, p := labelled([3]string{"x1", "oos", "a"})
		r, err := Score(context.Background(), p, exs)
		if err != nil {
			t.Fatal(err)
		}
		if r.InScopeAccuracy != nil {
			t.Errorf("in-scope accuracy %v over no in-scope example", *r.InScopeAccuracy)
		}
		checkRatio(t, "oos recall", r.OOSRecall, 0)
	})
	t.Run("a model that rejects data without out-of-scope examples", func(t *testing.T) {
		exs, p := labelled([3]string{"a1", "a", nlu.OutOfScope}, [3]string{"a2", "a", "a"})
		r, err := Score(context.Background(), p, exs)
		if err != nil {
			t.Fatal(err)
		}
		if r.OOSRecall != nil || r.InScopeAccuracy != nil || !near(r.IntentAccuracy, 0.5) || r.OOSPredicted != 1 {
			t.Errorf("oos recall %v, in-scope %v, accuracy %v", r.OOSRecall, r.InScopeAccuracy, r.IntentAccuracy)
		}
		if fmt.Sprint(r.Confusions) != fmt.Sprint([]Confusion{{"a", nlu.OutOfScope, 1}}) {
			t.Errorf("confusions %v", r.Confusions)
		}
	})
}

func ent(typ string, start, end int) nlu.Entity { return nlu.Entity{Type: typ, Start: start, End: end} }

func TestEntityMatching(t *testing.T) {
	tests := []struct {
		name                  string
		gold, pred            []nlu.Entity
		exact, partial, g, pr int
	}{
		{"exact", []nlu.Entity{ent("city", 16, 21)}, []nlu.Entity{ent("city", 16, 21)}, 1, 1, 1, 1},
		{"shifted span counts partially only", []nlu.Entity{ent("date", 22, 30)}, []nlu.Entity{ent("date", 22, 29)}, 0, 1, 1, 1},
		{"touching spans do not overlap", []nlu.Entity{ent("date", 22, 30)}, []nlu.Entity{ent("date", 30, 34)}, 0, 0, 1, 1},
		{"same span, other type", []nlu.Entity{ent("city", 16, 21)}, []nlu.Entity{ent("country", 16, 21)}, 0, 0, 1, 1},
		{"one gold matched once", []nlu.Entity{ent("date", 22, 30)}, []nlu.Entity{ent("date", 22, 26), ent("date", 27, 30)}, 0, 1, 1, 2},
		{"the exact match wins over an earlier overlap", []nlu.Entity{ent("date", 22, 30)}, []nlu.Entity{ent("date", 20, 26), ent("date", 22, 30)}, 1, 1, 1, 2},
		{"the larger overlap wins", []nlu.Entity{ent("a", 0, 4), ent("a", 5, 12)}, []nlu.Entity{ent("a", 3, 10)}, 0, 1, 2, 1},
		{"missed", []nlu.Entity{ent("a", 0, 4)}, nil, 0, 0, 1, 0},
		{"spurious", nil, []nlu.Entity{ent("a", 0, 4)}, 0, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tally entityTally
			tally.add(tt.gold, tt.pred)
			want := entityTally{gold: tt.g, predicted: tt.pr, exact: tt.exact, partial: tt.partial}
			if tally != want {
				t.Errorf("got %+v, want %+v", tally, want)
			}
		})
	}
}

func TestEntityScores(t *testing.T) {
	exs := []nlu.Example{
		{Text: "book a table in paris tomorrow", Intent: "book", Entities: []nlu.Entity{ent("city", 16, 21), ent("date", 22, 30)}},
		{Text: "book one", Intent: "book"},
	}
	p := fixed{
		// city exact, date shifted, a spurious city, and an ip: not a
		// gold type, so not counted at all.
		exs[0].Text: {Intent: "other", Confidence: 0.5, Entities: []nlu.Entity{ent("city", 16, 21), ent("date", 22, 29), ent("city", 0, 4), ent("ip", 7, 12)}},
		// Entities count whether or not the intent is right.
		exs[1].Text: {Intent: "book", Confidence: 0.5, Entities: []nlu.Entity{ent("city", 5, 8)}},
	}
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	// Exact: 1 of 4 predictions, 1 of 2 gold. Partial: 2 of 4, 2 of 2.
	checkRatio(t, "entity precision", r.EntityPrecision, 0.25)
	checkRatio(t, "entity recall", r.EntityRecall, 0.5)
	checkRatio(t, "entity F1", r.EntityF1, 1.0/3)
	checkRatio(t, "partial entity F1", r.EntityF1Partial, 2.0/3)
	if r.GoldEntities != 2 {
		t.Errorf("gold entities %d", r.GoldEntities)
	}

	// Without gold entities the entity scores are null, whatever the
	// model finds.
	exs[0].Entities = nil
	r, err = Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	if r.EntityPrecision != nil || r.EntityRecall != nil || r.EntityF1 != nil || r.EntityF1Partial != nil {
		t.Errorf("entity scores without gold entities: %v %v %v %v", r.EntityPrecision, r.EntityRecall, r.EntityF1, r.EntityF1Partial)
	}
}

func TestJSON(t *testing.T) {
	exs, p := labelled([3]string{"a1", "a", "a"}, [3]string{"b1", "b", "a"})
	r, err := score(context.Background(), p, exs, clock(10*time.Microsecond, 30*time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, null := range []string{"in_scope_accuracy", "oos_recall", "entity_precision", "entity_recall", "entity_f1", "entity_f1_partial", "train_seconds", "folds"} {
		if !strings.Contains(text, `"`+null+`": null`) {
			t.Errorf("JSON lacks \"%s\": null:\n%s", null, text)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"examples", "intent_accuracy", "in_scope_accuracy", "oos_recall", "macro_f1", "entity_f1", "entity_f1_partial",
		"train_seconds", "classify_us_median", "classify_us_p99", "per_intent", "entity_precision", "entity_recall", "confusions", "misclassified", "confidence_histogram"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if m["classify_us_median"] != 20.0 || m["classify_us_p99"] != 29.8 {
		t.Errorf("classify µs median %v, p99 %v; want 20 and 29.8", m["classify_us_median"], m["classify_us_p99"])
	}
	a := m["per_intent"].(map[string]any)["a"].(map[string]any)
	if a["precision"] != 0.5 || a["recall"] != 1.0 || a["support"] != 1.0 {
		t.Errorf("per_intent.a = %v", a)
	}
	if strings.Count(text, "\n{") != 0 || !strings.HasSuffix(text, "}\n") {
		t.Errorf("not one JSON object:\n%s", text)
	}
}

func TestJSONKeepsTheTop(t *testing.T) {
	var rows [][3]string
	for i := range 250 {
		rows = append(rows, [3]string{fmt.Sprint("t", i), fmt.Sprint("g", i%25), "x"})
	}
	exs, p := labelled(rows...)
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Confusions) != 25 || len(r.Misclassified) != 250 {
		t.Fatalf("report keeps %d confusions, %d misses", len(r.Confusions), len(r.Misclassified))
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Confusions         []Confusion
		Misclassified      []Miss
		ConfusionsTotal    int `json:"confusions_total"`
		MisclassifiedTotal int `json:"misclassified_total"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Confusions) != 20 || len(m.Misclassified) != 200 || m.ConfusionsTotal != 25 || m.MisclassifiedTotal != 250 {
		t.Errorf("JSON has %d of %d confusions, %d of %d misses", len(m.Confusions), m.ConfusionsTotal, len(m.Misclassified), m.MisclassifiedTotal)
	}
	// Perfect predictions give empty lists, not null.
	exs, p = labelled([3]string{"a1", "a", "a"})
	r, _ = Score(context.Background(), p, exs)
	data, _ = json.Marshal(r)
	if !bytes.Contains(data, []byte(`"confusions":[]`)) || !bytes.Contains(data, []byte(`"misclassified":[]`)) {
		t.Errorf("empty lists: %s", data)
	}
}

func TestPercentile(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(i + 1)
	}
	tests := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"none", nil, 50, 0},
		{"one", []float64{7}, 50, 7},
		{"one, p99", []float64{7}, 99, 7},
		{"odd median", []float64{1, 2, 10}, 50, 2},
		{"even median is the mean of the middle two", []float64{1, 2, 3, 10}, 50, 2.5},
		{"p99 of 1..100", hundred, 99, 99.01},
		{"p50 of 1..100", hundred, 50, 50.5},
		{"p100 is the largest", hundred, 100, 100},
		{"p99 of two", []float64{10, 30}, 99, 29.8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.values, tt.p); !near(got, tt.want) {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
			}
		})
	}
}

func TestClassifyTimes(t *testing.T) {
	var rows [][3]string
	for i := range 100 {
		rows = append(rows, [3]string{fmt.Sprint("t", i), "a", "a"})
	}
	exs, p := labelled(rows...)
	// 99 parses of 10 µs and one of 5 ms.
	took := make([]time.Duration, 100)
	for i := range took {
		took[i] = 10 * time.Microsecond
	}
	took[42] = 5 * time.Millisecond
	r, err := score(context.Background(), p, exs, clock(took...))
	if err != nil {
		t.Fatal(err)
	}
	// The median ignores the outlier; p99 sits 0.01 of the way from 10
	// to 5000 µs.
	if r.ClassifyUSMedian != 10 || r.ClassifyUSP99 != 59.9 {
		t.Errorf("median %v µs, p99 %v µs; want 10 and 59.9", r.ClassifyUSMedian, r.ClassifyUSP99)
	}
}

func TestScoreErrors(t *testing.T) {
	if _, err := Score(context.Background(), fixed{}, nil); !errors.Is(err, ErrNoExamples) {
		t.Errorf("no examples: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	model, err := nlu.Train(context.Background(), []nlu.Example{{Text: "hello there", Intent: "greet"}, {Text: "bye now", Intent: "bye"}}, nlu.Options{Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Score(ctx, model, []nlu.Example{{Text: "hello", Intent: "greet"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// memo is a Parser that knows only the examples it was trained on and says
// out of scope for anything else. It records every text it parses.
type memo struct {
	known map[string]string
	log   *parseLog
}

type parseLog struct {
	mu     sync.Mutex
	parsed map[string]int
	seen   []string // texts parsed by a model trained on them
}

func (m memo) Parse(_ context.Context, text string) (nlu.Result, error) {
	m.log.mu.Lock()
	defer m.log.mu.Unlock()
	m.log.parsed[text]++
	if intent, ok := m.known[text]; ok {
		m.log.seen = append(m.log.seen, text)
		return nlu.Result{Intent: intent, Confidence: 1}, nil
	}
	return nlu.Result{Intent: nlu.OutOfScope, Confidence: 0.2}, nil
}

func TestCrossValidate(t *testing.T) {
	var exs []nlu.Example
	for i := range 23 {
		exs = append(exs, nlu.Example{Text: fmt.Sprintf("example %d", i), Intent: fmt.Sprint("intent_", i%4)})
	}
	log := &parseLog{parsed: map[string]int{}}
	trainings := 0
	train := func(_ context.Context, train []nlu.Example) (Parser, error) {
		trainings++
		if len(train) >= len(exs) || len(train) < len(exs)*3/5 {
			t.Errorf("fold %d trains on %d of %d examples", trainings, len(train), len(exs))
		}
		m := memo{known: map[string]string{}, log: log}
		for _, ex := range train {
			m.known[ex.Text] = ex.Intent
		}
		return m, nil
	}
	r, err := crossValidate(context.Background(), exs, 4, 7, train, clock(time.Second, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if trainings != 4 {
		t.Errorf("%d trainings, want 4", trainings)
	}
	if len(log.seen) > 0 {
		t.Errorf("examples scored by a model trained on them: %v", log.seen)
	}
	if len(log.parsed) != len(exs) {
		t.Errorf("%d distinct texts parsed, want %d", len(log.parsed), len(exs))
	}
	for _, ex := range exs {
		if n := log.parsed[ex.Text]; n != 1 {
			t.Errorf("%q parsed %d times", ex.Text, n)
		}
	}
	// The memorising model knows nothing it is asked about.
	if r.Examples != len(exs) || r.IntentAccuracy != 0 || r.Folds == nil || *r.Folds != 4 {
		t.Errorf("examples %d, accuracy %v, folds %v", r.Examples, r.IntentAccuracy, r.Folds)
	}
	// Each training took one tick of the fake clock: 1 s, 1 ms, 1 s, 1 ms.
	if r.TrainSeconds == nil || !near(*r.TrainSeconds, 2.002) {
		t.Errorf("train seconds %v, want 2.002", r.TrainSeconds)
	}

	failing := func(context.Context, []nlu.Example) (Parser, error) { return nil, errors.New("boom") }
	if _, err := CrossValidate(context.Background(), exs, 4, 7, failing); err == nil || !strings.Contains(err.Error(), "fold 1 of 4: boom") {
		t.Errorf("failing training: %v", err)
	}
	if _, err := CrossValidate(context.Background(), exs[:2], 3, 7, train); err == nil {
		t.Error("3 folds of 2 examples succeeded")
	}
}

func TestCrossValidateRealModel(t *testing.T) {
	var exs []nlu.Example
	for _, s := range []string{"restart nginx", "restart the api", "please restart redis", "bounce postgres", "restart it now", "kick the web server"} {
		exs = append(exs, nlu.Example{Text: s, Intent: "restart"})
	}
	for _, s := range []string{"is nginx up", "status of the api", "is redis healthy", "how is postgres doing", "status please", "is the web server alive"} {
		exs = append(exs, nlu.Example{Text: s, Intent: "status"})
	}
	train := func(ctx context.Context, exs []nlu.Example) (Parser, error) {
		return nlu.Train(ctx, exs, nlu.Options{Seed: 1})
	}
	r, err := CrossValidate(context.Background(), exs, 3, 1, train)
	if err != nil {
		t.Fatal(err)
	}
	if r.Examples != len(exs) || r.IntentAccuracy < 0.5 {
		t.Errorf("examples %d, accuracy %v", r.Examples, r.IntentAccuracy)
	}
}

func TestWriteText(t *testing.T) {
	var rows [][3]string
	for i := range 40 {
		rows = append(rows, [3]string{fmt.Sprint("t", i), fmt.Sprintf("intent_%02d", i), fmt.Sprintf("intent_%02d", (i+i%2)%40)})
	}
	rows = append(rows, [3]string{"x", "oos", nlu.OutOfScope})
	exs, p := labelled(rows...)
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	r.Name = "tiny.jsonl"
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Evaluation of tiny.jsonl\n",
		"intent accuracy      51.2%\n",
		"in-scope accuracy    50.0%\n",
		"out-of-scope recall  100.0%\n",
		"entities             n/a (no entities marked)\n",
		"Per intent, worst F1 first (30 of 41):\n",
		"  intent     precision   recall       F1  support  predicted\n",
		"  intent_01       0.0%     0.0%     0.0%        1          0\n",
		"Most frequent confusions (10 of 20):\n",
		"  1  intent_01 → intent_02\n",
		"Most confident mistakes (5 of 20):\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  intent_"); n != 30+10 {
		t.Errorf("%d intent lines, want 30 table rows + 10 confusions:\n%s", n, out)
	}
}

// TestImports keeps the package to what doc.go promises: of Parley, only
// the nlu package.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/parleybot/parley/") && imp != "github.com/parleybot/parley/nlu" {
			t.Errorf("eval imports %s", imp)
		}
	}
}
