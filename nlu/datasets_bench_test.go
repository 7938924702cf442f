package nlu_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleybot/parley/internal/latency"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/training"
)

// datasetExamples reads a split of a public dataset from ../shared, or
// skips the benchmark when it is not there.
func datasetExamples(b *testing.B, name, split string) []nlu.Example {
	b.Helper()
	path := filepath.Join("..", "..", "shared", "datasets", name, split+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("dataset not available: %v", err)
	}
	defer f.Close()
	set := &training.Set{}
	if err := training.ParseJSONL(set, path, f); err != nil {
		b.Fatal(err)
	}
	return set.Examples
}

// BenchmarkParseDatasets parses the test split of each public dataset
// with a model trained on its train split (training is not timed).
func BenchmarkParseDatasets(b *testing.B) {
	for _, name := range []string{"snips", "clinc150", "banking77"} {
		b.Run(name, func(b *testing.B) {
			train, test := datasetExamples(b, name, "train"), datasetExamples(b, name, "test")
			ctx := context.Background()
			m, err := nlu.Train(ctx, train, nlu.Options{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			var lat latency.Recorder
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				_, err := m.Parse(ctx, test[i%len(test)].Text)
				lat.Since(start)
				if err != nil {
					b.Fatal(err)
				}
			}
			lat.Report(b)
		})
	}
}
