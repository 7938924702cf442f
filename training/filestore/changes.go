package filestore

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
// start, if set, runs when the first subscriber arrives and returns the
// function that undoes it, called when the last one leaves.
type hub struct {
	start func() (stop func())

	mu   sync.Mutex
	subs map[chan struct{}]struct{}
	stop func()
}

func (h *hub) subscribe(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[chan struct{}]struct{})
	}
	h.subs[ch] = struct{}{}
	if len(h.subs) == 1 && h.start != nil {
		h.stop = h.start()
	}
	h.mu.Unlock()
	context.AfterFunc(ctx, func() { h.unsubscribe(ch) })
	return ch
}

func (h *hub) unsubscribe(ch chan struct{}) {
	h.mu.Lock()
	delete(h.subs, ch)
	var stop func()
	if len(h.subs) == 0 {
		stop, h.stop = h.stop, nil
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
