package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/notify"
)

// genericBodies returns generic notifications over keys distinct keys,
// spread over four channels, with severities mixed.
func genericBodies(keys int) [][]byte {
	sev := []string{"info", "warning", "critical", "info"}
	out := make([][]byte, keys)
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"title":"disk full on db-%d","text":"/var is 98%% full","severity":%q,"key":"disk-%d","labels":{"team":"t%d","env":"prod"}}`,
			i, sev[i%len(sev)], i, i%4)
	}
	return out
}

func benchHub(b *testing.B) *notify.Hub {
	b.Helper()
	cfg := notify.Config{Default: "#general"}
	for i := range 4 {
		cfg.Routes = append(cfg.Routes, notify.Rule{Labels: map[string]string{"team": fmt.Sprint("t", i)}, Channels: []string{fmt.Sprint("#team-", i)}})
	}
	hub, err := notify.NewHub(cfg, nopSink{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	return hub
}

// BenchmarkGenericHook posts generic notifications over 100 keys through
// the real Handler, grouping on: after the first few, each is counted into
// an open message or a digest.
func BenchmarkGenericHook(b *testing.B) {
	bodies := genericBodies(100)

	b.Run("ServeHTTP", func(b *testing.B) {
		handler := notify.Handler(benchHub(b), notify.Secrets{}, nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/hooks/generic", bytes.NewReader(bodies[i%len(bodies)]))
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	})

	b.Run("HTTP", func(b *testing.B) {
		srv := httptest.NewServer(notify.Handler(benchHub(b), notify.Secrets{}, nil))
		defer srv.Close()
		client := srv.Client()
		client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				body := bodies[next.Add(1)%int64(len(bodies))]
				res, err := client.Post(srv.URL+"/hooks/generic", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				var buf [64]byte
				for {
					if _, err := res.Body.Read(buf[:]); err != nil {
						break
					}
				}
				res.Body.Close()
				if res.StatusCode != http.StatusAccepted {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
	})
}
