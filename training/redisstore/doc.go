// Package redisstore keeps Parley's taught examples and review queue in
// Redis, so that every bot process on the same server and prefix teaches,
// reviews and retrains from one set.
//
// # Keys
//
// Every key lives under Prefix+"train:" (Prefix defaults to "parley:"):
//
//	train:seq             counter ordering examples and candidates
//	train:examples        hash, training.Key(text) → teaching JSON
//	train:examples:order  sorted set of those keys, scored by seq
//	train:queue           hash, candidate id → candidate JSON
//	train:queue:order     sorted set of ids, scored by seq
//	train:queue:count     hash, candidate id → how often it was proposed
//	train:queue:dedupe    hash, training.Key(text) + "\x00" + intent → id
//
// A candidate's JSON is written once; its count field there is the count
// when it was queued, and train:queue:count has the current one. Teaching
// the same phrasing again overwrites its hash field and moves it to the end
// of the order.
//
// # Atomicity
//
// Every change is one Lua script (EVALSHA, falling back to EVAL), so it is
// atomic with respect to every other process. Teach sets the example and
// its order. Propose looks up the dedupe field and either increments the
// queued candidate's count or queues a new one, so concurrent proposals of
// one phrasing from several processes count once each. Resolve reads the
// candidate, then runs a script that checks the candidate is still queued
// unchanged, removes it (with its order, count and dedupe entries) and, when
// approving, teaches it; of several resolutions of one id exactly one gets
// past that check and the others get training.ErrUnknown. Examples and
// Candidates read in one MULTI.
//
// The scripts touch several keys, so on Redis Cluster they all have to be
// in one slot: give a prefix with a hash tag, such as "{parley}:".
//
// # Changes
//
// Teach and approving Resolve publish, from inside their scripts, this
// Store's random origin id on Prefix+"train:changed". A Store wakes its own
// subscribers directly and, while anyone waits on Changes, holds one
// subscription to the channel and wakes them for every notice of another
// origin. A lost subscription is made again with backoff; when it comes
// back, subscribers are woken once, since notices may have been missed.
// Notices are a hint to reload: Examples is the truth.
//
// # Failures
//
// Errors are wrapped with the operation ("redisstore: teach: ...") and
// keep go-redis's and the network's errors inspectable with errors.Is and
// errors.As; a cancelled context is the context's error, wrapped.
//
// This package imports training, and nothing else of Parley.
package redisstore
