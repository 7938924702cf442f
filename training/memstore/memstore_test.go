package memstore_test

import (
	"testing"

	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/memstore"
	"github.com/parleybot/parley/training/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Test(t, func(t *testing.T) training.Store { return memstore.New(nil) })
}
