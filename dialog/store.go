package dialog

import (
	"context"
	"errors"
)

// Store keeps one opaque record per conversation key, with compare-and-set
// updates so that two bot processes handling messages of the same person at
// the same moment can never both act on one state. Implementations live in
// their own packages (memstore, redisstore), are safe for concurrent use,
// expire idle records after their configured TTL, and pass storetest.
type Store interface {
	// Load returns the record at key and its version. A missing record is
	// (nil, 0, nil).
	Load(ctx context.Context, key string) (data []byte, version int64, err error)
	// Swap replaces the record at key if its version is still version (0
	// means "absent") and returns the new version. nil data deletes the
	// record (the new version is then 0). A changed record is ErrConflict.
	Swap(ctx context.Context, key string, version int64, data []byte) (int64, error)
}

// ErrConflict is returned by Store.Swap when the record changed since it was
// loaded.
var ErrConflict = errors.New("conversation changed concurrently")
