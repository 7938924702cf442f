// Command table prints NLU evaluation results as one Markdown table.
//
//	go run ./bench/peers/table [--title T] [--label L] [--system S] A.json [--label L] [--system S] B.json ...
//
// Each FILE holds the one JSON object that `parley eval --json` (or
// bench/peers/nlpjs.mjs) prints. --label (the dataset column; default: the
// file name without .json) and --system apply to the FILE that follows them.
// The system column is shown when any file has one.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// result is the part of the eval JSON the table shows. Pointers are fields
// that may be null.
type result struct {
	Examples         *int     `json:"examples"`
	IntentAccuracy   *float64 `json:"intent_accuracy"`
	InScopeAccuracy  *float64 `json:"in_scope_accuracy"`
	OOSRecall        *float64 `json:"oos_recall"`
	MacroF1          *float64 `json:"macro_f1"`
	EntityF1         *float64 `json:"entity_f1"`
	TrainSeconds     *float64 `json:"train_seconds"`
	ClassifyUSMedian *float64 `json:"classify_us_median"`
	ClassifyUSP99    *float64 `json:"classify_us_p99"`
}

type row struct {
	label, system string
	r             result
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	var (
		title         string
		label, system string
		rows          []row
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") {
			if !hasValue {
				if i+1 >= len(args) {
					return fmt.Errorf("%s needs a value", a)
				}
				i++
				value = args[i]
			}
			switch name {
			case "title":
				title = value
			case "label":
				label = value
			case "system":
				system = value
			default:
				return fmt.Errorf("unknown flag %s (want --title, --label, --system)", a)
			}
			continue
		}
		r, err := readResult(a)
		if err != nil {
			return err
		}
		if label == "" {
			label = strings.TrimSuffix(filepath.Base(a), ".json")
		}
		rows = append(rows, row{label: label, system: system, r: r})
		label, system = "", ""
	}
	if len(rows) == 0 {
		return errors.New("no result files given")
	}
	if title != "" {
		fmt.Fprintf(w, "%s\n\n", title)
	}
	_, err := io.WriteString(w, render(rows))
	return err
}

// readResult reads the one JSON object in file and checks the keys the
// table needs.
func readResult(file string) (result, error) {
	var r result
	data, err := os.ReadFile(file)
	if err != nil {
		return r, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return r, fmt.Errorf("%s: empty (the run printed no result)", file)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("%s: not an eval result: %v", file, err)
	}
	if dec.More() {
		return r, fmt.Errorf("%s: more than one JSON value", file)
	}
	var missing []string
	for name, p := range map[string]*float64{
		"intent_accuracy":    r.IntentAccuracy,
		"train_seconds":      r.TrainSeconds,
		"classify_us_median": r.ClassifyUSMedian,
		"classify_us_p99":    r.ClassifyUSP99,
	} {
		if p == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return r, fmt.Errorf("%s: missing or null %s", file, strings.Join(missing, ", "))
	}
	for name, p := range map[string]*float64{
		"intent_accuracy":   r.IntentAccuracy,
		"in_scope_accuracy": r.InScopeAccuracy,
		"oos_recall":        r.OOSRecall,
		"entity_f1":         r.EntityF1,
	} {
		if p != nil && (*p < 0 || *p > 1 || math.IsNaN(*p)) {
			return r, fmt.Errorf("%s: %s = %v, want a fraction in [0, 1]", file, name, *p)
		}
	}
	return r, nil
}

const none = "—"

func pct(p *float64) string {
	if p == nil {
		return none
	}
	return fmt.Sprintf("%.1f%%", *p*100)
}

func seconds(p *float64) string {
	if *p < 10 {
		return fmt.Sprintf("%.2f", *p)
	}
	return fmt.Sprintf("%.1f", *p)
}

func micros(p *float64) string {
	if *p < 10 {
		return fmt.Sprintf("%.1f", *p)
	}
	return fmt.Sprintf("%.0f", *p)
}

func render(rows []row) string {
	withSystem := false
	for _, r := range rows {
		if r.system != "" {
			withSystem = true
		}
	}
	head := []string{"dataset"}
	if withSystem {
		head = append(head, "system")
	}
	text := len(head)
	head = append(head, "intent acc", "in-scope / oos recall", "slot F1", "train s", "classify µs median / p99")

	table := [][]string{head}
	for _, r := range rows {
		cells := []string{r.label}
		if withSystem {
			cells = append(cells, r.system)
		}
		scope := none
		if r.r.InScopeAccuracy != nil || r.r.OOSRecall != nil {
			scope = pct(r.r.InScopeAccuracy) + " / " + pct(r.r.OOSRecall)
		}
		cells = append(cells,
			pct(r.r.IntentAccuracy),
			scope,
			pct(r.r.EntityF1),
			seconds(r.r.TrainSeconds),
			micros(r.r.ClassifyUSMedian)+" / "+micros(r.r.ClassifyUSP99),
		)
		table = append(table, cells)
	}

	width := make([]int, len(head))
	for _, cells := range table {
		for i, c := range cells {
			width[i] = max(width[i], utf8.RuneCountInString(c), 3)
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < text {
				b.WriteString(" " + c + pad + " |")
			} else {
				b.WriteString(" " + pad + c + " |")
			}
		}
		b.WriteString("\n")
	}
	line(table[0])
	b.WriteString("|")
	for i := range head {
		if i < text {
			b.WriteString(" " + strings.Repeat("-", width[i]) + " |")
		} else {
			b.WriteString(" " + strings.Repeat("-", width[i]-1) + ": |")
		}
	}
	b.WriteString("\n")
	for _, cells := range table[1:] {
		line(cells)
	}
	return b.String()
}
