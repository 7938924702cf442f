package notify

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// TextSink writes messages as lines of text, the way the shell shows
// them:
//
//	[#ops] 🔥 CRITICAL: disk full on db-1 (fired 3 times in 2 min)
//	  /var is 98% full
//	  Say: ack #42
//
// An update is written again in full, marked "(updated)". Control
// characters other than line breaks are dropped, so that no sender can
// drive the terminal. A TextSink is safe for concurrent use.
type TextSink struct {
	mu  sync.Mutex
	w   io.Writer
	seq int
}

var _ Sink = (*TextSink)(nil)

// NewTextSink returns a TextSink writing to w.
func NewTextSink(w io.Writer) *TextSink { return &TextSink{w: w} }

// Post implements Sink; refs are "1", "2", ….
func (s *TextSink) Post(_ context.Context, channel string, m Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if _, err := io.WriteString(s.w, formatText(channel, "", m)); err != nil {
		return "", fmt.Errorf("notify: writing to %s: %w", channel, err)
	}
	return strconv.Itoa(s.seq), nil
}

// Update implements Sink.
func (s *TextSink) Update(_ context.Context, channel, _ string, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.w, formatText(channel, "(updated) ", m)); err != nil {
		return fmt.Errorf("notify: writing to %s: %w", channel, err)
	}
	return nil
}

func formatText(channel, mark string, m Message) string {
	var b strings.Builder
	if !strings.HasPrefix(channel, "#") {
		channel = "#" + channel
	}
	fmt.Fprintf(&b, "[%s] %s%s: ", printable(channel), mark, severityBadge(m.Severity))
	for i, line := range strings.Split(printable(m.Text), "\n") {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(line)
	}
	for _, a := range m.Actions {
		b.WriteString("\n  Say: ")
		b.WriteString(printable(oneLine(a.Command)))
	}
	b.WriteByte('\n')
	return b.String()
}

func severityBadge(s Severity) string {
	switch s {
	case Critical:
		return "🔥 CRITICAL"
	case Warning:
		return "⚠️ WARNING"
	}
	return "ℹ️ INFO"
}

// printable drops control characters but line breaks.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
}

// Call is one call a RecordingSink received.
type Call struct {
	Op      string // "post" or "update"
	Channel string
	Ref     string
	Message Message
}

// RecordingSink remembers every call, for tests. Its zero value is ready
// to use and it is safe for concurrent use.
type RecordingSink struct {
	// Hook, when set, is called before each call is recorded, outside the
	// sink's lock: it may block (a slow chat) or fail the call (a broken
	// one), in which case nothing is recorded.
	Hook func(ctx context.Context, op, channel string) error

	mu    sync.Mutex
	seq   int
	calls []Call
}

var _ Sink = (*RecordingSink)(nil)

// Post implements Sink; refs are "m1", "m2", ….
func (s *RecordingSink) Post(ctx context.Context, channel string, m Message) (string, error) {
	if s.Hook != nil {
		if err := s.Hook(ctx, "post", channel); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	ref := "m" + strconv.Itoa(s.seq)
	s.calls = append(s.calls, Call{Op: "post", Channel: channel, Ref: ref, Message: m})
	return ref, nil
}

// Update implements Sink.
func (s *RecordingSink) Update(ctx context.Context, channel, ref string, m Message) error {
	if s.Hook != nil {
		if err := s.Hook(ctx, "update", channel); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Op: "update", Channel: channel, Ref: ref, Message: m})
	return nil
}

// Calls returns the calls of op ("post", "update", or "" for both) to
// channel ("" for all), in order.
func (s *RecordingSink) Calls(op, channel string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if (op == "" || c.Op == op) && (channel == "" || c.Channel == channel) {
			out = append(out, c)
		}
	}
	return out
}

// Current returns what message ref shows now: its last update, or its
// post.
func (s *RecordingSink) Current(ref string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.calls) - 1; i >= 0; i-- {
		if s.calls[i].Ref == ref {
			return s.calls[i].Message, true
		}
	}
	return Message{}, false
}
