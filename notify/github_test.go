package notify_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/notify"
)

var ghSecret = []byte("It's a Secret to Everybody")

func githubConfig() notify.Config {
	return notify.Config{
		Default: "#general",
		Routes: []notify.Rule{
			{Source: notify.SourceGitHub, Severity: notify.Warning, Channels: []string{"#ci"}},
			{Source: notify.SourceGitHub, Repository: "acme/*", Channels: []string{"#dev"}},
		},
	}
}

func TestGitHubHook(t *testing.T) {
	push := readFixture(t, "github/push.json")
	sign := func(body []byte) string { return notify.SignGitHub(ghSecret, body) }
	cases := []struct {
		name      string
		secret    []byte // configured
		event     string
		body      []byte
		signature string // the header; "" sends none
		send      []byte // what is sent, when it is not body
		code      int
		channel   string
		text      string // a part of the posted text
		action    string // a posted action's command
	}{
		{
			name: "signed push", secret: ghSecret, event: "push", body: push, signature: sign(push),
			code: http.StatusAccepted, channel: "#dev", text: "alice pushed 3 commits to main of acme/api",
		},
		{
			name: "signed merged pull request", secret: ghSecret, event: "pull_request",
			body: readFixture(t, "github/pull_request_merged.json"), signature: sign(readFixture(t, "github/pull_request_merged.json")),
			code: http.StatusAccepted, channel: "#general", text: "bob merged pull request #12 in other/lib: Add rate limiting to the public API",
		},
		{
			name: "signed failed workflow run", secret: ghSecret, event: "workflow_run",
			body: readFixture(t, "github/workflow_run_failure.json"), signature: sign(readFixture(t, "github/workflow_run_failure.json")),
			code: http.StatusAccepted, channel: "#ci", text: "CI failed on acme/api (main)",
			action: "open an incident: CI failed on acme/api",
		},
		{name: "bad signature", secret: ghSecret, event: "push", body: push, signature: notify.SignGitHub([]byte("guess"), push), code: http.StatusUnauthorized},
		{name: "signature not hex", secret: ghSecret, event: "push", body: push, signature: "sha256=zz", code: http.StatusUnauthorized},
		{name: "sha1 signature", secret: ghSecret, event: "push", body: push, signature: "sha1=0123456789abcdef0123456789abcdef01234567", code: http.StatusUnauthorized},
		{name: "missing signature", secret: ghSecret, event: "push", body: push, code: http.StatusUnauthorized},
		{name: "no secret configured", event: "push", body: push, signature: sign(push), code: http.StatusUnauthorized},
		{name: "no secret configured, signed with an empty key", event: "push", body: push, signature: notify.SignGitHub(nil, push), code: http.StatusUnauthorized},
		{
			name: "tampered body", secret: ghSecret, event: "push", body: push, signature: sign(push),
			send: bytes.Replace(push, []byte(`"alice"`), []byte(`"mallory"`), 1), code: http.StatusUnauthorized,
		},
		{name: "signed but malformed", secret: ghSecret, event: "push", body: []byte(`{"ref":`), signature: sign([]byte(`{"ref":`)), code: http.StatusBadRequest},
		{name: "signed without event", secret: ghSecret, body: push, signature: sign(push), code: http.StatusBadRequest},
		{name: "ping is ignored politely", secret: ghSecret, event: "ping", body: []byte(`{"zen":"Keep it logically awesome."}`), signature: sign([]byte(`{"zen":"Keep it logically awesome."}`)), code: http.StatusAccepted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, githubConfig(), notify.Secrets{GitHub: tc.secret})
			header := http.Header{"Content-Type": {"application/json"}}
			if tc.event != "" {
				header.Set("X-GitHub-Event", tc.event)
			}
			if tc.signature != "" {
				header.Set("X-Hub-Signature-256", tc.signature)
			}
			send := tc.body
			if tc.send != nil {
				send = tc.send
			}
			r := h.post("github", send, header, tc.code)
			h.flush()
			posts := h.posts("")
			if tc.channel == "" {
				if len(posts) != 0 || r.Accepted != 0 {
					t.Fatalf("accepted %d, posted:\n%s", r.Accepted, texts(posts))
				}
				if tc.code == http.StatusUnauthorized && r.Error == "" {
					t.Errorf("401 without a reason")
				}
				return
			}
			if r.Accepted != 1 || len(posts) != 1 {
				t.Fatalf("accepted %d, posted:\n%s", r.Accepted, texts(posts))
			}
			p := posts[0]
			if p.Channel != tc.channel || !strings.Contains(p.Message.Text, tc.text) {
				t.Errorf("posted %s %q, want %s with %q", p.Channel, p.Message.Text, tc.channel, tc.text)
			}
			if tc.action != "" && (len(p.Message.Actions) != 1 || p.Message.Actions[0].Command != tc.action) {
				t.Errorf("actions %+v, want %q", p.Message.Actions, tc.action)
			}
		})
	}
}

