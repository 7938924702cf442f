package notify_test

import (
	"context"
	"os"
	"time"

	"github.com/parleybot/parley/notify"
)

// A Hub posting to the shell: an alert, then two repeats shown as one
// message with a count, then its resolution.
func ExampleHub() {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	hub, err := notify.NewHub(notify.Config{
		Default: "#general",
		Routes:  []notify.Rule{{Severity: notify.Warning, Channels: []string{"#ops"}}},
	}, notify.NewTextSink(os.Stdout), notify.WithClock(clock))
	if err != nil {
		panic(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- hub.Run(ctx) }()

	alert := notify.Notification{
		Source: notify.SourceGeneric, Key: "disk-db-1", Title: "disk full on db-1", Text: "/var is 98% full",
		Severity: notify.Critical, Labels: map[string]string{"incident": "42"},
		Actions: []notify.Action{{Label: "Acknowledge #42", Command: "ack #42"}},
	}
	_ = hub.Deliver(ctx, alert)
	_ = hub.Flush(ctx)
	now = now.Add(2 * time.Minute)
	_ = hub.Deliver(ctx, alert)
	_ = hub.Deliver(ctx, alert)
	_ = hub.Flush(ctx)
	now = now.Add(12 * time.Minute)
	alert.Status = notify.Resolved
	_ = hub.Deliver(ctx, alert)
	_ = hub.Flush(ctx)

	stop()
	<-done
	// Output:
	// [#ops] 🔥 CRITICAL: disk full on db-1
	//   /var is 98% full
	//   Say: ack #42
	// [#ops] (updated) 🔥 CRITICAL: disk full on db-1 (fired 3 times in 2 min)
	//   /var is 98% full
	//   Say: ack #42
	// [#ops] (updated) 🔥 CRITICAL: disk full on db-1 (fired 3 times in 2 min)
	//   /var is 98% full
	//   ✅ resolved after 14 min
}
