package dialog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/training"
)

// fakeStore is an in-memory Store for this package's unit tests.
type fakeStore struct {
	mu     sync.Mutex
	data   map[string][]byte
	ver    map[string]int64
	next   int64
	down   atomic.Bool
	swaps  atomic.Int64
	onLoad func() // called after a load, outside the lock
}

func newFakeStore() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, ver: map[string]int64{}}
}

func (s *fakeStore) Load(_ context.Context, key string) ([]byte, int64, error) {
	if s.down.Load() {
		return nil, 0, fmt.Errorf("%w: connection refused", ErrUnavailable)
	}
	s.mu.Lock()
	d, v := slices.Clone(s.data[key]), s.ver[key]
	s.mu.Unlock()
	if s.onLoad != nil {
		s.onLoad()
	}
	return d, v, nil
}

func (s *fakeStore) Swap(_ context.Context, key string, version int64, data []byte) (int64, error) {
	if s.down.Load() {
		return 0, fmt.Errorf("%w: connection refused", ErrUnavailable)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swaps.Add(1)
	if s.ver[key] != version {
		return 0, ErrConflict
	}
	if data == nil {
		delete(s.data, key)
		delete(s.ver, key)
		return 0, nil
	}
	s.next++
	s.data[key], s.ver[key] = slices.Clone(data), s.next
	return s.next, nil
}

// fakeParser understands a fixed set of messages.
type fakeParser map[string]nlu.Result

func (f fakeParser) Parse(_ context.Context, text string) (nlu.Result, error) {
	if text == "PANIC" {
		panic("parser exploded")
	}
	if r, ok := f[text]; ok {
		r.Text = text
		return r, nil
	}
	return nlu.Result{Text: text, Intent: nlu.OutOfScope, Alternatives: []nlu.Scored{{Intent: "restart_service", Confidence: 0.3}, {Intent: "service_status", Confidence: 0.25}}}, nil
}

func intent(name string, ents ...nlu.Entity) nlu.Result {
	return nlu.Result{Intent: name, Confidence: 0.95, Alternatives: []nlu.Scored{{Intent: name, Confidence: 0.95}}, Entities: ents}
}

func ent(typ, value string) nlu.Entity { return nlu.Entity{Type: typ, Text: value, Value: value} }

func testParser() fakeParser {
	return fakeParser{
		"restart apache":                   intent("restart_service", ent("service", "apache")),
		"restart apache on web-1":          intent("restart_service", ent("service", "apache"), ent("host", "web-1")),
		"restart apache on web-1;rm -rf /": intent("restart_service", ent("service", "apache"), ent("host", "web-1;rm")),
		"restart":                          intent("restart_service"),
		"deploy checkout to production":    intent("deploy", ent("app", "checkout"), ent("environment", "production")),
		"deploy checkout to staging":       intent("deploy", ent("app", "checkout"), ent("environment", "staging")),
		"who is on call":                   intent("oncall_who"),
		"who is on call for payments":      intent("oncall_who", ent("team", "payments")),
		"status of nginx":                  intent("service_status", ent("service", "nginx")),
		"yes":                              intent(IntentAffirm),
		"no":                               intent(IntentDeny),
		"cancel":                           intent(IntentCancel),
		"explode":                          intent("explode"),
		"purge the cache":                  intent("purge_cache"),
		"rotate the keys":                  intent("rotate_keys"),
		"wipe the disk":                    intent("wipe_disk"),
		"nuke it":                          intent("nuke"),
		"drop the database":                intent("drop_db"),
		"fail please":                      intent("fail"),
		"actually web-2":                   {Intent: nlu.OutOfScope, Entities: []nlu.Entity{ent("hostname", "web-2")}},
		"it's web-3":                       {Intent: nlu.OutOfScope, Entities: []nlu.Entity{ent("hostname", "web-3")}},
	}
}

type callLog struct {
	mu    sync.Mutex
	calls []skills.Call
}

func (l *callLog) executor(text string) skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, c skills.Call) (skills.Result, error) {
		if _, ok := ctx.Deadline(); !ok {
			return skills.Result{}, errors.New("executor called without a deadline")
		}
		l.mu.Lock()
		l.calls = append(l.calls, c)
		l.mu.Unlock()
		return skills.Result{Text: text}, nil
	})
}

func (l *callLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

func testCatalog(t testing.TB, log *callLog) *skills.Registry {
	t.Helper()
	name := skills.MustType(skills.TypeSpec{Name: "name"})
	env := skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"production", "staging"}})
	reg, err := skills.NewRegistry(
		&skills.Skill{
			Name: "restart_service", Description: "Restart a service on a host.", Risk: skills.Dangerous, Roles: []string{"ops"},
			Confirm: "Restart {service} on {host}?", Running: "Restarting {service} on {host}",
			Params: []skills.Param{
				{Name: "service", Type: name, Required: true, Question: "Which service would you like to restart?"},
				{Name: "host", Type: skills.MustType(skills.TypeSpec{Name: "host"}), Required: true, Question: "On which host would you like to restart {service}?"},
			},
			Executor: log.executor("done."),
		},
		&skills.Skill{
			Name: "deploy", Description: "Deploy an app.", Risk: skills.Dangerous, Roles: []string{"ops", "deployer"},
			Rules:   []skills.Rule{{Param: "environment", Value: "production", Roles: []string{"deployer"}}},
			Confirm: "Deploy {app} to {environment}?",
			Params: []skills.Param{
				{Name: "app", Type: name, Required: true, Question: "Which app?"},
				{Name: "environment", Type: env, Required: true, Question: "Which environment?"},
			},
			Executor: log.executor("deployed"),
		},
		&skills.Skill{
			Name: "oncall_who", Description: "Tell who is on call.", Risk: skills.Read,
			Params:   []skills.Param{{Name: "team", Type: name}},
			Executor: log.executor("alice is on call."),
		},
		&skills.Skill{
			Name: "service_status", Description: "Check a service's status.", Risk: skills.Read,
			Params:   []skills.Param{{Name: "service", Type: name, Required: true, Question: "Which service?"}},
			Executor: log.executor("running"),
		},
		&skills.Skill{
			Name: "purge_cache", Description: "Purge the CDN cache.", Risk: skills.Write, Roles: []string{"ops"}, Channels: []string{"ops-only"},
			Confirm: "Purge the cache?", Executor: log.executor("purged"),
		},
		&skills.Skill{
			Name: "rotate_keys", Description: "Rotate the keys.", Risk: skills.Dangerous, Roles: []string{"ops"}, Require2FA: true,
			Confirm: "Rotate the keys?", Running: "Rotating the keys", Executor: log.executor("done."),
		},
		&skills.Skill{
			Name: "wipe_disk", Description: "Wipe a disk.", Risk: skills.Dangerous, Roles: []string{"ops"}, Approvals: 1,
			Confirm: "Wipe the disk?", Running: "Wiping the disk", Executor: log.executor("done."),
		},
		&skills.Skill{
			Name: "nuke", Description: "Nuke it.", Risk: skills.Dangerous, Roles: []string{"ops"}, Approvals: 1, Require2FA: true,
			Confirm: "Nuke it?", Running: "Nuking", Executor: log.executor("done."),
		},
		&skills.Skill{
			Name: "drop_db", Description: "Drop a database.", Risk: skills.Dangerous,
			Confirm: "Drop it?", Executor: log.executor("dropped"),
		},
		&skills.Skill{
			Name: "explode", Description: "Panic.", Risk: skills.Read,
			Executor: skills.ExecutorFunc(func(context.Context, skills.Call) (skills.Result, error) { panic("boom") }),
		},
		&skills.Skill{
			Name: "fail", Description: "Fail.", Risk: skills.Read,
			Executor: skills.ExecutorFunc(func(context.Context, skills.Call) (skills.Result, error) {
				return skills.Result{}, errors.New("dial tcp 10.0.0.1:5432: secret internals")
			}),
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// fakeFactor accepts 123456 once per user; 999999 is refused outright.
type fakeFactor struct {
	mu   sync.Mutex
	used map[string]bool
}

func (f *fakeFactor) Verify(_ context.Context, user, skill, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case code == "999999":
		return fmt.Errorf("%w: you are locked out until 10:15", ErrCodeRefused)
	case code != "123456":
		return fmt.Errorf("%w: that code is wrong (4 tries left)", ErrCodeWrong)
	case f.used[user]:
		return fmt.Errorf("%w: that code was already used", ErrCodeRefused)
	}
	if f.used == nil {
		f.used = map[string]bool{}
	}
	f.used[user] = true
	return nil
}

type harness struct {
	t     *testing.T
	eng   *Engine
	store *fakeStore
	log   *callLog
	now   time.Time
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, store: newFakeStore(), log: &callLog{}, now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	eng, err := New(Config{
		Parser: testParser(), Catalog: testCatalog(t, h.log), Store: h.store,
		Now: func() time.Time { return h.now }, SecondFactor: &fakeFactor{},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.eng = eng
	return h
}

func (h *harness) say(user, text string, roles ...string) Outcome {
	h.t.Helper()
	return h.eng.Handle(context.Background(), Message{User: user, Channel: "ops", Roles: roles, Text: text})
}

func replyOf(o Outcome) string { return strings.Join(o.Replies, "\n") }

func TestRestartAsksConfirmsAndRuns(t *testing.T) {
	h := newHarness(t)
	o := h.say("jason", "@parley restart apache", "ops")
	if o.State != Collecting || o.Asks != "host" || replyOf(o) != "On which host would you like to restart apache?" {
		t.Fatalf("turn 1: %+v", o)
	}
	o = h.say("jason", "192.168.0.24", "ops")
	if o.State != Confirming || o.Confirm != "restart_service" || replyOf(o) != "Restart apache on 192.168.0.24? (yes / no)" {
		t.Fatalf("turn 2: %+v", o)
	}
	if h.log.count() != 0 {
		t.Fatal("executed before confirmation")
	}
	o = h.say("jason", "yes", "ops")
	if o.Executed == nil || o.Executed.Skill != "restart_service" || o.State != Idle {
		t.Fatalf("turn 3: %+v", o)
	}
	if got := replyOf(o); got != "Restarting apache on 192.168.0.24 ... done." {
		t.Fatalf("reply %q", got)
	}
	c := h.log.calls[0]
	if c.Args.String("host") != "192.168.0.24" || c.Args.String("service") != "apache" || c.Caller.User != "jason" {
		t.Fatalf("call %+v", c.Args.Canonical())
	}
	data, _, _ := h.store.Load(context.Background(), Message{User: "jason", Channel: "ops"}.Key().String())
	left, err := decode(data)
	if err != nil || left.State != Idle || left.Skill != "" || len(left.Params) != 0 {
		t.Fatalf("something is still pending after execution: %+v %v", left, err)
	}
	if left.Last == nil || left.Last.Skill != "restart_service" || left.Last.Params["host"] != "192.168.0.24" {
		t.Fatalf("the run is not remembered: %+v", left.Last)
	}
}

func TestInvalidAnswersAreAskedAgainThenDropped(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache", "ops")
	for i, bad := range []string{"web 1; reboot", "$(reboot)"} {
		o := h.say("jason", bad, "ops")
		if o.State != Collecting || o.Asks != "host" || !strings.Contains(replyOf(o), "isn't a valid value for host") {
			t.Fatalf("attempt %d: %+v", i+1, o)
		}
	}
	o := h.say("jason", "web-1 && reboot", "ops")
	if o.State != Idle || !strings.Contains(replyOf(o), "dropped") {
		t.Fatalf("third bad answer: %+v", o)
	}
	if h.log.count() != 0 {
		t.Fatal("something ran")
	}
}

func TestHostileEntityIsNeverPassedThrough(t *testing.T) {
	h := newHarness(t)
	o := h.say("jason", "restart apache on web-1;rm -rf /", "ops")
	if o.State != Collecting || o.Asks != "host" || !strings.Contains(replyOf(o), "isn't a valid value for host") {
		t.Fatalf("%+v", o)
	}
	if _, ok := o.Params["host"]; ok {
		t.Fatalf("invalid host kept: %v", o.Params)
	}
}

func TestCancelAnywhere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []string
	}{
		{"while collecting", []string{"restart apache"}},
		{"while confirming", []string{"restart apache on web-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for _, s := range tc.setup {
				h.say("jason", s, "ops")
			}
			o := h.say("jason", "cancel", "ops")
			if o.State != Idle || h.log.count() != 0 {
				t.Fatalf("%+v", o)
			}
			if o := h.say("jason", "yes", "ops"); o.Executed != nil || !strings.Contains(replyOf(o), "nothing waiting") {
				t.Fatalf("yes after cancel: %+v", o)
			}
		})
	}
}

func TestCorrections(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache on web-1", "ops")
	o := h.say("jason", "actually web-2", "ops")
	if o.State != Confirming || o.Params["host"] != "web-2" || !strings.Contains(replyOf(o), "Restart apache on web-2?") {
		t.Fatalf("correction while confirming: %+v", o)
	}
	o = h.say("jason", "yes", "ops")
	if o.Executed == nil || o.Executed.Params["host"] != "web-2" {
		t.Fatalf("%+v", o)
	}
	h.say("jason", "restart apache", "ops")
	o = h.say("jason", "actually web-2", "ops")
	if o.State != Confirming || o.Params["host"] != "web-2" {
		t.Fatalf("correction while collecting: %+v", o)
	}
}

func TestAnswerInsideASentence(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache", "ops")
	o := h.say("jason", "it's web-3", "ops")
	if o.State != Confirming || o.Params["host"] != "web-3" {
		t.Fatalf("%+v", o)
	}
}

func TestReadOnlyInterruptKeepsThePendingDialog(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache", "ops")
	o := h.say("jason", "who is on call for payments", "ops")
	if o.Executed == nil || o.Executed.Skill != "oncall_who" || o.State != Collecting {
		t.Fatalf("%+v", o)
	}
	if !strings.Contains(replyOf(o), "alice is on call.") || !strings.Contains(replyOf(o), "On which host would you like to restart apache?") {
		t.Fatalf("reply %q", replyOf(o))
	}
	o = h.say("jason", "web-1", "ops")
	if o.State != Confirming || o.Params["host"] != "web-1" || o.Params["service"] != "apache" {
		t.Fatalf("resume: %+v", o)
	}
	o = h.say("jason", "status of nginx", "ops")
	if o.Executed == nil || o.Executed.Skill != "service_status" || o.State != Confirming || !strings.Contains(replyOf(o), "Still waiting") {
		t.Fatalf("interrupt while confirming: %+v", o)
	}
}

func TestConfirmationExpires(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache on web-1", "ops")
	h.now = h.now.Add(5*time.Minute + time.Second)
	o := h.say("jason", "yes", "ops")
	if o.Executed != nil || o.State != Idle || !strings.Contains(replyOf(o), "expired") {
		t.Fatalf("%+v", o)
	}
	if h.log.count() != 0 {
		t.Fatal("ran after expiry")
	}
}

func TestYesWithNothingPending(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"yes", "no", "cancel"} {
		o := h.say("jason", text, "ops")
		if o.Executed != nil || o.State != Idle || len(o.Replies) != 1 {
			t.Fatalf("%s: %+v", text, o)
		}
	}
	if h.store.swaps.Load() != 0 {
		t.Fatal("idle turns wrote to the store")
	}
}

func TestConfirmationOnlyFromTheSamePerson(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache on web-1", "ops")
	o := h.say("mallory", "yes", "ops")
	if o.Executed != nil {
		t.Fatalf("another person's yes ran it: %+v", o)
	}
	if o := h.say("jason", "yes", "ops"); o.Executed == nil {
		t.Fatalf("the asker's yes did not run it: %+v", o)
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		roles  []string
		denied bool
		want   string
	}{
		{"no role at all", "restart apache on web-1", nil, true, "you need the ops role to restart a service on a host"},
		{"right role", "restart apache on web-1", []string{"ops"}, false, "Restart apache on web-1?"},
		{"rule on a value", "deploy checkout to production", []string{"ops"}, true, "you need the deployer role to deploy an app when environment is production"},
		{"rule satisfied", "deploy checkout to production", []string{"deployer"}, false, "Deploy checkout to production?"},
		{"rule not triggered", "deploy checkout to staging", []string{"ops"}, false, "Deploy checkout to staging?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.say("bob", tc.text, tc.roles...)
			if o.Denied != tc.denied || !strings.Contains(replyOf(o), tc.want) {
				t.Fatalf("%+v", o)
			}
			if tc.denied && o.State != Idle {
				t.Fatalf("denied request left state %s", o.State)
			}
		})
	}
}

func TestConfirmerRolesAreChecked(t *testing.T) {
	h := newHarness(t)
	h.say("bob", "restart apache on web-1", "ops")
	// Bob lost the role between asking and confirming.
	o := h.say("bob", "yes")
	if o.Executed != nil || !o.Denied {
		t.Fatalf("%+v", o)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "didn't catch anything"},
		{"spaces", "   \t  ", "didn't catch anything"},
		{"only a mention", "@parley", "didn't catch anything"},
		{"control characters", "\x00\x01\x02", "didn't catch anything"},
		{"too long", strings.Repeat("a", 1<<20), "too long"},
		{"invalid utf-8", "restart \xff\xfe apache", "plain text"},
		{"unknown", "sing me a song", "Did you mean: restart a service on a host, or check a service's status?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.say("jason", tc.text, "ops")
			if !strings.Contains(replyOf(o), tc.want) || o.Executed != nil || o.State != Idle {
				t.Fatalf("%+v", o)
			}
		})
	}
}

func TestPanicsAndFailuresDoNotLeak(t *testing.T) {
	h := newHarness(t)
	o := h.say("jason", "PANIC", "ops")
	if !strings.Contains(replyOf(o), "Something went wrong on my side") || strings.Contains(replyOf(o), "exploded") {
		t.Fatalf("parser panic: %+v", o)
	}
	o = h.say("jason", "explode", "ops")
	if o.Executed == nil || o.Executed.Err == nil || strings.Contains(replyOf(o), "boom") || !strings.Contains(replyOf(o), "ref ") {
		t.Fatalf("skill panic: %+v", o)
	}
	o = h.say("jason", "fail please", "ops")
	if strings.Contains(replyOf(o), "10.0.0.1") || !strings.Contains(replyOf(o), "failed") {
		t.Fatalf("internal error text reached the user: %q", replyOf(o))
	}
}

func TestStoreOutageAndRecovery(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache", "ops")
	h.store.down.Store(true)
	o := h.say("jason", "web-1", "ops")
	if replyOf(o) != msgStoreDown || !errors.Is(o.Err, ErrUnavailable) {
		t.Fatalf("%+v", o)
	}
	h.store.down.Store(false)
	o = h.say("jason", "web-1", "ops")
	if o.State != Confirming || o.Params["host"] != "web-1" {
		t.Fatalf("after recovery: %+v", o)
	}
}

// Two "yes" messages of one person handled at the same moment (two bot
// processes) run the action once.
func TestConcurrentConfirmationsRunOnce(t *testing.T) {
	for round := 0; round < 20; round++ {
		h := newHarness(t)
		h.say("jason", "restart apache on web-1", "ops")
		var ready sync.WaitGroup
		ready.Add(2)
		release := make(chan struct{})
		h.store.onLoad = func() { ready.Done(); <-release }
		var wg sync.WaitGroup
		outs := make([]Outcome, 2)
		for i := range outs {
			wg.Add(1)
			go func() { defer wg.Done(); outs[i] = h.say("jason", "yes", "ops") }()
		}
		ready.Wait() // both loaded the confirming record
		h.store.onLoad = nil
		close(release)
		wg.Wait()
		if n := h.log.count(); n != 1 {
			t.Fatalf("round %d: executed %d times: %+v", round, n, outs)
		}
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from State
		ev   Event
		to   State
		ok   bool
	}{
		{Idle, EvAsk, Collecting, true},
		{Idle, EvPropose, Confirming, true},
		{Idle, EvRun, Executing, true},
		{Collecting, EvAsk, Collecting, true},
		{Collecting, EvPropose, Confirming, true},
		{Confirming, EvRun, Executing, true},
		{Confirming, EvDrop, Idle, true},
		{Executing, EvFinish, Idle, true},
		{Idle, EvFinish, Idle, false},
		{Idle, EvDrop, Idle, false},
		{Executing, EvAsk, Executing, false},
		{Collecting, EvFinish, Collecting, false},
	}
	for _, tc := range tests {
		got, err := transition(tc.from, tc.ev)
		if (err == nil) != tc.ok || got != tc.to {
			t.Errorf("%s --%s--> %s, %v; want %s ok=%v", tc.from, tc.ev, got, err, tc.to, tc.ok)
		}
	}
}

func TestConversationRecordIsSmall(t *testing.T) {
	c := conversation{State: Confirming, Skill: "restart_service", Params: map[string]string{"service": "apache", "host": "db1.prod.internal"},
		Expires: time.Now().UnixMilli(), Origin: strings.Repeat("x", 200), By: "jason"}
	data, err := encode(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 1024 {
		t.Fatalf("record is %d bytes", len(data))
	}
	back, err := decode(data)
	if err != nil || back.Skill != c.Skill || back.Params["host"] != "db1.prod.internal" {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := decode([]byte(`{"s":9}`)); err == nil {
		t.Fatal("unknown state accepted")
	}
}

// A record stored without parameters (the first one asked was invalid)
// must still take answers.
func TestAnswerAfterAnInvalidFirstValue(t *testing.T) {
	h := newHarness(t)
	h.say("jason", "restart apache on web-1;rm -rf /", "ops") // host rejected, asked again
	h.say("jason", "cancel", "ops")
	p := testParser()
	p["restart nothing"] = intent("restart_service", ent("service", "-rf"))
	h.eng.cfg.Parser = p
	o := h.say("jason", "restart nothing", "ops")
	if o.Asks != "service" || len(o.Params) != 0 {
		t.Fatalf("%+v", o)
	}
	o = h.say("jason", "nginx", "ops")
	if o.Asks != "host" || o.Params["service"] != "nginx" {
		t.Fatalf("%+v", o)
	}
}

func TestPending(t *testing.T) {
	h := newHarness(t)
	key := Key{User: "jason", Channel: "ops"}
	if s, err := h.eng.Pending(context.Background(), key); err != nil || s != Idle {
		t.Fatalf("%v %v", s, err)
	}
	h.say("jason", "restart apache", "ops")
	if s, _ := h.eng.Pending(context.Background(), key); s != Collecting {
		t.Fatalf("after a question: %v", s)
	}
	h.say("jason", "web-1", "ops")
	if s, _ := h.eng.Pending(context.Background(), key); s != Confirming {
		t.Fatalf("after the proposal: %v", s)
	}
	h.now = h.now.Add(time.Hour)
	if s, _ := h.eng.Pending(context.Background(), key); s != Idle {
		t.Fatalf("an expired question is not pending: %v", s)
	}
	h.store.down.Store(true)
	if _, err := h.eng.Pending(context.Background(), key); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("outage: %v", err)
	}
}

func TestChannelRulesAndDenyByDefault(t *testing.T) {
	h := newHarness(t)
	o := h.eng.Handle(context.Background(), Message{User: "erin", Channel: "random", Roles: []string{"ops"}, Text: "purge the cache"})
	if !o.Denied || !strings.Contains(replyOf(o), "only purge the CDN cache in #ops-only") {
		t.Fatalf("wrong channel: %+v", o)
	}
	o = h.eng.Handle(context.Background(), Message{User: "erin", Channel: "ops-only", Roles: []string{"ops"}, Text: "purge the cache"})
	if o.Denied || o.Confirm != "purge_cache" {
		t.Fatalf("right channel: %+v", o)
	}
	o = h.say("root", "drop the database", "ops", "admin", "deployer")
	if !o.Denied || !strings.Contains(replyOf(o), "nobody may drop a database yet") {
		t.Fatalf("a dangerous skill without roles: %+v", o)
	}
	if h.log.count() != 0 {
		t.Fatal("something ran")
	}
}

func TestSecondFactor(t *testing.T) {
	h := newHarness(t)
	o := h.say("erin", "rotate the keys", "ops")
	if o.Confirm != "rotate_keys" {
		t.Fatalf("%+v", o)
	}
	o = h.say("erin", "yes", "ops")
	if o.Executed != nil || !strings.Contains(replyOf(o), "Enter the 6-digit code") || o.State != Confirming {
		t.Fatalf("yes must ask for a code: %+v", o)
	}
	o = h.say("erin", "111111", "ops")
	if o.Executed != nil || !strings.Contains(replyOf(o), "that code is wrong") || !o.Sensitive || o.State != Confirming {
		t.Fatalf("wrong code: %+v", o)
	}
	o = h.say("erin", "123 456", "ops")
	if o.Executed == nil || o.Executed.Skill != "rotate_keys" || !o.Sensitive {
		t.Fatalf("right code: %+v", o)
	}
	kinds := []string{}
	for _, r := range o.Records {
		kinds = append(kinds, r.Kind)
	}
	if strings.Join(kinds, ",") != "confirmed,executed" {
		t.Fatalf("records %v", kinds)
	}
	// The same code again is refused and ends the request.
	h.say("erin", "rotate the keys", "ops")
	h.say("erin", "yes", "ops")
	o = h.say("erin", "123456", "ops")
	if o.Executed != nil || !strings.Contains(replyOf(o), "already used") || o.State != Idle {
		t.Fatalf("reused code: %+v", o)
	}
	// Without a second factor set up, such a skill never runs.
	h.eng.cfg.SecondFactor = nil
	h.say("erin", "rotate the keys", "ops")
	o = h.say("erin", "yes", "ops")
	if o.Executed != nil || !strings.Contains(replyOf(o), "not set up") {
		t.Fatalf("no second factor: %+v", o)
	}
	if h.log.count() != 1 {
		t.Fatalf("ran %d times", h.log.count())
	}
}

func TestTwoPersonRule(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	o := h.say("jason", "wipe the disk", "ops")
	m := regexp.MustCompile(`approve ([0-9a-f]{6})`).FindStringSubmatch(replyOf(o))
	if m == nil || o.State != Confirming {
		t.Fatalf("no approval id: %+v", o)
	}
	id := m[1]
	if o := h.say("jason", "yes", "ops"); o.Executed != nil || !strings.Contains(replyOf(o), "approval of someone else") {
		t.Fatalf("the requester's own yes: %+v", o)
	}
	if o := h.say("jason", "approve "+id, "ops"); o.Executed != nil || !strings.Contains(replyOf(o), "can't approve your own") {
		t.Fatalf("self-approval: %+v", o)
	}
	if o := h.eng.Handle(ctx, Message{User: "bob", Channel: "ops", Roles: []string{"engineer"}, Text: "approve " + id}); o.Executed != nil || !o.Denied {
		t.Fatalf("an approver without the role: %+v", o)
	}
	o = h.eng.Handle(ctx, Message{User: "alice", Channel: "ops", Roles: []string{"ops"}, Text: "approve " + id})
	if o.Executed == nil || o.Executed.Skill != "wipe_disk" || !strings.Contains(replyOf(o), "Approved by alice") {
		t.Fatalf("approval: %+v", o)
	}
	if o.Records[0].Kind != "approved" || o.Records[0].Approver != "alice" || o.Records[0].User != "jason" || o.Records[1].Approver != "alice" {
		t.Fatalf("records %+v", o.Records)
	}
	if c := h.log.calls[len(h.log.calls)-1]; c.Caller.User != "jason" {
		t.Fatalf("ran as %s, want the requester", c.Caller.User)
	}
	if o := h.eng.Handle(ctx, Message{User: "erin", Channel: "ops", Roles: []string{"ops"}, Text: "approve " + id}); o.Executed != nil {
		t.Fatalf("approved twice: %+v", o)
	}
	// Rejection.
	o = h.say("jason", "wipe the disk", "ops")
	id = regexp.MustCompile(`approve ([0-9a-f]{6})`).FindStringSubmatch(replyOf(o))[1]
	o = h.eng.Handle(ctx, Message{User: "alice", Channel: "ops", Roles: []string{"ops"}, Text: "reject " + id})
	if o.Executed != nil || !strings.Contains(replyOf(o), "Rejected by alice") {
		t.Fatalf("rejection: %+v", o)
	}
	if s, _ := h.eng.Pending(ctx, Key{User: "jason", Channel: "ops"}); s != Idle {
		t.Fatalf("a rejected request still pends: %v", s)
	}
	// Two-person rule with a code: the approver gives theirs.
	o = h.say("jason", "nuke it", "ops")
	id = regexp.MustCompile(`approve ([0-9a-f]{6})`).FindStringSubmatch(replyOf(o))[1]
	if o := h.eng.Handle(ctx, Message{User: "alice", Channel: "ops", Roles: []string{"ops"}, Text: "approve " + id}); o.Executed != nil || !strings.Contains(replyOf(o), "one-time code") {
		t.Fatalf("approval without a code: %+v", o)
	}
	if o := h.eng.Handle(ctx, Message{User: "alice", Channel: "ops", Roles: []string{"ops"}, Text: "approve " + id + " 123456"}); o.Executed == nil || !o.Sensitive {
		t.Fatalf("approval with a code: %+v", o)
	}
	if h.log.count() != 2 {
		t.Fatalf("ran %d times", h.log.count())
	}
}

// fakeAssistant proposes from a table; anything else is unavailable.
type fakeAssistant struct {
	mu    sync.Mutex
	calls []llm.Request
	table map[string]llm.Proposal
	down  bool
}

func (f *fakeAssistant) Propose(_ context.Context, r llm.Request) (llm.Proposal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r)
	if f.down {
		return llm.Proposal{}, fmt.Errorf("%w: connection refused", llm.ErrUnavailable)
	}
	p, ok := f.table[r.Text]
	if !ok {
		return llm.Proposal{}, llm.ErrNoProposal
	}
	return p, nil
}

// fakeLearner records candidates.
type fakeLearner struct {
	mu         sync.Mutex
	candidates []training.Candidate
}

func (l *fakeLearner) Teach(context.Context, string, string, string, string) (training.Teaching, error) {
	return training.Teaching{}, nil
}
func (l *fakeLearner) Propose(_ context.Context, c training.Candidate) (training.Candidate, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.candidates = append(l.candidates, c)
	return c, nil
}
func (l *fakeLearner) Candidates(context.Context) ([]training.Candidate, error) { return nil, nil }
func (l *fakeLearner) Resolve(context.Context, string, training.Decision) (training.Candidate, error) {
	return training.Candidate{}, nil
}

func TestAssistant(t *testing.T) {
	h := newHarness(t)
	as := &fakeAssistant{table: map[string]llm.Proposal{
		"give the apache box web-1 a kick":    {Skill: "restart_service", Params: map[string]string{"service": "apache", "host": "web-1"}},
		"kick the frob thing on web_1":        {Skill: "restart_service", Params: map[string]string{"service": "frob", "host": "web_1"}},
		"could you flush the edge caches":     {Skill: "purge_cache"},
		"whos minding the pager for payments": {Skill: "oncall_who", Params: map[string]string{"team": "payments"}},
	}}
	lr := &fakeLearner{}
	h.eng.cfg.Assistant, h.eng.cfg.Learner = as, lr

	o := h.say("jason", "give the apache box web-1 a kick", "ops")
	if o.Confirm != "restart_service" || o.Params["host"] != "web-1" || o.Executed != nil {
		t.Fatalf("a proposal must be confirmed like any request: %+v", o)
	}
	if len(as.calls) != 1 || len(as.calls[0].Skills) == 0 {
		t.Fatalf("calls %+v", as.calls)
	}
	for _, s := range as.calls[0].Skills {
		if s.Name == "purge_cache" || s.Name == "drop_db" {
			t.Fatalf("offered %s, which jason may not run", s.Name)
		}
	}
	o = h.say("jason", "yes", "ops")
	if o.Executed == nil || len(o.Records) != 2 || !o.Records[0].Assisted || !o.Records[1].Assisted {
		t.Fatalf("the run must show it came through the model: %+v", o)
	}
	if len(lr.candidates) != 1 || lr.candidates[0].Text != "give the apache box web-1 a kick" || lr.candidates[0].Intent != "restart_service" || lr.candidates[0].Source != "llm" {
		t.Fatalf("candidates %+v", lr.candidates)
	}

	// A value the model gave that fails its type is asked again.
	o = h.say("jason", "kick the frob thing on web_1", "ops")
	if o.Asks != "host" || o.Executed != nil {
		t.Fatalf("%+v", o)
	}
	h.say("jason", "cancel", "ops")

	// A proposal for a skill the person may not run here is refused as usual.
	o = h.say("bob", "could you flush the edge caches", "engineer")
	if !o.Denied || o.Executed != nil {
		t.Fatalf("%+v", o)
	}

	// A read-only proposal runs at once and is learned.
	o = h.say("erin", "whos minding the pager for payments", "ops")
	if o.Executed == nil || o.Executed.Skill != "oncall_who" {
		t.Fatalf("%+v", o)
	}

	// The model is down: the local answer stands, with a word of doubt.
	as.down = true
	o = h.say("jason", "do the thing with the stuff", "ops")
	if o.Executed != nil || !strings.Contains(replyOf(o), "less sure than usual") {
		t.Fatalf("%+v", o)
	}
	// Confident local understanding never calls the model.
	before := len(as.calls)
	h.say("jason", "restart apache on web-1", "ops")
	h.say("jason", "no", "ops")
	if len(as.calls) != before {
		t.Fatal("the model was asked about a clear request")
	}
	// Nor about small talk or a question back.
	h.say("jason", "thanks a lot parley", "ops")
	if len(as.calls) != before {
		t.Fatalf("the model was asked about a thank-you: %+v", as.calls[before:])
	}
	h.say("jason", "restart apache", "ops") // missing a host: asked
	before = len(as.calls)
	h.say("jason", "what are the options?", "ops")
	h.say("jason", "hello there parley", "ops")
	if len(as.calls) != before {
		t.Fatalf("the model was asked about a question back: %+v", as.calls[before:])
	}
}

// TestQuestionsBack checks that a question about the value asked for is
// explained, keeps the request, and does not use up a try: five questions
// in a row are still followed by a valid answer.
func TestQuestionsBack(t *testing.T) {
	for _, q := range []string{"huh?", "what", "What?", "?", "which one?", "sorry, which host?", "what are the options?", "i don't know", "web_1?"} {
		t.Run(q, func(t *testing.T) {
			h := newHarness(t)
			h.say("jason", "restart apache", "ops")
			for range 5 {
				o := h.say("jason", q, "ops")
				if o.State != Collecting || o.Asks != "host" || h.log.count() != 0 {
					t.Fatalf("%q: %+v", q, o)
				}
				if want := "I need a host name or IP address, like web-1 or 10.0.0.5. On which host"; !strings.HasPrefix(replyOf(o), want) {
					t.Fatalf("%q: reply %q, want it to start with %q", q, replyOf(o), want)
				}
				if _, ok := o.Params["host"]; ok {
					t.Fatalf("%q became the host: %v", q, o.Params)
				}
			}
			if o := h.say("jason", "web-1", "ops"); o.State != Confirming || o.Params["host"] != "web-1" {
				t.Fatalf("the answer after the questions: %+v", o)
			}
		})
	}
}

