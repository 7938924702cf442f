package training

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parleybot/parley/nlu"
)

// Teaching is one example a person taught the bot, with who and when.
type Teaching struct {
	ID       string       `json:"id"`
	Text     string       `json:"text"`
	Intent   string       `json:"intent"`
	Entities []nlu.Entity `json:"entities,omitempty"`
	By       string       `json:"by"`
	At       time.Time    `json:"at"`
	// Source says how it was taught: "chat", "cli", "review",
	// "did-you-mean".
	Source string `json:"source"`
}

// Example is the teaching as a training example.
func (t Teaching) Example() nlu.Example {
	return nlu.Example{Text: t.Text, Intent: t.Intent, Entities: t.Entities}
}

// Candidate is a phrasing waiting for a trainer's review: a pick after
// "Did you mean…?", a teaching from someone without the trainer role, or
// a message the bot did not understand (Intent "").
type Candidate struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Intent string `json:"intent,omitempty"`
	// Guesses are the intents the bot offered, best first.
	Guesses []string  `json:"guesses,omitempty"`
	By      string    `json:"by"`
	Channel string    `json:"channel,omitempty"`
	At      time.Time `json:"at"`
	Source  string    `json:"source"`
	// Count is how often the same text (and intent) was proposed.
	Count int `json:"count"`
}

// Decision resolves a candidate: approve it as Intent, or reject it.
type Decision struct {
	Approve bool
	// Intent overrides the candidate's intent when approving (required
	// when the candidate has none).
	Intent string
	By     string
	At     time.Time
}

// Store keeps what people taught and the review queue. Implementations are
// safe for concurrent use; with a shared backend (Redis) every bot process
// sees the same examples and queue.
type Store interface {
	// Examples returns every taught example, oldest first.
	Examples(ctx context.Context) ([]Teaching, error)
	// Teach records an example. An empty ID is filled in; the same text
	// taught again replaces the earlier intent.
	Teach(ctx context.Context, t Teaching) (Teaching, error)
	// Propose queues a candidate. The same text (case and spaces aside)
	// with the same intent is counted, not queued twice.
	Propose(ctx context.Context, c Candidate) (Candidate, error)
	// Candidates returns the queue, oldest first.
	Candidates(ctx context.Context) ([]Candidate, error)
	// Resolve takes a candidate off the queue; approving also teaches it
	// (Source "review", By the reviewer). An unknown id is ErrUnknown.
	Resolve(ctx context.Context, id string, d Decision) (Candidate, error)
	// Changes delivers a value whenever the examples change, in this
	// process or another, until ctx ends. Bursts may be coalesced. The
	// channel is never closed: select on ctx.Done() beside it.
	Changes(ctx context.Context) <-chan struct{}
}

// ErrUnknown is returned for a candidate id that is not in the queue.
var ErrUnknown = errors.New("no such candidate")

// Key is how phrasings are compared: case, repeated spaces and trailing
// punctuation aside.
func Key(text string) string {
	return strings.TrimRight(strings.Join(strings.Fields(strings.ToLower(text)), " "), ".!?,;: ")
}
