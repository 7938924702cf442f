package notify

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// workers is how many goroutines call the Sink; each channel is
	// served by one of them, so a slow channel holds up only its share.
	workers = 4
	// maxGroups bounds the messages remembered for grouping and
	// resolving; beyond it the oldest are forgotten.
	maxGroups = 10000
	// defaultTick is how often Run shows new counts and posts due digests.
	defaultTick = 5 * time.Second
	// drainGrace is how long Run waits, once stopped, for queued chat
	// calls to finish.
	drainGrace = 5 * time.Second
	// ratePeriod is the period of Config.RatePerMinute.
	ratePeriod = time.Minute
)

// Option configures a Hub.
type Option func(*Hub)

// WithClock sets the clock the Hub reads (time.Now by default). Run's
// ticker still runs on real time; what it does depends only on this clock.
func WithClock(now func() time.Time) Option { return func(h *Hub) { h.now = now } }

// WithLogger sets the logger (none by default).
func WithLogger(l *slog.Logger) Option { return func(h *Hub) { h.log = l } }

// WithTick sets how often Run shows new counts and posts the digests that
// are due (every 5 s by default).
func WithTick(d time.Duration) Option { return func(h *Hub) { h.tick = d } }

// Stats counts what a Hub did since it was made.
type Stats struct {
	Received int64 // notifications handed to Deliver
	Posted   int64 // messages posted, digests included
	Updated  int64 // messages updated in place
	Grouped  int64 // notifications counted into a message already posted or queued
	Digested int64 // notifications put in a digest: rate limit, full queue, failed post
	Held     int64 // notifications held for quiet hours
	Failed   int64 // chat calls that failed
	Open     int   // messages remembered for grouping and resolving
}

// Hub turns a stream of notifications into few, current chat messages:
// it groups repeats into one message with a count, marks messages
// resolved in place, keeps each channel under its rate limit with digests
// and holds non-critical notifications during quiet hours. See the package
// documentation for the rules.
//
// A Hub is safe for concurrent use. Deliver decides in memory and never
// waits for the chat; the Sink is called by Run's workers.
type Hub struct {
	cfg    Config
	router *Router
	sink   Sink
	quiet  map[string]quietHours
	now    func() time.Time
	log    *slog.Logger
	tick   time.Duration
	seed   maphash.Seed
	queues []chan job
	stop   chan struct{} // closed when Run stops: workers drain their queue and exit
	done   chan struct{} // closed when the workers have exited

	mu       sync.Mutex
	running  bool
	closed   bool
	groups   map[groupKey]*group
	byKey    map[string][]string // source and key → channels with a group of them
	channels map[string]*channelState
	stats    Stats
}

// NewHub returns a Hub routing by cfg and posting to sink. Nothing is
// posted until Run is called.
func NewHub(cfg Config, sink Sink, opts ...Option) (*Hub, error) {
	if sink == nil {
		return nil, errors.New("notify: nil Sink")
	}
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	router, err := NewRouter(cfg.Routes, cfg.Default)
	if err != nil {
		return nil, err
	}
	h := &Hub{
		cfg:      cfg,
		router:   router,
		sink:     sink,
		quiet:    map[string]quietHours{},
		now:      time.Now,
		log:      slog.New(slog.DiscardHandler),
		tick:     defaultTick,
		seed:     maphash.MakeSeed(),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		groups:   map[groupKey]*group{},
		byKey:    map[string][]string{},
		channels: map[string]*channelState{},
	}
	for ch, q := range cfg.QuietHours {
		if h.quiet[ch], err = parseQuiet(q); err != nil {
			return nil, fmt.Errorf("notify: quiet_hours[%s]: %w", ch, err)
		}
	}
	for _, o := range opts {
		o(h)
	}
	if h.tick <= 0 {
		h.tick = defaultTick
	}
	per := max(1, cfg.Queue/workers)
	for range workers {
		h.queues = append(h.queues, make(chan job, per))
	}
	return h, nil
}

// groupKey names the message of identical notifications in one channel.
// The source is part of it, so one hook cannot touch another's messages.
type groupKey struct{ channel, source, key string }

func (k groupKey) digestKey() string { return k.source + "\x00" + k.key }

