package eval

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"unicode/utf8"
)

// intentRow is one line of the per-intent table.
type intentRow struct {
	Intent string
	IntentScore
}

// ranked returns the per-intent scores, worst F1 first (then the larger
// support, then by name).
func (r *Report) ranked() []intentRow {
	rows := make([]intentRow, 0, len(r.PerIntent))
	for intent, sc := range r.PerIntent {
		rows = append(rows, intentRow{intent, sc})
	}
	slices.SortFunc(rows, func(a, b intentRow) int {
		return cmp.Or(cmp.Compare(a.F1, b.F1), cmp.Compare(b.Support, a.Support), cmp.Compare(a.Intent, b.Intent))
	})
	return rows
}

const (
	textIntents    = 30
	textConfusions = 10
	textMisses     = 5
)

// WriteText writes a summary for a terminal: the headline metrics, the
// per-intent table (worst F1 first, at most 30 rows), the 10 most frequent
// confusions, and the most confident mistakes.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	if r.Name != "" {
		fmt.Fprintf(&b, "Evaluation of %s\n\n", r.Name)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	line := func(label, value string) { fmt.Fprintf(tw, "  %s\t%s\n", label, value) }
	examples := fmt.Sprintf("%d (%d intents)", r.Examples, r.Intents)
	if r.Folds != nil {
		examples += fmt.Sprintf(", %d-fold cross-validation", *r.Folds)
	}
	line("examples", examples)
	line("intent accuracy", pct(r.IntentAccuracy))
	line("macro F1", pct(r.MacroF1))
	if r.OOSRecall == nil {
		line("out of scope", fmt.Sprintf("n/a (no out-of-scope examples; %d predicted out of scope)", r.OOSPredicted))
	} else {
		line("in-scope accuracy", pctOf(r.InScopeAccuracy))
		line("out-of-scope recall", pctOf(r.OOSRecall))
	}
	if r.EntityF1 == nil {
		line("entities", "n/a (no entities marked)")
	} else {
		line("entities", fmt.Sprintf("F1 %s (precision %s, recall %s); partial-span F1 %s; %d marked",
			pctOf(r.EntityF1), pctOf(r.EntityPrecision), pctOf(r.EntityRecall), pctOf(r.EntityF1Partial), r.GoldEntities))
	}
	if r.TrainSeconds != nil {
		line("training", seconds(*r.TrainSeconds))
	}
	line("classify", fmt.Sprintf("median %s, p99 %s", micros(r.ClassifyUSMedian), micros(r.ClassifyUSP99)))
	if a := r.Assisted; a != nil {
		line("language model", fmt.Sprintf("recovered %d of the %d skill requests the local model missed (%d wrong, %d declined, %d failed calls)",
			a.Recovered, a.Misses, a.Wrong, a.Declined, a.Failed))
	}
	tw.Flush()

	rows := r.ranked()
	fmt.Fprintf(&b, "\nPer intent, worst F1 first%s:\n", shown(len(rows), textIntents))
	width := len("intent")
	for _, row := range head(rows, textIntents) {
		width = max(width, utf8.RuneCountInString(row.Intent))
	}
	fmt.Fprintf(&b, "  %-*s  %9s  %7s  %7s  %7s  %9s\n", width, "intent", "precision", "recall", "F1", "support", "predicted")
	for _, row := range head(rows, textIntents) {
		fmt.Fprintf(&b, "  %-*s  %9s  %7s  %7s  %7d  %9d\n", width, row.Intent, pct(row.Precision), pct(row.Recall), pct(row.F1), row.Support, row.Predicted)
	}

	if len(r.Confusions) == 0 {
		b.WriteString("\nNo confusions.\n")
	} else {
		fmt.Fprintf(&b, "\nMost frequent confusions%s:\n", shown(len(r.Confusions), textConfusions))
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, c := range head(r.Confusions, textConfusions) {
			fmt.Fprintf(tw, "  %d\t%s → %s\n", c.Count, c.Gold, c.Predicted)
		}
		tw.Flush()
	}
	if len(r.Misclassified) > 0 {
		fmt.Fprintf(&b, "\nMost confident mistakes%s:\n", shown(len(r.Misclassified), textMisses))
		for _, m := range head(r.Misclassified, textMisses) {
			fmt.Fprintf(&b, "  %s  %q: %s, not %s\n", pct(m.Confidence), m.Text, m.Predicted, m.Gold)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func shown(total, limit int) string {
	if total <= limit {
		return ""
	}
	return fmt.Sprintf(" (%d of %d)", limit, total)
}

// pct formats a ratio as a percentage with one decimal.
func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// pctOf formats an optional ratio; nil is a dash.
func pctOf(x *float64) string {
	if x == nil {
		return "—"
	}
	return pct(*x)
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", 1000*s)
	}
	if s < 10 {
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

func micros(us float64) string {
	if us >= 10000 {
		return fmt.Sprintf("%.1f ms", us/1000)
	}
	return fmt.Sprintf("%.1f µs", us)
}
