package eval

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenReport scores a fixed parser on a small fixed data set, with fixed
// timings.
func goldenReport(t *testing.T) *Report {
	t.Helper()
	type row struct {
		text, gold, pred string
		conf             float64
		goldEnts         []nlu.Entity
		predEnts         []nlu.Entity
	}
	rows := []row{
		{"restart nginx on web-1", "restart_service", "restart_service", 0.97, []nlu.Entity{ent("service", 8, 13), ent("host", 17, 22)}, []nlu.Entity{ent("service", 8, 13), ent("host", 17, 22)}},
		{"bounce redis", "restart_service", "restart_service", 0.91, []nlu.Entity{ent("service", 7, 12)}, []nlu.Entity{ent("service", 7, 12)}},
		{"kick the api", "restart_service", "restart_service", 0.58, []nlu.Entity{ent("service", 9, 12)}, []nlu.Entity{ent("service", 5, 12)}},
		{"restart <b>\"db\"</b> & co", "restart_service", "service_status", 0.74, nil, nil},
		{"is nginx up", "service_status", "service_status", 0.95, []nlu.Entity{ent("service", 3, 8)}, []nlu.Entity{ent("service", 3, 8)}},
		{"status of web-2", "service_status", "service_status", 0.88, []nlu.Entity{ent("host", 10, 15)}, []nlu.Entity{ent("host", 10, 15)}},
		{"how is redis", "service_status", "out_of_scope", 0.41, []nlu.Entity{ent("service", 7, 12)}, nil},
		{"deploy checkout to prod", "deploy_app", "deploy_app", 0.93, []nlu.Entity{ent("app", 7, 15), ent("environment", 19, 23)}, []nlu.Entity{ent("app", 7, 15), ent("environment", 19, 23)}},
		{"ship payments", "deploy_app", "restart_service", 0.66, []nlu.Entity{ent("app", 5, 13)}, []nlu.Entity{ent("service", 5, 13)}},
		{"roll out search to staging", "deploy_app", "deploy_app", 0.82, []nlu.Entity{ent("app", 9, 15), ent("environment", 19, 26)}, []nlu.Entity{ent("app", 9, 15)}},
		{"who is on call", "oncall_who", "oncall_who", 0.99, nil, nil},
		{"who's on call for payments", "oncall_who", "oncall_who", 0.86, []nlu.Entity{ent("team", 18, 26)}, []nlu.Entity{ent("team", 18, 26)}},
		{"what's the weather", "out_of_scope", "out_of_scope", 0.35, nil, nil},
		{"tell me a joke", "out_of_scope", "oncall_who", 0.52, nil, nil},
		{"order a pizza", "out_of_scope", "out_of_scope", 0.22, nil, nil},
	}
	var exs []nlu.Example
	p := fixed{}
	for _, r := range rows {
		exs = append(exs, nlu.Example{Text: r.text, Intent: r.gold, Entities: r.goldEnts})
		p[r.text] = nlu.Result{Intent: r.pred, Confidence: r.conf, Entities: r.predEnts}
	}
	var took []time.Duration
	for i := range rows {
		took = append(took, time.Duration(40+7*i)*time.Microsecond)
	}
	r, err := score(context.Background(), p, exs, clock(took...))
	if err != nil {
		t.Fatal(err)
	}
	r.Name = "ops.yml (trained on catalog.yml)"
	secs := 1.25
	r.TrainSeconds = &secs
	return r
}

func TestHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := goldenReport(t).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := line(gl, i), line(wl, i)
			if g != w {
				t.Fatalf("the page differs from %s at line %d (run go test -update if the change is intended):\n got: %s\nwant: %s", golden, i+1, g, w)
			}
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