// group is one posted (or to be posted) message and what it shows.
type group struct {
	gk       groupKey
	title    string
	text     string
	url      string
	severity Severity
	actions  []Action
	alone    bool // a resolution with no message of its firing to update

	start, last       time.Time // first and last firing, on the Hub's clock
	srcStart, srcLast time.Time // the same according to the source, when it says
	count             int
	resolvedAt        time.Time
	resolvedAfter     time.Duration

	ref           string // from Sink.Post; empty until posted
	failed        bool
	queued        bool // a post or update of it is waiting in the queue
	lastSent      time.Time
	shownCount    int
	shownResolved bool
}

func (g *group) resolved() bool { return !g.resolvedAt.IsZero() }

// dirty reports whether the chat shows an older state than g.
func (g *group) dirty() bool {
	return g.ref != "" && (g.shownCount != g.count || g.shownResolved != g.resolved())
}

// message renders g: the title with the count, the details, and either
// the actions or how long it took to resolve.
func (g *group) message() Message {
	var b strings.Builder
	if g.alone {
		b.WriteString("✅ ")
	}
	b.WriteString(g.title)
	if g.count > 1 {
		fmt.Fprintf(&b, " (fired %d times in %s)", g.count, span(g.last.Sub(g.start)))
	}
	if g.text != "" {
		b.WriteString("\n")
		b.WriteString(g.text)
	}
	if g.url != "" {
		b.WriteString("\n")
		b.WriteString(g.url)
	}
	m := Message{Severity: g.severity}
	switch {
	case g.alone:
		m.Severity = Info
	case g.resolved():
		fmt.Fprintf(&b, "\n✅ resolved after %s", span(g.resolvedAfter))
	default:
		m.Actions = g.actions
	}
	m.Text = b.String()
	return m
}

// channelState is what the Hub tracks of one channel: its recent posts
// for the rate limit and its two digests.
type channelState struct {
	worker   int
	posts    []time.Time // within the last ratePeriod, oldest first
	overflow *digest     // over the rate limit; posted when the limit allows
	quiet    *digest     // held in quiet hours; posted when they end
}

func (c *channelState) prune(now time.Time) {
	cut := now.Add(-ratePeriod)
	i := 0
	for i < len(c.posts) && !c.posts[i].After(cut) {
		i++
	}
	if i > 0 {
		c.posts = append(c.posts[:0], c.posts[i:]...)
	}
}

func (c *channelState) allow(now time.Time, rate int) bool {
	c.prune(now)
	return len(c.posts) < rate
}

type jobKind uint8

const (
	jobPost jobKind = iota
	jobUpdate
	jobDigest
	jobBarrier
)

// job is one call for a worker to make.
type job struct {
	kind    jobKind
	channel string
	g       *group        // jobPost, jobUpdate
	msg     Message       // jobDigest
	d       *digest       // jobDigest: put back on failure
	quiet   bool          // jobDigest: d is a quiet-hours digest
	done    chan struct{} // jobBarrier
}

// Deliver routes n and posts, counts, resolves, digests or holds it in
// each of its channels. It waits for nothing but the Hub's lock: chat
// calls happen on Run's workers. The error is ErrInvalid-wrapped for a
// notification without a title or with an unknown severity or status,
// ErrClosed once Run has returned, or ctx's error.
func (h *Hub) Deliver(ctx context.Context, n Notification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, err := normalize(n)
	if err != nil {
		return err
	}
	channels := h.router.Route(n)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrClosed
	}
	now := h.now()
	h.stats.Received++
	if n.Status == Resolved {
		// A resolution goes where its firing went, which its own
		// (lower) severity may route elsewhere.
		if where := h.byKey[n.Source+"\x00"+n.Key]; len(where) > 0 {
			channels = slices.Clone(where)
		}
	}
	for _, ch := range channels {
		h.deliverLocked(ch, n, now)
	}
	h.mu.Unlock()
	if n.Channel != "" && (len(channels) != 1 || channels[0] != n.Channel) {
		h.log.Debug("notify: channel asked for by the sender ignored: no rule allows it",
			"source", n.Source, "asked", n.Channel, "routed", channels)
	}
	return nil
}

