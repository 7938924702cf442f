package storetest

import (
	"bytes"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/dialog"
)

// benchRecordSize is about the size of a conversation record.
const benchRecordSize = 400

// BenchmarkLoadSwap measures one Load followed by one Swap of a
// conversation-sized record on a single key: one op is the pair.
func BenchmarkLoadSwap(b *testing.B, s dialog.Store) {
	ctx := b.Context()
	data := bytes.Repeat([]byte("x"), benchRecordSize)
	b.ReportAllocs()
	for b.Loop() {
		_, v, err := s.Load(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Swap(ctx, "bench", v, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSwapParallel is BenchmarkLoadSwap run by b.RunParallel's
// goroutines, each on its own key, so no Swap conflicts.
func BenchmarkLoadSwapParallel(b *testing.B, s dialog.Store) {
	ctx := b.Context()
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		key := "bench-" + strconv.FormatInt(next.Add(1), 10)
		data := bytes.Repeat([]byte("x"), benchRecordSize)
		for pb.Next() {
			_, v, err := s.Load(ctx, key)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := s.Swap(ctx, key, v, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
