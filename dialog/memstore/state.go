package memstore

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/parleybot/parley/skills"
)

// state is the in-memory skills.State. Like Redis, it keeps plain values
// (written by Put and Incr) and lists (written by Append) under one key
// space, and an operation on a key of the other kind fails.
type state struct {
	mu    sync.Mutex
	vals  map[string][]byte
	lists map[string][][]byte
}

var _ skills.State = (*state)(nil)

func wrongKind(op, key string) error {
	return fmt.Errorf("memstore: %s %q: key holds a value of another kind", op, key)
}

// Get returns a copy of the value at key, or skills.ErrNotFound.
func (st *state) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: get: %w", err)
	}
	st.mu.Lock()
	v, ok := st.vals[key]
	_, isList := st.lists[key]
	st.mu.Unlock()
	switch {
	case isList:
		return nil, wrongKind("get", key)
	case !ok:
		return nil, skills.ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Put sets key to a copy of val, replacing whatever the key held.
func (st *state) Put(ctx context.Context, key string, val []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: put: %w", err)
	}
	v := append([]byte{}, val...)
	st.mu.Lock()
	delete(st.lists, key)
	st.vals[key] = v
	st.mu.Unlock()
	return nil
}

// Incr adds one to the decimal counter at key, starting from zero.
func (st *state) Incr(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("memstore: incr: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, isList := st.lists[key]; isList {
		return 0, wrongKind("incr", key)
	}
	var n int64
	if v, ok := st.vals[key]; ok {
		var err error
		n, err = strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memstore: incr %q: value is not an integer", key)
		}
	}
	if n == math.MaxInt64 {
		return 0, fmt.Errorf("memstore: incr %q: counter would overflow", key)
	}
	n++
	st.vals[key] = strconv.AppendInt(nil, n, 10)
	return n, nil
}

// Append adds a copy of val at the end of the list at key.
func (st *state) Append(ctx context.Context, key string, val []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: append: %w", err)
	}
	v := append([]byte{}, val...)
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, isVal := st.vals[key]; isVal {
		return wrongKind("append", key)
	}
	st.lists[key] = append(st.lists[key], v)
	return nil
}

// List returns copies of the list's items at key, oldest first; an empty
// slice when the list is missing.
func (st *state) List(ctx context.Context, key string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: list: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, isVal := st.vals[key]; isVal {
		return nil, wrongKind("list", key)
	}
	items := st.lists[key]
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = bytes.Clone(it)
	}
	return out, nil
}
