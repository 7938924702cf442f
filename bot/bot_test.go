package bot_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/internal/latency"
	"github.com/parleybot/parley/internal/redistest"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

var (
	modelOnce sync.Once
	model     *nlu.Model
	modelErr  error
)

// sharedModel trains the demo model once per test binary.
func sharedModel(t testing.TB) *nlu.Model {
	t.Helper()
	modelOnce.Do(func() {
		var b *bot.Bot
		b, modelErr = bot.New(context.Background(), config.DefaultConfig(), bot.Options{})
		if modelErr == nil {
			model = b.NLU.Model()
			b.Close()
		}
	})
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

// counter is a Runner that counts executions per skill.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) run(ctx context.Context, call skills.Call) (skills.Result, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[call.Skill.Name]++
	c.mu.Unlock()
	return skills.Result{Text: "done."}, nil
}

func (c *counter) get(skill string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[skill]
}

func redisBot(t testing.TB, client redis.UniversalClient, prefix string, run dialog.Runner) *bot.Bot {
	t.Helper()
	cfg := config.DefaultConfig()
	cfg.Store.Backend = "redis"
	cfg.Store.Redis.Prefix = prefix
	b, err := bot.New(context.Background(), cfg, bot.Options{Redis: client, Model: sharedModel(t), Run: run})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func msg(user, text string) dialog.Message {
	return dialog.Message{User: user, Channel: "ops", Roles: []string{"ops"}, Text: text}
}

// Two bot processes share one Redis; the same person's "yes" reaches both
// at the same moment. The action runs exactly once, every round.
func TestTwoProcessesRaceOneConfirmation(t *testing.T) {
	client, prefix := redistest.Client(t)
	runs := &counter{}
	a := redisBot(t, client, prefix, runs.run)
	other := redis.NewClient(redistest.Options())
	t.Cleanup(func() { other.Close() })
	b := redisBot(t, other, prefix, runs.run)
	ctx := context.Background()
	const rounds = 50
	for i := 0; i < rounds; i++ {
		user := fmt.Sprintf("jason%d", i)
		if out := a.Engine.Handle(ctx, msg(user, "restart apache on web-1")); out.State != dialog.Confirming {
			t.Fatalf("round %d: not confirming: %+v", i, out)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		outs := make([]dialog.Outcome, 2)
		for j, bt := range []*bot.Bot{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				outs[j] = bt.Engine.Handle(ctx, msg(user, "yes"))
			}()
		}
		close(start)
		wg.Wait()
		executed := 0
		for _, o := range outs {
			if o.Executed != nil {
				executed++
			}
		}
		if executed != 1 {
			t.Fatalf("round %d: %d executions: %+v", i, executed, outs)
		}
	}
	if got := runs.get("restart_service"); got != rounds {
		t.Fatalf("restart_service ran %d times in %d rounds", got, rounds)
	}
}

// The conversation lives in Redis: a second process continues it.
func TestConversationMovesBetweenProcesses(t *testing.T) {
	client, prefix := redistest.Client(t)
	runs := &counter{}
	a := redisBot(t, client, prefix, runs.run)
	b := redisBot(t, client, prefix, runs.run)
	ctx := context.Background()
	if out := a.Engine.Handle(ctx, msg("erin", "restart apache")); out.Asks != "host" {
		t.Fatalf("%+v", out)
	}
	if out := b.Engine.Handle(ctx, msg("erin", "192.168.0.24")); out.Confirm != "restart_service" || out.Params["host"] != "192.168.0.24" {
		t.Fatalf("%+v", out)
	}
	if out := a.Engine.Handle(ctx, msg("erin", "yes")); out.Executed == nil {
		t.Fatalf("%+v", out)
	}
	// Nothing is left pending: at most the memory of the run ("roll it
	// back"), which expires.
	keys, err := client.Keys(ctx, prefix+"conv:*").Result()
	if err != nil || len(keys) > 1 {
		t.Fatalf("conversations left behind: %v %v", keys, err)
	}
	for _, k := range keys {
		var left struct {
			State int    `json:"s"`
			Skill string `json:"k"`
			Last  struct {
				Skill string `json:"k"`
			} `json:"r"`
		}
		raw, err := client.Get(ctx, k).Bytes()
		if err == nil {
			// The store keeps "version:record".
			_, rec, _ := bytes.Cut(raw, []byte(":"))
			err = json.Unmarshal(rec, &left)
		}
		if err != nil || left.State != 0 || left.Skill != "" || left.Last.Skill != "restart_service" {
			t.Fatalf("left behind at %s: %s %v", k, raw, err)
		}
		if ttl, err := client.PTTL(ctx, k).Result(); err != nil || ttl <= 0 {
			t.Fatalf("the record at %s does not expire: %v %v", k, ttl, err)
		}
	}
}

// Redis goes away mid-dialog and comes back: the person is told in plain
// words, and the dialog continues when it returns.
func TestRedisOutageIsReportedAndRecovered(t *testing.T) {
	mr := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	b := redisBot(t, client, "parley:", (&counter{}).run)
	ctx := context.Background()
	if out := b.Engine.Handle(ctx, msg("jason", "restart apache")); out.Asks != "host" {
		t.Fatalf("%+v", out)
	}
	mr.Close()
	out := b.Engine.Handle(ctx, msg("jason", "web-1"))
	if !strings.Contains(strings.Join(out.Replies, " "), "can't reach my state store") || !errors.Is(out.Err, dialog.ErrUnavailable) {
		t.Fatalf("outage: %+v", out)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out = b.Engine.Handle(ctx, msg("jason", "web-1"))
		if out.Err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out.Confirm != "restart_service" || out.Params["host"] != "web-1" {
		t.Fatalf("after recovery: %+v", out)
	}
}

// The stored record of a conversation stays small, with a request pending
// and a full memory of the runs before it.
func TestStoredStatePerConversation(t *testing.T) {
	client, prefix := redistest.Client(t)
	b := redisBot(t, client, prefix, (&counter{}).run)
	ctx := context.Background()
	for _, text := range []string{"restart apache on web-1", "yes", "deploy checkout to staging", "yes", "status of nginx on web-2", "who is on call for payments?"} {
		b.Engine.Handle(ctx, msg("alice", text))
	}
	b.Engine.Handle(ctx, msg("alice", "open a critical incident: checkout is throwing 500 errors for every customer in the eu region since the last deploy"))
	keys, err := client.Keys(ctx, prefix+"conv:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v %v", keys, err)
	}
	n, err := client.StrLen(ctx, keys[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stored state of a pending incident_create: %d bytes", n)
	if n > 1024 {
		t.Fatalf("stored state is %d bytes, over 1 KB", n)
	}
	// A pending request with the longest requests of its message waiting.
	b.Engine.Handle(ctx, msg("alice", "no"))
	long := "please roll back the checkout app in the staging environment as soon as you can, it has been failing since lunch"
	b.Engine.Handle(ctx, msg("alice", "restart nginx on web-2; "+long+"; "+strings.Replace(long, "checkout", "billing", 1)))
	if n, err = client.StrLen(ctx, keys[0]).Result(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stored state of a pending restart_service with two requests waiting: %d bytes", n)
	if rec, _ := client.Get(ctx, keys[0]).Result(); !strings.Contains(rec, "billing app") || n > 1024 {
		t.Fatalf("stored state is %d bytes; want the waiting requests in it, within 1 KB: %s", n, rec)
	}
}

// turnCycle is one whole dialog: ask, answer, confirm.
var turnCycle = []string{"restart apache", "192.168.0.24", "yes"}

func benchTurns(b *testing.B, bt *bot.Bot) {
	ctx := context.Background()
	var lat latency.Recorder
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		start := time.Now()
		out := bt.Engine.Handle(ctx, msg("jason", turnCycle[i%3]))
		lat.Since(start)
		if out.Err != nil {
			b.Fatal(out.Err)
		}
		i++
	}
	lat.Report(b)
}

// BenchmarkTurnMemory is one turn of a restart dialog on the memory store.
func BenchmarkTurnMemory(b *testing.B) {
	bt, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{Model: sharedModel(b), Run: (&counter{}).run})
	if err != nil {
		b.Fatal(err)
	}
	benchTurns(b, bt)
}

// BenchmarkTurnRedis is one turn of a restart dialog over the real Redis.
func BenchmarkTurnRedis(b *testing.B) {
	client, prefix := redistest.Client(b)
	benchTurns(b, redisBot(b, client, prefix, (&counter{}).run))
}

// BenchmarkMixedLoadRedis drives 1,000 conversations at once over Redis
// with a mix of dialogs and read-only questions, and reports turns/s.
func BenchmarkMixedLoadRedis(b *testing.B) {
	client, prefix := redistest.Client(b)
	opts := redistest.Options()
	opts.PoolSize = 64
	pooled := redis.NewClient(opts)
	b.Cleanup(func() { pooled.Close() })
	_ = client
	bt := redisBot(b, pooled, prefix, (&counter{}).run)
	const conversations = 1000
	scripts := [][]string{
		{"restart apache", "192.168.0.24", "yes"},
		{"who is on call for payments?"},
		{"deploy checkout to staging", "no"},
		{"restart nginx on web-2", "actually web-3", "yes"},
		{"list open incidents"},
	}
	var next atomic.Int64
	var failures atomic.Int64
	var lat latency.Recorder
	b.SetParallelism(conversations / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		id := next.Add(1)
		user := "user" + strconv.FormatInt(id, 10)
		script := scripts[id%int64(len(scripts))]
		for i := 0; pb.Next(); i++ {
			t0 := time.Now()
			out := bt.Engine.Handle(ctx, msg(user, script[i%len(script)]))
			lat.Since(t0)
			if out.Err != nil {
				failures.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "turns/s")
	lat.Report(b)
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d turns failed", n)
	}
}

// BenchmarkStartup measures start-up to the first answer (training the
// model included) and the process's resident memory afterwards.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		start := time.Now()
		bt, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{})
		if err != nil {
			b.Fatal(err)
		}
		out := bt.Engine.Handle(context.Background(), msg("jason", "who is on call?"))
		if len(out.Replies) == 0 {
			b.Fatal("no answer")
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-first-answer")
		bt.Close()
	}
	runtime.GC()
	b.ReportMetric(rssMB(), "RSS-MB")
}

func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// FuzzMessage sends arbitrary text through the whole message path: every
// message gets a reply, nothing panics, and whatever runs carries only
// values that pass their parameter types again.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{
		"restart apache on web-1", "restart apache on web-1; rm -rf /", "deploy $(reboot) to prod",
		"restart `id` on web-1", "ack #42", "open an incident: a\x00b", "yes", "\xff\xfe", "",
		"restart apache on ‐web-1", "extend trial for acme by 999999999999999999999 days",
		"check http://127.0.0.1:1/`id`", strings.Repeat("(", 3000),
		"restart apache on web-1; deploy checkout to qa then resolve #3", "İİ; status of nginx then ack #1",
		"what version of billing is in qa?", "resolve #99",
	} {
		f.Add(s, s)
	}
	m := sharedModel(f)
	f.Fuzz(func(t *testing.T, first, second string) {
		var bad atomic.Value
		run := func(ctx context.Context, call skills.Call) (skills.Result, error) {
			for _, name := range call.Args.Names() {
				v, _ := call.Args.Get(name)
				again, err := call.Skill.Param(name).Type.Parse(v.String())
				if err != nil || again.String() != v.String() {
					bad.Store(fmt.Sprintf("%s=%q does not validate again: %v", name, v.String(), err))
				}
			}
			return skills.Result{Text: "done."}, nil
		}
		b, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{Model: m, Run: run})
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{first, second, "yes"} {
			out := b.Engine.Handle(context.Background(), dialog.Message{User: "fuzz", Channel: "c", Roles: []string{"ops", "deployer", "support"}, Text: text})
			if len(out.Replies) == 0 {
				t.Fatalf("%q: no reply", text)
			}
			if out.Err != nil {
				t.Fatalf("%q: internal error %v: %v", text, out.Err, out.Replies)
			}
		}
		if v := bad.Load(); v != nil {
			t.Fatal(v)
		}
	})
}

