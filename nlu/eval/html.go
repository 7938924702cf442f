package eval

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
)

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":   pct,
	"pctOf": pctOf,
	"bar":   func(x float64) string { return fmt.Sprintf("%.1f", 100*x) },
}).Parse(pageSource))

// Limits of the HTML page.
const (
	htmlMisses        = 200
	htmlConfusions    = 20
	matrixAll         = 25 // every intent is shown up to this many
	matrixConfusions  = 30 // else the intents of this many top confusions
	matrixLabelLength = 28
)

// WriteHTML writes the report as one self-contained page: inline CSS and
// SVG, no scripts, nothing fetched from anywhere.
func (r *Report) WriteHTML(w io.Writer) error {
	v := pageView{
		R:           r,
		Title:       "NLU evaluation",
		Cards:       r.cards(),
		Matrix:      r.matrix(),
		Histogram:   r.histogram(),
		Intents:     r.ranked(),
		Confusions:  head(r.Confusions, htmlConfusions),
		Misses:      head(r.Misclassified, htmlMisses),
		MissesTotal: len(r.Misclassified),
	}
	if r.Name != "" {
		v.Title += ": " + r.Name
	}
	return page.Execute(w, v)
}

type pageView struct {
	R           *Report
	Title       string
	Cards       []card
	Matrix      matrixView
	Histogram   histView
	Intents     []intentRow
	Confusions  []Confusion
	Misses      []Miss
	MissesTotal int
}

// card is one headline number.
type card struct {
	Label, Value, Note string
	// Dim marks a metric that does not apply.
	Dim bool
}

func (r *Report) cards() []card {
	examples := fmt.Sprintf("%d intents", r.Intents)
	if r.Folds != nil {
		examples += fmt.Sprintf(", %d-fold cross-validation", *r.Folds)
	}
	cs := []card{
		{Label: "Examples", Value: fmt.Sprint(r.Examples), Note: examples},
		{Label: "Intent accuracy", Value: pct(r.IntentAccuracy), Note: fmt.Sprintf("%d wrong", len(r.Misclassified))},
		{Label: "Macro-F1", Value: pct(r.MacroF1), Note: "mean over gold intents"},
	}
	if r.OOSRecall == nil {
		cs = append(cs, card{Label: "Out of scope", Value: "—", Note: fmt.Sprintf("no out-of-scope examples; %d predicted", r.OOSPredicted), Dim: true})
	} else {
		cs = append(cs,
			card{Label: "In-scope accuracy", Value: pctOf(r.InScopeAccuracy), Note: "over in-scope examples"},
			card{Label: "Out-of-scope recall", Value: pctOf(r.OOSRecall), Note: fmt.Sprintf("%d predicted %s", r.OOSPredicted, r.OOSLabel)})
	}
	if r.EntityF1 == nil {
		cs = append(cs, card{Label: "Entity F1", Value: "—", Note: "no entities marked", Dim: true})
	} else {
		cs = append(cs,
			card{Label: "Entity F1", Value: pctOf(r.EntityF1), Note: fmt.Sprintf("P %s · R %s · exact span", pctOf(r.EntityPrecision), pctOf(r.EntityRecall))},
			card{Label: "Entity F1, partial", Value: pctOf(r.EntityF1Partial), Note: "overlapping span"})
	}
	if r.TrainSeconds != nil {
		cs = append(cs, card{Label: "Training", Value: seconds(*r.TrainSeconds), Note: "wall time"})
	}
	cs = append(cs, card{Label: "Classify", Value: micros(r.ClassifyUSMedian), Note: "median · p99 " + micros(r.ClassifyUSP99)})
	return cs
}

// matrixView is the confusion-matrix heatmap, laid out for SVG.
type matrixView struct {
	Note          string
	Width, Height float64
	Rows, Cols    []axisLabel
	Cells         []cellView
	// GridX, GridY, GridSize frame the grid.
	GridX, GridY, GridSize float64
}

