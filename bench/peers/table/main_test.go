package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTable(t *testing.T) {
	dir := t.TempDir()
	snips := write(t, dir, "snips.json", `{"examples":700,"intent_accuracy":0.9571,"in_scope_accuracy":null,"oos_recall":null,
		"macro_f1":0.96,"entity_f1":0.8812,"entity_f1_partial":0.9,"train_seconds":4.057,
		"classify_us_median":65.1,"classify_us_p99":797.9,"per_intent":{}}`)
	clinc := write(t, dir, "clinc.json", `{"examples":5500,"intent_accuracy":0.8,"in_scope_accuracy":0.9,"oos_recall":0.35,
		"macro_f1":0.8,"entity_f1":null,"train_seconds":104.2,"classify_us_median":7.25,"classify_us_p99":12}`)

	var out strings.Builder
	err := run([]string{"--title", "T", "--label", "snips", "--system", "Parley", snips, "--system=NLP.js", clinc}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := `T

| dataset | system | intent acc | in-scope / oos recall | slot F1 | train s | classify µs median / p99 |
| ------- | ------ | ---------: | --------------------: | ------: | ------: | -----------------------: |
| snips   | Parley |      95.7% |                     — |   88.1% |    4.06 |                 65 / 798 |
| clinc   | NLP.js |      80.0% |         90.0% / 35.0% |       — |   104.2 |                 7.2 / 12 |
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	if err := run([]string{snips}, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "system") {
		t.Errorf("system column without --system:\n%s", out.String())
	}
}

func TestTableErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		body, want string
	}{
		"empty":     {"", "printed no result"},
		"text":      {"parley: unknown command \"eval\"\n", "not an eval result"},
		"two":       {`{"intent_accuracy":1,"train_seconds":1,"classify_us_median":1,"classify_us_p99":1} {}`, "more than one"},
		"missing":   {`{"intent_accuracy":0.5}`, "classify_us_median, classify_us_p99, train_seconds"},
		"percent":   {`{"intent_accuracy":95.1,"train_seconds":1,"classify_us_median":1,"classify_us_p99":1}`, "fraction"},
		"nullacc":   {`{"intent_accuracy":null,"train_seconds":1,"classify_us_median":1,"classify_us_p99":1}`, "intent_accuracy"},
		"wrongtype": {`{"intent_accuracy":"high"}`, "not an eval result"},
	} {
		p := write(t, dir, name+".json", tc.body)
		err := run([]string{p}, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
	if err := run(nil, &strings.Builder{}); err == nil {
		t.Error("no files: want an error")
	}
	if err := run([]string{"--label"}, &strings.Builder{}); err == nil {
		t.Error("--label without a value: want an error")
	}
	if err := run([]string{"--bogus", "x"}, &strings.Builder{}); err == nil {
		t.Error("unknown flag: want an error")
	}
	if err := run([]string{filepath.Join(dir, "absent.json")}, &strings.Builder{}); err == nil {
		t.Error("absent file: want an error")
	}
}
