package redisstore_test

import (
	"testing"

	"github.com/parleybot/parley/dialog/redisstore"
	"github.com/parleybot/parley/dialog/storetest"
	"github.com/parleybot/parley/internal/redistest"
)

func BenchmarkLoadSwap(b *testing.B) {
	c, prefix := redistest.Client(b)
	storetest.BenchmarkLoadSwap(b, redisstore.New(c, redisstore.Options{Prefix: prefix}))
}

func BenchmarkLoadSwapParallel(b *testing.B) {
	c, prefix := redistest.Client(b)
	storetest.BenchmarkLoadSwapParallel(b, redisstore.New(c, redisstore.Options{Prefix: prefix}))
}