type axisLabel struct {
	X, Y       float64
	Text, Full string
}

type cellView struct {
	X, Y, Size float64
	Fill       string
	Title      string
	// Count is printed in the cell when there is room; Ink is its colour.
	Count    string
	Ink      string
	TX, TY   float64
	FontSize float64
}

// matrixLabels chooses the intents of the heatmap: all of them when there
// are few, else those in the most frequent confusions.
func (r *Report) matrixLabels() (labels []string, note string) {
	seen := map[string]bool{}
	add := func(l string) {
		if !seen[l] {
			seen[l] = true
			labels = append(labels, l)
		}
	}
	for l := range r.PerIntent {
		add(l)
	}
	for _, c := range r.Confusions {
		add(c.Predicted)
	}
	if len(labels) <= matrixAll {
		note = fmt.Sprintf("all %d intents", len(labels))
	} else {
		labels, seen = nil, map[string]bool{}
		for _, c := range head(r.Confusions, matrixConfusions) {
			add(c.Gold)
			add(c.Predicted)
		}
		note = fmt.Sprintf("the %d intents involved in the %d most frequent confusions", len(labels), min(len(r.Confusions), matrixConfusions))
	}
	slices.SortFunc(labels, func(a, b string) int {
		// Out of scope last, the rest by name.
		if IsOutOfScope(a) != IsOutOfScope(b) {
			if IsOutOfScope(a) {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	return labels, note
}

func (r *Report) matrix() matrixView {
	labels, note := r.matrixLabels()
	if len(labels) == 0 {
		return matrixView{Note: "no intents"}
	}
	counts := map[pair]int{}
	wrong := map[string]int{}
	for _, c := range r.Confusions {
		counts[pair{c.Gold, c.Predicted}] = c.Count
		wrong[c.Gold] += c.Count
	}
	for l, sc := range r.PerIntent {
		counts[pair{l, l}] = sc.Support - wrong[l]
	}

	n := len(labels)
	cell := 22.0
	if n > matrixAll {
		cell = math.Max(12, math.Min(18, 760/float64(n)))
	}
	const charWidth, fontSize = 6.6, 11.0
	longest := 0
	short := make([]string, n)
	for i, l := range labels {
		short[i] = clip(l, matrixLabelLength)
		longest = max(longest, len([]rune(short[i])))
	}
	labelWidth := float64(longest) * charWidth
	slant := labelWidth * math.Sqrt2 / 2
	m := matrixView{Note: note, GridSize: cell * float64(n)}
	m.GridX = math.Round(labelWidth + 14)
	m.GridY = math.Round(slant + fontSize + 10)
	m.Width = math.Round(m.GridX + m.GridSize + slant + 10)
	m.Height = math.Round(m.GridY + m.GridSize + 8)
	for i, l := range labels {
		c := m.GridX + cell*float64(i) + cell/2
		m.Cols = append(m.Cols, axisLabel{X: round1(c - 2), Y: m.GridY - 6, Text: short[i], Full: l})
		m.Rows = append(m.Rows, axisLabel{X: m.GridX - 6, Y: round1(m.GridY + cell*float64(i) + cell/2 + fontSize*0.35), Text: short[i], Full: l})
	}
	for i, gold := range labels {
		support := r.PerIntent[gold].Support
		for j, pred := range labels {
			k := counts[pair{gold, pred}]
			cv := cellView{X: m.GridX + cell*float64(j), Y: m.GridY + cell*float64(i), Size: cell - 1, Fill: "#f3f5f8"}
			if support > 0 {
				share := float64(k) / float64(support)
				cv.Title = fmt.Sprintf("%s → %s: %d of %d (%s of the row)", gold, pred, k, support, pct(share))
				if k > 0 {
					t := 0.14 + 0.86*share
					if i == j {
						cv.Fill = mix(t, 0x0f, 0x76, 0x6e)
					} else {
						cv.Fill = mix(t, 0xc2, 0x41, 0x0c)
					}
					if cell >= 20 {
						cv.Count, cv.Ink = fmt.Sprint(k), "#1f2933"
						cv.TX, cv.TY = round1(cv.X+cv.Size/2), round1(cv.Y+cv.Size/2+3.5)
						cv.FontSize = 10
						if k >= 1000 {
							cv.FontSize = 7
						}
						if t > 0.55 {
							cv.Ink = "#ffffff"
						}
					}
				}
			} else {
				cv.Title = fmt.Sprintf("%s is never the gold intent", gold)
			}
			m.Cells = append(m.Cells, cv)
		}
	}
	return m
}

// mix blends white with the colour (r, g, b) by t in [0, 1].
func mix(t float64, r, g, b int) string {
	c := func(v int) int { return int(math.Round(255 + (float64(v)-255)*t)) }
	return fmt.Sprintf("#%02x%02x%02x", c(r), c(g), c(b))
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// histView is the confidence histogram, laid out for SVG.
type histView struct {
	Width, Height          float64
	PlotX, PlotY, PlotW    float64
	PlotH                  float64
	Bars                   []barView
	Ticks                  []tickView
	XLabels                []tickView
	Correct, Wrong, Totals int
}

type barView struct {
	X, W               float64
	RightY, RightH     float64
	WrongY, WrongH     float64
	Title              string
	LabelX, LabelY     float64
	Total              int
	ShowTotal          bool
	HasRight, HasWrong bool
}

type tickView struct {
	X, Y  float64
	Label string
}

func (r *Report) histogram() histView {
	h := histView{Width: 640, Height: 250, PlotX: 48, PlotY: 18, PlotW: 576, PlotH: 190}
	most := 0
	for _, b := range r.Confidence {
		most = max(most, b.Correct+b.Wrong)
		h.Correct += b.Correct
		h.Wrong += b.Wrong
	}
	step := niceStep(most)
	ticks := max(1, (most+step-1)/step)
	top := float64(step * ticks)
	for i := 0; i <= ticks; i++ {
		y := h.PlotY + h.PlotH - h.PlotH*float64(i)/float64(ticks)
		h.Ticks = append(h.Ticks, tickView{X: h.PlotX - 8, Y: round1(y), Label: fmt.Sprint(step * i)})
	}
	slot := h.PlotW / float64(max(len(r.Confidence), 1))
	for i, b := range r.Confidence {
		x := h.PlotX + slot*float64(i)
		bv := barView{X: round1(x + 4), W: round1(slot - 8), Total: b.Correct + b.Wrong}
		base := h.PlotY + h.PlotH
		bv.RightH = round1(h.PlotH * float64(b.Correct) / top)
		bv.RightY = round1(base - bv.RightH)
		bv.WrongH = round1(h.PlotH * float64(b.Wrong) / top)
		bv.WrongY = round1(base - bv.RightH - bv.WrongH)
		bv.HasRight, bv.HasWrong = b.Correct > 0, b.Wrong > 0
		bv.Title = fmt.Sprintf("confidence %.1f–%.1f: %d correct, %d wrong", b.From, b.To, b.Correct, b.Wrong)
		bv.LabelX, bv.LabelY = round1(x+slot/2), round1(bv.WrongY-5)
		bv.ShowTotal = bv.Total > 0
		h.Bars = append(h.Bars, bv)
		h.XLabels = append(h.XLabels, tickView{X: round1(x), Y: h.PlotY + h.PlotH + 16, Label: fmt.Sprintf("%.1f", b.From)})
	}
	h.XLabels = append(h.XLabels, tickView{X: h.PlotX + h.PlotW, Y: h.PlotY + h.PlotH + 16, Label: "1.0"})
	h.Totals = h.Correct + h.Wrong
	return h
}

// niceStep returns a tick step (1, 2 or 5 times a power of ten) such that
// at most four steps cover most.
func niceStep(most int) int {
	need := max(1, (most+3)/4)
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= need {
				return m * p
			}
		}
	}
}
