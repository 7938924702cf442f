package latency

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var r Recorder
	if r.Percentile(50) != 0 {
		t.Fatal("empty recorder")
	}
	for i := 100; i >= 1; i-- {
		r.Observe(time.Duration(i) * time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}} {
		if got := r.Percentile(tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
}