func TestGitHubNoSecretSaysSo(t *testing.T) {
	h := newHarness(t, githubConfig(), notify.Secrets{})
	push := readFixture(t, "github/push.json")
	r := h.post("github", push, http.Header{"X-GitHub-Event": {"push"}}, http.StatusUnauthorized)
	if !strings.Contains(r.Error, "secret") {
		t.Errorf("error %q does not say a secret is missing", r.Error)
	}
}

func TestGitHubFormEncoded(t *testing.T) {
	h := newHarness(t, githubConfig(), notify.Secrets{GitHub: ghSecret})
	push := readFixture(t, "github/push.json")
	form := []byte("payload=" + strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "+", "\n", "%0A").Replace(string(push)))
	h.post("github", form, http.Header{
		"Content-Type":        {"application/x-www-form-urlencoded"},
		"X-Github-Event":      {"push"},
		"X-Hub-Signature-256": {notify.SignGitHub(ghSecret, form)},
	}, http.StatusAccepted)
	h.flush()
	if posts := h.posts("#dev"); len(posts) != 1 {
		t.Fatalf("posted:\n%s", texts(h.sink.Calls("", "")))
	}
}

// A successful run after a failure of the same workflow on the same branch
// marks the failure resolved in place.
func TestGitHubWorkflowSuccessResolvesFailure(t *testing.T) {
	h := newHarness(t, githubConfig(), notify.Secrets{GitHub: ghSecret})
	send := func(name string) {
		body := readFixture(t, name)
		h.post("github", body, http.Header{"X-Github-Event": {"workflow_run"}, "X-Hub-Signature-256": {notify.SignGitHub(ghSecret, body)}}, http.StatusAccepted)
	}
	send("github/workflow_run_failure.json")
	h.flush()
	h.clock.Advance(15 * time.Minute)
	send("github/workflow_run_success.json")
	h.flush()
	posts := h.posts("")
	if len(posts) != 1 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	m := h.current(posts[0])
	if !strings.Contains(m.Text, "✅ resolved after 14 min") || len(m.Actions) != 0 {
		t.Errorf("after success the failure shows %q with %v", m.Text, m.Actions)
	}
}

