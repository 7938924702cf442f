package nlu_test

import (
	"math"
	"slices"
	"testing"

	"github.com/parleybot/parley/nlu"
)

func TestWordCounts(t *testing.T) {
	// Features of ["restart", "<service>"], in order: 0 bias, 1 u:restart,
	// 2 b:<s>|restart, 3 u:<service>, 4 b:restart|<service>, 5 e:<service>,
	// 6 b:<service>|</s>, then character n-grams of "restart". A repeated
	// word counts once per example; the bias and n-grams never count.
	got := nlu.WordCounts([][]string{
		{"restart", "<service>"},
		{"restart", "<service>"},
		{"restart", "restart"},
	}, []int{0, 1, 1})
	// The third example's features: bias, u:restart, b:<s>|restart, then
	// a new pair b:restart|restart and end pair b:restart|</s>, which are
	// numbered after the first example's n-grams.
	if len(got) < 10 {
		t.Fatalf("counts: %v", got)
	}
	want := []string{"1 0 1", "1 1 2", "2 0 1", "2 1 2", "3 0 1", "3 1 1", "4 0 1", "4 1 1", "5 0 1", "5 1 1", "6 0 1", "6 1 1"}
	if !slices.Equal(got[:len(want)], want) {
		t.Errorf("counts:\n got %v\nwant %v", got[:len(want)], want)
	}
	if got[0] == "0 0 1" || got[0] == "0 0 2" {
		t.Errorf("the bias was counted: %v", got)
	}
	if n := len(got) - len(want); n != 2 {
		t.Errorf("%d counts beyond the shared features, want 2 (the third example's own pairs): %v", n, got[len(want):])
	}
}

func TestEvidence(t *testing.T) {
	w := func(n float64) float64 { return math.Log1p(n / 1e-4) }
	tests := []struct {
		name   string
		counts [][3]int32
		of     []int32
		want   []float64 // nil: the counts are refused
	}{
		{"two rows", [][3]int32{{0, 1, 3}, {2, 0, 1}, {2, 1, 1}}, []int32{0, 2}, []float64{w(1), w(3) + w(1), 0}},
		{"a row without counts", [][3]int32{{0, 1, 3}}, []int32{1}, []float64{0, 0, 0}},
		{"row out of range", [][3]int32{{3, 0, 1}}, nil, nil},
		{"label out of range", [][3]int32{{0, 3, 1}}, nil, nil},
		{"negative label", [][3]int32{{0, -1, 1}}, nil, nil},
		{"zero count", [][3]int32{{0, 0, 0}}, nil, nil},
		{"rows out of order", [][3]int32{{2, 0, 1}, {0, 0, 1}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nlu.EvidenceOf(tt.counts, 3, 3, tt.of)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("counts %v accepted: %v", tt.counts, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for j := range got {
				if math.Abs(got[j]-float64(float32(tt.want[j]))) > 1e-4 {
					t.Errorf("label %d: %.5f, want %.5f", j, got[j], tt.want[j])
				}
			}
		})
	}
}

// Word evidence moves the scores of sentences only: a short answer in a
// dialog is read by the learned weights alone.
func TestWordEvidenceOnlyForSentences(t *testing.T) {
	m := catalogModel(t)
	bare := nlu.WithoutWordEvidence(m)
	for _, tt := range []struct {
		text  string
		moved bool
	}{
		{"moon", false},
		{"actually web_1", false},
		{"restart nginx please", false},
		{"could you please restart nginx on web-1 for me", true},
		{"who is going to be on call for the payments team next week", true},
	} {
		a, b := parse(t, m, tt.text), parse(t, bare, tt.text)
		moved := a.Alternatives[0] != b.Alternatives[0]
		if moved != tt.moved {
			t.Errorf("%q: evidence moved the scores %v, want %v (%v vs %v)", tt.text, moved, tt.moved, a.Alternatives[0], b.Alternatives[0])
		}
	}
}
