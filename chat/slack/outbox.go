package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

// chatAPI is what the outbox asks of Slack. *slack.Client has it.
type chatAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slackapi.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slackapi.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slackapi.MsgOption) (string, error)
	UploadFileContext(ctx context.Context, params slackapi.UploadFileParameters) (*slackapi.FileSummary, error)
}

type jobKind int

const (
	jobPost jobKind = iota
	jobUpdate
	jobEphemeral
	jobUpload
)

var jobNames = [...]string{"chat.postMessage", "chat.update", "chat.postEphemeral", "files.upload"}

func (k jobKind) String() string { return jobNames[k] }

// job is one message to send. Texts are escaped already.
type job struct {
	kind    jobKind
	channel string
	thread  string
	text    string
	blocks  []slackapi.Block
	user    string   // ephemeral: who sees it
	ts      string   // update: the message to change
	ref     *sentRef // post: learns the new message's ts; update: target when ts is ""
	content string   // upload: the raw text
	// fallback is posted instead when an upload fails: the output
	// truncated to one message.
	fallback string
}

// paced jobs count against the channel's message rate; edits and
// ephemeral notes have limits of their own and go straight through, though
// still in order behind the channel's earlier jobs.
func (j job) paced() bool { return j.kind == jobPost || j.kind == jobUpload }

// sentRef is a posted message whose ts is known once the post went out.
type sentRef struct {
	question string // escaped text of the message
	mu       sync.Mutex
	ts       string
	channel  string // the channel id Slack answered with (updates need it)
}

func (r *sentRef) set(ts string) {
	r.mu.Lock()
	r.ts = ts
	r.mu.Unlock()
}

func (r *sentRef) setChannel(id string) {
	r.mu.Lock()
	r.channel = id
	r.mu.Unlock()
}

func (r *sentRef) channelID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.channel
}

func (r *sentRef) get() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ts
}

// maxChannelBacklog bounds the jobs waiting for one channel; past it new
// messages are dropped and logged rather than piling up without end.
const maxChannelBacklog = 500

// outbox sends jobs to Slack: in order per channel, paced per channel by a
// token bucket, retried after a 429 once Retry-After has passed. Each
// channel with work has its own goroutine, so waiting on one channel never
// delays another.
type outbox struct {
	api      chatAPI
	rate     float64
	burst    int
	attempts int
	now      func() time.Time
	log      *slog.Logger
	spawn    func(q *channelQueue)

	mu    sync.Mutex
	chans map[string]*channelQueue
	wg    sync.WaitGroup
}

type channelQueue struct {
	channel string
	jobs    []job
	running bool
	bucket  bucket // used only by the goroutine draining the queue
}

// newOutbox returns an outbox whose sends run under ctx.
func newOutbox(ctx context.Context, api chatAPI, cfg *Config) *outbox {
	o := &outbox{
		api: api, rate: cfg.ChannelRate, burst: cfg.ChannelBurst, attempts: cfg.MaxAttempts,
		now: cfg.Now, log: cfg.Logger, chans: map[string]*channelQueue{},
	}
	o.spawn = func(q *channelQueue) { go o.drain(ctx, q) }
	return o
}

// push queues j behind the channel's earlier jobs. It never blocks.
func (o *outbox) push(j job) {
	o.mu.Lock()
	defer o.mu.Unlock()
	q, ok := o.chans[j.channel]
	if !ok {
		q = &channelQueue{channel: j.channel, bucket: bucket{rate: o.rate, burst: float64(o.burst)}}
		o.chans[j.channel] = q
	}
	if len(q.jobs) >= maxChannelBacklog {
		o.log.Error("slack: too many messages waiting for one channel; dropping one", "channel", j.channel, "method", j.kind.String())
		return
	}
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		o.wg.Add(1)
		o.spawn(q)
	}
}

