package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sources of notifications: the {source} of POST /hooks/{source}, and the
// values Rule.Source matches.
const (
	SourceGitHub       = "github"
	SourceAlertmanager = "alertmanager"
	SourceGeneric      = "generic"
)

// Limits on what one notification may carry.
const (
	MaxTitle = 300     // characters
	MaxText  = 3000    // characters
	MaxBody  = 1 << 20 // bytes of one hook request
)

// Severity says how urgently a notification wants attention.
type Severity string

// Severities, least urgent first.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// ParseSeverity reads a severity, ignoring case. Anything but critical,
// warning or info is an error wrapping ErrInvalid.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sev.rank() == 0 {
		return "", invalidf("unknown severity %q (want critical, warning or info)", s)
	}
	return sev, nil
}

func (s Severity) String() string { return string(s) }

// AtLeast reports whether s is as urgent as min or more. Every valid
// severity is at least the empty one.
func (s Severity) AtLeast(min Severity) bool { return s.rank() >= min.rank() }

func (s Severity) rank() int {
	switch s {
	case Info:
		return 1
	case Warning:
		return 2
	case Critical:
		return 3
	}
	return 0
}

// Status says whether the condition a notification reports holds or has
// ended.
type Status string

// Statuses.
const (
	Firing   Status = "firing"
	Resolved Status = "resolved"
)

func (s Status) String() string { return string(s) }

// Action is something a reader can do about a notification: the Slack
// adapter shows it as a button, the shell as "Say: <Command>".
type Action struct {
	Label   string // what the button says: "Acknowledge #42"
	Command string // the chat text that does it: "ack #42"
}

// Notification is one event from a hook, parsed and validated.
type Notification struct {
	Source     string            // SourceGitHub, SourceAlertmanager, SourceGeneric
	Key        string            // what identical notifications share; grouping and resolving use it
	Title      string            // one line, at most MaxTitle characters
	Text       string            // details, at most MaxText characters
	Severity   Severity          // Info when empty
	Labels     map[string]string // for routing
	Repository string            // "org/repo" for GitHub events, when known
	Status     Status            // Firing when empty
	URL        string            // where to read more
	Time       time.Time         // when it happened according to the source; zero when unknown
	Actions    []Action          // what a reader can do about it
	Channel    string            // a channel the sender asks for; honoured only where a Rule allows it
}

// Message is what the Hub hands a Sink to post or to put in place of a
// message it posted before.
type Message struct {
	Text     string
	Severity Severity
	Actions  []Action
}

// Sink delivers messages to chat channels: the chat adapter.
//
// Implementations must be safe for concurrent use. The Hub calls Post and
// Update for one channel from one goroutine, in order, so a Sink may pace a
// channel by blocking. The ref Post returns is whatever the Sink needs to
// find the message again (a Slack timestamp, a line number) and is only
// ever given back to Update for the same channel.
type Sink interface {
	Post(ctx context.Context, channel string, m Message) (ref string, err error)
	Update(ctx context.Context, channel, ref string, m Message) error
}

// Sentinel errors.
var (
	// ErrInvalid is wrapped by every error about the content of a hook
	// request or a notification: the sender's mistake, answered with 400.
	ErrInvalid = errors.New("invalid notification")
	// ErrClosed is returned once the Hub's Run has returned.
	ErrClosed = errors.New("notify: hub is closed")
)

// invalidError is a problem with what a sender sent, worded for them.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// normalize fills a notification's defaults and checks what the Hub relies
// on, whoever built it.
func normalize(n Notification) (Notification, error) {
	n.Title = truncate(oneLine(n.Title), MaxTitle)
	if n.Title == "" {
		return n, invalidf("title is empty")
	}
	n.Text = truncate(n.Text, MaxText)
	if n.Severity == "" {
		n.Severity = Info
	}
	if n.Severity.rank() == 0 {
		return n, invalidf("unknown severity %q (want critical, warning or info)", n.Severity)
	}
	switch n.Status {
	case "":
		n.Status = Firing
	case Firing, Resolved:
	default:
		return n, invalidf("unknown status %q (want firing or resolved)", n.Status)
	}
	if n.Key == "" {
		n.Key = deriveKey(n.Title, n.Repository, n.Labels)
	}
	return n, nil
}

// deriveKey makes a grouping key for a notification that came without one:
// the same title, repository and labels give the same key.
func deriveKey(title, repository string, labels map[string]string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(repository))
	writeLabels(h, labels)
	return "h:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// labelsKey hashes labels alone, in sorted order.
func labelsKey(labels map[string]string) string {
	h := sha256.New()
	writeLabels(h, labels)
	return "labels:" + hex.EncodeToString(h.Sum(nil)[:12])
}

func writeLabels(h interface{ Write([]byte) (int, error) }, labels map[string]string) {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{'='})
		h.Write([]byte(labels[k]))
	}
}

// incidentActions offers what a reader can do about a notification that
// concerns an incident: acknowledge the incident named by the "incident"
// label, or else open one for a firing warning or critical.
func incidentActions(summary string, sev Severity, st Status, labels map[string]string) []Action {
	if st == Resolved {
		return nil
	}
	if id, ok := incidentID(labels["incident"]); ok {
		return []Action{{Label: "Acknowledge #" + id, Command: "ack #" + id}}
	}
	if sev.AtLeast(Warning) {
		return []Action{{Label: "Open an incident", Command: "open an incident: " + commandText(summary)}}
	}
	return nil
}

// incidentID reads an incident number written as 42, #42, INC-42 or
// incident 42.
func incidentID(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, p := range []string{"incident", "inc-", "inc", "#"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	if s == "" || len(s) > 12 {
		return "", false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return s, true
}

// commandText makes sender-provided text safe to splice into a chat
// command: one line, no control characters, at most 120 characters.
func commandText(s string) string {
	return truncate(oneLine(s), 120)
}

// oneLine replaces runs of white space and control characters with one
// space.
func oneLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most n characters, the last one an ellipsis when
// anything was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}