// Every accountable action reaches the audit trail, and people allowed to
// can ask it in chat.
func TestAuditTrail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, err := filelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bot.New(context.Background(), config.DefaultConfig(), bot.Options{Model: sharedModel(t), Run: (&counter{}).run, Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	say := func(user, text string, roles ...string) dialog.Outcome {
		return b.Engine.Handle(ctx, dialog.Message{User: user, Channel: "ops", Roles: roles, Text: text, Via: "test"})
	}
	say("jason", "restart apache on web-1", "ops")
	say("jason", "yes", "ops")
	say("bob", "restart nginx on web-2", "engineer")
	say("jason", "deploy checkout to staging", "ops")
	say("jason", "no", "ops")
	out := say("alice", "what did jason run today?", "ops")
	if reply := strings.Join(out.Replies, "\n"); !strings.Contains(reply, "jason restart_service") || !strings.Contains(reply, "host=web-1") {
		t.Fatalf("chat question: %q", reply)
	}
	if out := say("bob", "what did jason run today?", "engineer"); !strings.Contains(strings.Join(out.Replies, ""), "only for people with the ops role") {
		t.Fatalf("bob may not read the trail: %+v", out)
	}
	if err := b.Close(); err != nil { // writes what is queued
		t.Fatal(err)
	}
	reopened, err := filelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	recs, err := reopened.Query(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%s %s %s", r.Kind, r.User, r.Skill))
		if r.Via != "test" || r.Channel != "ops" || r.Message == "" {
			t.Errorf("record without its context: %+v", r)
		}
	}
	want := []string{
		"confirmed jason restart_service", "executed jason restart_service",
		"refused bob restart_service", "cancelled jason deploy",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v, err := reopened.Verify(ctx); err != nil || !v.OK() {
		t.Fatalf("chain: %v %v", v, err)
	}
}

// The configuration's nlu.margin reaches the model: unset is 0.1, and an
// explicit 0 means never ambiguous (a negative margin for the NLU).
func TestModelOptionsMargin(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want float64
	}{
		{"", 0.1},
		{"nlu: {margin: 0.25}\n", 0.25},
		{"nlu: {margin: 0}\n", -1},
	} {
		cfg, err := config.Load(strings.NewReader(tc.src+"skills: [{name: a, description: x, risk: read, roles: ['*'], executor: {kind: builtin, builtin: help}}]\n"), "test.yaml")
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if got := bot.ModelOptions(cfg, nil).Margin; got != tc.want {
			t.Errorf("%q: margin %v, want %v", tc.src, got, tc.want)
		}
	}
}

// A model file from another version of Parley is not fatal: the bot
// trains a current model instead. A damaged one stops start-up with a
// clear error.
func TestModelFileOfAnotherVersion(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.model")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := gob.NewEncoder(zw).Encode(struct{ Format int }{Format: 1}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	if err := os.WriteFile(old, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(dir, "damaged.model")
	if err := os.WriteFile(damaged, []byte("not a model"), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := config.DefaultConfig()
	cfg.NLU.Model = old
	b, err := bot.New(context.Background(), cfg, bot.Options{})
	if err != nil {
		t.Fatalf("a model file of another version stopped start-up: %v", err)
	}
	defer b.Close()
	r, err := b.NLU.Parse(context.Background(), "restart apache on web-1")
	if err != nil || r.Intent != "restart_service" {
		t.Fatalf("the trained model: %+v %v", r, err)
	}

	cfg = config.DefaultConfig()
	cfg.NLU.Model = damaged
	if _, err := bot.New(context.Background(), cfg, bot.Options{}); err == nil || !strings.Contains(err.Error(), "damaged.model") {
		t.Fatalf("a damaged model file: %v", err)
	}
}
