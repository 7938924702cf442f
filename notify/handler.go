package notify

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Secrets authenticate hook senders. They never print: Secrets is a
// slog.LogValuer and its String names only what is configured.
type Secrets struct {
	// GitHub is the webhook secret GitHub signs with. Without it GitHub
	// hooks are refused.
	GitHub []byte
	// Tokens maps a source (alertmanager, generic) to the bearer token its
	// requests must carry. A source without a token is open to anyone who
	// can reach the endpoint.
	Tokens map[string]string
}

// LogValue implements slog.LogValuer without revealing any secret.
func (s Secrets) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("github", len(s.GitHub) > 0),
		slog.Any("tokens", s.tokenSources()),
	)
}

// GoString keeps %#v from printing the secrets.
func (s Secrets) GoString() string { return s.String() }

func (s Secrets) String() string {
	return fmt.Sprintf("notify.Secrets{github: %t, tokens: %v}", len(s.GitHub) > 0, s.tokenSources())
}

func (s Secrets) tokenSources() []string {
	var out []string
	for src, tok := range s.Tokens {
		if tok != "" {
			out = append(out, src)
		}
	}
	slices.Sort(out)
	return out
}

// Handler serves POST /hooks/{source} for the sources github,
// alertmanager and generic, delivering what it parses to hub.
//
// GitHub requests must carry a valid X-Hub-Signature-256 for
// secrets.GitHub, checked before anything is parsed; without a configured
// secret every GitHub request is refused, saying so. Requests of a source
// with a token in secrets.Tokens must carry "Authorization: Bearer
// <token>". Answers: 202 {"accepted": n} when delivered, 400 for a
// malformed or invalid body, 401 for a missing or wrong signature or
// token, 404 for another source, 405 for another method, 413 for a body
// over MaxBody, 503 once the Hub is closed. logger may be nil.
func Handler(hub *Hub, secrets Secrets, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tokens := map[string][32]byte{}
	for src, tok := range secrets.Tokens {
		// GitHub cannot send a bearer token; its requests are signed.
		if tok != "" && src != SourceGitHub {
			tokens[src] = sha256.Sum256([]byte(tok))
		}
	}
	h := &hookHandler{hub: hub, github: slices.Clone(secrets.GitHub), tokens: tokens, log: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("/hooks/{source}", h.serve)
	return mux
}

type hookHandler struct {
	hub    *Hub
	github []byte
	tokens map[string][32]byte // source → SHA-256 of its token
	log    *slog.Logger
}

type hookReply struct {
	Accepted int    `json:"accepted"`
	Note     string `json:"note,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (h *hookHandler) serve(w http.ResponseWriter, r *http.Request) {
	source := r.PathValue("source")
	switch source {
	case SourceGitHub, SourceAlertmanager, SourceGeneric:
	default:
		h.fail(w, r, http.StatusNotFound, fmt.Sprintf("unknown hook source %q (want github, alertmanager or generic)", source), nil)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, r, http.StatusMethodNotAllowed, "hooks take POST only", nil)
		return
	}
	if source == SourceGitHub && len(h.github) == 0 {
		h.fail(w, r, http.StatusUnauthorized, ErrNoSecret.Error(), nil)
		return
	}
	if want, ok := h.tokens[source]; ok && !bearerMatches(r.Header.Get("Authorization"), want) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley hooks"`)
		h.fail(w, r, http.StatusUnauthorized, "missing or wrong bearer token", nil)
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			h.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes", MaxBody), nil)
			return
		}
		h.fail(w, r, http.StatusBadRequest, "could not read the body", err)
		return
	}

	var ns []Notification
	note := ""
	switch source {
	case SourceGitHub:
		if err := VerifyGitHub(h.github, body, r.Header.Get("X-Hub-Signature-256")); err != nil {
			h.fail(w, r, http.StatusUnauthorized, err.Error(), nil)
			return
		}
		event := r.Header.Get("X-GitHub-Event")
		payload, perr := githubPayload(r.Header.Get("Content-Type"), body)
		if perr == nil {
			ns, perr = ParseGitHub(event, payload)
		}
		err = perr
		if err == nil && len(ns) == 0 {
			note = fmt.Sprintf("GitHub event %q is not one Parley posts", event)
		}
	case SourceAlertmanager:
		ns, err = ParseAlertmanager(body)
	case SourceGeneric:
		ns, err = ParseGeneric(body)
	}
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	}

	accepted := 0
	for _, n := range ns {
		if err := h.hub.Deliver(r.Context(), n); err != nil {
			code := http.StatusServiceUnavailable
			msg := "notifications are not being accepted right now"
			if errors.Is(err, ErrInvalid) {
				code, msg = http.StatusBadRequest, err.Error()
			}
			h.reply(w, code, hookReply{Accepted: accepted, Error: msg})
			h.log.Warn("notify: hook not delivered", "source", source, "accepted", accepted, "err", err)
			return
		}
		accepted++
	}
	h.reply(w, http.StatusAccepted, hookReply{Accepted: accepted, Note: note})
}

// githubPayload returns the JSON of a GitHub hook, which GitHub sends
// either as the body or, with content type form, as its payload field.
func githubPayload(contentType string, body []byte) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || !form.Has("payload") {
		return nil, invalidf("form-encoded GitHub hook without a payload field")
	}
	return []byte(form.Get("payload")), nil
}

// bearerMatches compares the token of an Authorization header with want,
// the SHA-256 of the expected token, in constant time.
func bearerMatches(header string, want [32]byte) bool {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (h *hookHandler) fail(w http.ResponseWriter, r *http.Request, code int, msg string, cause error) {
	level := slog.LevelInfo
	if code == http.StatusUnauthorized {
		level = slog.LevelWarn
	}
	h.log.Log(r.Context(), level, "notify: hook refused", "path", r.URL.Path, "status", code, "reason", msg, "err", cause)
	h.reply(w, code, hookReply{Error: msg})
}

func (h *hookHandler) reply(w http.ResponseWriter, code int, body hookReply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
