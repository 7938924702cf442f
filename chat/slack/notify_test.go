package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleybot/parley/notify"
)

// A notification's actions are buttons. A press is the presser saying the
// command in the notification's thread, with the same understanding,
// roles and confirmation as typing it; a resolved notification loses its
// buttons; a hook sender's text never reaches Slack unescaped.
func TestNotificationButtons(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	ctx := context.Background()
	firing := notify.Message{
		Text:     "disk full on db-1 <!channel>",
		Severity: "critical",
		Actions:  []notify.Action{{Label: "Open an incident", Command: "open a sev2 incident: disk full on db-1"}},
	}
	id, err := p.adapter.Post(ctx, opsChan, firing)
	if err != nil {
		t.Fatal(err)
	}
	post := fs.waitPosts("chat.postMessage", 1)[0]
	if strings.Contains(post.text(), "<!channel>") {
		t.Fatalf("the sender's mention reached Slack: %q", post.text())
	}
	blocks := post.blocks(t)
	if len(blocks) != 2 || blocks[1]["type"] != "actions" {
		t.Fatalf("notification blocks: %s", post.form.Get("blocks"))
	}
	if text := blocks[0]["text"].(map[string]any); text["type"] != "plain_text" || text["text"] != firing.Text {
		t.Fatalf("notification section: %v", text)
	}
	buttons := asList(blocks[1]["elements"])
	if len(buttons) != 1 || buttons[0]["action_id"] != "parley_notice_0" || buttons[0]["value"] != firing.Actions[0].Command {
		t.Fatalf("notification buttons: %s", post.form.Get("blocks"))
	}

	// Jason presses it: the bot asks him, in the notification's thread,
	// to confirm opening the incident, as if he had typed the command.
	p.click(clickPayload(t, jason, post, "parley_notice_0", "700.000001"))
	ask := fs.waitPosts("chat.postMessage", 2)[1]
	if ask.thread() != post.ts || !strings.Contains(ask.text(), "disk full on db-1") || !hasButtons(t, ask) {
		t.Fatalf("after the press: %s", dump([]call{ask}))
	}
	// The same press delivered twice counts once.
	p.click(clickPayload(t, jason, post, "parley_notice_0", "700.000001"))

	// Resolved: the message is updated without buttons.
	resolved := notify.Message{Text: "✅ disk full on db-1 resolved after 14 min"}
	if err := p.adapter.Update(ctx, opsChan, id, resolved); err != nil {
		t.Fatal(err)
	}
	upd := fs.waitPosts("chat.update", 1)[0]
	if upd.ts != post.ts || hasButtons(t, upd) || upd.text() != resolved.Text {
		t.Fatalf("update: %s", dump([]call{upd}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(ok(fs.snapshot(), "chat.postMessage")); n != 2 {
		t.Fatalf("%d messages posted, want the notification and one question: %s", n, dump(fs.snapshot()))
	}
}
