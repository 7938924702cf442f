package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	evalTrain = "testdata/eval/train.yml"
	evalTest  = "testdata/eval/test.yml"
)

// decodeOneJSON decodes out as exactly one JSON object.
func decodeOneJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var more any
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		t.Fatalf("more than one JSON value (%v):\n%s", err, out)
	}
	return m
}

var evalKeys = []string{
	"examples", "intent_accuracy", "in_scope_accuracy", "oos_recall", "macro_f1", "entity_f1", "entity_f1_partial",
	"train_seconds", "classify_us_median", "classify_us_p99", "per_intent", "entity_precision", "entity_recall",
	"confusions", "misclassified", "confidence_histogram",
}

func TestEvalTrainAndScore(t *testing.T) {
	code, out, errs := runCLI(t, "", "eval", "--json", "--data", evalTest, "--train", evalTrain)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := decodeOneJSON(t, out)
	for _, k := range evalKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	if m["examples"] != 13.0 {
		t.Errorf("examples = %v, want 13", m["examples"])
	}
	for _, k := range []string{"in_scope_accuracy", "oos_recall", "entity_f1", "entity_f1_partial", "train_seconds"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s = %v, want a number", k, m[k])
		}
	}
	if acc := m["intent_accuracy"].(float64); acc < 0.5 {
		t.Errorf("intent accuracy %v on easy data", acc)
	}
	per := m["per_intent"].(map[string]any)
	for _, intent := range []string{"get_weather", "play_music", "set_alarm", "greet", "out_of_scope"} {
		sc, ok := per[intent].(map[string]any)
		if !ok {
			t.Errorf("per_intent lacks %s: %v", intent, per)
			continue
		}
		for _, k := range []string{"precision", "recall", "f1", "support"} {
			if _, ok := sc[k].(float64); !ok {
				t.Errorf("per_intent.%s.%s = %v", intent, k, sc[k])
			}
		}
	}
	if strings.Contains(errs, "\r") {
		t.Errorf("progress shown on a stderr that is not a terminal: %q", errs)
	}

	// The same as text.
	code, out, errs = runCLI(t, "", "eval", "--data", evalTest, "--train", evalTrain)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Evaluation of " + evalTest + ", trained on " + evalTrain, "intent accuracy", "out-of-scope recall", "Per intent, worst F1 first:", "training "} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalJSONLAndCLINCSpelling(t *testing.T) {
	dir := t.TempDir()
	test := filepath.Join(dir, "test.jsonl")
	os.WriteFile(test, []byte(`{"text": "what's the weather in paris", "intent": "get_weather", "entities": [{"entity": "city", "value": "paris", "start": 22, "end": 27}]}
{"text": "play some jazz", "intent": "play_music", "entities": []}

{"text": "order me a pizza", "intent": "oos", "entities": []}
{"text": "book me a flight to rome", "intent": "oos", "entities": []}
`), 0o600)
	code, out, errs := runCLI(t, "", "eval", "--data", test, "--train", evalTrain, "--json", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := decodeOneJSON(t, out)
	if m["examples"] != 4.0 || m["oos_label"] != "oos" {
		t.Errorf("examples %v, oos label %v", m["examples"], m["oos_label"])
	}
	// The model says out_of_scope, which counts as oos here.
	if m["oos_recall"] != 1.0 {
		t.Errorf("oos recall %v, want 1 (%v)", m["oos_recall"], m["misclassified"])
	}
	if _, ok := m["per_intent"].(map[string]any)["out_of_scope"]; ok {
		t.Errorf("out_of_scope reported apart from oos: %v", m["per_intent"])
	}
}

