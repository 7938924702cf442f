package llm

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are the assistant's counters since it was made. Counters only
// grow; Breaker and the latencies are current values.
type Stats struct {
	// Calls are requests sent to the model (Propose and Suggest); cache
	// hits and calls refused by the breaker are not calls.
	Calls uint64
	// Errors are calls that failed, Timeouts and RateLimited included.
	Errors      uint64
	Timeouts    uint64
	RateLimited uint64 // answered 429
	// ShortCircuited are requests refused at once by the open breaker.
	ShortCircuited uint64
	CacheHits      uint64
	CacheMisses    uint64

	Breaker       BreakerState
	BreakerOpened uint64 // times the breaker opened

	PromptTokens     uint64
	CompletionTokens uint64

	// Accepted are model replies that became a Proposal; Rejected are
	// replies discarded (no tool call, several, an unknown skill,
	// malformed arguments). ParamsRejected counts the parameter values
	// dropped from accepted proposals.
	Accepted       uint64
	Rejected       uint64
	ParamsRejected uint64

	// LatencyP50 and LatencyP99 are over the last LatencySamples calls
	// (at most 256), failed ones included.
	LatencyP50     time.Duration
	LatencyP99     time.Duration
	LatencySamples int
}

type counters struct {
	calls, errors, timeouts, rateLimited, shortCircuited atomic.Uint64
	cacheHits, cacheMisses                               atomic.Uint64
	promptTokens, completionTokens                       atomic.Uint64
	accepted, rejected, paramsRejected                   atomic.Uint64
	latency                                              reservoir
}

// reservoirSize is how many recent latencies the percentiles are over.
const reservoirSize = 256

// reservoir keeps the most recent latencies in a ring.
type reservoir struct {
	mu   sync.Mutex
	ring [reservoirSize]time.Duration
	n    int // total observed
}

func (r *reservoir) observe(d time.Duration) {
	r.mu.Lock()
	r.ring[r.n%reservoirSize] = d
	r.n++
	r.mu.Unlock()
}

// percentiles returns the p50 and p99 of the recent latencies and how
// many there are.
func (r *reservoir) percentiles() (p50, p99 time.Duration, n int) {
	r.mu.Lock()
	s := slices.Clone(r.ring[:min(r.n, reservoirSize)])
	r.mu.Unlock()
	if len(s) == 0 {
		return 0, 0, 0
	}
	slices.Sort(s)
	at := func(p float64) time.Duration {
		i := int(float64(len(s))*p/100+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return at(50), at(99), len(s)
}
