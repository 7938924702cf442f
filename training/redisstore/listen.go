package redisstore

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// healthCheck is how long the subscription may be silent before it
	// is pinged, and how long a ping may go unanswered before the
	// connection is given up.
	healthCheck = 30 * time.Second
	// Waits between attempts to subscribe again.
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// listen subscribes to the change channel until the returned stop is
// called, waking local subscribers for every notice from another Store.
func (s *Store) listen() (stop func(), ready <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	readyCh := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Until the first attempt is over, Changes waits. A later
		// subscription wakes local subscribers, since notices may have
		// been missed while there was none.
		first := true
		subscribed := func() {
			if first {
				first = false
				close(readyCh)
				return
			}
			s.changes.notify()
		}
		backoff := minBackoff
		for {
			if s.session(ctx, subscribed) {
				backoff = minBackoff
			}
			if first {
				first = false
				close(readyCh)
			}
			if ctx.Err() != nil {
				return
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, maxBackoff)
		}
	}()
	return func() { cancel(); <-done }, readyCh
}

// session holds one subscription until it fails or ctx ends, calls
// onSubscribed once the server confirms it, and reports whether it did.
func (s *Store) session(ctx context.Context, onSubscribed func()) (subscribed bool) {
	ps := s.client.Subscribe(ctx)
	// Receive does not watch ctx: closing the subscription ends it.
	stopClose := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer func() {
		if stopClose() {
			_ = ps.Close()
		}
	}()
	if err := ps.Subscribe(ctx, s.channel); err != nil {
		return false
	}
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, healthCheck)
		if ctx.Err() != nil {
			return subscribed
		}
		var netErr net.Error
		switch {
		case err == nil:
		case errors.As(err, &netErr) && netErr.Timeout() && !pinged:
			// Silent for a while: make sure the connection is alive.
			if ps.Ping(ctx) != nil {
				return subscribed
			}
			pinged = true
			continue
		default:
			return subscribed
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == s.channel && !subscribed {
				subscribed = true
				onSubscribed()
			}
		case *redis.Message:
			if m.Payload != s.origin {
				s.changes.notify()
			}
		}
	}
}
