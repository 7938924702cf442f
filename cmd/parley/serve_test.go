package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

const (
	testBotToken = "xoxb-42-serve-test-bot-token"
	testSecret   = "0123456789abcdef-serve-test-secret"
)

func TestServeWithoutSlack(t *testing.T) {
	stderr := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	vars := map[string]string{"PARLEY_DATA_DIR": t.TempDir(), "PARLEY_API_TOKEN": "tok-123"}
	go func() {
		exit <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0"}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: mapEnv(vars)})
	}()
	base := waitListening(t, stderr, exit)
	for _, want := range []string{"Slack is not configured", envBotToken, envAppToken, envSigningSecret, "_FILE", "docs/slack.md"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	for path, code := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/v1/skills": 401} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != code {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, code)
		}
	}
	// A generic notification is accepted and printed (no Slack to post to).
	resp, err := http.Post(base+"/hooks/generic", "application/json", strings.NewReader(`{"title":"disk full on db-1","severity":"critical","key":"disk-db-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("hook: %d", resp.StatusCode)
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}

func TestServeSlackSettings(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testBotToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bot token only", map[string]string{envBotToken: testBotToken}, "set PARLEY_SLACK_APP_TOKEN for Socket Mode or PARLEY_SLACK_SIGNING_SECRET"},
		{"no bot token", map[string]string{envSigningSecret: testSecret}, "PARLEY_SLACK_BOT_TOKEN (or PARLEY_SLACK_BOT_TOKEN_FILE) is not set"},
		{"value and file", map[string]string{envBotToken: testBotToken, envBotToken + "_FILE": tokenFile, envSigningSecret: testSecret}, "are both set"},
		{"missing file", map[string]string{envBotToken + "_FILE": filepath.Join(dir, "nope"), envSigningSecret: testSecret}, "PARLEY_SLACK_BOT_TOKEN_FILE:"},
		{"user token", map[string]string{envBotToken: "xoxp-user-token-value", envSigningSecret: testSecret}, "must start with xoxb-"},
		{"bot token as app token", map[string]string{envBotToken: testBotToken, envAppToken: testBotToken}, "must start with xapp-"},
		{"bad user map", map[string]string{envBotToken + "_FILE": tokenFile, envSigningSecret: testSecret, envSlackUsers: "alice"}, "want SLACKID=name"},
		{"unknown user", map[string]string{envBotToken + "_FILE": tokenFile, envSigningSecret: testSecret, envSlackUsers: "U0123ABC=alicia"}, `"alicia", who is not a user`},
		{"bad group map", map[string]string{envBotToken + "_FILE": tokenFile, envSigningSecret: testSecret, envSlackGroups: "S0123=  "}, "want GROUPID=role+role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"serve"}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: mapEnv(tc.env)})
			if code != 1 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %q", code, errb.String(), tc.want)
			}
			for _, s := range []string{testBotToken, testSecret, "xoxp-user-token-value"} {
				if strings.Contains(errb.String(), s) {
					t.Fatalf("a secret was printed: %s", errb.String())
				}
			}
		})
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// lockedBuffer is stderr written by several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// parley serve over the Events API, end to end: until the bot token is
// checked, /readyz and events answer 503 (Slack delivers again); then a
// signed mention is answered in Slack, a forged one is refused, and a
// cancelled context (a SIGTERM) stops it cleanly. Secrets never reach the log; the action
// reaches the audit trail.
func TestServeEventsAPI(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	authed := make(chan struct{})
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			<-authed
			io.WriteString(w, `{"ok":true,"user_id":"UPARLEY","user":"parley"}`)
		})
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"ok":true,"user":{"id":"UJASON","name":"jason","profile":{"display_name":"Jason"}}}`)
		})
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			mu.Lock()
			posted = append(posted, r.PostForm.Get("channel")+" "+r.PostForm.Get("thread_ts")+" "+r.PostForm.Get("text"))
			mu.Unlock()
			io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)
		})
	})
	fake.Start()
	t.Cleanup(fake.Stop)
	var release sync.Once
	unblock := func() { release.Do(func() { close(authed) }) }
	t.Cleanup(unblock) // before fake.Stop, which waits for the held auth.test
	secretFile := filepath.Join(t.TempDir(), "signing")
	if err := os.WriteFile(secretFile, []byte(testSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	vars := map[string]string{
		envBotToken: testBotToken, envSigningSecret + "_FILE": secretFile,
		envSlackAPI: fake.GetAPIURL(), envSlackUsers: "UJASON=jason",
		"PARLEY_DATA_DIR": dataDir,
	}
	stderr := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0"}, env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: mapEnv(vars)})
	}()
	base := waitListening(t, stderr, exit)

	body := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"UJASON","channel":"C1","ts":"1700000000.000001","text":"<@UPARLEY> who is on call for payments?"}}`)
	if code := getStatus(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before auth.test answered: %d, want 503", code)
	}
	if code := postSigned(t, base+"/slack/events", body, testSecret); code != http.StatusServiceUnavailable {
		t.Errorf("event before auth.test answered: %d, want 503", code)
	}
	unblock()
	waitReady(t, base, stderr)
	if code := postSigned(t, base+"/slack/events", body, testSecret); code != http.StatusOK {
		t.Fatalf("signed event: %d", code)
	}
	if code := postSigned(t, base+"/slack/events", body, "forged"); code != http.StatusUnauthorized {
		t.Fatalf("forged event: %d", code)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(posted)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reply posted; log:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d; log:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	mu.Lock()
	reply := posted[0]
	mu.Unlock()
	if !strings.HasPrefix(reply, "C1 1700000000.000001 ") {
		t.Fatalf("reply not in the mention's thread: %q", reply)
	}
	logs := stderr.String()
	for _, s := range []string{testBotToken, testSecret} {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret reached the log:\n%s", logs)
		}
	}
	// What Slack asked for is in the audit trail, as done by jason via Slack.
	trail, err := os.ReadFile(filepath.Join(dataDir, auditFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(trail), `"user":"jason"`) || !strings.Contains(string(trail), `"via":"slack"`) {
		t.Fatalf("audit trail:\n%s", trail)
	}
}

var listening = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)

func waitListening(t *testing.T, stderr *lockedBuffer, exit <-chan int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-exit:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitReady polls /readyz as a load balancer would, until it answers 200.
func waitReady(t *testing.T, base string, stderr *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for getStatus(t, base+"/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("never ready:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func postSigned(t *testing.T, url string, body []byte, key string) int {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
