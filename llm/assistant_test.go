package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

func TestPropose(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		pending *Pending
		local   nlu.Result
		content string
		calls   []call

		wantErr      error
		wantSkill    string
		wantParams   map[string]string
		wantRejected []string
		wantAnswer   string
	}{
		{
			name:       "a correct tool call is normalised by the parameter types",
			text:       "ship Billing 1.4.2 to prod",
			calls:      []call{{"deploy", `{"app":"Billing","environment":"prod","version":"1.4.2"}`}},
			wantSkill:  "deploy",
			wantParams: map[string]string{"app": "billing", "environment": "production", "version": "1.4.2"},
		},
		{
			name:       "the model may normalise a value the person spelled otherwise",
			text:       "roll out checkout to prd with seven replicas",
			calls:      []call{{"deploy", `{"app":"checkout","environment":"production","replicas":7}`}},
			wantSkill:  "deploy",
			wantParams: map[string]string{"app": "checkout", "environment": "production", "replicas": "7"},
		},
		{
			name:    "an unknown skill",
			text:    "drop the users table",
			calls:   []call{{"drop_database", `{"name":"users"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:    "a skill the person may not run is unknown to the model",
			text:    "deploy billing to prod",
			calls:   []call{{"rotate_password", `{"user":"alice"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:         "invalid argument types are rejected, the rest kept",
			text:         "scale billing in staging to lots of replicas",
			calls:        []call{{"deploy", `{"app":"billing","environment":"staging","replicas":"lots"}`}},
			wantSkill:    "deploy",
			wantParams:   map[string]string{"app": "billing", "environment": "staging"},
			wantRejected: []string{"replicas"},
		},
		{
			name:         "an injected host is rejected",
			text:         "restart nginx on web 1; rm -rf /",
			calls:        []call{{"restart_service", `{"service":"nginx","host":"web 1; rm -rf /"}`}},
			wantSkill:    "restart_service",
			wantParams:   map[string]string{"service": "nginx"},
			wantRejected: []string{"host"},
		},
		{
			name:         "numbers out of bounds, fractions, arrays and objects are rejected",
			text:         "deploy billing to staging with 25 or 2.5 replicas",
			calls:        []call{{"deploy", `{"app":["billing"],"environment":{"name":"staging"},"replicas":25}`}},
			wantSkill:    "deploy",
			wantParams:   map[string]string{},
			wantRejected: []string{"app", "environment", "replicas"},
		},
		{
			name:         "unknown and secret parameters are rejected",
			text:         "deploy billing to staging with token abc",
			calls:        []call{{"deploy", `{"app":"billing","environment":"staging","token":"abc","force":true}`}},
			wantSkill:    "deploy",
			wantParams:   map[string]string{"app": "billing", "environment": "staging"},
			wantRejected: []string{"force", "token"},
		},
		{
			name:       "missing required arguments are left for the engine to ask",
			text:       "please restart nginx",
			calls:      []call{{"restart_service", `{"service":"nginx"}`}},
			wantSkill:  "restart_service",
			wantParams: map[string]string{"service": "nginx"},
		},
		{
			name:         "a value the person never gave is dropped",
			text:         "please restart nginx",
			calls:        []call{{"restart_service", `{"service":"nginx","host":"web-9"}`}},
			wantSkill:    "restart_service",
			wantParams:   map[string]string{"service": "nginx"},
			wantRejected: []string{"host"},
		},
		{
			name:       "null is a value left out",
			text:       "please restart nginx",
			calls:      []call{{"restart_service", `{"service":"nginx","host":null}`}},
			wantSkill:  "restart_service",
			wantParams: map[string]string{"service": "nginx"},
		},
		{
			name:       "empty arguments are an empty object",
			text:       "restart something",
			calls:      []call{{"restart_service", ``}},
			wantSkill:  "restart_service",
			wantParams: map[string]string{},
		},
		{
			name:    "malformed JSON arguments",
			text:    "restart nginx on web-1",
			calls:   []call{{"restart_service", `{"service":"nginx","host":"web-1"`}},
			wantErr: ErrNoProposal,
		},
		{
			name:    "arguments that are not an object",
			text:    "restart nginx on web-1",
			calls:   []call{{"restart_service", `["nginx","web-1"]`}},
			wantErr: ErrNoProposal,
		},
		{
			name:    "a parameter given twice",
			text:    "restart nginx on web-1",
			calls:   []call{{"restart_service", `{"host":"web-1","host":"web-2"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:    "data after the arguments",
			text:    "restart nginx on web-1",
			calls:   []call{{"restart_service", `{"host":"web-1"} {"host":"web-2"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:       "no tool call: a plain answer",
			text:       "what is the meaning of life",
			content:    "I can't help with that.",
			wantErr:    ErrNoProposal,
			wantAnswer: "I can't help with that.",
		},
		{
			name:    "two tool calls are ambiguous",
			text:    "restart nginx on web-1 and web-2",
			calls:   []call{{"restart_service", `{"service":"nginx","host":"web-1"}`}, {"restart_service", `{"service":"nginx","host":"web-2"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:       "a skill offered under a cleaned tool name maps back",
			text:       "look up db.example.com",
			calls:      []call{{"dns_lookup", `{"name":"db.example.com"}`}},
			wantSkill:  "dns.lookup",
			wantParams: map[string]string{"name": "db.example.com"},
		},
		{
			name:       "a spoken duration grounds a compact one",
			text:       "look up db.example.com and wait two minutes",
			calls:      []call{{"dns_lookup", `{"name":"db.example.com","wait":"2m"}`}},
			wantSkill:  "dns.lookup",
			wantParams: map[string]string{"name": "db.example.com", "wait": "2m0s"},
		},
		{
			name:       "an answer to a pending question keeps the known values",
			text:       "the one on web-1",
			pending:    &Pending{Skill: "restart_service", Known: map[string]string{"service": "nginx"}, Asking: "host"},
			calls:      []call{{"restart_service", `{"service":"nginx","host":"web-1"}`}},
			wantSkill:  "restart_service",
			wantParams: map[string]string{"service": "nginx", "host": "web-1"},
		},
		{
			name:    "an answer for a secret parameter is never sent",
			text:    "hunter2",
			pending: &Pending{Skill: "rotate_password", Known: map[string]string{"user": "alice"}, Asking: "password"},
			calls:   []call{{"rotate_password", `{"user":"alice"}`}},
			wantErr: ErrNoProposal,
		},
		{
			name:    "a pending skill that is not offered is never sent",
			text:    "web-1",
			pending: &Pending{Skill: "reboot", Asking: "host"},
			calls:   []call{{"restart_service", `{"host":"web-1"}`}},
			wantErr: ErrNoProposal,
		},
	}
	all := testCatalog(t).All()
	offered := slices.DeleteFunc(slices.Clone(all), func(s *skills.Skill) bool { return s.Name == "rotate_password" })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, toolReply(tt.content, tt.calls...))
			a := newTestAssistant(t, f)
			list := offered
			if tt.pending != nil {
				list = all
			}
			p, err := a.Propose(context.Background(), Request{Text: tt.text, Skills: list, Pending: tt.pending, Local: tt.local})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if p.Skill != "" || p.Answer != tt.wantAnswer {
					t.Errorf("proposal = %+v, want none with answer %q", p, tt.wantAnswer)
				}
				return
			}
			if err != nil {
				t.Fatalf("Propose: %v", err)
			}
			if p.Skill != tt.wantSkill {
				t.Errorf("skill = %q, want %q", p.Skill, tt.wantSkill)
			}
			if !maps.Equal(p.Params, tt.wantParams) {
				t.Errorf("params = %v, want %v", p.Params, tt.wantParams)
			}
			if !slices.Equal(p.Rejected, tt.wantRejected) {
				t.Errorf("rejected = %q, want %q", p.Rejected, tt.wantRejected)
			}
		})
	}
}

func TestProposeSecretAnswerIsNotSent(t *testing.T) {
	f := newFake(t, toolReply("", call{"rotate_password", `{}`}))
	a := newTestAssistant(t, f)
	_, err := a.Propose(context.Background(), Request{
		Text: "hunter2", Skills: testCatalog(t).All(),
		Pending: &Pending{Skill: "rotate_password", Asking: "password"},
	})
	if !errors.Is(err, ErrNoProposal) {
		t.Fatalf("err = %v, want ErrNoProposal", err)
	}
	if f.hits() != 0 {
		t.Fatalf("the server got %d requests, want none", f.hits())
	}
}

func TestRequestBody(t *testing.T) {
	f := newFake(t, toolReply("", call{"restart_service", `{"service":"nginx","host":"web-1"}`}))
	var logs bytes.Buffer
	a := newTestAssistant(t, f, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := a.Propose(context.Background(), Request{
		Text:   "web-1 please",
		Skills: testCatalog(t).All(),
		// The engine never puts a secret in Known; if it did, it stays here.
		Pending: &Pending{Skill: "rotate_password", Known: map[string]string{"user": "alice", "password": "hunter2"}},
		Local: nlu.Result{
			Intent: nlu.OutOfScope, Ambiguous: true,
			Alternatives: []nlu.Scored{{Intent: "restart_service", Confidence: 0.48}, {Intent: "deploy", Confidence: 0.41}, {Intent: "not_offered", Confidence: 0.05}},
			Entities:     []nlu.Entity{{Type: "host", Text: "web-1", Value: "web-1", Start: 0, End: 5, Source: "typed"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := f.last(t)
	if h := got.header.Get("Authorization"); h != "Bearer "+testKey {
		t.Errorf("Authorization = %q", h)
	}
	for _, secret := range []string{testKey, "hunter2"} {
		if bytes.Contains(got.body, []byte(secret)) {
			t.Errorf("the body holds %q:\n%s", secret, got.body)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), redacted) {
		t.Errorf("the logs do not show the withheld value as redacted:\n%s", logs.String())
	}

	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name        string `json:"name"`
				Description string `json:"description"`
				Parameters  struct {
					Type       string                    `json:"type"`
					Properties map[string]map[string]any `json:"properties"`
					Required   []string                  `json:"required"`
					Additional *bool                     `json:"additionalProperties"`
				} `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		Parallel *bool `json:"parallel_tool_calls"`
	}
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Model != "test-model" || body.Parallel == nil || *body.Parallel {
		t.Errorf("model = %q, parallel_tool_calls = %v", body.Model, body.Parallel)
	}
	var names []string
	tools := map[string]int{}
	for i, tool := range body.Tools {
		names = append(names, tool.Function.Name)
		tools[tool.Function.Name] = i
		if tool.Type != "function" || tool.Function.Parameters.Type != "object" ||
			tool.Function.Parameters.Additional == nil || *tool.Function.Parameters.Additional {
			t.Errorf("tool %s: %+v", tool.Function.Name, tool)
		}
	}
	// The pending skill first, then the local guesses, then the rest.
	if want := []string{"rotate_password", "restart_service", "deploy", "dns_lookup"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
	deploy := body.Tools[tools["deploy"]].Function
	if deploy.Description != "Deploy an app to an environment." {
		t.Errorf("deploy description = %q", deploy.Description)
	}
	env := deploy.Parameters.Properties["environment"]
	if fmt.Sprint(env["enum"]) != "[staging production]" || !strings.Contains(fmt.Sprint(env["description"]), "Which environment?") {
		t.Errorf("environment = %v", env)
	}
	if r := deploy.Parameters.Properties["replicas"]; r["type"] != "integer" || r["minimum"] != 1.0 || r["maximum"] != 20.0 {
		t.Errorf("replicas = %v", r)
	}
	if app := deploy.Parameters.Properties["app"]; app["enum"] != nil || !strings.Contains(fmt.Sprint(app["description"]), "checkout, billing") {
		t.Errorf("an open list must not be an enum: app = %v", app)
	}
	if !slices.Equal(deploy.Parameters.Required, []string{"app", "environment"}) {
		t.Errorf("deploy required = %v", deploy.Parameters.Required)
	}
	if _, ok := deploy.Parameters.Properties["token"]; ok {
		t.Error("the secret token is in the deploy schema")
	}
	rotate := body.Tools[tools["rotate_password"]].Function
	if _, ok := rotate.Parameters.Properties["password"]; ok || slices.Contains(rotate.Parameters.Required, "password") {
		t.Errorf("the secret password is in the schema: %+v", rotate.Parameters)
	}

	if len(body.Messages) != 2 || body.Messages[0].Role != "system" || body.Messages[1].Role != "user" || body.Messages[1].Content != "web-1 please" {
		t.Fatalf("messages = %+v", body.Messages)
	}
	sys := body.Messages[0].Content
	for _, want := range []string{"exactly one tool", "Never guess or invent", "call no tool",
		"in the middle of a request for rotate_password", `user="alice"`,
		"restart_service 0.48, deploy 0.41", `host "web-1"`} {
		if !strings.Contains(sys, want) {
			t.Errorf("the system prompt lacks %q:\n%s", want, sys)
		}
	}
	if strings.Contains(sys, "not_offered") {
		t.Errorf("the system prompt names a skill not offered:\n%s", sys)
	}
}

func TestPendingQuestionInPrompt(t *testing.T) {
	f := newFake(t, toolReply("", call{"restart_service", `{"service":"nginx","host":"web-1"}`}))
	a := newTestAssistant(t, f)
	_, err := a.Propose(context.Background(), Request{Text: "web-1", Skills: testCatalog(t).All(),
		Pending: &Pending{Skill: "restart_service", Known: map[string]string{"service": "nginx"}, Asking: "host"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `The person is answering the question for host of restart_service ("Which host?"). Already known: service="nginx".`
	if !bytes.Contains(f.last(t).body, []byte(strings.ReplaceAll(want, `"`, `\"`))) {
		t.Errorf("the request lacks %q:\n%s", want, f.last(t).body)
	}
}

func TestNoAPIKeyNoAuthorization(t *testing.T) {
	f := newFake(t, toolReply("", call{"restart_service", `{"service":"nginx"}`}))
	a := newTestAssistant(t, f, func(c *Config) { c.APIKey = "" })
	if _, err := a.Propose(context.Background(), Request{Text: "restart nginx", Skills: testCatalog(t).All()}); err != nil {
		t.Fatal(err)
	}
	if h, ok := f.last(t).header["Authorization"]; ok {
		t.Errorf("Authorization header sent without a key: %q", h)
	}
}

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name    string
		respond func(http.ResponseWriter, *http.Request, int)
		check   func(t *testing.T, st Stats)
	}{
		{"rate limited", apiError(http.StatusTooManyRequests), func(t *testing.T, st Stats) {
			if st.RateLimited != 1 {
				t.Errorf("RateLimited = %d", st.RateLimited)
			}
		}},
		{"server error", apiError(http.StatusInternalServerError), nil},
		{"bad gateway without a JSON body", func(w http.ResponseWriter, _ *http.Request, _ int) {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		}, nil},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request, _ int) {
			_, _ = w.Write([]byte("hello"))
		}, nil},
		{"too long", func(w http.ResponseWriter, _ *http.Request, _ int) {
			_, _ = w.Write([]byte(`{"id":"` + strings.Repeat("x", maxResponse) + `"}`))
		}, nil},
		{"slow", func(w http.ResponseWriter, r *http.Request, _ int) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			writeCompletion(w, "too late")
		}, func(t *testing.T, st Stats) {
			if st.Timeouts != 1 {
				t.Errorf("Timeouts = %d", st.Timeouts)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.respond)
			a := newTestAssistant(t, f, func(c *Config) { c.Timeout = 100 * time.Millisecond })
			_, err := a.Propose(context.Background(), Request{Text: "restart nginx on web-1", Skills: testCatalog(t).All()})
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error shows the key: %v", err)
			}
			// The go-openai client does not retry: one call, one request.
			if f.hits() != 1 {
				t.Errorf("the server got %d requests, want 1", f.hits())
			}
			st := a.Stats()
			if st.Calls != 1 || st.Errors != 1 || st.Accepted != 0 {
				t.Errorf("stats = %+v", st)
			}
			if tt.check != nil {
				tt.check(t, st)
			}
		})
	}
}

func TestCallerCancelDoesNotCountAgainstTheModel(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() })
	a := newTestAssistant(t, f, func(c *Config) { c.FailureThreshold = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := a.Propose(ctx, Request{Text: "restart nginx", Skills: testCatalog(t).All()})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if st := a.Stats(); st.Breaker != Closed || st.Timeouts != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBadRequestDoesNotOpenTheBreaker(t *testing.T) {
	f := newFake(t, apiError(http.StatusBadRequest))
	a := newTestAssistant(t, f, func(c *Config) { c.FailureThreshold = 2 })
	for range 4 {
		if _, err := a.Propose(context.Background(), Request{Text: "restart nginx", Skills: testCatalog(t).All()}); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	if f.hits() != 4 || a.Stats().Breaker != Closed {
		t.Errorf("hits = %d, breaker = %v", f.hits(), a.Stats().Breaker)
	}
}

func TestBreaker(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusInternalServerError)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if s := int(status.Load()); s != http.StatusOK {
			apiError(s)(w, r, n)
			return
		}
		writeCompletion(w, "", call{"restart_service", `{"service":"nginx"}`})
	})
	clk := newClock()
	a := newTestAssistant(t, f, func(c *Config) { c.Now = clk.Now; c.CacheSize = -1 })
	ask := func() error {
		_, err := a.Propose(context.Background(), Request{Text: "restart nginx", Skills: testCatalog(t).All()})
		return err
	}
	for i := range DefaultFailureThreshold {
		if err := ask(); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call %d: err = %v", i+1, err)
		}
	}
	if st := a.Stats(); st.Breaker != Open || st.BreakerOpened != 1 {
		t.Fatalf("after %d failures: %+v", DefaultFailureThreshold, st)
	}
	if err := ask(); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "circuit breaker") {
		t.Fatalf("open: err = %v", err)
	}
	if f.hits() != DefaultFailureThreshold {
		t.Fatalf("the open breaker let a call through: %d requests", f.hits())
	}

	clk.Advance(DefaultCooldown - time.Second)
	if err := ask(); !errors.Is(err, ErrUnavailable) || f.hits() != DefaultFailureThreshold {
		t.Fatalf("before the cooldown ended: err = %v, hits = %d", err, f.hits())
	}

	// The cooldown is over: one trial, which fails and opens it again.
	clk.Advance(2 * time.Second)
	if st := a.Stats(); st.Breaker != HalfOpen {
		t.Fatalf("after the cooldown: %v", st.Breaker)
	}
	if err := ask(); !errors.Is(err, ErrUnavailable) || f.hits() != DefaultFailureThreshold+1 {
		t.Fatalf("failed trial: err = %v, hits = %d", err, f.hits())
	}
	if st := a.Stats(); st.Breaker != Open || st.BreakerOpened != 2 {
		t.Fatalf("after a failed trial: %+v", st)
	}
	if err := ask(); !errors.Is(err, ErrUnavailable) || f.hits() != DefaultFailureThreshold+1 {
		t.Fatalf("reopened: err = %v, hits = %d", err, f.hits())
	}

	// The model is back: the next trial succeeds and closes it.
	status.Store(http.StatusOK)
	clk.Advance(DefaultCooldown)
	if err := ask(); err != nil {
		t.Fatalf("successful trial: %v", err)
	}
	if st := a.Stats(); st.Breaker != Closed {
		t.Fatalf("after a successful trial: %v", st.Breaker)
	}
	if err := ask(); err != nil || f.hits() != DefaultFailureThreshold+3 {
		t.Fatalf("closed: err = %v, hits = %d", err, f.hits())
	}
	if st := a.Stats(); st.ShortCircuited != 3 || st.Calls != DefaultFailureThreshold+3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestCache(t *testing.T) {
	f := newFake(t, toolReply("", call{"restart_service", `{"service":"nginx","host":"web-1"}`}))
	clk := newClock()
	a := newTestAssistant(t, f, func(c *Config) { c.Now = clk.Now })
	skillList := testCatalog(t).All()
	ask := func(text string, p *Pending) Proposal {
		t.Helper()
		prop, err := a.Propose(context.Background(), Request{Text: text, Skills: skillList, Pending: p})
		if err != nil {
			t.Fatal(err)
		}
		return prop
	}
	first := ask("restart nginx on web-1", nil)
	second := ask("  Restart   NGINX on web-1 ", nil)
	if f.hits() != 1 {
		t.Fatalf("the same request twice: %d server calls, want 1", f.hits())
	}
	if !maps.Equal(first.Params, second.Params) || first.Skill != second.Skill {
		t.Errorf("cached %+v, first %+v", second, first)
	}
	ask("restart nginx on web-1", &Pending{Skill: "restart_service", Asking: "host"})
	if f.hits() != 2 {
		t.Fatalf("another pending context: %d server calls, want 2", f.hits())
	}
	// Fewer skills offered: another question.
	if _, err := a.Propose(context.Background(), Request{Text: "restart nginx on web-1", Skills: skillList[1:2]}); err != nil {
		t.Fatal(err)
	}
	if f.hits() != 3 {
		t.Fatalf("other skills: %d server calls, want 3", f.hits())
	}
	clk.Advance(DefaultCacheTTL)
	ask("restart nginx on web-1", nil)
	if f.hits() != 4 {
		t.Fatalf("after the TTL: %d server calls, want 4", f.hits())
	}
	if st := a.Stats(); st.CacheHits != 1 || st.CacheMisses != 4 || st.Accepted != 5 {
		t.Errorf("stats = %+v", st)
	}
}

func TestCachedReplyIsValidatedAgain(t *testing.T) {
	// A cached reply is re-checked against the request that finds it: the
	// grounding of values depends on the message, which normalisation
	// may have changed in case only, and a value is never taken from an
	// earlier person's message.
	f := newFake(t, toolReply("", call{"deploy", `{"app":"billing","environment":"production","replicas":3}`}))
	a := newTestAssistant(t, f)
	req := Request{Text: "deploy billing to production with 3 replicas", Skills: testCatalog(t).All()}
	for range 2 {
		p, err := a.Propose(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"app": "billing", "environment": "production", "replicas": "3"}; !maps.Equal(p.Params, want) {
			t.Errorf("params = %v, want %v", p.Params, want)
		}
	}
	if f.hits() != 1 {
		t.Errorf("hits = %d", f.hits())
	}
}

func TestFailuresAreNotCached(t *testing.T) {
	f := newFake(t, apiError(http.StatusServiceUnavailable))
	a := newTestAssistant(t, f)
	for range 2 {
		if _, err := a.Propose(context.Background(), Request{Text: "restart nginx", Skills: testCatalog(t).All()}); !errors.Is(err, ErrUnavailable) {
			t.Fatal(err)
		}
	}
	if f.hits() != 2 {
		t.Errorf("hits = %d, want 2", f.hits())
	}
}

func TestStats(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			writeCompletion(w, "", call{"deploy", `{"app":"billing","environment":"staging","replicas":"lots"}`})
		default:
			writeCompletion(w, "", call{"nope", `{}`})
		}
	})
	a := newTestAssistant(t, f)
	cat := testCatalog(t).All()
	if _, err := a.Propose(context.Background(), Request{Text: "deploy billing to staging", Skills: cat}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Propose(context.Background(), Request{Text: "something else", Skills: cat}); !errors.Is(err, ErrNoProposal) {
		t.Fatal(err)
	}
	st := a.Stats()
	want := Stats{Calls: 2, CacheMisses: 2, Breaker: Closed, PromptTokens: 240, CompletionTokens: 30,
		Accepted: 1, Rejected: 1, ParamsRejected: 1, LatencySamples: 2}
	st.LatencyP50, st.LatencyP99 = 0, 0
	if st != want {
		t.Errorf("stats = %+v\nwant    %+v", st, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	var calls atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if calls.Add(1)%5 == 0 {
			apiError(http.StatusInternalServerError)(w, r, n)
			return
		}
		writeCompletion(w, "", call{"restart_service", `{"service":"nginx","host":"web-1"}`})
	})
	a := newTestAssistant(t, f, func(c *Config) { c.CacheSize = 8; c.FailureThreshold = 1000 })
	cat := testCatalog(t).All()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				text := fmt.Sprintf("restart nginx on web-1 please %d", (g*10+i)%12)
				p, err := a.Propose(context.Background(), Request{Text: text, Skills: cat})
				if err == nil && p.Skill != "restart_service" {
					t.Errorf("skill = %q", p.Skill)
				}
				_ = a.Stats()
			}
		})
	}
	wg.Wait()
	st := a.Stats()
	if st.Calls+st.CacheHits != 80 {
		t.Errorf("calls %d + cache hits %d != 80", st.Calls, st.CacheHits)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // part of the error; "" for success
	}{
		{"local server without a key", Config{BaseURL: "http://127.0.0.1:11434/v1", Model: "llama3.1"}, ""},
		{"OpenAI", Config{BaseURL: "https://api.openai.com/v1/", Model: "gpt-4o-mini", APIKey: "sk-x"}, ""},
		{"no base URL", Config{Model: "m"}, "base URL is required"},
		{"no model", Config{BaseURL: "http://localhost/v1"}, "model name is required"},
		{"another scheme", Config{BaseURL: "file:///etc/passwd", Model: "m"}, "http or https"},
		{"no host", Config{BaseURL: "http:///v1", Model: "m"}, "no host"},
		{"a query", Config{BaseURL: "https://x.example/v1?api-version=1", Model: "m"}, "query"},
		{"unparsable, with a password", Config{BaseURL: "http://u:pa ss@x:99999999/v1%zz", Model: "m"}, "does not parse"},
		{"a key with a newline", Config{BaseURL: "http://localhost/v1", Model: "m", APIKey: "sk-x\n"}, "control characters"},
		{"a negative timeout", Config{BaseURL: "http://localhost/v1", Model: "m", Timeout: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if a.cfg.Timeout != DefaultTimeout || a.cfg.FailureThreshold != DefaultFailureThreshold || a.cache == nil {
					t.Errorf("defaults not filled: %+v", a.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "pa ss") || strings.Contains(err.Error(), "sk-x") {
				t.Errorf("the error shows a credential: %v", err)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	cfg := Config{BaseURL: "http://user:pw@10.0.0.5:8080/v1", Model: "m", APIKey: testKey}
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := New(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Info("config", "llm", cfg, "key", cfg.APIKey)
	j, _ := json.Marshal(cfg.APIKey)
	printed := strings.Join([]string{fmt.Sprint(cfg.APIKey), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg.APIKey, cfg.APIKey), string(j)}, "\n")
	if strings.Contains(printed, testKey) {
		t.Errorf("the key printed:\n%s", printed)
	}
	if strings.Contains(logs.String(), testKey) || strings.Contains(logs.String(), ":pw@") {
		t.Errorf("a credential was logged:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "plain http") {
		t.Errorf("no warning about the key over plain http:\n%s", logs.String())
	}
	if cfg.APIKey.Reveal() != testKey {
		t.Error("Reveal")
	}
}

func TestSuggest(t *testing.T) {
	reply := strings.Join([]string{
		"Here are some phrasings:",
		"1. bounce nginx on web-1",
		"2. Bounce nginx on web-1!",
		"- restart [apache](service) on [db-2](host)",
		`* "kick the [nginx](service) service on [web-3](host)"`,
		"restart nginx on web-1.",
		strings.Repeat("restart ", 30),
		"restart nginx\u0007 now",
		"",
		"3) could you cycle [postgres](service) on [db-1](host)",
	}, "\n")
	f := newFake(t, toolReply(reply))
	a := newTestAssistant(t, f)
	skill, _ := testCatalog(t).Lookup("restart_service")
	examples := []string{"restart nginx on web-1", "restart [apache](service) on [db-2](host)"}
	got, err := a.Suggest(context.Background(), skill, examples, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bounce nginx on web-1", "kick the [nginx](service) service on [web-3](host)", "could you cycle [postgres](service) on [db-1](host)"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got, _ := a.Suggest(context.Background(), skill, examples, 1); len(got) != 1 {
		t.Errorf("n = 1: %q", got)
	}
	body := string(f.last(t).body)
	for _, want := range []string{"Write 1 new ways", "restart_service", "[text](type)", "restart nginx on web-1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the request lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `"tools"`) || strings.Contains(body, testKey) {
		t.Errorf("the request:\n%s", body)
	}
	if _, err := a.Suggest(context.Background(), skill, examples, 0); err == nil {
		t.Error("n = 0 accepted")
	}
}

func TestSuggestNothingUsable(t *testing.T) {
	f := newFake(t, toolReply("Sure! Here you go:\n\n"))
	a := newTestAssistant(t, f)
	skill, _ := testCatalog(t).Lookup("restart_service")
	if _, err := a.Suggest(context.Background(), skill, nil, 5); !errors.Is(err, ErrNoProposal) {
		t.Fatalf("err = %v", err)
	}
}
