package metrics

import (
	"strings"
	"sync"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := New()
	c := r.Counter("parley_messages_total", "Messages handled.", "via")
	c.Inc("shell")
	c.Add(2, "slack")
	c.Inc(`we"ird`)
	h := r.Histogram("parley_exec_seconds", "Executor latency.", []float64{0.1, 1}, "skill")
	h.Observe(0.05, "deploy")
	h.Observe(0.5, "deploy")
	h.Observe(5, "deploy")
	r.GaugeFunc("parley_model_swaps", "Models swapped in.", func() float64 { return 3 })
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP parley_messages_total Messages handled.
# TYPE parley_messages_total counter
parley_messages_total{via="shell"} 1
parley_messages_total{via="slack"} 2
parley_messages_total{via="we\"ird"} 1
# HELP parley_exec_seconds Executor latency.
# TYPE parley_exec_seconds histogram
parley_exec_seconds_bucket{skill="deploy",le="0.1"} 1
parley_exec_seconds_bucket{skill="deploy",le="1"} 2
parley_exec_seconds_bucket{skill="deploy",le="+Inf"} 3
parley_exec_seconds_sum{skill="deploy"} 5.55
parley_exec_seconds_count{skill="deploy"} 3
# HELP parley_model_swaps Models swapped in.
# TYPE parley_model_swaps gauge
parley_model_swaps 3
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New()
	c := r.Counter("c", "c", "k")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.Inc("a")
			}
		}()
	}
	wg.Wait()
	var b strings.Builder
	r.WriteText(&b)
	if !strings.Contains(b.String(), `c{k="a"} 8000`) {
		t.Fatal(b.String())
	}
}
