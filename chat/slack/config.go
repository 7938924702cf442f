package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/parleybot/parley/chat/dedupe"
	"github.com/parleybot/parley/chat/threads"
)

// Secret is a credential. It prints and logs as "[redacted]"; Reveal
// returns the value for the one place that needs it.
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string { return redacted }

// GoString hides the secret from %#v too.
func (s Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps the secret out of JSON, YAML and the like.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// Mode is how the Adapter receives events.
type Mode int

// Modes.
const (
	SocketMode Mode = iota // outbound WebSocket, needs an app-level token
	EventsAPI              // inbound HTTP, needs a signing secret
)

func (m Mode) String() string {
	if m == SocketMode {
		return "socket mode"
	}
	return "events api"
}

// ThreadIndex remembers, per person and channel, the thread of the dialog
// waiting for their answer (package threads has a memory and a Redis one).
type ThreadIndex interface {
	Wait(ctx context.Context, user, channel, thread string) error
	Done(ctx context.Context, user, channel, thread string) error
	Get(ctx context.Context, user, channel string) (string, error)
}

// Config assembles an Adapter. BotToken is required, and so is AppToken
// (Socket Mode) or SigningSecret (Events API); everything else has a
// default.
type Config struct {
	BotToken Secret
	// AppToken (xapp-…) selects Socket Mode.
	AppToken Secret
	// SigningSecret verifies Events API requests.
	SigningSecret Secret
	// APIURL is Slack's Web API base (default https://slack.com/api/).
	APIURL string
	// BotUserID is the bot's own user id; empty: asked with auth.test.
	BotUserID string

	// Deduper remembers handled events (default: in this process only).
	Deduper dedupe.Deduper
	// Threads remembers where each person's dialog waits for an answer,
	// so one typed at the top of the channel reaches it (default: in this
	// process only; threads.NewRedis shares it between processes).
	Threads ThreadIndex
	// Directory says who a Slack user is to Parley. Default: one built
	// from Users, Groups and RolesOf that asks Slack for display names
	// and group members.
	Directory Directory
	// Users maps Slack user ids to the names people have in Parley's
	// configuration. Unmapped people are known by their Slack id.
	Users map[string]string
	// Groups gives the members of Slack user groups (S…) roles.
	Groups map[string][]string
	// RolesOf returns the configured roles of a person's name.
	RolesOf func(name string) []string
	// Dangerous tells whether a skill is dangerous, to style its Confirm
	// button red. Nil: every Confirm button is red.
	Dangerous func(skill string) bool

	// MaxConcurrent bounds the events handled at once (16).
	MaxConcurrent int
	// QueueSize bounds the events queued or in flight (1024); past it the
	// Events API answers 503 and Socket Mode leaves the envelope
	// unacknowledged, so Slack delivers it again later.
	QueueSize int
	// MaxBody bounds an Events API request body (1 MB); larger is 413.
	MaxBody int64
	// SignatureWindow is how old a signed request may be (5 minutes).
	SignatureWindow time.Duration
	// ChannelRate is the messages per second posted to one channel (1),
	// with bursts of ChannelBurst (3).
	ChannelRate  float64
	ChannelBurst int
	// PersonRate is how many messages a second one person may have
	// handled (0.5), with bursts of PersonBurst (10); past it the person
	// is told once to slow down and further messages are dropped until
	// the pace falls. Button presses are not counted.
	PersonRate  float64
	PersonBurst int
	// MaxAttempts bounds how often one message is sent when Slack answers
	// 429 (5).
	MaxAttempts int
	// MaxText is the longest message posted, in characters (4000); longer
	// replies are truncated with a note.
	MaxText int
	// UploadAbove is the reply length, in characters, above which the
	// reply is uploaded as a snippet instead (8000).
	UploadAbove int
	// CacheTTL is how long display names and group members are kept (10m).
	CacheTTL time.Duration
	// DrainTimeout bounds how long Run waits for queued and running
	// events when it stops (75s: longer than a skill's default run).
	DrainTimeout time.Duration

	Logger *slog.Logger
	// Now is the clock (time.Now).
	Now func() time.Time
	// HTTPClient calls Slack's Web API (a client with a 30 s timeout).
	HTTPClient *http.Client
	// SocketOptions are passed to slack-go's socketmode client.
	SocketOptions []socketmode.Option
}

// Mode reports the transport the configuration selects.
func (c *Config) Mode() Mode {
	if c.AppToken != "" {
		return SocketMode
	}
	return EventsAPI
}

// Validate checks the credentials. Its messages name what to set and never
// include a secret.
func (c *Config) Validate() error {
	var errs []error
	switch {
	case c.BotToken == "":
		errs = append(errs, errors.New("slack: the bot token (xoxb-…) is required"))
	case !strings.HasPrefix(c.BotToken.Reveal(), "xoxb-"):
		errs = append(errs, errors.New("slack: the bot token must start with xoxb-"))
	}
	switch {
	case c.AppToken != "" && !strings.HasPrefix(c.AppToken.Reveal(), "xapp-"):
		errs = append(errs, errors.New("slack: the app-level token must start with xapp-"))
	case c.AppToken == "" && c.SigningSecret == "":
		errs = append(errs, errors.New("slack: set an app-level token (Socket Mode) or a signing secret (Events API)"))
	}
	return errors.Join(errs...)
}

func (c *Config) fill() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxConcurrent, 16)
	def(&c.QueueSize, 1024)
	def(&c.ChannelBurst, 3)
	def(&c.PersonBurst, 10)
	def(&c.MaxAttempts, 5)
	def(&c.MaxText, 4000)
	def(&c.UploadAbove, 8000)
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	if c.SignatureWindow <= 0 {
		c.SignatureWindow = 5 * time.Minute
	}
	if c.ChannelRate <= 0 {
		c.ChannelRate = 1
	}
	if c.PersonRate <= 0 {
		c.PersonRate = 0.5
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = 10 * time.Minute
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 75 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.Deduper == nil {
		c.Deduper = dedupe.NewMemory(0, c.Now)
	}
	if c.Threads == nil {
		c.Threads = threads.NewMemory(0, c.Now)
	}
	if c.RolesOf == nil {
		c.RolesOf = func(string) []string { return nil }
	}
}