func (o *outbox) drain(ctx context.Context, q *channelQueue) {
	defer o.wg.Done()
	for {
		o.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			o.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = job{}
		q.jobs = q.jobs[1:]
		o.mu.Unlock()
		o.deliver(ctx, q, j)
	}
}

func (o *outbox) deliver(ctx context.Context, q *channelQueue, j job) {
	if j.paced() {
		if wait := q.bucket.reserve(o.now()); wait > 0 && !sleep(ctx, wait) {
			o.log.Warn("slack: stopped before a message could be sent", "channel", j.channel, "method", j.kind.String())
			return
		}
	}
	err := o.send(ctx, j)
	if err != nil && j.kind == jobUpload {
		o.log.Warn("slack: snippet upload failed; posting the output truncated instead", "channel", j.channel, "err", err)
		err = o.send(ctx, job{kind: jobPost, channel: j.channel, thread: j.thread, text: j.fallback})
	}
	if err != nil {
		o.log.Error("slack: sending failed", "channel", j.channel, "method", j.kind.String(), "err", err)
	}
}

// send makes the call, waiting out 429s up to the configured attempts.
func (o *outbox) send(ctx context.Context, j job) error {
	for attempt := 1; ; attempt++ {
		err := o.call(ctx, j)
		wait, limited := retryAfter(err)
		if !limited || attempt >= o.attempts {
			return err
		}
		o.log.Warn("slack: rate limited; waiting before sending again", "channel", j.channel, "method", j.kind.String(), "retry_after", wait, "attempt", attempt)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// retryAfter tells a rate-limit answer and how long it asks to wait (at
// least a second; slack-go reports a 429 without Retry-After as a plain
// status error).
func retryAfter(err error) (time.Duration, bool) {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return max(limited.RetryAfter, time.Second), true
	}
	var status slackapi.StatusCodeError
	if errors.As(err, &status) && status.Code == http.StatusTooManyRequests {
		return time.Second, true
	}
	return 0, false
}

func (o *outbox) call(ctx context.Context, j job) error {
	text := slackapi.MsgOptionText(j.text, false)
	var thread slackapi.MsgOption = slackapi.MsgOptionCompose()
	if j.thread != "" {
		thread = slackapi.MsgOptionTS(j.thread)
	}
	switch j.kind {
	case jobPost:
		opts := []slackapi.MsgOption{text, thread, slackapi.MsgOptionDisableMarkdown()}
		if len(j.blocks) > 0 {
			opts = append(opts, slackapi.MsgOptionBlocks(j.blocks...))
		}
		ch, ts, err := o.api.PostMessageContext(ctx, j.channel, opts...)
		if err == nil && j.ref != nil {
			j.ref.set(ts)
			j.ref.setChannel(ch)
		}
		return err
	case jobUpdate:
		ts := j.ts
		if ts == "" && j.ref != nil {
			ts = j.ref.get()
		}
		if ts == "" {
			return nil // the message never went out: nothing to change
		}
		channel := j.channel
		if j.ref != nil && j.ref.channelID() != "" {
			channel = j.ref.channelID() // posting by name, updating by id
		}
		_, _, _, err := o.api.UpdateMessageContext(ctx, channel, ts, text, slackapi.MsgOptionBlocks(j.blocks...))
		return err
	case jobEphemeral:
		_, err := o.api.PostEphemeralContext(ctx, j.channel, j.user, text, thread)
		return err
	case jobUpload:
		_, err := o.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Filename: "parley-output.txt", Title: "Output", SnippetType: "text",
			Content: j.content, FileSize: len(j.content),
			Channel: j.channel, ThreadTimestamp: j.thread, InitialComment: j.text,
		})
		return err
	}
	return nil
}

// wait blocks until every queued job has been sent or given up.
func (o *outbox) wait() { o.wg.Wait() }

// bucket is a token bucket: rate tokens a second, at most burst saved.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

// refill adds the tokens earned since the last call (a new bucket starts
// full).
func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// reserve takes a token and returns how long to wait before using it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// sleep waits for d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
