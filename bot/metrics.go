package bot

import (
	"context"
	"time"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/metrics"
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
