package memstore_test

import (
	"testing"

	"github.com/parleybot/parley/dialog/memstore"
	"github.com/parleybot/parley/dialog/storetest"
)

func BenchmarkLoadSwap(b *testing.B) {
	storetest.BenchmarkLoadSwap(b, memstore.New(memstore.Options{}))
}

func BenchmarkLoadSwapParallel(b *testing.B) {
	storetest.BenchmarkLoadSwapParallel(b, memstore.New(memstore.Options{}))
}
