package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/llm"
	trainmem "github.com/parleybot/parley/training/memstore"
)

// openAIServer answers chat completions with one tool call.
func openAIServer(t *testing.T, tool, args string, calls *atomic.Int64) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"restart_service"`) {
			t.Errorf("the catalog was not offered as tools: %s", body)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"finish_reason":"tool_calls",
			"message":{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":%q,"arguments":%q}}]}}],
			"usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}`, tool, args)
	}))
}

// The model understands what the local NLU did not; the person confirms;
// the skill runs, the audit record shows it came through the model, and
// the phrasing waits for review so the local model can learn it.
func TestLanguageModelEndToEnd(t *testing.T) {
	var calls atomic.Int64
	srv := openAIServer(t, "restart_service", `{"service":"apache","host":"web-1"}`, &calls)
	defer srv.Close()
	a, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	alog, err := filelog.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	learned := trainmem.New(nil)
	runs := &counter{}
	b, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{Model: sharedModel(t), Run: runs.run, Assistant: a, Audit: alog, Learned: learned})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	say := func(text string) dialog.Outcome {
		return b.Engine.Handle(ctx, dialog.Message{User: "jason", Channel: "ops", Roles: []string{"ops"}, Text: text, Via: "test"})
	}
	phrase := "the pages apache serves from web-1 went stale, do whatever fixed that last week"
	out := say(phrase)
	if out.Confirm != "restart_service" || out.Params["service"] != "apache" || out.Params["host"] != "web-1" || calls.Load() != 1 {
		t.Fatalf("%+v (calls %d)", out, calls.Load())
	}
	out = say("yes")
	if out.Executed == nil || runs.get("restart_service") != 1 {
		t.Fatalf("%+v", out)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	reopened, err := filelog.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	recs, _ := reopened.Query(ctx, audit.Filter{Skill: "restart_service"})
	if len(recs) != 2 || recs[1].Kind != audit.Kind("executed") || recs[1].Via != "test+llm" {
		raw, _ := json.Marshal(recs)
		t.Fatalf("records %s", raw)
	}
	cands, _ := learned.Candidates(ctx)
	if len(cands) != 1 || cands[0].Text != phrase || cands[0].Intent != "restart_service" || cands[0].Source != "llm" {
		t.Fatalf("candidates %+v", cands)
	}
}
