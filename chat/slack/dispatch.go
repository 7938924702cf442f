package slack

import (
	"errors"
	"sync"
)

// Errors of submitting an event for handling.
var (
	errQueueFull = errors.New("event queue is full")
	errStopped   = errors.New("not accepting events")
)

// dispatcher runs handle for queued events: in order for one route, in
// parallel across routes, at most max at once, with at most limit queued
// or running in all. A route's events run on a goroutine that exists only
// while the route has work, so a long-running skill holds up nobody else's
// messages (beyond taking one of the max slots).
type dispatcher struct {
	handle func(inbound)
	limit  int
	slots  chan struct{}

	mu     sync.Mutex
	routes map[string][]inbound // present while a goroutine serves the route
	queued int
	closed bool
	wg     sync.WaitGroup
}

func newDispatcher(max, limit int, handle func(inbound)) *dispatcher {
	return &dispatcher{handle: handle, limit: limit, slots: make(chan struct{}, max), routes: map[string][]inbound{}}
}

// submit queues in without blocking. It fails when the queue is full or the
// dispatcher is closed, and the caller then leaves the event for Slack to
// deliver again.
func (d *dispatcher) submit(in inbound) error {
	route := in.route()
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.closed:
		return errStopped
	case d.queued >= d.limit:
		return errQueueFull
	}
	d.queued++
	q, active := d.routes[route]
	d.routes[route] = append(q, in)
	if !active {
		d.wg.Add(1)
		go d.serve(route)
	}
	return nil
}

func (d *dispatcher) serve(route string) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.routes[route]
		if len(q) == 0 {
			delete(d.routes, route)
			d.mu.Unlock()
			return
		}
		in := q[0]
		q[0] = inbound{}
		d.routes[route] = q[1:]
		d.mu.Unlock()

		d.slots <- struct{}{}
		d.handle(in)
		<-d.slots

		d.mu.Lock()
		d.queued--
		d.mu.Unlock()
	}
}

// close stops accepting events and waits until every queued one has been
// handled.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.wg.Wait()
}

// pending reports the events queued or running.
func (d *dispatcher) pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queued
}
