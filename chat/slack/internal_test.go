package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a < b > c & d", "a &lt; b &gt; c &amp; d"},
		{"<!channel> hi", "&lt;!channel&gt; hi"},
		{"<@U123|bob>", "&lt;@U123|bob&gt;"},
		{"ping @channel and @Here and @EVERYONE", "ping @\u200bchannel and @\u200bHere and @\u200bEVERYONE"},
		{"mail bob@example.com", "mail bob@example.com"},
		{"@channels of @hereford", "@\u200bchannels of @\u200bhereford"},
		{"&amp; stays visible", "&amp;amp; stays visible"},
		{"*bold* _it_ `code`", "*bold* _it_ `code`"},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// controlSequence is anything Slack would parse as a mention or a link.
var controlSequence = regexp.MustCompile(`<[^>]*>|(?i)@(channel|here|everyone)`)

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"<!channel>", "@here", "<@U1>", "&lt;!here&gt;", "a&b<c>d", "@\u200bchannel", "<<!everyone>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if controlSequence.MatchString(got) {
			t.Fatalf("Escape(%q) = %q still pings or links", s, got)
		}
		if back := strings.ReplaceAll(unescapeEntities(got), zwsp, ""); back != strings.ReplaceAll(s, zwsp, "") {
			t.Fatalf("Escape(%q) loses text: %q", s, back)
		}
		cut := truncate(got, 100)
		if utf8.RuneCountInString(cut) > 100 || controlSequence.MatchString(cut) {
			t.Fatalf("truncate(%q) = %q", got, cut)
		}
	})
}

func TestTruncate(t *testing.T) {
	short := strings.Repeat("x", 100)
	if got := truncate(short, 100); got != short {
		t.Fatal("text that fits was changed")
	}
	long := Escape(strings.Repeat("<a>", 1000)) // 3,000 characters typed
	got := truncate(long, 200)
	if n := utf8.RuneCountInString(got); n > 200 {
		t.Fatalf("%d characters", n)
	}
	head, note, ok := strings.Cut(got, "\n… (truncated, ")
	if !ok || !strings.HasSuffix(note, " more characters)") {
		t.Fatalf("no note: %q", got)
	}
	if strings.Count(head, "&") != strings.Count(head, ";") {
		t.Fatalf("an entity was cut in half: %q", head)
	}
	shown := utf8.RuneCountInString(unescapeEntities(head))
	left, _ := strconv.Atoi(strings.TrimSuffix(note, " more characters)"))
	if shown+left != 3000 {
		t.Fatalf("shown %d + left %d != 3000", shown, left)
	}
}

