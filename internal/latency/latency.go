// Package latency records per-operation durations in benchmarks and
// reports their percentiles, since a mean hides the tail a person feels.
package latency

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Recorder collects durations. It is safe for concurrent use.
type Recorder struct {
	mu sync.Mutex
	d  []time.Duration
}

// Observe records one duration.
func (r *Recorder) Observe(d time.Duration) {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
}

// Since records the time elapsed since start.
func (r *Recorder) Since(start time.Time) { r.Observe(time.Since(start)) }

// Percentile returns the p-th percentile (0 < p <= 100), or 0 when empty.
func (r *Recorder) Percentile(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.d) == 0 {
		return 0
	}
	s := slices.Clone(r.d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Report adds the median and 99th percentile, in microseconds, to a
// benchmark's output.
func (r *Recorder) Report(b *testing.B) {
	b.ReportMetric(float64(r.Percentile(50).Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(r.Percentile(99).Nanoseconds())/1e3, "p99-µs")
}
