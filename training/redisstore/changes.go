package redisstore

import (
	"context"
	"sync"
)

// hub hands out Changes channels and wakes them. Each channel has a buffer
// of one and is sent to without blocking, so a burst of changes reaches a
// slow reader as one value. When its context ends a channel is dropped,
// not closed, as training.Store promises no more than "until ctx ends" and
// readers may drain it in a loop.
//
// start runs when the first subscriber arrives. It returns the function
// that undoes it, called when the last one leaves, and a channel closed once
// the subscription to other processes' changes has been tried.
type hub struct {
	start func() (stop func(), ready <-chan struct{})

	mu    sync.Mutex
	subs  map[chan struct{}]struct{}
	stop  func()
	ready <-chan struct{}
}

func (h *hub) subscribe(ctx context.Context) (<-chan struct{}, <-chan struct{}) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[chan struct{}]struct{})
	}
	h.subs[ch] = struct{}{}
	if len(h.subs) == 1 {
		h.stop, h.ready = h.start()
	}
	ready := h.ready
	h.mu.Unlock()
	context.AfterFunc(ctx, func() { h.unsubscribe(ch) })
	return ch, ready
}

func (h *hub) unsubscribe(ch chan struct{}) {
	h.mu.Lock()
	delete(h.subs, ch)
	var stop func()
	if len(h.subs) == 0 {
		stop, h.stop, h.ready = h.stop, nil, nil
	}
	h.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// notify wakes every subscriber.
func (h *hub) notify() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
