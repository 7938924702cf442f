package llm

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout          = 3 * time.Second
	DefaultSuggestTimeout   = time.Minute
	DefaultFailureThreshold = 5
	DefaultCooldown         = 30 * time.Second
	DefaultCacheSize        = 256
	DefaultCacheTTL         = 10 * time.Minute
	DefaultMaxTokens        = 1024
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

// Config assembles an Assistant. BaseURL and Model are required; a
// deployment without them has no assistant at all (the feature is off by
// default). Everything else has a default.
type Config struct {
	// BaseURL is the OpenAI-compatible API root, /v1 included:
	// https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama),
	// http://127.0.0.1:8080/v1 (llama.cpp), a vLLM server.
	BaseURL string
	// Model is the model name the server knows.
	Model string
	// APIKey is sent as a bearer token; empty sends no Authorization
	// header, as local servers expect.
	APIKey Secret

	// Timeout bounds one Propose call to the model (3 s): a person is
	// waiting for the answer.
	Timeout time.Duration
	// SuggestTimeout bounds one Suggest call (1 min): generating many
	// paraphrases is slow and nobody is waiting in chat.
	SuggestTimeout time.Duration
	// MaxTokens bounds what the model may generate per call (1024).
	MaxTokens int

	// The breaker opens after FailureThreshold (5) consecutive failures
	// and refuses calls for Cooldown (30 s); then one trial call is let
	// through, and its success closes it again.
	FailureThreshold int
	Cooldown         time.Duration

	// CacheSize (256 entries; negative turns the cache off) and CacheTTL
	// (10 min) bound the cache of recent model answers.
	CacheSize int
	CacheTTL  time.Duration

	Logger *slog.Logger
	// Now is the clock of the breaker and the cache (default time.Now).
	Now func() time.Time
	// HTTPClient replaces the default client (which follows no redirects).
	HTTPClient *http.Client
}

// LogValue implements slog.LogValuer: the key is never logged, nor a
// password in the URL.
func (c Config) LogValue() slog.Value {
	key := "none"
	if c.APIKey != "" {
		key = redacted
	}
	return slog.GroupValue(
		slog.String("base_url", redactURL(c.BaseURL)),
		slog.String("model", c.Model),
		slog.String("api_key", key),
		slog.Duration("timeout", c.Timeout),
	)
}

// withDefaults checks c and fills its zero values.
func (c Config) withDefaults() (Config, error) {
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		return c, errors.New("llm: a base URL is required")
	case err != nil:
		// The parser's message repeats the URL, and a password in it.
		return c, errors.New("llm: the base URL does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return c, fmt.Errorf("llm: base URL %s: the scheme must be http or https", redactURL(c.BaseURL))
	case u.Host == "":
		return c, fmt.Errorf("llm: base URL %s has no host", redactURL(c.BaseURL))
	case u.RawQuery != "" || u.Fragment != "":
		return c, fmt.Errorf("llm: base URL %s: a query or fragment is not supported", redactURL(c.BaseURL))
	}
	switch {
	case strings.TrimSpace(c.Model) == "":
		return c, errors.New("llm: a model name is required")
	case len(c.Model) > 256 || strings.ContainsFunc(c.Model, unicode.IsControl):
		return c, errors.New("llm: the model name is not a plain name")
	}
	if c.APIKey != "" && strings.ContainsFunc(string(c.APIKey), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		// Usually a trailing newline from a key file; the key itself is
		// not repeated in the message.
		return c, errors.New("llm: the API key contains spaces or control characters")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"timeout", c.Timeout}, {"suggest timeout", c.SuggestTimeout}, {"cooldown", c.Cooldown}, {"cache TTL", c.CacheTTL}} {
		if d.v < 0 {
			return c, fmt.Errorf("llm: the %s is negative", d.name)
		}
	}
	if c.FailureThreshold < 0 || c.MaxTokens < 0 {
		return c, errors.New("llm: the failure threshold and the token limit must not be negative")
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.Timeout = or(c.Timeout, DefaultTimeout)
	c.SuggestTimeout = or(c.SuggestTimeout, DefaultSuggestTimeout)
	c.Cooldown = or(c.Cooldown, DefaultCooldown)
	c.CacheTTL = or(c.CacheTTL, DefaultCacheTTL)
	c.FailureThreshold = or(c.FailureThreshold, DefaultFailureThreshold)
	c.CacheSize = or(c.CacheSize, DefaultCacheSize)
	c.MaxTokens = or(c.MaxTokens, DefaultMaxTokens)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			// A redirect would resend the prompt, and possibly the key,
			// somewhere not configured.
			return errors.New("redirects are not followed")
		}}
	}
	return c, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// insecure reports whether the key would cross a network in clear text:
// plain http to a host that is not the loopback.
func (c Config) insecure() bool {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme != "http" || c.APIKey == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// redactURL hides a password in a URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
