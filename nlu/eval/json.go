package eval

import (
	"encoding/json"
	"io"
)

// MarshalJSON encodes the report with at most 20 confusions and 200
// misclassified examples, and their full counts.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	out := struct {
		plain
		ConfusionsTotal    int `json:"confusions_total"`
		MisclassifiedTotal int `json:"misclassified_total"`
	}{plain(r), len(r.Confusions), len(r.Misclassified)}
	out.Confusions = head(r.Confusions, jsonConfusions)
	out.Misclassified = head(r.Misclassified, jsonMisclassified)
	if out.PerIntent == nil {
		out.PerIntent = map[string]IntentScore{}
	}
	if out.Confidence == nil {
		out.Confidence = []Bin{}
	}
	return json.Marshal(out)
}

// head returns the first n elements of s, never nil.
func head[T any](s []T, n int) []T {
	return append(make([]T, 0, min(len(s), n)), s[:min(len(s), n)]...)
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
