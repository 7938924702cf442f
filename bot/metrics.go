package bot

import (
	"context"
	"time"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/metrics"
	"github.com/parleybot/parley/llm"
)

// meters counts what the bot does, for /metrics.
type meters struct {
	messages, intents, fallbacks, confirmations, executions *metrics.Counter
	executor                                                *metrics.Histogram
}

func newMeters(r *metrics.Registry) *meters {
	return &meters{
		messages:      r.Counter("parley_messages_total", "Messages handled, by the way they came.", "via"),
		intents:       r.Counter("parley_intents_total", "Intents recognised.", "intent"),
		fallbacks:     r.Counter("parley_fallbacks_total", "Messages not understood (out of scope or ambiguous)."),
		confirmations: r.Counter("parley_confirmations_total", "Answers to confirmation questions and approvals, by outcome.", "outcome"),
		executions:    r.Counter("parley_executions_total", "Skill executions by skill and outcome.", "skill", "outcome"),
		executor:      r.Histogram("parley_executor_seconds", "Time skills took to execute.", metrics.LatencyBuckets(), "skill"),
	}
}

// Observe counts one turn.
func (m *meters) Observe(_ context.Context, msg dialog.Message, out dialog.Outcome) {
	via := msg.Via
	if via == "" {
		via = "unknown"
	}
	m.messages.Inc(via)
	if out.Intent != "" {
		m.intents.Inc(out.Intent)
	}
	if out.Intent == "out_of_scope" {
		m.fallbacks.Inc()
	}
	for _, r := range out.Records {
		switch r.Kind {
		case "confirmed", "cancelled", "expired", "approved", "rejected":
			m.confirmations.Inc(r.Kind)
		case "executed", "failed":
			m.executions.Inc(r.Skill, r.Kind)
			m.executor.Observe(r.Duration.Seconds(), r.Skill)
		case "refused":
			m.executions.Inc(r.Skill, "refused")
		}
	}
}

// timedStore measures the latency of the conversation store.
type timedStore struct {
	dialog.Store
	h *metrics.Histogram
}

func (s timedStore) Load(ctx context.Context, key string) ([]byte, int64, error) {
	defer s.h.Since(time.Now(), "load")
	return s.Store.Load(ctx, key)
}

func (s timedStore) Swap(ctx context.Context, key string, version int64, data []byte) (int64, error) {
	defer s.h.Since(time.Now(), "swap")
	return s.Store.Swap(ctx, key, version, data)
}

// llmMetrics exposes the language model's statistics.
func llmMetrics(r *metrics.Registry, a *llm.Assistant) {
	counter := func(name, help string, f func(llm.Stats) uint64) {
		r.CounterFunc(name, help, func() float64 { return float64(f(a.Stats())) })
	}
	counter("parley_llm_calls_total", "Calls to the language model.", func(s llm.Stats) uint64 { return s.Calls })
	counter("parley_llm_errors_total", "Failed calls to the language model (timeouts and 429 included).", func(s llm.Stats) uint64 { return s.Errors })
	counter("parley_llm_short_circuited_total", "Requests refused by the open circuit breaker.", func(s llm.Stats) uint64 { return s.ShortCircuited })
	counter("parley_llm_cache_hits_total", "Answers served from the cache.", func(s llm.Stats) uint64 { return s.CacheHits })
	counter("parley_llm_prompt_tokens_total", "Prompt tokens sent.", func(s llm.Stats) uint64 { return s.PromptTokens })
	counter("parley_llm_completion_tokens_total", "Completion tokens received.", func(s llm.Stats) uint64 { return s.CompletionTokens })
	counter("parley_llm_proposals_accepted_total", "Model replies that became proposals.", func(s llm.Stats) uint64 { return s.Accepted })
	counter("parley_llm_proposals_rejected_total", "Model replies discarded.", func(s llm.Stats) uint64 { return s.Rejected })
	r.GaugeFunc("parley_llm_latency_p50_seconds", "Median latency of recent model calls.", func() float64 { return a.Stats().LatencyP50.Seconds() })
	r.GaugeFunc("parley_llm_latency_p99_seconds", "99th percentile latency of recent model calls.", func() float64 { return a.Stats().LatencyP99.Seconds() })
	r.GaugeFunc("parley_llm_breaker_open", "1 while the circuit breaker is open.", func() float64 {
		if a.Stats().Breaker == llm.Open {
			return 1
		}
		return 0
	})
}