func TestHTMLIsSelfContained(t *testing.T) {
	reports := map[string]*Report{"golden": goldenReport(t)}
	// A report with many intents and nothing optional.
	var rows [][3]string
	for i := range 60 {
		rows = append(rows, [3]string{fmt.Sprint("text ", i), fmt.Sprintf("intent_%02d", i%40), fmt.Sprintf("intent_%02d", (i*7)%40)})
	}
	exs, p := labelled(rows...)
	big, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	reports["many intents"] = big
	exs, p = labelled([3]string{"hi", "greet", "greet"})
	perfect, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	reports["perfect"] = perfect

	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.WriteHTML(&buf); err != nil {
				t.Fatal(err)
			}
			page := strings.ToLower(buf.String())
			for _, bad := range []string{"<script", "http://", "https://", "url(", "@import", "<link", "<img", "<iframe"} {
				if strings.Contains(page, bad) {
					t.Errorf("the page contains %q", bad)
				}
			}
			for _, want := range []string{"<!doctype html>", "<style>", "</html>"} {
				if !strings.Contains(page, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if strings.Count(page, "<svg") != 1+boolInt(len(r.PerIntent) > 0) {
				t.Errorf("%d SVG figures", strings.Count(page, "<svg"))
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestHTMLContent(t *testing.T) {
	var buf bytes.Buffer
	if err := goldenReport(t).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		// Text is escaped, never markup.
		"restart &lt;b&gt;&#34;db&#34;&lt;/b&gt; &amp; co",
		// Headline numbers as percentages with one decimal.
		`<div class="label">Intent accuracy</div><div class="value">73.3%</div>`,
		`<div class="label">Out-of-scope recall</div><div class="value">66.7%</div>`,
		`<div class="label">Training</div><div class="value">1.25 s</div>`,
		// A heatmap cell tells its numbers.
		"<title>restart_service → service_status: 1 of 4 (25.0% of the row)</title>",
		// The misclassified examples, most confident first.
		"<tr><td>ship payments</td><td><code>deploy_app</code></td><td><code>restart_service</code></td><td class=\"num\">66.0%</td></tr>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>") {
		t.Error("example text reached the page unescaped")
	}
}

func TestMatrixLabels(t *testing.T) {
	// 40 intents, 35 confusions: only the intents of the top 30 show.
	var rows [][3]string
	for i := range 40 {
		rows = append(rows, [3]string{fmt.Sprint("r", i), fmt.Sprintf("i%02d", i), fmt.Sprintf("i%02d", i)})
	}
	for i := range 35 {
		for range 35 - i {
			rows = append(rows, [3]string{fmt.Sprint("w", len(rows)), fmt.Sprintf("i%02d", i), fmt.Sprintf("i%02d", i+1)})
		}
	}
	exs, p := labelled(rows...)
	r, err := Score(context.Background(), p, exs)
	if err != nil {
		t.Fatal(err)
	}
	labels, note := r.matrixLabels()
	if len(labels) != 31 || labels[0] != "i00" || labels[30] != "i30" {
		t.Errorf("labels %v", labels)
	}
	if note != "the 31 intents involved in the 30 most frequent confusions" {
		t.Errorf("note %q", note)
	}
	m := r.matrix()
	if len(m.Cells) != 31*31 || len(m.Rows) != 31 || len(m.Cols) != 31 {
		t.Errorf("%d cells, %d rows, %d columns", len(m.Cells), len(m.Rows), len(m.Cols))
	}

	// Few intents: all of them, out of scope last, predicted-only ones too.
	exs, p = labelled([3]string{"a", "b_intent", nlu.OutOfScope}, [3]string{"b", "a_intent", "a_intent"}, [3]string{"c", "a_intent", "c_intent"})
	r, _ = Score(context.Background(), p, exs)
	labels, _ = r.matrixLabels()
	if got := strings.Join(labels, " "); got != "a_intent b_intent c_intent out_of_scope" {
		t.Errorf("labels %s", got)
	}
}

func TestHistogramScale(t *testing.T) {
	tests := []struct {
		most      int
		wantTicks string
	}{
		{0, "0 1"},
		{1, "0 1"},
		{5, "0 2 4 6"},
		{8, "0 2 4 6 8"},
		{9, "0 5 10"},
		{2029, "0 1000 2000 3000"},
		{3102, "0 1000 2000 3000 4000"},
	}
	for _, tt := range tests {
		r := &Report{Confidence: []Bin{{From: 0.9, To: 1, Correct: tt.most}}}
		h := r.histogram()
		var labels []string
		for _, tk := range h.Ticks {
			labels = append(labels, tk.Label)
		}
		if got := strings.Join(labels, " "); got != tt.wantTicks {
			t.Errorf("most %d: ticks %s, want %s", tt.most, got, tt.wantTicks)
		}
		if tt.most > 0 && (h.Bars[0].RightH > h.PlotH || h.Bars[0].RightY < h.PlotY) {
			t.Errorf("most %d: the bar overflows the plot: %+v", tt.most, h.Bars[0])
		}
	}
}