func TestVerifyGitHub(t *testing.T) {
	body := []byte(`Hello, World!`)
	// The example from GitHub's documentation on validating deliveries.
	const docSig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	cases := []struct {
		name   string
		secret []byte
		header string
		want   error
	}{
		{"valid", ghSecret, docSig, nil},
		{"no secret", nil, docSig, notify.ErrNoSecret},
		{"no header", ghSecret, "", notify.ErrUnsigned},
		{"wrong secret", []byte("other"), docSig, notify.ErrBadSignature},
		{"no prefix", ghSecret, strings.TrimPrefix(docSig, "sha256="), notify.ErrBadSignature},
		{"short", ghSecret, docSig[:20], notify.ErrBadSignature},
		{"upper-case hex", ghSecret, "sha256=" + strings.ToUpper(strings.TrimPrefix(docSig, "sha256=")), nil},
		{"flipped bit", ghSecret, docSig[:len(docSig)-1] + "6", notify.ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := notify.VerifyGitHub(tc.secret, body, tc.header); !errors.Is(err, tc.want) {
				t.Errorf("VerifyGitHub = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseGitHub(t *testing.T) {
	pr := func(action string, merged bool) []byte {
		b := bytes.Replace(readFixture(t, "github/pull_request_merged.json"), []byte(`"action": "closed"`), []byte(`"action": "`+action+`"`), 1)
		if !merged {
			b = bytes.Replace(b, []byte(`"merged": true`), []byte(`"merged": false`), 1)
		}
		return b
	}
	run := func(action, conclusion string) []byte {
		b := bytes.Replace(readFixture(t, "github/workflow_run_failure.json"), []byte(`"action": "completed"`), []byte(`"action": "`+action+`"`), 1)
		return bytes.Replace(b, []byte(`"conclusion": "failure"`), []byte(`"conclusion": "`+conclusion+`"`), 1)
	}
	push := readFixture(t, "github/push.json")
	cases := []struct {
		name, event string
		body        []byte
		title       string // "" for no notification
		severity    notify.Severity
		status      notify.Status
	}{
		{"push", "push", push, "alice pushed 3 commits to main of acme/api", notify.Info, notify.Firing},
		{"tag", "push", bytes.Replace(push, []byte(`refs/heads/main`), []byte(`refs/tags/v1.2.0`), 1), "alice pushed tag v1.2.0 to acme/api", notify.Info, notify.Firing},
		{"deleted branch", "push", bytes.Replace(push, []byte(`"deleted": false`), []byte(`"deleted": true`), 1), "alice deleted branch main of acme/api", notify.Info, notify.Firing},
		{"opened", "pull_request", pr("opened", false), "bob opened pull request #12 in other/lib: Add rate limiting to the public API", notify.Info, notify.Firing},
		{"closed", "pull_request", pr("closed", false), "bob closed pull request #12 in other/lib: Add rate limiting to the public API", notify.Info, notify.Firing},
		{"merged", "pull_request", pr("closed", true), "bob merged pull request #12 in other/lib: Add rate limiting to the public API", notify.Info, notify.Firing},
		{"reopened", "pull_request", pr("reopened", false), "bob reopened pull request #12 in other/lib: Add rate limiting to the public API", notify.Info, notify.Firing},
		{"edited is ignored", "pull_request", pr("edited", false), "", "", ""},
		{"failure", "workflow_run", run("completed", "failure"), "CI failed on acme/api (main)", notify.Warning, notify.Firing},
		{"timed out", "workflow_run", run("completed", "timed_out"), "CI failed on acme/api (main)", notify.Warning, notify.Firing},
		{"success", "workflow_run", run("completed", "success"), "CI succeeded on acme/api (main)", notify.Info, notify.Resolved},
		{"cancelled is ignored", "workflow_run", run("completed", "cancelled"), "", "", ""},
		{"in progress is ignored", "workflow_run", run("in_progress", ""), "", "", ""},
		{"star is ignored", "star", []byte(`{"action":"created"}`), "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ns, err := notify.ParseGitHub(tc.event, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.title == "" {
				if len(ns) != 0 {
					t.Fatalf("got %+v, want nothing", ns)
				}
				return
			}
			if len(ns) != 1 {
				t.Fatalf("got %d notifications", len(ns))
			}
			n := ns[0]
			if n.Title != tc.title || n.Severity != tc.severity || n.Status != tc.status || n.Source != notify.SourceGitHub || n.Key == "" {
				t.Errorf("got %q %s %s (source %q, key %q), want %q %s %s", n.Title, n.Severity, n.Status, n.Source, n.Key, tc.title, tc.severity, tc.status)
			}
		})
	}
}

func TestParseGitHubErrors(t *testing.T) {
	cases := []struct{ name, event, body string }{
		{"no event", "", `{}`},
		{"not JSON", "push", `not json`},
		{"no repository", "push", `{"ref":"refs/heads/main"}`},
		{"wrong type", "pull_request", `{"action":"opened","number":"twelve","repository":{"full_name":"a/b"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := notify.ParseGitHub(tc.event, []byte(tc.body)); !errors.Is(err, notify.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