func (h *Hub) deliverLocked(ch string, n Notification, now time.Time) {
	gk := groupKey{channel: ch, source: n.Source, key: n.Key}
	g := h.groups[gk]
	cs := h.channel(ch)
	sev := n.Severity
	if n.Status == Resolved {
		sev = Info // a resolution is never urgent
		switch {
		case g != nil && !g.resolved():
			g.resolvedAt = now
			g.resolvedAfter = now.Sub(g.start)
			if !g.srcStart.IsZero() && n.Time.After(g.srcStart) {
				g.resolvedAfter = n.Time.Sub(g.srcStart)
			}
			g.queued = g.queued || (g.ref != "" && h.enqueue(cs, job{kind: jobUpdate, channel: ch, g: g}))
			return
		case g != nil:
			return // already shown resolved
		case cs.quiet.resolve(gk.digestKey()) || cs.overflow.resolve(gk.digestKey()):
			return
		}
	} else if g != nil && !g.resolved() && now.Sub(g.start) < h.cfg.Window {
		if !n.Time.IsZero() && n.Time.Equal(g.srcLast) {
			return // the same firing sent again
		}
		g.count++
		g.last, g.srcLast = now, n.Time
		h.stats.Grouped++
		if !g.queued && g.ref != "" && now.Sub(g.lastSent) >= h.cfg.UpdateEvery {
			g.queued = h.enqueue(cs, job{kind: jobUpdate, channel: ch, g: g})
		}
		return
	}

	if q, ok := h.quiet[ch]; ok && sev != Critical && q.active(now) {
		cs.quiet.add(gk.digestKey(), n, now)
		h.stats.Held++
		return
	}
	if (!cs.overflow.empty() && sev != Critical) || !cs.allow(now, h.cfg.RatePerMinute) {
		cs.overflow.add(gk.digestKey(), n, now)
		h.stats.Digested++
		return
	}
	g = &group{
		gk: gk, title: n.Title, text: n.Text, url: n.URL, severity: n.Severity, actions: n.Actions,
		start: now, last: now, srcStart: n.Time, srcLast: n.Time, count: 1,
	}
	if n.Status == Resolved {
		g.alone, g.resolvedAt = true, now
	}
	if !h.enqueue(cs, job{kind: jobPost, channel: ch, g: g}) {
		cs.overflow.add(gk.digestKey(), n, now)
		h.stats.Digested++
		return
	}
	g.queued = true
	cs.posts = append(cs.posts, now)
	if len(h.groups) >= maxGroups {
		h.evictLocked(now)
	}
	h.putGroup(g)
}

func (h *Hub) putGroup(g *group) {
	if old := h.groups[g.gk]; old != nil {
		h.dropGroup(old)
	}
	h.groups[g.gk] = g
	dk := g.gk.digestKey()
	h.byKey[dk] = append(h.byKey[dk], g.gk.channel)
}

// dropGroup forgets g, if it is still the group of its key.
func (h *Hub) dropGroup(g *group) {
	if h.groups[g.gk] != g {
		return
	}
	delete(h.groups, g.gk)
	dk := g.gk.digestKey()
	chs := slices.DeleteFunc(h.byKey[dk], func(ch string) bool { return ch == g.gk.channel })
	if len(chs) == 0 {
		delete(h.byKey, dk)
	} else {
		h.byKey[dk] = chs
	}
}

// channel returns the state of ch, making it on first use.
func (h *Hub) channel(ch string) *channelState {
	cs := h.channels[ch]
	if cs == nil {
		cs = &channelState{
			worker:   int(maphash.String(h.seed, ch) % uint64(len(h.queues))),
			overflow: newDigest(h.cfg.DigestItems),
			quiet:    newDigest(h.cfg.DigestItems),
		}
		h.channels[ch] = cs
	}
	return cs
}

// enqueue hands j to the worker of cs without waiting, reporting whether
// there was room.
func (h *Hub) enqueue(cs *channelState, j job) bool {
	select {
	case h.queues[cs.worker] <- j:
		return true
	default:
		return false
	}
}

// expired reports whether g can be forgotten: resolved a Window ago, or
// never resolved and not fired for ResolveWithin.
func (h *Hub) expired(g *group, now time.Time) bool {
	if g.queued {
		return false
	}
	if g.resolved() {
		return !g.dirty() && now.Sub(g.resolvedAt) >= h.cfg.Window
	}
	return now.Sub(g.last) >= h.cfg.ResolveWithin
}

