package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/api"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/internal/latency"
	"github.com/parleybot/parley/internal/metrics"
	"github.com/parleybot/parley/internal/redistest"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

var (
	modelOnce sync.Once
	model     *nlu.Model
)

func sharedModel(t testing.TB) *nlu.Model {
	t.Helper()
	modelOnce.Do(func() {
		b, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{})
		if err != nil {
			t.Fatal(err)
		}
		model = b.NLU.Model()
		b.Close()
	})
	return model
}

type fixture struct {
	srv  *httptest.Server
	runs atomic.Int64
}

func newFixture(t testing.TB, cfg *config.Config, client redis.UniversalClient, ready func(context.Context) error) *fixture {
	t.Helper()
	f := &fixture{}
	reg := metrics.New()
	run := func(ctx context.Context, call skills.Call) (skills.Result, error) {
		f.runs.Add(1)
		return skills.Result{Text: "done."}, nil
	}
	b, err := bot.New(context.Background(), cfg, bot.Options{Model: sharedModel(t), Run: run, Metrics: reg, Redis: client})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	h := api.New(api.Config{
		Engine: b.Engine, Skills: b.Skills.All, Metrics: reg, Ready: ready,
		Tokens: []api.Token{
			{Name: "ops-bridge", Secret: "s3cret-ops", Identity: api.Identity{User: "jason", Roles: []string{"ops"}}},
			{Name: "dashboard", Secret: "s3cret-viewer", Identity: api.Identity{User: "bob", Roles: []string{"engineer"}}},
		},
	})
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) do(t testing.TB, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

func TestConversationOverTheAPI(t *testing.T) {
	f := newFixture(t, config.DefaultConfig(), nil, nil)
	say := func(text string) map[string]any {
		code, out := f.do(t, "POST", "/v1/messages", "s3cret-ops", fmt.Sprintf(`{"channel":"ops","thread":"t1","text":%q}`, text))
		if code != 200 {
			t.Fatalf("%q: %d %v", text, code, out)
		}
		return out
	}
	if out := say("restart apache"); out["asks"] != "host" || out["state"] != "collecting" {
		t.Fatalf("%v", out)
	}
	if out := say("192.168.0.24"); out["confirm"] != "restart_service" || out["state"] != "confirming" {
		t.Fatalf("%v", out)
	}
	out := say("yes")
	ex, _ := out["executed"].(map[string]any)
	if ex == nil || ex["skill"] != "restart_service" || ex["ok"] != true || f.runs.Load() != 1 {
		t.Fatalf("%v", out)
	}
	if replies := out["replies"].([]any); !strings.Contains(replies[0].(string), "Restarting apache on 192.168.0.24") {
		t.Fatalf("%v", replies)
	}
}

func TestAuthAndBadRequests(t *testing.T) {
	f := newFixture(t, config.DefaultConfig(), nil, nil)
	tests := []struct {
		name, method, path, token, body string
		code                            int
	}{
		{"no token", "POST", "/v1/messages", "", `{"text":"hi"}`, 401},
		{"wrong token", "POST", "/v1/messages", "guess", `{"text":"hi"}`, 401},
		{"skills need a token", "GET", "/v1/skills", "", "", 401},
		{"token for another user", "POST", "/v1/messages", "s3cret-ops", `{"user":"alice","text":"hi"}`, 403},
		{"not JSON", "POST", "/v1/messages", "s3cret-ops", `restart apache`, 400},
		{"unknown field", "POST", "/v1/messages", "s3cret-ops", `{"txt":"hi"}`, 400},
		{"too large", "POST", "/v1/messages", "s3cret-ops", `{"text":"` + strings.Repeat("a", 70<<10) + `"}`, 413},
		{"wrong method", "GET", "/v1/messages", "s3cret-ops", "", 405},
		{"health", "GET", "/healthz", "", "", 200},
		{"ready", "GET", "/readyz", "", "", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, out := f.do(t, tc.method, tc.path, tc.token, tc.body); code != tc.code {
				t.Fatalf("%d, want %d: %v", code, tc.code, out)
			}
		})
	}
	// The roles come from the token, not the request: bob cannot restart.
	code, out := f.do(t, "POST", "/v1/messages", "s3cret-viewer", `{"text":"restart apache on web-1"}`)
	if code != 200 || out["denied"] != true {
		t.Fatalf("%d %v", code, out)
	}
}

func TestSkillsAndMetrics(t *testing.T) {
	f := newFixture(t, config.DefaultConfig(), nil, func(context.Context) error { return errors.New("redis: connection refused") })
	code, out := f.do(t, "GET", "/v1/skills", "s3cret-viewer", "")
	list := out["skills"].([]any)
	if code != 200 || len(list) < 16 {
		t.Fatalf("%d %v", code, out)
	}
	for _, raw := range list {
		s := raw.(map[string]any)
		if s["name"] == "restart_service" {
			if s["allowed"] != false || s["risk"] != "dangerous" || len(s["params"].([]any)) != 2 {
				t.Fatalf("%v", s)
			}
		}
	}
	if code, out := f.do(t, "GET", "/readyz", "", ""); code != 503 || !strings.Contains(fmt.Sprint(out), "connection refused") {
		t.Fatalf("%d %v", code, out)
	}
	f.do(t, "POST", "/v1/messages", "s3cret-ops", `{"text":"who is on call?"}`)
	f.do(t, "POST", "/v1/messages", "s3cret-ops", `{"text":"sing me a song"}`)
	_, m := f.do(t, "GET", "/metrics", "", "")
	text := m["raw"].(string)
	for _, want := range []string{
		`parley_messages_total{via="api"} 2`,
		`parley_intents_total{intent="oncall_who"} 1`,
		`parley_fallbacks_total 1`,
		`parley_executions_total{skill="oncall_who",outcome="executed"} 1`,
		`parley_executor_seconds_count{skill="oncall_who"} 1`,
		`parley_store_seconds_count{op="load"}`,
		`parley_model_reloads_total 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s:\n%s", want, text)
		}
	}
}

// BenchmarkMessagesOverRedis drives /v1/messages over HTTP with the
// conversation store in the real Redis, many conversations at once.
func BenchmarkMessagesOverRedis(b *testing.B) {
	client, prefix := redistest.Client(b)
	cfg := config.DefaultConfig()
	cfg.Store.Backend = "redis"
	cfg.Store.Redis.Prefix = prefix
	opts := redistest.Options()
	opts.PoolSize = 64
	pooled := redis.NewClient(opts)
	b.Cleanup(func() { pooled.Close() })
	_ = client
	f := newFixture(b, cfg, pooled, nil)
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	hc := &http.Client{Transport: tr}
	script := []string{"restart apache", "192.168.0.24", "yes", "who is on call for payments?"}
	var next atomic.Int64
	var lat latency.Recorder
	b.SetParallelism(32)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		thread := fmt.Sprint(next.Add(1))
		for i := 0; pb.Next(); i++ {
			body, _ := json.Marshal(map[string]string{"thread": thread, "text": script[i%len(script)]})
			req, _ := http.NewRequest("POST", f.srv.URL+"/v1/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer s3cret-ops")
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lat.Since(t0)
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "turns/s")
	lat.Report(b)
}
