package skills

import (
	"context"
	"errors"
)

// State is the small key-value store built-in executors keep their data in
// (incidents, bookmarks). It is the same store the dialog uses: memory by
// default, Redis when configured. Implementations are safe for concurrent
// use and scope keys under their own prefix.
type State interface {
	// Get returns the value of key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put sets key to val.
	Put(ctx context.Context, key string, val []byte) error
	// Incr atomically adds one to the counter at key and returns the result;
	// a missing counter starts at zero.
	Incr(ctx context.Context, key string) (int64, error)
	// Append adds val at the end of the list at key.
	Append(ctx context.Context, key string, val []byte) error
	// List returns the whole list at key, oldest first; empty when missing.
	List(ctx context.Context, key string) ([][]byte, error)
}

// ErrNotFound is returned by State.Get for a missing key.
var ErrNotFound = errors.New("not found")