// evictLocked forgets expired groups and, if there are still too many,
// the tenth that fired least recently.
func (h *Hub) evictLocked(now time.Time) {
	for _, g := range h.groups {
		if h.expired(g, now) {
			h.dropGroup(g)
		}
	}
	if len(h.groups) < maxGroups {
		return
	}
	all := make([]*group, 0, len(h.groups))
	for _, g := range h.groups {
		all = append(all, g)
	}
	slices.SortFunc(all, func(a, b *group) int { return a.last.Compare(b.last) })
	for _, g := range all[:len(all)/10] {
		h.dropGroup(g)
	}
	h.log.Warn("notify: too many open messages; forgot the oldest", "forgotten", len(all)/10)
}

type flushMode uint8

const (
	flushTick  flushMode = iota // updates at most every UpdateEvery
	flushForce                  // every pending update now
	flushFinal                  // and every overflow digest, whatever the rate limit
)

// flushLocked queues the updates and digests that are due and forgets
// what has expired.
func (h *Hub) flushLocked(now time.Time, mode flushMode) {
	for gk, g := range h.groups {
		if h.expired(g, now) {
			h.dropGroup(g)
			continue
		}
		if g.queued || !g.dirty() {
			continue
		}
		if mode != flushTick || g.shownResolved != g.resolved() || now.Sub(g.lastSent) >= h.cfg.UpdateEvery {
			g.queued = h.enqueue(h.channel(gk.channel), job{kind: jobUpdate, channel: gk.channel, g: g})
		}
	}
	rate := h.cfg.RatePerMinute
	for ch, cs := range h.channels {
		q, hasQuiet := h.quiet[ch]
		if !cs.quiet.empty() && !(hasQuiet && q.active(now)) && cs.allow(now, rate) {
			header := fmt.Sprintf("%s held during quiet hours (%s)", plural(cs.quiet.total, "notification"), q.label)
			if h.postDigest(ch, cs, cs.quiet, header, true, now) {
				cs.quiet = newDigest(h.cfg.DigestItems)
			}
		}
		d := cs.overflow
		due := now.Sub(d.start) >= ratePeriod || d.urgent()
		if !d.empty() && (mode == flushFinal || due && cs.allow(now, rate)) {
			header := fmt.Sprintf("%d more %s in the last %s", d.total, noun(d.total, "notification"), lastSpan(now.Sub(d.start)))
			if h.postDigest(ch, cs, d, header, false, now) {
				cs.overflow = newDigest(h.cfg.DigestItems)
			}
		}
		cs.prune(now)
		if len(cs.posts) == 0 && cs.overflow.empty() && cs.quiet.empty() {
			delete(h.channels, ch)
		}
	}
}

func (h *Hub) postDigest(ch string, cs *channelState, d *digest, header string, quiet bool, now time.Time) bool {
	j := job{kind: jobDigest, channel: ch, msg: d.message(header), d: d, quiet: quiet}
	if !h.enqueue(cs, j) {
		return false
	}
	cs.posts = append(cs.posts, now)
	return true
}

// Run calls the Sink until ctx is done: it starts the workers and, every
// tick, shows new counts and posts the digests that are due. When ctx is
// done it shows the last counts, posts the overflow digests, lets the
// queued calls finish (for a few seconds at most) and returns nil. What is
// still held for quiet hours then is logged, not posted. Deliver and Flush
// fail with ErrClosed from then on. Run may be called once.
func (h *Hub) Run(ctx context.Context) error {
	h.mu.Lock()
	if h.running || h.closed {
		h.mu.Unlock()
		return errors.New("notify: Run called twice")
	}
	h.running = true
	h.mu.Unlock()

	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	for _, q := range h.queues {
		wg.Go(func() { h.work(wctx, q) })
	}
	t := time.NewTicker(h.tick)
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-t.C:
			h.mu.Lock()
			h.flushLocked(h.now(), flushTick)
			h.mu.Unlock()
		}
	}
	t.Stop()

	h.mu.Lock()
	h.flushLocked(h.now(), flushFinal)
	h.closed = true
	held := 0
	for _, cs := range h.channels {
		held += cs.quiet.total + cs.overflow.total
	}
	h.mu.Unlock()
	if held > 0 {
		h.log.Warn("notify: stopping with notifications held in digests; they are not posted", "count", held)
	}
	close(h.stop)
	grace := time.AfterFunc(drainGrace, cancel)
	wg.Wait()
	grace.Stop()
	close(h.done)
	return nil
}

