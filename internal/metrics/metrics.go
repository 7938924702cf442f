// Package metrics keeps counters, gauges and histograms and writes them in
// the Prometheus text exposition format. It is small on purpose: Parley
// needs a dozen series, not a client library.
package metrics

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Registry holds metric families. It is safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
	order    []string
}

// New returns an empty registry.
func New() *Registry { return &Registry{families: map[string]*family{}} }

type kind int

const (
	counter kind = iota
	gauge
	histogram
)

type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64
	series     map[string]*series
	fn         func() float64 // a gauge read when written
}

type series struct {
	values []string
	value  float64
	counts []uint64 // per bucket, cumulative at write time
	sum    float64
	n      uint64
}

func (r *Registry) family(name, help string, k kind, labels []string, buckets []float64) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		return f
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets, series: map[string]*series{}}
	r.families[name] = f
	r.order = append(r.order, name)
	return f
}

// Counter is a monotonically increasing count with labels.
type Counter struct {
	r *Registry
	f *family
}

// Counter registers (or returns) a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	return &Counter{r: r, f: r.family(name, help, counter, labels, nil)}
}

// Add adds v for the label values (in the family's label order).
func (c *Counter) Add(v float64, values ...string) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.f.get(values).value += v
}

// Inc adds one.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

// GaugeFunc registers a gauge read from fn whenever metrics are written.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	f := r.family(name, help, gauge, nil, nil)
	r.mu.Lock()
	f.fn = fn
	r.mu.Unlock()
}

// CounterFunc registers a counter read from fn whenever metrics are written.
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	f := r.family(name, help, counter, nil, nil)
	r.mu.Lock()
	f.fn = fn
	r.mu.Unlock()
}

// Histogram counts observations into buckets.
type Histogram struct {
	r *Registry
	f *family
}

// LatencyBuckets suit durations from 100 µs to 30 s, in seconds.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// LatencyBuckets returns the default latency buckets, in seconds.
func LatencyBuckets() []float64 { return slices.Clone(latencyBuckets) }

// Histogram registers (or returns) a histogram family.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	return &Histogram{r: r, f: r.family(name, help, histogram, labels, buckets)}
}

// Observe records one value.
func (h *Histogram) Observe(v float64, values ...string) {
	h.r.mu.Lock()
	defer h.r.mu.Unlock()
	s := h.f.get(values)
	if s.counts == nil {
		s.counts = make([]uint64, len(h.f.buckets))
	}
	for i, b := range h.f.buckets {
		if v <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += v
	s.n++
}

// Since observes the seconds since start.
func (h *Histogram) Since(start time.Time, values ...string) {
	h.Observe(time.Since(start).Seconds(), values...)
}

func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	s, ok := f.series[key]
	if !ok {
		s = &series{values: slices.Clone(values)}
		f.series[key] = s
	}
	return s
}

// WriteText writes every family in the Prometheus text format, version
// 0.0.4.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, name := range r.order {
		f := r.families[name]
		typ := [...]string{"counter", "gauge", "histogram"}[f.kind]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, typ)
		if f.fn != nil {
			fmt.Fprintf(&b, "%s %s\n", f.name, num(f.fn()))
			continue
		}
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, cmp.Compare[string])
		for _, k := range keys {
			s := f.series[k]
			if f.kind != histogram {
				fmt.Fprintf(&b, "%s%s %s\n", f.name, labels(f.labels, s.values, "", ""), num(s.value))
				continue
			}
			var cum uint64
			for i, bound := range f.buckets {
				cum += s.counts[i]
				fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labels(f.labels, s.values, "le", num(bound)), cum)
			}
			fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, labels(f.labels, s.values, "le", "+Inf"), s.n)
			fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, labels(f.labels, s.values, "", ""), num(s.sum))
			fmt.Fprintf(&b, "%s_count%s %d\n", f.name, labels(f.labels, s.values, "", ""), s.n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func labels(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	parts := make([]string, 0, len(names)+1)
	for i, n := range names {
		parts = append(parts, n+`="`+escapeValue(values[i])+`"`)
	}
	if extraName != "" {
		parts = append(parts, extraName+`="`+extraValue+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return fmt.Sprint(v)
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