func TestCleanInbound(t *testing.T) {
	names := func(id string) string { return map[string]string{"UBOB": "bob"}[id] }
	for _, tc := range []struct{ in, want string }{
		{"<@UBOT> restart apache", "restart apache"},
		{"<@UBOT|parley>   restart   apache ", "restart apache"},
		{"when is <@UBOB> on call", "when is bob on call"},
		{"check <http://web-1.example.com|web-1.example.com>", "check web-1.example.com"},
		{"check <https://example.com/a?b=1&amp;c=2>", "check https://example.com/a?b=1&c=2"},
		{"mail <mailto:ops@example.com|ops@example.com>", "mail ops@example.com"},
		{"in <#C123|ops> now", "in #ops now"},
		{"<!here> is it down?", "@here is it down?"},
		{"page <!subteam^S123|@oncall>", "page @oncall"},
		{"1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"},
		{"unclosed <http://x", "unclosed <http://x"},
	} {
		if got := cleanInbound(tc.in, "UBOT", names); got != tc.want {
			t.Errorf("cleanInbound(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBucket(t *testing.T) {
	b := bucket{rate: 1, burst: 3}
	now := time.Unix(1000, 0)
	var waits []time.Duration
	for range 5 {
		waits = append(waits, b.reserve(now))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	// After a quiet spell the burst is back, and never more than the burst.
	now = now.Add(time.Hour)
	for i := range 4 {
		if w := b.reserve(now); (w > 0) != (i == 3) {
			t.Fatalf("reservation %d after an hour waits %v", i, w)
		}
	}
}

// One route's events run in order; other routes are not held up by a
// route that is busy.
func TestDispatcherOrderAndParallelism(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	release := make(chan struct{})
	d := newDispatcher(4, 100, func(in inbound) {
		if in.text == "slow" {
			<-release
		}
		mu.Lock()
		got[in.user] = append(got[in.user], in.text)
		mu.Unlock()
	})
	if err := d.submit(inbound{user: "slowpoke", channel: "C", text: "slow"}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := d.submit(inbound{user: "u", channel: "C", text: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got["u"])
		mu.Unlock()
		if n == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a busy route held up another")
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	d.close()
	for i, s := range got["u"] {
		if s != strconv.Itoa(i) {
			t.Fatalf("out of order: %v", got["u"])
		}
	}
	if err := d.submit(inbound{user: "u"}); err != errStopped {
		t.Fatalf("submit after close: %v", err)
	}
}

func TestDispatcherLimit(t *testing.T) {
	release := make(chan struct{})
	d := newDispatcher(1, 2, func(inbound) { <-release })
	for i := range 2 {
		if err := d.submit(inbound{user: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.submit(inbound{user: "x"}); err != errQueueFull {
		t.Fatalf("third submit: %v", err)
	}
	close(release)
	d.close()
	if d.pending() != 0 {
		t.Fatal("events left after close")
	}
}

func TestVerifier(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	v := verifier{secret: []byte("s3cret"), window: 5 * time.Minute, now: func() time.Time { return now }}
	body := []byte(`{"type":"event_callback"}`)
	signed := func(ts int64, key string) http.Header {
		mac := hmac.New(sha256.New, []byte(key))
		fmt.Fprintf(mac, "v0:%d:%s", ts, body)
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		return h
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		want error
	}{
		{"good", signed(now.Unix(), "s3cret"), nil},
		{"4m59s old", signed(now.Unix()-299, "s3cret"), nil},
		{"5m01s old", signed(now.Unix()-301, "s3cret"), errStale},
		{"20s ahead", signed(now.Unix()+20, "s3cret"), nil},
		{"2m ahead", signed(now.Unix()+120, "s3cret"), errStale},
		{"wrong key", signed(now.Unix(), "other"), errBadSignature},
		{"missing", http.Header{}, errUnsigned},
	} {
		if err := v.verify(tc.h, body); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("xoxb-very-secret")
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "token", s, "cfg", Config{BotToken: s})
	js, _ := json.Marshal(struct{ T Secret }{s})
	out := fmt.Sprintf("%v %s %q %#v %+v", s, s, s, s, Config{BotToken: s}) + logged.String() + string(js)
	if strings.Contains(out, "very-secret") {
		t.Fatalf("secret leaked: %s", out)
	}
	if s.Reveal() != "xoxb-very-secret" {
		t.Fatal("Reveal")
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		err     error
		wait    time.Duration
		limited bool
	}{
		{&slackapi.RateLimitedError{RetryAfter: 3 * time.Second}, 3 * time.Second, true},
		{&slackapi.RateLimitedError{}, time.Second, true},
		{fmt.Errorf("UploadToURL: %w", &slackapi.RateLimitedError{RetryAfter: 2 * time.Second}), 2 * time.Second, true},
		{slackapi.StatusCodeError{Code: http.StatusTooManyRequests}, time.Second, true},
		{slackapi.StatusCodeError{Code: http.StatusBadGateway}, 0, false},
		{errors.New("channel_not_found"), 0, false},
		{nil, 0, false},
	} {
		wait, limited := retryAfter(tc.err)
		if wait != tc.wait || limited != tc.limited {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tc.err, wait, limited, tc.wait, tc.limited)
		}
	}
}

// An interaction payload, however odd, is decoded or refused without a
// panic; what is accepted names a person, a channel and an event id, and a
// notification's press carries a command of bounded length.
func FuzzDecodeClick(f *testing.F) {
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"container":{"channel_id":"C1","message_ts":"1.1"},"actions":[{"action_id":"parley_notice_0","value":"ack #42","action_ts":"2.2"}]}`)
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"C1"},"message":{"ts":"1.1","text":"q"},"actions":[{"action_id":"parley_confirm","value":"{\"u\":\"U1\",\"t\":\"1.0\"}","action_ts":"2.2"}]}`)
	f.Add(`{"type":"block_actions","actions":[]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		in, ok, err := decodeClick([]byte(data))
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("accepted with an error: %v", err)
		}
		if in.user == "" || in.channel == "" || in.id == "" {
			t.Fatalf("accepted without a person, channel or id: %+v", in)
		}
		if in.click == nil && (strings.TrimSpace(in.text) == "" || len(in.text) > maxCommand || in.ts == "") {
			t.Fatalf("notification press with text %q ts %q", in.text, in.ts)
		}
	})
}

func TestFloodGuard(t *testing.T) {
	g := newFloodGuard(1, 2) // a message a second, two at once
	t0 := time.Unix(1_800_000_000, 0)
	steps := []struct {
		user     string
		after    time.Duration
		ok, tell bool
	}{
		{"ann", 0, true, false},
		{"ann", 0, true, false},
		{"ann", 0, false, true},  // over: told
		{"ann", 0, false, false}, // still over: not told again
		{"bo", 0, true, false},   // someone else is not held back
		{"ann", time.Second, true, false},
		{"ann", 0, false, true}, // over again after an allowed one: told again
		{"ann", 10 * time.Second, true, false},
		{"ann", 0, true, false}, // the bucket refilled to its burst, no more
		{"ann", 0, false, true},
	}
	now := t0
	for i, s := range steps {
		now = now.Add(s.after)
		if ok, tell := g.allow(s.user, now); ok != s.ok || tell != s.tell {
			t.Fatalf("step %d (%s): ok %v tell %v, want %v %v", i, s.user, ok, tell, s.ok, s.tell)
		}
	}
	g.forgetIdle(now.Add(time.Hour))
	if len(g.people) != 0 {
		t.Fatalf("idle people kept: %v", g.people)
	}
}
