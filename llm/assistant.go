package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Assistant asks a language model what a message means, as a proposal
// the caller validates like any other understanding. It is safe for
// concurrent use.
type Assistant struct {
	cfg    Config
	log    *slog.Logger
	client *openai.Client
	brk    *breaker
	cache  *replyCache // nil when turned off
	n      counters
}

// New checks cfg and returns an Assistant. The base URL must be http or
// https and the model must be named.
func New(cfg Config) (*Assistant, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey.Reveal())
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = limitedDoer{c: cfg.HTTPClient}
	a := &Assistant{
		cfg:    cfg,
		log:    cfg.Logger,
		client: openai.NewClientWithConfig(oc),
		brk:    &breaker{threshold: cfg.FailureThreshold, cooldown: cfg.Cooldown},
	}
	if cfg.CacheSize > 0 {
		a.cache = newReplyCache(cfg.CacheSize, cfg.CacheTTL)
	}
	if cfg.insecure() {
		a.log.Warn("the LLM API key is sent over plain http to a host that is not this machine", "llm", cfg)
	}
	return a, nil
}

// Propose asks the model to map r to one of the offered skills. Errors
// wrap ErrUnavailable (the model could not be asked in time) or
// ErrNoProposal (it answered with nothing usable; Answer may then hold
// what it said instead). A Proposal's Skill is always one of r.Skills.
func (a *Assistant) Propose(ctx context.Context, r Request) (Proposal, error) {
	o, err := newOffer(r)
	if err != nil {
		return Proposal{}, err
	}
	rep, err := a.ask(ctx, o.cacheKey(), a.cfg.Timeout, func() (openai.ChatCompletionRequest, error) {
		return o.request(a.cfg)
	}, func() []any {
		return []any{"skills", o.tools, "pending", o.pendingLog()}
	})
	if err != nil {
		return Proposal{}, err
	}
	p, err := o.proposal(rep)
	if err != nil {
		a.n.rejected.Add(1)
		a.log.DebugContext(ctx, "llm reply discarded", "reason", err)
		return p, err
	}
	a.n.accepted.Add(1)
	a.n.paramsRejected.Add(uint64(len(p.Rejected)))
	if len(p.Rejected) > 0 {
		a.log.DebugContext(ctx, "llm parameters dropped", "skill", p.Skill, "rejected", p.Rejected)
	}
	return p, nil
}

// request builds the chat completion request for the offer.
func (o *offer) request(cfg Config) (openai.ChatCompletionRequest, error) {
	tools := make([]openai.Tool, len(o.skills))
	for i, s := range o.skills {
		schema, err := Schema(s)
		if err != nil {
			return openai.ChatCompletionRequest{}, err
		}
		desc := s.Description
		if desc == "" {
			desc = "Run " + s.Name + "."
		}
		tools[i] = openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: o.tools[i], Description: desc, Parameters: schema,
		}}
	}
	return openai.ChatCompletionRequest{
		Model: cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: o.system()},
			{Role: openai.ChatMessageRoleUser, Content: o.text},
		},
		Tools:               tools,
		ParallelToolCalls:   false,
		MaxCompletionTokens: cfg.MaxTokens,
	}, nil
}

// pendingLog is the pending context for logs: known values of secret
// parameters show as redacted.
func (o *offer) pendingLog() slog.Value {
	pv := o.pending
	if pv == nil {
		return slog.StringValue("none")
	}
	known := make([]slog.Attr, 0, len(pv.known)+len(o.withheld))
	for _, k := range sortedKeys(pv.known) {
		known = append(known, slog.String(k, pv.known[k]))
	}
	for _, k := range o.withheld {
		known = append(known, slog.String(k, redacted))
	}
	asking := ""
	if pv.asking != nil {
		asking = pv.asking.Name
	}
	return slog.GroupValue(slog.String("skill", pv.skill.Name), slog.String("asking", asking), slog.Attr{Key: "known", Value: slog.GroupValue(known...)})
}

// errTimedOut is the cause of a call's context when the assistant's own
// timeout ended it.
var errTimedOut = errors.New("the model did not answer in time")

