// Package api is Parley's HTTP API: other chat tools, scripts and GUIs talk
// to the same bot with POST /v1/messages, read the catalog at /v1/skills,
// and operators check /healthz, /readyz and /metrics.
//
// Every /v1 request carries a bearer token from configuration, bound to an
// identity and its roles: the API never takes a person's roles from the
// request.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/metrics"
	"github.com/parleybot/parley/skills"
)

// Engine handles a message. *dialog.Engine satisfies it.
type Engine interface {
	Handle(ctx context.Context, msg dialog.Message) dialog.Outcome
}

// Identity is who a token speaks for.
type Identity struct {
	User  string
	Roles []string
}

// Token binds a secret bearer token to an identity.
type Token struct {
	Name   string // for logs, never the secret
	Secret string
	Identity
}

// Config assembles the API. Engine and Skills are required.
type Config struct {
	Engine Engine
	Skills func() []*skills.Skill
	Tokens []Token
	// Ready reports whether dependencies (Redis, databases) are reachable.
	Ready   func(ctx context.Context) error
	Metrics *metrics.Registry
	Logger  *slog.Logger
	// MaxBody bounds a request body (default 64 KB).
	MaxBody int64
}

type server struct {
	cfg Config
	log *slog.Logger
}

// New returns the API's handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	s := &server{cfg: cfg, log: cfg.Logger}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", s.authed(s.messages))
	mux.HandleFunc("GET /v1/skills", s.authed(s.skills))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /metrics", s.metrics)
	return mux
}

// authed checks the bearer token in constant time against every
// configured token.
func (s *server) authed(next func(http.ResponseWriter, *http.Request, Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var who *Token
		if ok && given != "" {
			for i := range s.cfg.Tokens {
				t := &s.cfg.Tokens[i]
				if subtle.ConstantTimeCompare([]byte(given), []byte(t.Secret)) == 1 && t.Secret != "" {
					who = t
				}
			}
		}
		if who == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
			writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
			return
		}
		next(w, r, who.Identity)
	}
}

// MessageRequest is the body of POST /v1/messages.
type MessageRequest struct {
	User    string `json:"user"`
	Channel string `json:"channel"`
	Thread  string `json:"thread"`
	Text    string `json:"text"`
}

// MessageResponse is what a turn did.
type MessageResponse struct {
	Replies  []string          `json:"replies"`
	State    string            `json:"state"`
	Intent   string            `json:"intent,omitempty"`
	Asks     string            `json:"asks,omitempty"`
	Confirm  string            `json:"confirm,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	Denied   bool              `json:"denied,omitempty"`
	Executed *Executed         `json:"executed,omitempty"`
}

// Executed reports a skill run.
type Executed struct {
	Skill      string            `json:"skill"`
	Params     map[string]string `json:"params,omitempty"`
	OK         bool              `json:"ok"`
	DryRun     bool              `json:"dry_run,omitempty"`
	DurationMS float64           `json:"duration_ms"`
}

func (s *server) messages(w http.ResponseWriter, r *http.Request, id Identity) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "the request body is too large")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "could not read the request body")
		return
	}
	var req MessageRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || !utf8.Valid(body) {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object with user, channel, thread and text")
		return
	}
	if req.User != "" && req.User != id.User {
		writeError(w, http.StatusForbidden, "this token speaks for "+id.User+" only")
		return
	}
	if req.Channel == "" {
		req.Channel = "api"
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	out := s.cfg.Engine.Handle(ctx, dialog.Message{User: id.User, Roles: id.Roles, Channel: req.Channel, Thread: req.Thread, Text: req.Text, Via: "api"})
	resp := MessageResponse{
		Replies: out.Replies, State: out.State.String(), Intent: out.Intent, Asks: out.Asks,
		Confirm: out.Confirm, Params: out.Params, Denied: out.Denied,
	}
	if resp.Replies == nil {
		resp.Replies = []string{}
	}
	if ex := out.Executed; ex != nil {
		resp.Executed = &Executed{Skill: ex.Skill, Params: ex.Params, OK: ex.Err == nil, DryRun: ex.Result.DryRun,
			DurationMS: float64(ex.Duration.Microseconds()) / 1000}
	}
	writeJSON(w, http.StatusOK, resp)
}

// SkillSchema describes a skill for /v1/skills.
type SkillSchema struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Risk        string        `json:"risk"`
	Confirm     bool          `json:"needs_confirmation"`
	Require2FA  bool          `json:"require_2fa,omitempty"`
	Approvals   int           `json:"approvals,omitempty"`
	Allowed     bool          `json:"allowed"`
	Params      []ParamSchema `json:"params"`
}

// ParamSchema describes one parameter.
type ParamSchema struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Default  string   `json:"default,omitempty"`
	Values   []string `json:"values,omitempty"`
	Question string   `json:"question,omitempty"`
	Secret   bool     `json:"secret,omitempty"`
}

func (s *server) skills(w http.ResponseWriter, r *http.Request, id Identity) {
	list := []SkillSchema{}
	for _, sk := range s.cfg.Skills() {
		ok, _ := sk.Allowed(id.Roles, skills.Args{})
		sc := SkillSchema{Name: sk.Name, Description: sk.Description, Risk: sk.Risk.String(), Confirm: sk.NeedsConfirmation(),
			Require2FA: sk.Require2FA, Approvals: sk.Approvals, Allowed: ok, Params: []ParamSchema{}}
		for _, p := range sk.Params {
			sc.Params = append(sc.Params, ParamSchema{Name: p.Name, Type: p.Type.Name(), Required: p.Required, Default: p.Default,
				Values: p.Type.Values(), Question: p.Question, Secret: p.Secret})
		}
		list = append(list, sc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"skills": list})
}

func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.WarnContext(ctx, "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.cfg.Metrics.WriteText(w); err != nil {
		s.log.Warn("writing metrics", "err", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
