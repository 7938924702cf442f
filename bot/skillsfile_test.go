package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/pgtest"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

const statusSkill = `skills:
  - name: app_health
    description: Check an app's health endpoint.
    risk: read
    params:
      - {name: app, type: name, required: true, question: "Which app?"}
    examples:
      - "how healthy is [checkout](app)"
      - "health of [billing](app)"
      - "is [search](app) healthy"
      - "app health for [auth](app)"
      - "check the health of [payments](app)"
    executor:
      kind: http
      url: "%s/health/{app}?token=${TOKEN}"
      secrets: {TOKEN: HEALTH_TOKEN}
      allow_hosts: ["127.0.0.1"]
      response: "{.app} is {.status}"
`

// A skills file adds an http skill; a broken version is refused with its
// line and the previous skills keep working; a new version is picked up
// while messages are being handled.
func TestSkillsFileReload(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RequestURI())
		mu.Unlock()
		fmt.Fprintf(w, `{"app": %q, "status": "green"}`, strings.TrimPrefix(r.URL.Path, "/health/"))
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "skills.yaml")
	writeFile(t, path, fmt.Sprintf(statusSkill, srv.URL))
	cfg := config.DefaultConfig()
	cfg.SkillsFiles = []string{path}
	b, err := bot.New(context.Background(), cfg, bot.Options{Getenv: func(k string) string {
		if k == "HEALTH_TOKEN" {
			return "t0ken"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Learner.Run(ctx)

	say := func(text string) dialog.Outcome {
		return b.Engine.Handle(context.Background(), dialog.Message{User: "jason", Channel: "ops", Roles: []string{"ops"}, Text: text})
	}
	out := say("how healthy is checkout?")
	if out.Executed == nil || out.Executed.Skill != "app_health" || !strings.Contains(strings.Join(out.Replies, ""), "checkout is green") {
		t.Fatalf("%+v", out)
	}
	if !slices.Contains(seen, "/health/checkout?token=t0ken") {
		t.Fatalf("request %v", seen)
	}
	if strings.Contains(strings.Join(out.Replies, ""), "t0ken") {
		t.Fatal("the secret reached the reply")
	}

	// Messages keep flowing while the file changes.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				say("who is on call?")
			}
		}
	}()
	writeFile(t, path, "skills:\n  - name: broken\n    description: x\n    risk: read\n    params:\n      - {name: a, type: colour}\n    executor: {kind: builtin, builtin: help}\n")
	err = b.ReloadSkills(context.Background())
	if err == nil || !strings.Contains(err.Error(), path+":2:") || !strings.Contains(err.Error(), `unknown type "colour"`) {
		t.Fatalf("broken file: %v", err)
	}
	if out := say("how healthy is billing?"); out.Executed == nil || out.Executed.Skill != "app_health" {
		t.Fatalf("the previous skills stopped working: %+v", out)
	}
	writeFile(t, path, fmt.Sprintf(statusSkill, srv.URL)+`  - name: app_version
    description: Tell which version of an app runs.
    risk: read
    params:
      - {name: app, type: name, required: true, question: "Which app?"}
    examples:
      - "which version of [checkout](app) runs"
      - "what version is [billing](app) on"
      - "version of [search](app)"
      - "[auth](app) version please"
      - "tell me the running version of [payments](app)"
    executor:
      kind: http
      url: "`+srv.URL+`/version/{app}"
      allow_hosts: ["127.0.0.1"]
      response: "{.app} runs {.status}"
`)
	if err := b.ReloadSkills(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Skills.Lookup("app_version"); !ok {
		t.Fatal("the new skill is not in the catalog")
	}
	deadline := time.Now().Add(30 * time.Second) // a guard against a hang, not a speed test
	for b.NLU.Swaps() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if out := say("which version of frontend runs"); out.Executed == nil || out.Executed.Skill != "app_version" {
		t.Fatalf("the new skill is not understood after retraining: %+v", out)
	}
}

// The shipped sample: extend_trial as an SQL UPDATE on PostgreSQL.
func TestExtendTrialSample(t *testing.T) {
	dsn := pgtest.SchemaDSN(t)
	conn := pgtest.Conn(t)
	_ = conn
	ctx := context.Background()
	cfg := config.DefaultConfig()
	cfg.Skills = slices.DeleteFunc(cfg.Skills, func(s config.Skill) bool { return s.Name == "extend_trial" })
	cfg.SkillsFiles = []string{"../docs/examples/extend_trial.yaml"}
	b, err := bot.New(ctx, cfg, bot.Options{Model: sharedModel(t), Getenv: func(k string) string {
		if k == "PARLEY_BILLING_DSN" {
			return dsn
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	setup := []string{
		"CREATE TABLE accounts (name text PRIMARY KEY, trial_ends date NOT NULL)",
		"INSERT INTO accounts VALUES ('acme', '2026-12-01'), ('globex', '2026-12-01')",
	}
	for _, q := range setup {
		if err := exec(ctx, dsn, q); err != nil {
			t.Fatal(err)
		}
	}
	say := func(text string) dialog.Outcome {
		return b.Engine.Handle(ctx, dialog.Message{User: "carol", Channel: "support", Roles: []string{"support"}, Text: text})
	}
	if out := say("extend the trial for acme by 14 days"); out.Confirm != "extend_trial" {
		t.Fatalf("%+v", out)
	}
	out := say("yes")
	if out.Executed == nil || out.Executed.Err != nil || !strings.Contains(strings.Join(out.Replies, ""), "Extended the trial of acme by 14 days (1 account updated)") {
		t.Fatalf("%+v", out)
	}
	var got string
	if err := queryRow(ctx, dsn, "SELECT trial_ends::text FROM accounts WHERE name = 'acme'", &got); err != nil || got != "2026-12-15" {
		t.Fatalf("acme's trial: %q %v", got, err)
	}
	if err := queryRow(ctx, dsn, "SELECT trial_ends::text FROM accounts WHERE name = 'globex'", &got); err != nil || got != "2026-12-01" {
		t.Fatalf("globex changed: %q %v", got, err)
	}
}

// Ready answers for the databases of the skills in service: it names a
// connection that does not answer, and has nothing to check without one.
func TestReadyChecksDatabases(t *testing.T) {
	good := pgtest.DSN(t)
	tests := []struct {
		name    string
		files   []string
		dsn     string
		wantErr string
	}{
		{name: "no databases", dsn: good},
		{name: "reachable", files: []string{"../docs/examples/extend_trial.yaml"}, dsn: good},
		{name: "unreachable", files: []string{"../docs/examples/extend_trial.yaml"}, dsn: "postgres://parley@127.0.0.1:1/billing?connect_timeout=2", wantErr: `connection "billing"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := config.DefaultConfig()
			cfg.Skills = slices.DeleteFunc(cfg.Skills, func(s config.Skill) bool { return s.Name == "extend_trial" })
			cfg.SkillsFiles = tc.files
			b, err := bot.New(ctx, cfg, bot.Options{Model: sharedModel(t), Getenv: func(k string) string {
				if k == "PARLEY_BILLING_DSN" {
					return tc.dsn
				}
				return ""
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = b.Ready(ctx)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("not ready: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}