func TestEvalCrossValidation(t *testing.T) {
	code, out, errs := runCLI(t, "", "eval", "--cv", "3", "--data", evalTrain, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := decodeOneJSON(t, out)
	for _, k := range evalKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	if m["examples"] != 38.0 || m["folds"] != 3.0 {
		t.Errorf("examples %v, folds %v; want 38 and 3", m["examples"], m["folds"])
	}
	if _, ok := m["train_seconds"].(float64); !ok {
		t.Errorf("train_seconds = %v", m["train_seconds"])
	}
	code, out, _ = runCLI(t, "", "eval", "--data", evalTrain, "--cv", "3")
	if code != 0 || !strings.Contains(out, "38 (5 intents), 3-fold cross-validation") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestEvalHTMLReport(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
	code, out, errs := runCLI(t, "", "eval", "--data", evalTest, "--train", evalTrain, "--report", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasSuffix(out, "HTML report: "+page+"\n") {
		t.Errorf("output does not say where the report is:\n%s", out)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<svg") || strings.Contains(string(html), "<script") {
		t.Errorf("report:\n%s", html)
	}

	// With --json, stdout stays one JSON object.
	code, out, errs = runCLI(t, "", "eval", "--data", evalTest, "--train", evalTrain, "--report", page, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	decodeOneJSON(t, out)
	if !strings.Contains(errs, "HTML report: "+page) {
		t.Errorf("stderr %q", errs)
	}

	code, _, errs = runCLI(t, "", "eval", "--data", evalTest, "--train", evalTrain, "--report", filepath.Join(t.TempDir(), "no", "such", "dir.html"))
	if code != 1 || !strings.Contains(errs, "dir.html") {
		t.Errorf("unwritable report: exit %d, %q", code, errs)
	}
}

func TestEvalConfiguredModel(t *testing.T) {
	held := filepath.Join("..", "..", "training", "heldout", "catalog.yml")
	if _, err := os.Stat(held); err != nil {
		t.Skip(err)
	}
	code, out, errs := runCLI(t, "", "eval", "--data", held, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	m := decodeOneJSON(t, out)
	if m["train_seconds"] != nil {
		t.Errorf("train_seconds = %v for the configured model", m["train_seconds"])
	}
	if acc, _ := m["intent_accuracy"].(float64); acc < 0.5 {
		t.Errorf("the demo model gets %v of the held-out catalog examples", acc)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badYAML := write("bad.yml", "intents:\n  - intent: greet\n    examples:\n      - \"restart [apache]()\"\n")
	badJSONL := write("bad.jsonl", `{"text": "hi", "intent": "greet", "entities": []}`+"\n"+`{"text": "hello", "intnet": "greet"}`+"\n")
	empty := write("empty.yml", "# nothing yet\n")
	csv := write("data.csv", "text,intent\nhi,greet\n")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad YAML as test data", []string{"--data", badYAML, "--train", evalTrain}, badYAML + ":4: "},
		{"bad YAML as training data", []string{"--data", evalTest, "--train", badYAML}, badYAML + ":4: "},
		{"bad JSONL", []string{"--data", badJSONL, "--train", evalTrain}, badJSONL + ":2: "},
		{"bad data to cross-validate", []string{"--data", badJSONL, "--cv", "3"}, badJSONL + ":2: "},
		{"missing file", []string{"--data", filepath.Join(dir, "missing.yml"), "--train", evalTrain}, "missing.yml: no such file"},
		{"no examples", []string{"--data", empty, "--train", evalTrain}, empty + ": no examples"},
		{"unknown format", []string{"--data", csv, "--train", evalTrain}, csv + ": unknown format"},
		{"too few examples for the folds", []string{"--data", evalTest, "--cv", "20"}, "13 examples cannot make 20 folds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", append([]string{"eval"}, tt.args...)...)
			if code != 1 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errs, tt.want)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

func TestEvalUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data", nil, "--data is required"},
		{"cv with train", []string{"--data", evalTest, "--train", evalTrain, "--cv", "3"}, "drop --train"},
		{"one fold", []string{"--data", evalTest, "--cv", "1"}, "at least 2 folds"},
		{"a stray argument", []string{"--data", evalTest, evalTrain}, `unexpected argument "` + evalTrain + `"`},
		{"unknown flag", []string{"--data", evalTest, "--folds", "3"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, "", append([]string{"eval"}, tt.args...)...)
			if code != 2 || !strings.Contains(errs, tt.want) || !strings.Contains(errs, "usage: parley eval") {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
		})
	}
	if code, out, _ := runCLI(t, "", "help"); code != 0 || !strings.Contains(out, "  eval  ") {
		t.Errorf("help does not list eval: %s", out)
	}
}

// The language model's share of what the local model misses is measured
// against a server speaking the OpenAI wire format.
func TestEvalAssist(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tool := "service_status"
		if strings.Contains(string(body), "swift boot") {
			tool = "restart_service"
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"c","object":"chat.completion","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","tool_calls":[{"id":"t","type":"function","function":{"name":%q,"arguments":"{}"}}]}}]}`, tool)
	}))
	defer srv.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "hard.yml")
	os.WriteFile(data, []byte(`intents:
  - intent: restart_service
    examples:
      - "the thing on the box needs a swift boot"
      - "restart apache on web-1"
`), 0o600)
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		switch k {
		case "PARLEY_LLM_BASE_URL":
			return srv.URL + "/v1"
		case "PARLEY_LLM_MODEL":
			return "m"
		}
		return ""
	}
	code := run(context.Background(), []string{"eval", "--assist", "--data", data, "--json"}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		Assisted struct{ Misses, Recovered int }
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Assisted.Misses != 1 || r.Assisted.Recovered != 1 {
		t.Fatalf("%v %s", err, out.String())
	}
}