// Flush queues every pending update, whatever UpdateEvery says, and the
// digests that are due, then waits until the workers have made every call
// queued so far. It needs Run to be running; a full queue leaves the rest
// to Run's next tick.
func (h *Hub) Flush(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrClosed
	}
	h.flushLocked(h.now(), flushForce)
	h.mu.Unlock()
	for _, q := range h.queues {
		done := make(chan struct{})
		select {
		case q <- job{kind: jobBarrier, done: done}:
		case <-ctx.Done():
			return ctx.Err()
		case <-h.done:
			return ErrClosed
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		case <-h.done:
			return ErrClosed
		}
	}
	return nil
}

// Stats returns what the Hub did so far.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Open = len(h.groups)
	return s
}

func (h *Hub) work(ctx context.Context, q chan job) {
	for {
		select {
		case j := <-q:
			h.do(ctx, j)
		case <-h.stop:
			for {
				select {
				case j := <-q:
					h.do(ctx, j)
				default:
					return
				}
			}
		}
	}
}

func (h *Hub) do(ctx context.Context, j job) {
	switch j.kind {
	case jobBarrier:
		close(j.done)
	case jobPost:
		h.post(ctx, j.g)
	case jobUpdate:
		h.update(ctx, j.g)
	case jobDigest:
		_, err := h.sink.Post(ctx, j.channel, j.msg)
		h.mu.Lock()
		defer h.mu.Unlock()
		if err == nil {
			h.stats.Posted++
			return
		}
		h.stats.Failed++
		cs := h.channel(j.channel)
		if j.quiet {
			cs.quiet.merge(j.d, h.now())
		} else {
			cs.overflow.merge(j.d, h.now())
		}
		h.log.Warn("notify: posting a digest failed; kept for later", "channel", j.channel, "count", j.d.total, "err", err)
	}
}

// post posts g as it stands, then shows at once a resolution that came
// while it was queued.
func (h *Hub) post(ctx context.Context, g *group) {
	h.mu.Lock()
	g.queued = false
	m, count, resolved := g.message(), g.count, g.resolved()
	h.mu.Unlock()

	ref, err := h.sink.Post(ctx, g.gk.channel, m)

	h.mu.Lock()
	now := h.now()
	if err != nil {
		h.stats.Failed++
		h.stats.Digested += int64(g.count)
		g.failed = true
		h.dropGroup(g)
		h.channel(g.gk.channel).overflow.addItem(digestItem{
			key: g.gk.digestKey(), title: g.title, severity: g.severity, actions: g.actions,
			count: g.count, resolved: g.resolved(), last: g.srcLast,
		}, now)
		h.mu.Unlock()
		h.log.Warn("notify: posting failed; the notification waits in the channel's digest",
			"channel", g.gk.channel, "title", g.title, "err", err)
		return
	}
	h.stats.Posted++
	g.ref, g.lastSent, g.shownCount, g.shownResolved = ref, now, count, resolved
	again := g.dirty() && g.resolved() && !g.queued
	h.mu.Unlock()
	if again {
		h.update(ctx, g)
	}
}

// update puts g's current rendering in place of its message.
func (h *Hub) update(ctx context.Context, g *group) {
	h.mu.Lock()
	g.queued = false
	if g.failed || !g.dirty() {
		h.mu.Unlock()
		return
	}
	m, ref := g.message(), g.ref
	g.shownCount, g.shownResolved, g.lastSent = g.count, g.resolved(), h.now()
	h.mu.Unlock()

	err := h.sink.Update(ctx, g.gk.channel, ref, m)

	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.stats.Failed++
		g.shownCount = -1 // still to show; Run's ticker tries again
		h.log.Warn("notify: updating a message failed", "channel", g.gk.channel, "ref", ref, "err", err)
		return
	}
	h.stats.Updated++
}

// span words a duration for "fired 3 times in …" and "resolved after …".
func span(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 90 {
		return fmt.Sprintf("%d min", m)
	}
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// lastSpan words a digest's period for "in the last …".
func lastSpan(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m <= 1 {
		return "minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// noun is word, in the plural unless n is 1.
func noun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
