package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chatslack "github.com/parleybot/parley/chat/slack"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/latency"
)

// nopEngine answers nothing, so the benchmark measures acknowledgement.
type nopEngine struct{ handled atomic.Int64 }

func (e *nopEngine) Handle(context.Context, dialog.Message) dialog.Outcome {
	e.handled.Add(1)
	return dialog.Outcome{}
}

func (e *nopEngine) Pending(context.Context, dialog.Key) (dialog.State, error) {
	return dialog.Idle, nil
}

// staticDirectory knows everyone without asking Slack.
type staticDirectory struct{}

func (staticDirectory) Name(id string) string { return id }
func (staticDirectory) Lookup(_ context.Context, id string) chatslack.Person {
	return chatslack.Person{ID: id, Name: id, Display: id}
}

// ackBench is an Events API server under test and a sender for it.
type ackBench struct {
	inHandler latency.Recorder
	client    *http.Client
	url       string
	seq       atomic.Int64
}

// newAckBench runs an adapter with a no-op engine behind a loopback HTTP
// server, fresh for each benchmark so that ids remembered by one do not
// weigh on the next.
func newAckBench(b *testing.B) *ackBench {
	fs := newFakeSlack(b)
	a, err := chatslack.New(chatslack.Config{
		BotToken: botToken, SigningSecret: secret, APIURL: fs.url(), BotUserID: botID,
		Directory: staticDirectory{}, QueueSize: 1 << 16,
	}, &nopEngine{})
	if err != nil {
		b.Fatal(err)
	}
	ab := &ackBench{client: &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}}}
	events := a.EventsHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		events.ServeHTTP(w, r)
		ab.inHandler.Since(start)
	}))
	ab.url = srv.URL
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = a.Run(ctx)
		close(done)
	}()
	b.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
	})
	for deadline := time.Now().Add(hangGuard); ; {
		if _, err := ab.send(ab.request()); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("adapter never became ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return ab
}

// request is a signed mention, each with its own event id, spread over
// 97 people and 13 channels.
func (ab *ackBench) request() *http.Request {
	n := ab.seq.Add(1)
	body := mention(fmt.Sprintf("Ev%d", n), fmt.Sprintf("U%d", n%97), fmt.Sprintf("C%d", n%13), "who is on call for payments?", fmt.Sprintf("1.%06d", n%1_000_000), "")
	req, _ := http.NewRequest(http.MethodPost, ab.url, bytes.NewReader(body))
	req.Header = signedNow(body)
	return req
}

// send returns the time to the acknowledgement as the sender sees it.
func (ab *ackBench) send(req *http.Request) (time.Duration, error) {
	start := time.Now()
	resp, err := ab.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return elapsed, fmt.Errorf("status %d", resp.StatusCode)
	}
	return elapsed, nil
}

// burst sends n signed events at once and returns how long until all were
// acknowledged and how many were not.
func (ab *ackBench) burst(n int, lat *latency.Recorder) (time.Duration, int64) {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = ab.request()
	}
	var failed atomic.Int64
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for _, req := range reqs {
		wg.Go(func() {
			<-gate
			d, err := ab.send(req)
			if lat != nil {
				lat.Observe(d)
			}
			if err != nil {
				failed.Add(1)
			}
		})
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	return time.Since(start), failed.Load()
}

// BenchmarkEventsAPIAck measures the Events API handler over loopback HTTP:
// verify the signature, parse, queue, answer 200, with the handling itself
// (a no-op engine) and the senders running on the same cores.
//
// "throughput" reports events acknowledged per second with 32 concurrent
// senders. "burst500" sends 500 signed events at once per iteration over
// warm keep-alive connections (as Slack's deliveries arrive) and reports
// the time to the acknowledgement as the sender sees it (p50/p99-ack-ms)
// and inside the handler (p99-handler-ms).
func BenchmarkEventsAPIAck(b *testing.B) {
	b.Run("throughput", func(b *testing.B) {
		ab := newAckBench(b)
		var lat latency.Recorder
		var failed atomic.Int64
		b.SetParallelism(16)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d, err := ab.send(ab.request())
				lat.Observe(d)
				if err != nil {
					failed.Add(1)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		lat.Report(b)
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d events not acknowledged", n)
		}
	})

	b.Run("burst500", func(b *testing.B) {
		const size = 500
		ab := newAckBench(b)
		// Open the connections first: Slack delivers over kept-alive ones.
		if _, failed := ab.burst(size, nil); failed > 0 {
			b.Fatalf("%d events not acknowledged while warming up", failed)
		}
		ab.inHandler = latency.Recorder{}
		var lat latency.Recorder
		var total time.Duration
		for b.Loop() {
			d, failed := ab.burst(size, &lat)
			if failed > 0 {
				b.Fatalf("%d events not acknowledged", failed)
			}
			total += d
		}
		b.ReportMetric(float64(b.N*size)/total.Seconds(), "events/s")
		b.ReportMetric(float64(lat.Percentile(50).Microseconds())/1e3, "p50-ack-ms")
		b.ReportMetric(float64(lat.Percentile(99).Microseconds())/1e3, "p99-ack-ms")
		b.ReportMetric(float64(ab.inHandler.Percentile(99).Microseconds())/1e3, "p99-handler-ms")
	})
}