// ask returns the model's reply to the request build makes: from the
// cache under key when there (an empty key skips the cache), otherwise
// through the breaker with the given timeout. Only successful replies are
// cached.
func (a *Assistant) ask(ctx context.Context, key string, timeout time.Duration, build func() (openai.ChatCompletionRequest, error), attrs func() []any) (reply, error) {
	if key != "" && a.cache != nil {
		if rep, ok := a.cache.get(key, a.cfg.Now()); ok {
			a.n.cacheHits.Add(1)
			return rep, nil
		}
		a.n.cacheMisses.Add(1)
	}
	req, err := build()
	if err != nil {
		return reply{}, fmt.Errorf("%w: %w", ErrNoProposal, err)
	}
	t, ok := a.brk.allow(a.cfg.Now())
	if !ok {
		a.n.shortCircuited.Add(1)
		return reply{}, fmt.Errorf("%w: the circuit breaker is open after repeated failures", ErrUnavailable)
	}
	if a.log.Enabled(ctx, slog.LevelDebug) {
		body, _ := json.Marshal(req)
		a.log.DebugContext(ctx, "llm request", append(attrs(), "model", a.cfg.Model, "body", string(body))...)
	}

	cctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimedOut)
	defer cancel()
	start := time.Now()
	resp, err := a.client.CreateChatCompletion(cctx, req)
	elapsed := time.Since(start)
	a.n.calls.Add(1)
	a.n.latency.observe(elapsed)
	if err != nil {
		o, wrapped := a.classify(ctx, cctx, err, timeout)
		a.n.errors.Add(1)
		a.settle(ctx, t, o)
		a.log.DebugContext(ctx, "llm call failed", "err", wrapped, "latency", elapsed)
		return reply{}, wrapped
	}
	a.settle(ctx, t, success)
	a.n.promptTokens.Add(uint64(max(resp.Usage.PromptTokens, 0)))
	a.n.completionTokens.Add(uint64(max(resp.Usage.CompletionTokens, 0)))
	if len(resp.Choices) == 0 {
		return reply{}, fmt.Errorf("%w: the reply has no choices", ErrNoProposal)
	}
	msg := resp.Choices[0].Message
	rep := reply{content: msg.Content}
	if rep.content == "" {
		rep.content = msg.Refusal
	}
	for _, c := range msg.ToolCalls {
		rep.calls = append(rep.calls, toolCall{typ: string(c.Type), name: c.Function.Name, args: c.Function.Arguments})
	}
	if a.log.Enabled(ctx, slog.LevelDebug) {
		calls := make([]string, len(rep.calls))
		for i, c := range rep.calls {
			calls[i] = clip(c.name, maxParamName) + " " + clip(c.args, 2048)
		}
		a.log.DebugContext(ctx, "llm reply", "tool_calls", calls, "content", clip(rep.content, maxAnswerRunes),
			"finish_reason", string(resp.Choices[0].FinishReason), "prompt_tokens", resp.Usage.PromptTokens,
			"completion_tokens", resp.Usage.CompletionTokens, "latency", elapsed)
	}
	if key != "" && a.cache != nil {
		a.cache.put(key, rep, a.cfg.Now())
	}
	return rep, nil
}

// settle tells the breaker how a call ended and logs a change of state.
func (a *Assistant) settle(ctx context.Context, t ticket, o outcome) {
	from, to := a.brk.record(t, o, a.cfg.Now())
	switch {
	case from == to:
	case to == Open:
		_, opened := a.brk.snapshot(a.cfg.Now())
		a.log.WarnContext(ctx, "llm circuit breaker opened", "failures", a.cfg.FailureThreshold, "cooldown", a.cfg.Cooldown, "times_opened", opened)
	case to == Closed:
		a.log.InfoContext(ctx, "llm circuit breaker closed")
	}
}

// classify wraps a failed call's error in ErrUnavailable with a short
// reason, and says whether it speaks against the model's health: a
// timeout, a rate limit, a server error, a network error or a
// misconfiguration (401, 403, 404) does; the caller giving up or a 4xx
// about this one request does not.
func (a *Assistant) classify(parent, ctx context.Context, err error, timeout time.Duration) (outcome, error) {
	if parent.Err() != nil {
		return neutral, fmt.Errorf("%w: %w", ErrUnavailable, parent.Err())
	}
	if errors.Is(context.Cause(ctx), errTimedOut) {
		a.n.timeouts.Add(1)
		return failure, fmt.Errorf("%w: no answer within %v", ErrUnavailable, timeout)
	}
	status, msg := 0, ""
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, clip(oneLine(apiErr.Message), 200)
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	if status == 0 {
		return failure, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	wrapped := fmt.Errorf("%w: status %d: %s", ErrUnavailable, status, msg)
	switch {
	case status == http.StatusTooManyRequests:
		a.n.rateLimited.Add(1)
		return failure, wrapped
	case status >= 500, status == http.StatusRequestTimeout,
		status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusNotFound:
		return failure, wrapped
	}
	return neutral, wrapped
}

// Stats returns the counters and current state.
func (a *Assistant) Stats() Stats {
	st, opened := a.brk.snapshot(a.cfg.Now())
	p50, p99, n := a.n.latency.percentiles()
	return Stats{
		Calls:            a.n.calls.Load(),
		Errors:           a.n.errors.Load(),
		Timeouts:         a.n.timeouts.Load(),
		RateLimited:      a.n.rateLimited.Load(),
		ShortCircuited:   a.n.shortCircuited.Load(),
		CacheHits:        a.n.cacheHits.Load(),
		CacheMisses:      a.n.cacheMisses.Load(),
		Breaker:          st,
		BreakerOpened:    opened,
		PromptTokens:     a.n.promptTokens.Load(),
		CompletionTokens: a.n.completionTokens.Load(),
		Accepted:         a.n.accepted.Load(),
		Rejected:         a.n.rejected.Load(),
		ParamsRejected:   a.n.paramsRejected.Load(),
		LatencyP50:       p50,
		LatencyP99:       p99,
		LatencySamples:   n,
	}
}

// maxResponse bounds a response body read from the server.
const maxResponse = 1 << 20

// limitedDoer makes a response body longer than maxResponse fail to read,
// so a broken or hostile server cannot make the bot buffer without end.
type limitedDoer struct{ c *http.Client }

func (d limitedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{r: resp.Body, left: maxResponse}
	return resp, nil
}

type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("response longer than %d bytes", maxResponse)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }
