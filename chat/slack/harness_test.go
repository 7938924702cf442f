package slack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack/slacktest"

	"github.com/parleybot/parley/bot"
	chatslack "github.com/parleybot/parley/chat/slack"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// The fake workspace.
const (
	botID   = "UPARLEY"
	jason   = "UJASON" // configured as jason (ops)
	bob     = "UBOB"   // configured as bob (engineer)
	carol   = "UCAROL" // not configured; ops through the Slack group SOPS
	dave    = "UDAVE"  // not configured, no roles
	opsChan = "C0OPS"
	devChan = "C0DEV"
	secret  = "e6b1f0c2a4d84f3c9b7a5e1d2c3b4a59"

	botToken = "xoxb-1111-2222-test-bot-token"
	appToken = "xapp-1-A111-333-test-app-token"
)

// hangGuard bounds every wait: it only catches a hang, it measures nothing.
const hangGuard = 10 * time.Second

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

// runs counts executions per skill; output, when set, is every result's
// text.
type runs struct {
	mu     sync.Mutex
	n      map[string]int
	output string
	// gate, when set, holds every execution until it is closed; started
	// hears of each execution as it begins.
	gate    chan struct{}
	started chan string
}

func (r *runs) run(ctx context.Context, call skills.Call) (skills.Result, error) {
	if r.started != nil {
		r.started <- call.Skill.Name
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[call.Skill.Name]++
	if r.output != "" {
		return skills.Result{Text: r.output}, nil
	}
	return skills.Result{Text: "done."}, nil
}

func (r *runs) get(skill string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[skill]
}

func (r *runs) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.n {
		n += v
	}
	return n
}

// call is one Web API request the fake Slack received.
type call struct {
	method string
	form   url.Values
	at     time.Time
	status int
	ts     string // the message's ts as answered (posts) or named (updates)
}

func (c call) channel() string { return c.form.Get("channel") }
func (c call) text() string    { return c.form.Get("text") }
func (c call) thread() string  { return c.form.Get("thread_ts") }

// blocks decodes the call's blocks as plain JSON.
func (c call) blocks(t testing.TB) []map[string]any {
	t.Helper()
	raw := c.form.Get("blocks")
	if raw == "" {
		return nil
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("blocks of %s: %v", c.method, err)
	}
	return out
}

// fakeSlack is slacktest's server with capture handlers: slacktest records
// nothing that is posted and serves neither chat.update nor uploads.
type fakeSlack struct {
	t   testing.TB
	srv *slacktest.Server

	mu      sync.Mutex
	calls   []call
	changed chan struct{}
	limited map[string]int // "method channel" -> 429s still to answer
	uploads map[string]string
	ts      atomic.Int64

	acksMu sync.Mutex
	acks   map[string]int // envelope id -> acknowledgements seen on the socket
}

// newFakeSlack starts the fake; extra handlers take precedence over its
// own and slacktest's.
func newFakeSlack(t testing.TB, extra ...slacktest.Binder) *fakeSlack {
	f := &fakeSlack{t: t, changed: make(chan struct{}), limited: map[string]int{}, uploads: map[string]string{}, acks: map[string]int{}}
	f.ts.Store(1_700_000_000_000_000)
	binders := append(extra, func(c slacktest.Customize) {
		c.Handle("/auth.test", f.reply(`{"ok":true,"user_id":"`+botID+`","user":"parley","team_id":"T1","bot_id":"B1"}`))
		c.Handle("/users.info", f.usersInfo)
		c.Handle("/usergroups.users.list", f.groupMembers)
		c.Handle("/chat.postMessage", f.capture("chat.postMessage", true))
		c.Handle("/chat.update", f.capture("chat.update", false))
		c.Handle("/chat.postEphemeral", f.capture("chat.postEphemeral", true))
		c.Handle("/files.getUploadURLExternal", f.uploadURL)
		c.Handle("/upload/", f.upload)
		c.Handle("/files.completeUploadExternal", f.capture("files.completeUploadExternal", false))
	})
	f.srv = slacktest.NewTestServer(binders...)
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	// slacktest pushes what clients send on its websocket into SeenFeed and
	// blocks until someone reads it: collect the acknowledgements.
	go func() {
		for m := range f.srv.SeenFeed {
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal([]byte(m), &ack) == nil && ack.EnvelopeID != "" {
				f.acksMu.Lock()
				f.acks[ack.EnvelopeID]++
				f.acksMu.Unlock()
			}
		}
	}()
	return f
}

func (f *fakeSlack) url() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) reply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

var displayNames = map[string]string{jason: "Jason", bob: "Bob", carol: "Carol", dave: "Dave"}

func (f *fakeSlack) usersInfo(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id := r.Form.Get("user")
	name, ok := displayNames[id]
	if !ok {
		f.reply(`{"ok":false,"error":"user_not_found"}`)(w, r)
		return
	}
	f.reply(fmt.Sprintf(`{"ok":true,"user":{"id":%q,"name":%q,"profile":{"display_name":%q}}}`, id, strings.ToLower(name), name))(w, r)
}

func (f *fakeSlack) groupMembers(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if r.Form.Get("usergroup") == "SOPS" {
		f.reply(`{"ok":true,"users":["`+carol+`"]}`)(w, r)
		return
	}
	f.reply(`{"ok":true,"users":[]}`)(w, r)
}

// rateLimit makes the next n calls of method to channel answer 429 with
// Retry-After: 1.
func (f *fakeSlack) rateLimit(method, channel string, n int) {
	f.mu.Lock()
	f.limited[method+" "+channel] = n
	f.mu.Unlock()
}

func (f *fakeSlack) capture(method string, newTS bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := call{method: method, form: r.PostForm, at: time.Now(), status: http.StatusOK, ts: r.PostForm.Get("ts")}
		if newTS {
			c.ts = f.nextTS()
		}
		ts := c.ts
		f.mu.Lock()
		limitKey := method + " " + c.channel()
		if f.limited[limitKey] > 0 {
			f.limited[limitKey]--
			c.status = http.StatusTooManyRequests
		}
		f.record(c)
		f.mu.Unlock()
		if c.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.reply(fmt.Sprintf(`{"ok":true,"channel":%q,"ts":%q,"message_ts":%q,"files":[{"id":"F1","title":"Output"}]}`, c.channel(), ts, ts))(w, r)
	}
}

// record appends c and wakes the waiters; f.mu is held.
func (f *fakeSlack) record(c call) {
	f.calls = append(f.calls, c)
	close(f.changed)
	f.changed = make(chan struct{})
}

// nextTS returns message timestamps as Slack's: seconds.microseconds.
func (f *fakeSlack) nextTS() string {
	n := f.ts.Add(1)
	return fmt.Sprintf("%d.%06d", n/1_000_000, n%1_000_000)
}

func (f *fakeSlack) uploadURL(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.reply(fmt.Sprintf(`{"ok":true,"upload_url":%q,"file_id":"F1"}`, f.url()+"upload/F1"))(w, r)
}

func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var content bytes.Buffer
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if p.FormName() == "file" {
			_, _ = io.Copy(&content, p)
		}
	}
	f.mu.Lock()
	f.uploads[strings.TrimPrefix(r.URL.Path, "/upload/")] = content.String()
	f.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// snapshot returns the calls so far.
func (f *fakeSlack) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// waitFor waits until cond holds for the calls so far and returns them.
func (f *fakeSlack) waitFor(what string, cond func([]call) bool) []call {
	f.t.Helper()
	deadline := time.After(hangGuard)
	for {
		f.mu.Lock()
		calls := append([]call(nil), f.calls...)
		changed := f.changed
		f.mu.Unlock()
		if cond(calls) {
			return calls
		}
		select {
		case <-changed:
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; calls so far:\n%s", what, dump(calls))
		}
	}
}

// waitPosts waits for n successful calls of method and returns them.
func (f *fakeSlack) waitPosts(method string, n int) []call {
	f.t.Helper()
	calls := f.waitFor(fmt.Sprintf("%d × %s", n, method), func(cs []call) bool { return len(ok(cs, method)) >= n })
	return ok(calls, method)
}

// ok filters the successful calls of method.
func ok(calls []call, method string) []call {
	var out []call
	for _, c := range calls {
		if c.method == method && c.status == http.StatusOK {
			out = append(out, c)
		}
	}
	return out
}

func dump(calls []call) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  %s %d channel=%s thread=%s text=%q blocks=%d\n", c.method, c.status, c.channel(), c.thread(), c.text(), len(c.form.Get("blocks")))
	}
	return b.String()
}

// acked reports how often an envelope was acknowledged.
func (f *fakeSlack) acked(envelopeID string) int {
	f.acksMu.Lock()
	defer f.acksMu.Unlock()
	return f.acks[envelopeID]
}

// parley is one running Parley process: a bot and its Slack adapter.
type parley struct {
	t       testing.TB
	bot     *bot.Bot
	adapter *chatslack.Adapter
	runs    *runs
	server  *httptest.Server // Events API, when not in Socket Mode
	logs    *syncBuffer
	stop    func() error
	done    <-chan struct{} // closed when Run has returned
}

type options struct {
	socket  bool
	redis   redis.UniversalClient // nil: memory store
	prefix  string
	runs    *runs
	deduper func(*chatslack.Config)
	config  func(*chatslack.Config)
}

// startParley builds a bot on the demo configuration and runs an adapter
// against the fake Slack.
func startParley(t testing.TB, fs *fakeSlack, o options) *parley {
	t.Helper()
	cfg := config.DefaultConfig()
	if o.redis != nil {
		cfg.Store.Backend = "redis"
		cfg.Store.Redis.Prefix = o.prefix
	}
	if o.runs == nil {
		o.runs = &runs{}
	}
	b, err := bot.New(context.Background(), cfg, bot.Options{Model: sharedModel(t), Run: o.runs.run, Redis: o.redis})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	logs := &syncBuffer{}
	ac := chatslack.Config{
		BotToken: botToken, SigningSecret: secret, APIURL: fs.url(),
		Users:   map[string]string{jason: "jason", bob: "bob"},
		Groups:  map[string][]string{"SOPS": {"ops"}},
		RolesOf: b.Config.RolesOf,
		Dangerous: func(skill string) bool {
			s, ok := b.Skills.Lookup(skill)
			return ok && s.Risk == skills.Dangerous
		},
		ChannelRate: 1000, ChannelBurst: 100,
		PersonRate: 1e9, PersonBurst: 1 << 30, // tests send fast; TestFloodIsDropped… sets its own
		DrainTimeout: hangGuard,
		Logger:       slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if o.socket {
		ac.AppToken = appToken
		ac.SigningSecret = ""
	}
	if o.deduper != nil {
		o.deduper(&ac)
	}
	if o.config != nil {
		o.config(&ac)
	}
	a, err := chatslack.New(ac, b.Engine)
	if err != nil {
		t.Fatal(err)
	}
	p := &parley{t: t, bot: b, adapter: a, runs: o.runs, logs: logs}
	if !o.socket {
		mux := http.NewServeMux()
		mux.Handle("/slack/events", a.EventsHandler())
		mux.Handle("/slack/interactive", a.InteractionsHandler())
		p.server = httptest.NewServer(mux)
		t.Cleanup(p.server.Close)
	}
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	var runErr error
	go func() {
		runErr = a.Run(ctx)
		close(finished)
	}()
	p.done = finished
	p.stop = func() error {
		cancel()
		select {
		case <-finished:
		case <-time.After(2 * hangGuard):
			t.Fatal("adapter did not stop")
		}
		return runErr
	}
	t.Cleanup(func() { _ = p.stop() })
	if !o.socket {
		p.waitReady()
	}
	return p
}

// waitReady waits until the Events API accepts events (Run has learnt the
// bot's id).
func (p *parley) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(hangGuard)
	body := eventBody("EvReady", "message", "UNOBODY", devChan, "channel", "hello", "1.000001", "")
	for {
		if code := p.post("/slack/events", body, signedNow(body)); code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatal("adapter never became ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// post sends a request to the Events API server and returns the status.
func (p *parley) post(path string, body []byte, h http.Header) int {
	p.t.Helper()
	code, _ := p.postBody(path, body, h)
	return code
}

func (p *parley) postBody(path string, body []byte, h http.Header) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.server.URL+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// send delivers an event over the Events API and insists on a 200.
func (p *parley) send(body []byte) {
	p.t.Helper()
	if code := p.post("/slack/events", body, signedNow(body)); code != http.StatusOK {
		p.t.Fatalf("event answered %d", code)
	}
}

// click delivers a button click over the Events API.
func (p *parley) click(payload []byte) {
	p.t.Helper()
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	h := signedNow(body)
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	if code := p.post("/slack/interactive", body, h); code != http.StatusOK {
		p.t.Fatalf("click answered %d", code)
	}
}

// sign returns headers signing body at ts the way Slack does.
func sign(body []byte, ts time.Time, key string) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:", stamp)
	mac.Write(body)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

func signedNow(body []byte) http.Header { return sign(body, time.Now(), secret) }

// eventBody is an event_callback as Slack sends it.
func eventBody(eventID, typ, user, channel, channelType, text, ts, thread string) []byte {
	ev := map[string]any{"type": typ, "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	if channelType != "" {
		ev["channel_type"] = channelType
	}
	if thread != "" {
		ev["thread_ts"] = thread
	}
	data, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1_700_000_000, "event": ev,
	})
	return data
}

// mention is an app_mention of the bot in a channel.
func mention(eventID, user, channel, text, ts, thread string) []byte {
	return eventBody(eventID, "app_mention", user, channel, "", "<@"+botID+"> "+text, ts, thread)
}

// chanMessage is a message in a channel, without a mention.
func chanMessage(eventID, user, channel, text, ts, thread string) []byte {
	return eventBody(eventID, "message", user, channel, "channel", text, ts, thread)
}

// clickPayload is a block_actions payload for a press of one of the
// buttons of the message posted as c.
func clickPayload(t testing.TB, user string, c call, actionID, actionTS string) []byte {
	t.Helper()
	var value string
	for _, b := range c.blocks(t) {
		for _, el := range asList(b["elements"]) {
			if el["action_id"] == actionID {
				value, _ = el["value"].(string)
			}
		}
	}
	if value == "" {
		t.Fatalf("no %s button in %s", actionID, c.form.Get("blocks"))
	}
	data, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + actionTS,
		"user":      map[string]any{"id": user, "username": strings.ToLower(displayNames[user])},
		"channel":   map[string]any{"id": c.channel()},
		"container": map[string]any{"type": "message", "message_ts": c.ts, "channel_id": c.channel()},
		"message":   map[string]any{"ts": c.ts, "text": c.text()},
		"actions":   []map[string]any{{"action_id": actionID, "block_id": "parley_confirmation", "value": value, "type": "button", "action_ts": actionTS}},
	})
	return data
}

func asList(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// hasButtons reports whether a posted or updated message has an actions
// block.
func hasButtons(t testing.TB, c call) bool {
	for _, b := range c.blocks(t) {
		if b["type"] == "actions" {
			return true
		}
	}
	return false
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
