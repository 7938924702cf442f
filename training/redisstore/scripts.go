package redisstore

import "github.com/redis/go-redis/v9"

// teachScript records an example and announces it.
//
// KEYS: seq, examples, examples order. ARGV: normalised text, teaching
// JSON, channel, origin. Answers the example's sequence number.
var teachScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], n, ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return n
`)

// proposeScript queues a candidate, or counts the one queued under the
// same dedupe key.
//
// KEYS: seq, queue, queue order, queue counts, queue dedupe. ARGV: dedupe
// key, new id, candidate JSON. Answers {id, count, candidate JSON} of the
// queued candidate, or {} when the new id is taken.
var proposeScript = redis.NewScript(`
local id = redis.call('HGET', KEYS[5], ARGV[1])
if id then
  local c = redis.call('HGET', KEYS[2], id)
  if c then
    return {id, redis.call('HINCRBY', KEYS[4], id, 1), c}
  end
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  return {}
end
local n = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], n, ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], 1)
redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
return {ARGV[2], 1, ARGV[3]}
`)

// resolveScript takes a candidate off the queue and, approving, teaches it
// and announces that.
//
// KEYS: seq, queue, queue order, queue counts, queue dedupe, examples,
// examples order. ARGV: id, the candidate JSON as read before, its dedupe
// key, "1" to approve or "0", normalised text, teaching JSON, channel,
// origin. Answers nil when the id is not queued, {} when its candidate is
// no longer the one read, and {count} when resolved.
var resolveScript = redis.NewScript(`
local c = redis.call('HGET', KEYS[2], ARGV[1])
if not c then
  return false
end
if c ~= ARGV[2] then
  return {}
end
local count = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '1')
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[5], ARGV[3]) == ARGV[1] then
  redis.call('HDEL', KEYS[5], ARGV[3])
end
if ARGV[4] == '1' then
  local n = redis.call('INCR', KEYS[1])
  redis.call('HSET', KEYS[6], ARGV[5], ARGV[6])
  redis.call('ZADD', KEYS[7], n, ARGV[5])
  redis.call('PUBLISH', ARGV[7], ARGV[8])
end
return {count}
`)
