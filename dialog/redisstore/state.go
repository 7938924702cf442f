package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/skills"
)

// state is the skills.State in Redis. Its keys never expire.
type state struct {
	client redis.UniversalClient
	prefix string
}

var _ skills.State = (*state)(nil)

// Get returns the value at key, or skills.ErrNotFound.
func (st *state) Get(ctx context.Context, key string) ([]byte, error) {
	val, err := st.client.Get(ctx, st.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, skills.ErrNotFound
	}
	if err != nil {
		return nil, wrap(ctx, "get", err)
	}
	return val, nil
}

// Put sets key to val, without expiry.
func (st *state) Put(ctx context.Context, key string, val []byte) error {
	if val == nil {
		val = []byte{}
	}
	if err := st.client.Set(ctx, st.prefix+key, val, 0).Err(); err != nil {
		return wrap(ctx, "put", err)
	}
	return nil
}

// Incr adds one to the counter at key with INCR.
func (st *state) Incr(ctx context.Context, key string) (int64, error) {
	n, err := st.client.Incr(ctx, st.prefix+key).Result()
	if err != nil {
		return 0, wrap(ctx, "incr", err)
	}
	return n, nil
}

// Append adds val at the end of the list at key with RPUSH.
func (st *state) Append(ctx context.Context, key string, val []byte) error {
	if val == nil {
		val = []byte{}
	}
	if err := st.client.RPush(ctx, st.prefix+key, val).Err(); err != nil {
		return wrap(ctx, "append", err)
	}
	return nil
}

// List returns the list at key, oldest first, with LRANGE 0 -1; an empty
// slice when the list is missing.
func (st *state) List(ctx context.Context, key string) ([][]byte, error) {
	items, err := st.client.LRange(ctx, st.prefix+key, 0, -1).Result()
	if err != nil {
		return nil, wrap(ctx, "list", err)
	}
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = []byte(it)
	}
	return out, nil
}
