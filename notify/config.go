package notify

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of Config.
const (
	DefaultWindow        = 10 * time.Minute
	DefaultRatePerMinute = 20
	DefaultUpdateEvery   = 30 * time.Second
	DefaultResolveWithin = 24 * time.Hour
	DefaultDigestItems   = 1000
	DefaultQueue         = 1024
)

// Config says where notifications go and how much noise each channel
// takes. The zero value of every field but Default means its default.
type Config struct {
	// Routes are tried in order; the first that matches a notification
	// decides its channels.
	Routes []Rule
	// Default is the channel of notifications no route matches.
	Default string
	// Window is how long identical notifications keep updating the first
	// message instead of posting a new one (DefaultWindow).
	Window time.Duration
	// RatePerMinute is how many messages a channel gets per minute at
	// most; the rest wait in a digest (DefaultRatePerMinute).
	RatePerMinute int
	// QuietHours maps a channel to the hours in which it gets only
	// critical notifications; the rest are posted as one digest when the
	// quiet hours end.
	QuietHours map[string]Quiet
	// UpdateEvery is the shortest time between two updates of one
	// message with a new count (DefaultUpdateEvery). Resolutions are
	// shown at once.
	UpdateEvery time.Duration
	// ResolveWithin is how long a message that was never resolved can
	// still be marked resolved (DefaultResolveWithin).
	ResolveWithin time.Duration
	// DigestItems is how many distinct notifications a digest lists with
	// their counts; beyond that it only counts them (DefaultDigestItems).
	DigestItems int
	// Queue is how many chat calls may wait for the chat adapter before
	// new notifications are folded into digests (DefaultQueue).
	Queue int
}

// Quiet is a daily span of quiet hours, From included and To excluded.
// From after To spans midnight; TimeZone is an IANA name such as
// "Europe/Berlin" (UTC when empty).
type Quiet struct {
	From     string // "22:00"
	To       string // "07:00"
	TimeZone string
}

// DefaultConfig returns a Config that sends everything to channel with
// the default limits.
func DefaultConfig(channel string) Config {
	return Config{Default: channel}.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.RatePerMinute == 0 {
		c.RatePerMinute = DefaultRatePerMinute
	}
	if c.UpdateEvery == 0 {
		c.UpdateEvery = DefaultUpdateEvery
	}
	if c.ResolveWithin == 0 {
		c.ResolveWithin = DefaultResolveWithin
	}
	if c.DigestItems == 0 {
		c.DigestItems = DefaultDigestItems
	}
	if c.Queue == 0 {
		c.Queue = DefaultQueue
	}
	return c
}

// Validate reports every problem of c at once, each naming its field.
func (c Config) Validate() error {
	var errs []error
	if c.Default == "" {
		errs = append(errs, errors.New("default: a default channel is required"))
	}
	for i, r := range c.Routes {
		if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("routes[%d]: %w", i, err))
		}
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"window", c.Window}, {"update_every", c.UpdateEvery}, {"resolve_within", c.ResolveWithin}} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative", f.name, f.d))
		}
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"rate_per_minute", c.RatePerMinute}, {"digest_items", c.DigestItems}, {"queue", c.Queue}} {
		if f.n < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative", f.name, f.n))
		}
	}
	for ch, q := range c.QuietHours {
		if ch == "" {
			errs = append(errs, errors.New("quiet_hours: empty channel name"))
		}
		if _, err := parseQuiet(q); err != nil {
			errs = append(errs, fmt.Errorf("quiet_hours[%s]: %w", ch, err))
		}
	}
	return errors.Join(errs...)
}
