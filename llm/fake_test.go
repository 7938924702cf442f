package llm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// fakeLLM is an OpenAI-compatible server: it answers POST
// /v1/chat/completions with whatever respond writes and records every
// request it got.
type fakeLLM struct {
	srv     *httptest.Server
	respond func(w http.ResponseWriter, r *http.Request, n int) // n counts requests from 1

	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	body   []byte
	header http.Header
}

func newFake(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, n int)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{respond: respond}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{body: body, header: r.Header.Clone()})
		n := len(f.reqs)
		f.mu.Unlock()
		f.respond(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) url() string { return f.srv.URL + "/v1" }

func (f *fakeLLM) hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func (f *fakeLLM) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("the server got no request")
	}
	return f.reqs[len(f.reqs)-1]
}

// call is one tool call in a fake reply.
type call struct{ name, args string }

// toolReply answers with the given tool calls, or with content when there
// are none.
func toolReply(content string, calls ...call) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeCompletion(w, content, calls...)
	}
}

func writeCompletion(w http.ResponseWriter, content string, calls ...call) {
	msg := map[string]any{"role": "assistant"}
	finish := "stop"
	if content != "" {
		msg["content"] = content
	}
	if len(calls) > 0 {
		var tc []map[string]any
		for i, c := range calls {
			tc = append(tc, map[string]any{
				"id": "call_" + string(rune('a'+i)), "type": "function",
				"function": map[string]any{"name": c.name, "arguments": c.args},
			})
		}
		msg["tool_calls"] = tc
		finish = "tool_calls"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError answers like the OpenAI API does on a failure.
func apiError(status int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, status, map[string]any{"error": map[string]any{"message": http.StatusText(status), "type": "server_error"}})
	}
}

const testKey = "sk-test-7c1f0e9d"

func newTestAssistant(t *testing.T, f *fakeLLM, mod ...func(*Config)) *Assistant {
	t.Helper()
	cfg := Config{BaseURL: f.url(), Model: "test-model", APIKey: testKey}
	for _, m := range mod {
		m(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// clock is a fake clock safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var nop = skills.ExecutorFunc(func(context.Context, skills.Call) (skills.Result, error) { return skills.Result{Text: "done."}, nil })

// testCatalog is a small catalog: an enum with synonyms, an open name
// list, a bounded int, a host, a secret, and a name the API would refuse.
func testCatalog(t testing.TB) *skills.Registry {
	t.Helper()
	reg, err := skills.NewRegistry(
		&skills.Skill{
			Name: "deploy", Description: "Deploy an app to an environment.", Risk: skills.Dangerous, Executor: nop,
			Params: []skills.Param{
				{Name: "app", Type: skills.MustType(skills.TypeSpec{Name: "name", Values: []string{"checkout", "billing"}, Open: true}), Required: true, Question: "Which app?"},
				{Name: "environment", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"staging", "production"}, Synonyms: map[string][]string{"production": {"prod", "prd"}}}), Required: true, Question: "Which environment?"},
				{Name: "version", Type: skills.MustType(skills.TypeSpec{Name: "version"}), Default: "latest", Question: "Which version?"},
				{Name: "replicas", Type: skills.MustType(skills.TypeSpec{Name: "int", Min: 1, Max: 20}), Question: "How many replicas?"},
				{Name: "token", Type: skills.MustType(skills.TypeSpec{Name: "text"}), Secret: true},
			},
		},
		&skills.Skill{
			Name: "restart_service", Description: "Restart a service on a host.", Risk: skills.Dangerous, Executor: nop,
			Params: []skills.Param{
				{Name: "service", Type: skills.MustType(skills.TypeSpec{Name: "name", Values: []string{"nginx", "apache", "postgres"}}), Required: true, Question: "Which service?"},
				{Name: "host", Type: skills.MustType(skills.TypeSpec{Name: "host"}), Required: true, Question: "Which host?"},
			},
		},
		&skills.Skill{
			Name: "rotate_password", Description: "Set a new password for a user.", Risk: skills.Dangerous, Executor: nop,
			Params: []skills.Param{
				{Name: "user", Type: skills.MustType(skills.TypeSpec{Name: "person"}), Required: true, Question: "Whose password?"},
				{Name: "password", Type: skills.MustType(skills.TypeSpec{Name: "text"}), Required: true, Secret: true, Question: "The new password?"},
			},
		},
		&skills.Skill{
			Name: "dns.lookup", Description: "Look up a host name.", Risk: skills.Read, Executor: nop,
			Params: []skills.Param{
				{Name: "name", Type: skills.MustType(skills.TypeSpec{Name: "hostname"}), Required: true, Question: "Which name?"},
				{Name: "wait", Type: skills.MustType(skills.TypeSpec{Name: "duration"})},
			},
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
