package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"

	chatslack "github.com/parleybot/parley/chat/slack"
)

// dialer hands Socket Mode its connections and can cut the current one, as
// a network drop would.
type dialer struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (d *dialer) websocket() *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			d.mu.Lock()
			d.conns = append(d.conns, c)
			d.mu.Unlock()
		}
		return c, err
	}}
}

func (d *dialer) dials() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.conns)
}

// drop closes the newest connection under the client's feet.
func (d *dialer) drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns[len(d.conns)-1].Close()
}

func waitDials(t *testing.T, d *dialer, n int, nudge func()) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for d.dials() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections, want %d", d.dials(), n)
		}
		if nudge != nil {
			nudge()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// envelopeJSON wraps a payload as Socket Mode sends it.
func envelopeJSON(typ, envelopeID string, payload []byte, retry int) string {
	data, _ := json.Marshal(map[string]any{
		"type": typ, "envelope_id": envelopeID, "payload": json.RawMessage(payload),
		"accepts_response_payload": false, "retry_attempt": retry, "retry_reason": map[bool]string{true: "timeout"}[retry > 0],
	})
	return string(data)
}

// deliver sends an envelope over slacktest's websocket the way Slack does:
// until it is acknowledged, each new attempt in a new envelope with the
// next retry_attempt. (After a reconnect slacktest keeps a writer for the
// dead socket that swallows some of what is sent; Slack's own re-delivery
// is what gets those through.) It returns the attempts used.
func deliver(t *testing.T, fs *fakeSlack, typ, id string, payload []byte, firstRetry int) int {
	t.Helper()
	for attempt := range 40 {
		envID := fmt.Sprintf("%s-%d", id, attempt)
		fs.srv.SendToWebsocket(envelopeJSON(typ, envID, payload, firstRetry+attempt))
		deadline := time.Now().Add(300 * time.Millisecond)
		for time.Now().Before(deadline) {
			if fs.acked(envID) > 0 {
				return attempt + 1
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Fatalf("envelope %s never acknowledged", id)
	return 0
}

// A Socket Mode dialog survives a dropped socket and a refresh Slack asks
// for; every envelope is acknowledged; an event sent again after a
// reconnect is not handled twice.
func TestSocketModeSurvivesReconnects(t *testing.T) {
	fs := newFakeSlack(t)
	d := &dialer{}
	p := startParley(t, fs, options{socket: true, config: func(c *chatslack.Config) {
		c.SocketOptions = []socketmode.Option{socketmode.OptionDialer(d.websocket()), socketmode.OptionPingInterval(time.Hour)}
	}})
	waitDials(t, d, 1, nil)
	const thread = "800.000001"

	// The bot's own messages are acknowledged and ignored.
	deliver(t, fs, "events_api", "env-self", eventBody("EvSelf", "message", botID, opsChan, "channel", "On which host?", "799.000001", ""), 0)
	deliver(t, fs, "events_api", "env-1", mention("Ev1", jason, opsChan, "restart apache", thread, ""), 0)
	if got := fs.waitPosts("chat.postMessage", 1)[0]; got.text() != "On which host would you like to restart apache?" || got.thread() != thread {
		t.Fatalf("question: %s", dump([]call{got}))
	}

	// The socket drops mid-dialog; the client reconnects.
	d.drop()
	waitDials(t, d, 2, nil)
	answer := chanMessage("Ev2", jason, opsChan, "web-1", "800.000002", thread)
	deliver(t, fs, "events_api", "env-2", answer, 0)
	q := fs.waitPosts("chat.postMessage", 2)[1]
	if q.text() != "Restart apache on web-1? (yes / no)" || !hasButtons(t, q) {
		t.Fatalf("the dialog did not survive the drop: %s", dump(fs.snapshot()))
	}
	// Slack, unsure the answer arrived before the drop, sends it again.
	deliver(t, fs, "events_api", "env-2-again", answer, 1)

	// Slack asks for a refresh (the message may need a few tries to reach
	// the live socket past slacktest's stale writers).
	waitDials(t, d, 3, func() { fs.srv.SendToWebsocket(`{"type":"disconnect","reason":"refresh_requested"}`) })

	deliver(t, fs, "interactive", "env-click", clickPayload(t, jason, q, "parley_confirm", "801.000001"), 0)
	upd := fs.waitPosts("chat.update", 1)[0]
	if !strings.HasSuffix(upd.text(), "— confirmed by @Jason") || hasButtons(t, upd) {
		t.Fatalf("update: %s", dump([]call{upd}))
	}
	fs.waitPosts("chat.postMessage", 3)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("restart_service"); n != 1 {
		t.Fatalf("restart_service ran %d times", n)
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 3 {
		t.Fatalf("want question, confirmation and result only:\n%s", dump(fs.snapshot()))
	}
	if !strings.Contains(p.logs.String(), `"msg":"slack: ignoring a repeated delivery","event":"event:Ev2"`) {
		t.Fatal("the answer sent again was not recognised as a repeat")
	}
}

// An app-level token Slack refuses stops Run with an error that says so,
// without the token.
func TestSocketModeRejectedToken(t *testing.T) {
	fs := newFakeSlack(t, func(c slacktest.Customize) {
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		})
	})
	p := startParley(t, fs, options{socket: true})
	select {
	case <-p.done:
	case <-time.After(hangGuard):
		t.Fatal("Run kept going with a rejected token")
	}
	err := p.stop()
	if err == nil || !strings.Contains(err.Error(), "rejected the app-level token") || strings.Contains(err.Error(), appToken) {
		t.Fatalf("Run: %v", err)
	}
}