func TestAsksBack(t *testing.T) {
	for text, want := range map[string]bool{
		"huh?": true, "what": true, "  Pardon?  ": true, "?": true, "??": true, "which one": true, "idk": true,
		"": false, "...": false, "web-1": false, "what is on call": false, "whatever": false, "no": false, "qa?": false,
	} {
		if got := asksBack(text); got != want {
			t.Errorf("asksBack(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestSmallTalkLeavesNothingBehind checks that greetings and thanks are
// answered and leave nothing behind: no audit record, no candidate for the
// review queue, and no guesses a later "the first one" could pick, as a
// message Parley does not understand would.
func TestSmallTalkLeavesNothingBehind(t *testing.T) {
	for _, tc := range []struct {
		text, reply string
		picks       bool
	}{
		{"hi parley", "Hi jason! What can I do for you?", false},
		{"thanks a lot! 🙏", "You're welcome!", false},
		{"frobnicate the quux", "I'm not sure what you mean. Did you mean: restart a service on a host", true},
	} {
		t.Run(tc.text, func(t *testing.T) {
			h := newHarness(t)
			lr := &fakeLearner{}
			h.eng.cfg.Learner = lr
			o := h.say("jason", tc.text, "ops")
			if o.State != Idle || !strings.HasPrefix(replyOf(o), tc.reply) {
				t.Fatalf("%+v", o)
			}
			o = h.say("jason", "the first one", "ops")
			if picked := o.Asks == "service" || o.Confirm != ""; picked != tc.picks {
				t.Fatalf("after %q, a pick gave %+v", tc.text, o)
			}
			if !tc.picks && (len(lr.candidates) != 0 || h.log.count() != 0) {
				t.Fatalf("small talk left candidates %v and %d audit records", lr.candidates, h.log.count())
			}
		})
	}
}

// TestSeveralValues checks that a read-only question naming several values
// of one parameter runs once per value (each audited, at most maxFanOut),
// and that a request with an effect takes the first and says so.
func TestSeveralValues(t *testing.T) {
	teams := func(names ...string) nlu.Result {
		var ents []nlu.Entity
		for _, n := range names {
			ents = append(ents, ent("team", n))
		}
		return intent("oncall_who", ents...)
	}
	tests := []struct {
		text      string
		parse     nlu.Result
		runs      []string // the team of each call, in order
		replyHas  string
		confirm   string
		firstHost string
	}{
		{"two teams", teams("payments", "sre"), []string{"payments", "sre"}, "", "", ""},
		{"a repeated team", teams("payments", "payments"), []string{"payments"}, "", "", ""},
		{"seven teams", teams("a", "b", "c", "d", "e", "f", "g"), []string{"a", "b", "c", "d", "e"}, "at most 5 values", "", ""},
		{"two hosts to restart", intent("restart_service", ent("service", "apache"), ent("host", "web-1"), ent("host", "web-2")), nil,
			"You named 2 values for host (web-1, web-2): I'll ask about each in turn, starting with web-1.\nRestart apache on web-1?", "restart_service", "web-1"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			h := newHarness(t)
			p := testParser()
			p[tt.text] = tt.parse
			h.eng.cfg.Parser = p
			o := h.say("jason", tt.text, "ops")
			var got []string
			for _, c := range h.log.calls {
				got = append(got, c.Args.String("team"))
			}
			if !slices.Equal(got, tt.runs) {
				t.Fatalf("ran for %v, want %v (%+v)", got, tt.runs, o)
			}
			executed := 0
			for _, r := range o.Records {
				if r.Kind == "executed" {
					executed++
				}
			}
			if executed != len(tt.runs) || len(o.Replies) < len(tt.runs) {
				t.Fatalf("%d executions audited and %d replies for %d runs: %+v", executed, len(o.Replies), len(tt.runs), o)
			}
			if tt.replyHas != "" && !strings.Contains(replyOf(o), tt.replyHas) {
				t.Fatalf("reply %q, want it to contain %q", replyOf(o), tt.replyHas)
			}
			if o.Confirm != tt.confirm || (tt.firstHost != "" && o.Params["host"] != tt.firstHost) {
				t.Fatalf("%+v", o)
			}
		})
	}
}

// TestItRefersToTheLastRun checks that "it", "again" or "there" in a new
// request takes the values it lacks from the last requests run in the same
// conversation (the newest that had one, of the last three), that values
// the message gives win, and that without such a word, after a while, or
// for parameters no remembered run had, nothing is recalled.
func TestItRefersToTheLastRun(t *testing.T) {
	p := testParser()
	p["deploy it to staging"] = intent("deploy", ent("environment", "staging"))
	p["deploy to staging"] = intent("deploy", ent("environment", "staging"))
	p["deploy checkout to it"] = intent("deploy", ent("app", "checkout"))
	p["restart it again"] = intent("restart_service")
	p["restart nginx there"] = intent("restart_service", ent("service", "nginx"))
	p["status of it"] = intent("service_status")
	p["deploy: it to staging"] = intent("deploy", ent("environment", "staging"))
	tests := []struct {
		name    string
		first   []string // turns before, with their answers
		say     string
		later   time.Duration
		confirm string
		asks    string
		params  map[string]string
	}{
		{"the app of the last deploy", []string{"deploy checkout to production", "yes"}, "deploy it to staging", 0,
			"deploy", "", map[string]string{"app": "checkout", "environment": "staging"}},
		{"no word that refers back", []string{"deploy checkout to production", "yes"}, "deploy to staging", 0,
			"", "app", map[string]string{"environment": "staging"}},
		{"the message's value wins", []string{"deploy checkout to production", "yes"}, "deploy checkout to it", 0,
			"deploy", "", map[string]string{"app": "checkout", "environment": "production"}},
		{"a restart again", []string{"restart apache on web-1", "yes"}, "restart it again", 0,
			"restart_service", "", map[string]string{"service": "apache", "host": "web-1"}},
		{"a host recalled, a service given", []string{"restart apache on web-1", "yes"}, "restart nginx there", 0,
			"restart_service", "", map[string]string{"service": "nginx", "host": "web-1"}},
		{"too long ago", []string{"restart apache on web-1", "yes"}, "restart it again", 20 * time.Minute,
			"", "service", map[string]string{}},
		{"a declined request is not a run", []string{"restart apache on web-1", "no"}, "restart it again", 0,
			"", "service", map[string]string{}},
		{"nothing shared", []string{"deploy checkout to production", "yes"}, "restart it again", 0,
			"", "service", map[string]string{}},
		{"after a read-only run", []string{"status of nginx"}, "restart it again", 0,
			"", "host", map[string]string{"service": "nginx"}},
		{"words after a colon refer to nothing", []string{"deploy checkout to production", "yes"}, "deploy: it to staging", 0,
			"", "app", map[string]string{"environment": "staging"}},
		{"values of the run before the last", []string{"restart apache on web-1", "yes", "deploy checkout to production", "yes"}, "restart it again", 0,
			"restart_service", "", map[string]string{"service": "apache", "host": "web-1"}},
		{"the newest run's value wins", []string{"restart apache on web-1", "yes", "status of nginx"}, "restart it again", 0,
			"restart_service", "", map[string]string{"service": "nginx", "host": "web-1"}},
		{"three runs are kept", []string{"restart apache on web-1", "yes", "status of nginx", "deploy checkout to production", "yes",
			"deploy checkout to production", "yes"}, "restart it again", 0,
			"", "host", map[string]string{"service": "nginx"}},
		{"earlier runs too long ago", []string{"restart apache on web-1", "yes", "deploy checkout to production", "yes"}, "restart it again", 20 * time.Minute,
			"", "service", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.eng.cfg.Parser = p
			now := h.now
			h.eng.cfg.Now = func() time.Time { return now }
			for _, s := range tt.first {
				h.say("jason", s, "ops", "deployer")
			}
			now = now.Add(tt.later)
			o := h.say("jason", tt.say, "ops", "deployer")
			if o.Confirm != tt.confirm || o.Asks != tt.asks || !maps.Equal(o.Params, tt.params) {
				t.Fatalf("confirm %q asks %q params %v, want %q %q %v (%s)", o.Confirm, o.Asks, o.Params, tt.confirm, tt.asks, tt.params, replyOf(o))
			}
		})
	}
}

// TestARequestAfterDidYouMeanIsNotAPick checks that after "Did you mean
// A or B?", a message of intent B with values of its own is that request,
// while a bare one picks B for the earlier message.
func TestARequestAfterDidYouMeanIsNotAPick(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["check the thing on web-9"] = nlu.Result{Intent: nlu.OutOfScope, Entities: []nlu.Entity{ent("service", "apache")},
		Alternatives: []nlu.Scored{{Intent: "restart_service", Confidence: 0.3}, {Intent: "service_status", Confidence: 0.25}}}
	p["status please"] = intent("service_status")
	h.eng.cfg.Parser = p
	h.eng.cfg.Learner = &fakeLearner{} // guesses are remembered for a pick

	h.say("jason", "check the thing on web-9", "ops")
	o := h.say("jason", "status of nginx", "ops")
	if o.Executed == nil || o.Executed.Params["service"] != "nginx" {
		t.Fatalf("a request with its own values was taken as a pick: %+v", o)
	}
	h.say("jason", "check the thing on web-9", "ops")
	o = h.say("jason", "status please", "ops")
	if o.Executed == nil || o.Executed.Params["service"] != "apache" {
		t.Fatalf("a bare intent did not pick the guess for the earlier message: %+v", o)
	}
}

// TestUnknownMessagesGoToReview checks that a message with no guesses is
// queued for trainers to review, unless it has no letters at all.
func TestUnknownMessagesGoToReview(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	for _, text := range []string{"xyzzy plugh", "🤖🤖🤖", "?!?", "¿qué?"} {
		p[text] = nlu.Result{Intent: nlu.OutOfScope}
	}
	h.eng.cfg.Parser = p
	lr := &fakeLearner{}
	h.eng.cfg.Learner = lr
	for _, text := range []string{"xyzzy plugh", "🤖🤖🤖", "?!?", "¿qué?"} {
		if o := h.say("jason", text, "ops"); !strings.HasPrefix(replyOf(o), "Sorry, I didn't understand that.") {
			t.Fatalf("%q: %+v", text, o)
		}
	}
	var queued []string
	for _, c := range lr.candidates {
		queued = append(queued, c.Text)
	}
	if want := []string{"xyzzy plugh", "¿qué?"}; !slices.Equal(queued, want) {
		t.Fatalf("queued %q, want %q", queued, want)
	}
}

// TestHesitationIsNotANo checks that "not sure" or "huh?" to "X? (yes /
// no)" asks again, however often, and neither cancels nor runs.
func TestHesitationIsNotANo(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["not sure"] = intent(IntentDeny) // what a model may well think
	h.eng.cfg.Parser = p
	h.say("jason", "restart apache on web-1", "ops")
	for _, text := range []string{"not sure", "huh?", "what", "not sure"} {
		o := h.say("jason", text, "ops")
		if o.State != Confirming || o.Confirm != "restart_service" || h.log.count() != 0 ||
			replyOf(o) != "I need a yes or a no. Restart apache on web-1? (yes / no)" {
			t.Fatalf("%q: %+v", text, o)
		}
	}
	if o := h.say("jason", "yes", "ops"); o.Executed == nil {
		t.Fatalf("the yes after hesitating: %+v", o)
	}
}

// TestSeveralValuesAreProposedInTurn checks that a confirmed request for
// several values runs each only after its own yes: a no skips one, a yes
// runs one and proposes the next, and cancel drops the rest.
func TestSeveralValuesAreProposedInTurn(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["restart apache on web-1, web-2 and web-3"] = intent("restart_service", ent("service", "apache"),
		ent("host", "web-1"), ent("host", "web-2"), ent("host", "web-3"))
	h.eng.cfg.Parser = p
	steps := []struct {
		say           string
		ran           string // the host run this turn, if any
		confirm, host string // what is proposed next
	}{
		{"restart apache on web-1, web-2 and web-3", "", "restart_service", "web-1"},
		{"no", "", "restart_service", "web-2"},
		{"yes", "web-2", "restart_service", "web-3"},
		{"cancel", "", "", ""},
		{"yes", "", "", ""},
	}
	for i, st := range steps {
		before := h.log.count()
		o := h.say("jason", st.say, "ops")
		ran := ""
		if h.log.count() > before {
			ran = h.log.calls[len(h.log.calls)-1].Args.String("host")
		}
		if ran != st.ran || o.Confirm != st.confirm || (st.host != "" && o.Params["host"] != st.host) {
			t.Fatalf("step %d %q: ran %q, proposes %q on %q; want %q, %q on %q (%s)", i, st.say, ran, o.Confirm, o.Params["host"], st.ran, st.confirm, st.host, replyOf(o))
		}
	}
	if h.log.count() != 1 {
		t.Fatalf("%d runs, want 1", h.log.count())
	}
}
