package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/skills"
)

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "parley:"

// DefaultTTL is how long a record lives after its last write when
// Options.TTL is not set.
const DefaultTTL = 15 * time.Minute

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Prefix starts every key the Store touches. Empty means
	// DefaultPrefix.
	Prefix string
	// TTL is how long a record lives after its last write, rounded down
	// to whole milliseconds. Zero or negative means DefaultTTL.
	TTL time.Duration
}

// Store is a dialog.Store in Redis. It is safe for concurrent use and holds
// no connection of its own: the client passed to New does.
type Store struct {
	client     redis.UniversalClient
	convPrefix string
	ttlMillis  int64
	swap       *redis.Script
	state      state
}

var _ dialog.Store = (*Store)(nil)

// swapScript compares and sets one record.
//
// KEYS[1] is the record's key; ARGV[1] the expected version in decimal ("0"
// for absent); ARGV[2] the TTL in milliseconds; ARGV[3] the new data, left
// out to delete the record. It answers the new version, 0 after a delete,
// or -1 when the record's version is not the expected one.
const swapScript = `
local cur = redis.call('GET', KEYS[1])
local old = '0'
if cur then
  local sep = string.find(cur, ':', 1, true)
  if not sep then
    return redis.error_reply('ERR parley: record without version header')
  end
  old = string.sub(cur, 1, sep - 1)
end
if old ~= ARGV[1] then
  return -1
end
if #ARGV < 3 then
  if cur then
    redis.call('DEL', KEYS[1])
  end
  return 0
end
local t = redis.call('TIME')
local v = tonumber(t[1]) * 1000000 + tonumber(t[2])
local prev = tonumber(old)
if v <= prev then
  v = prev + 1
end
redis.call('SET', KEYS[1], string.format('%.0f', v) .. ':' .. ARGV[3], 'PX', ARGV[2])
return v
`

// New returns a Store that keeps its data through client. Closing the
// client is the caller's job.
func New(client redis.UniversalClient, opts Options) *Store {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	ttl := opts.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Store{
		client:     client,
		convPrefix: prefix + "conv:",
		ttlMillis:  max(ttl.Milliseconds(), 1),
		swap:       redis.NewScript(swapScript),
		state:      state{client: client, prefix: prefix + "state:"},
	}
}

// Load returns the record at key and its version, or (nil, 0, nil) when
// there is none, in one round trip.
func (s *Store) Load(ctx context.Context, key string) ([]byte, int64, error) {
	val, err := s.client.Get(ctx, s.convPrefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, wrap(ctx, "load", err)
	}
	data, version, err := decodeRecord(val)
	if err != nil {
		return nil, 0, fmt.Errorf("redisstore: load: %w", err)
	}
	return data, version, nil
}

// decodeRecord splits a stored value into a fresh copy of its data and its
// version.
func decodeRecord(val string) ([]byte, int64, error) {
	head, body, ok := strings.Cut(val, ":")
	if !ok {
		return nil, 0, errors.New("record without version header")
	}
	version, err := strconv.ParseInt(head, 10, 64)
	if err != nil || version <= 0 {
		return nil, 0, fmt.Errorf("record with bad version %q", head)
	}
	data := make([]byte, len(body))
	copy(data, body)
	return data, version, nil
}

// Swap writes data at key if the record's version is still version, with
// one script run, and returns the new version; nil data deletes the record
// and returns 0. It returns dialog.ErrConflict and changes nothing when the
// version does not match.
func (s *Store) Swap(ctx context.Context, key string, version int64, data []byte) (int64, error) {
	keys := []string{s.convPrefix + key}
	var res int64
	var err error
	if data == nil {
		res, err = s.swap.Run(ctx, s.client, keys, version, s.ttlMillis).Int64()
	} else {
		res, err = s.swap.Run(ctx, s.client, keys, version, s.ttlMillis, data).Int64()
	}
	switch {
	case err != nil:
		return 0, wrap(ctx, "swap", err)
	case res < 0:
		return 0, dialog.ErrConflict
	}
	return res, nil
}

// State returns the skills.State kept under Prefix+"state:" through the
// same client.
func (s *Store) State() skills.State {
	return &s.state
}
