package slack_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	chatslack "github.com/parleybot/parley/chat/slack"
)

// A dialog started by a mention goes on in its thread without mentions,
// from the person it waits for only; replies stay in the thread.
func TestDialogInAThread(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	const thread = "100.000001"
	p.send(mention("Ev1", jason, opsChan, "restart apache", thread, ""))
	ask := fs.waitPosts("chat.postMessage", 1)[0]
	if ask.thread() != thread || ask.text() != "On which host would you like to restart apache?" {
		t.Fatalf("question: thread %q text %q", ask.thread(), ask.text())
	}
	// Someone else answering in the thread is not the person asked.
	p.send(chanMessage("Ev2", bob, opsChan, "web-2", "100.000002", thread))
	// Chatter elsewhere in the channel is not for the bot.
	p.send(chanMessage("Ev3", bob, opsChan, "lunch?", "100.000003", ""))
	p.send(chanMessage("Ev4", jason, opsChan, "web-1", "100.000004", thread))
	confirm := fs.waitPosts("chat.postMessage", 2)[1]
	if confirm.thread() != thread || confirm.text() != "Restart apache on web-1? (yes / no)" || !hasButtons(t, confirm) {
		t.Fatalf("confirmation: %s", dump([]call{confirm}))
	}
	p.send(chanMessage("Ev5", jason, opsChan, "yes", "100.000005", thread))
	done := fs.waitPosts("chat.postMessage", 3)[2]
	if done.thread() != thread || done.text() != "Restarting apache on web-1 ... done." {
		t.Fatalf("result: %s", dump([]call{done}))
	}
	// The typed yes also took the buttons off the question.
	upd := fs.waitPosts("chat.update", 1)[0]
	if upd.ts != confirm.ts || hasButtons(t, upd) || !strings.Contains(upd.text(), "confirmed by @Jason") {
		t.Fatalf("update: ts %q (question %q) %s", upd.ts, confirm.ts, dump([]call{upd}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("restart_service"); n != 1 {
		t.Fatalf("restart_service ran %d times", n)
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 3 {
		t.Fatalf("the bot answered someone it did not ask:\n%s", dump(fs.snapshot()))
	}
}

// An answer typed at the top of the channel reaches the dialog waiting for
// that person; in direct messages every message is for the bot.
func TestTopLevelAnswerAndDirectMessages(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	const thread = "200.000001"
	p.send(mention("Ev1", jason, opsChan, "restart nginx", thread, ""))
	fs.waitPosts("chat.postMessage", 1)
	p.send(chanMessage("Ev2", jason, opsChan, "web-3", "200.000002", ""))
	confirm := fs.waitPosts("chat.postMessage", 2)[1]
	if confirm.thread() != thread || confirm.text() != "Restart nginx on web-3? (yes / no)" {
		t.Fatalf("top-level answer: %s", dump([]call{confirm}))
	}
	p.send(eventBody("Ev3", "message", bob, "D0BOB", "im", "who is on call for payments?", "300.000001", ""))
	dm := fs.waitPosts("chat.postMessage", 3)[2]
	if dm.channel() != "D0BOB" || dm.thread() != "" || dm.text() != "done." {
		t.Fatalf("direct message reply: %s", dump([]call{dm}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}

// A click goes through the same path as a typed answer: only the asker may
// answer; after the answer the buttons are gone and nobody can click twice.
func TestConfirmationButtons(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	const thread = "400.000001"
	p.send(mention("Ev1", jason, opsChan, "restart apache on web-1", thread, ""))
	q := fs.waitPosts("chat.postMessage", 1)[0]
	blocks := q.blocks(t)
	if len(blocks) != 2 || blocks[1]["type"] != "actions" {
		t.Fatalf("question blocks: %s", q.form.Get("blocks"))
	}
	buttons := asList(blocks[1]["elements"])
	if len(buttons) != 2 || buttons[0]["style"] != "danger" || buttons[1]["style"] != nil {
		t.Fatalf("want a danger Confirm and a plain Cancel: %s", q.form.Get("blocks"))
	}

	// Bob may not answer Jason's question.
	p.click(clickPayload(t, bob, q, "parley_confirm", "401.000001"))
	eph := fs.waitPosts("chat.postEphemeral", 1)[0]
	if eph.form.Get("user") != bob || eph.text() != "Only Jason can answer this." || eph.thread() != thread {
		t.Fatalf("refusal: user %q %s", eph.form.Get("user"), dump([]call{eph}))
	}
	// Jason confirms: it runs, the result goes in the thread, and the
	// question shows who decided, without buttons.
	p.click(clickPayload(t, jason, q, "parley_confirm", "402.000001"))
	upd := fs.waitPosts("chat.update", 1)[0]
	if upd.ts != q.ts || hasButtons(t, upd) ||
		upd.text() != "Restart apache on web-1? (yes / no)\n✅ Done — confirmed by @Jason" {
		t.Fatalf("update: %s", dump([]call{upd}))
	}
	res := fs.waitPosts("chat.postMessage", 2)[1]
	if res.thread() != thread || res.text() != "Restarting apache on web-1 ... done." {
		t.Fatalf("result: %s", dump([]call{res}))
	}
	// A second click (a stale client still showing the buttons) runs nothing.
	p.click(clickPayload(t, jason, q, "parley_confirm", "403.000001"))
	late := fs.waitPosts("chat.update", 2)[1]
	if !strings.Contains(late.text(), "no longer waiting") || hasButtons(t, late) {
		t.Fatalf("late click: %s", dump([]call{late}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("restart_service"); n != 1 {
		t.Fatalf("restart_service ran %d times", n)
	}
	if n := len(ok(fs.snapshot(), "chat.postEphemeral")); n != 1 {
		t.Fatalf("%d ephemeral notes", n)
	}
}

// Cancel, by someone Parley knows only through a Slack user group: roles
// come from the group, replies call them by their display name.
func TestCancelButtonAndGroupRoles(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	p.send(mention("Ev1", carol, opsChan, "restart nginx on web-2", "500.000001", ""))
	q := fs.waitPosts("chat.postMessage", 1)[0]
	if q.text() != "Restart nginx on web-2? (yes / no)" {
		t.Fatalf("carol is ops through SOPS: %s", dump([]call{q}))
	}
	p.click(clickPayload(t, carol, q, "parley_cancel", "501.000001"))
	upd := fs.waitPosts("chat.update", 1)[0]
	if !strings.HasSuffix(upd.text(), "— cancelled by @Carol") || hasButtons(t, upd) {
		t.Fatalf("update: %s", dump([]call{upd}))
	}
	reply := fs.waitPosts("chat.postMessage", 2)[1]
	if !strings.HasPrefix(reply.text(), "OK, I won't") {
		t.Fatalf("reply: %s", dump([]call{reply}))
	}
	// Someone without roles, unknown to the configuration, is refused by
	// display name, not by Slack id.
	p.send(mention("Ev2", dave, opsChan, "restart nginx on web-2", "502.000001", ""))
	denied := fs.waitPosts("chat.postMessage", 3)[2]
	if !strings.HasPrefix(denied.text(), "Sorry Dave, you need the ops role") {
		t.Fatalf("denial: %s", dump([]call{denied}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.total(); n != 0 {
		t.Fatalf("%d executions after a cancel", n)
	}
}

// Nothing a person types can ping a channel or a person, or form a link,
// in what the bot posts.
func TestRepliesAreEscaped(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	// "<web-1>" as typed arrives escaped; <!channel> is Slack's own syntax.
	p.send(mention("Ev1", jason, opsChan, "restart <!channel> on web-1", "600.000001", ""))
	p.send(mention("Ev2", jason, devChan, "restart apache on &lt;web-1&gt;", "601.000001", ""))
	p.send(mention("Ev3", jason, "C0THREE", "restart apache on <http://web-1.example.com|web-1.example.com>", "602.000001", ""))
	posts := fs.waitPosts("chat.postMessage", 3)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	byChannel := map[string]string{}
	for _, c := range posts {
		byChannel[c.channel()] = c.text()
		if strings.Contains(c.text(), "<") || strings.Contains(c.text(), "@channel") {
			t.Errorf("unescaped: %q", c.text())
		}
		if c.form.Get("mrkdwn") != "false" {
			t.Errorf("markdown on for %q", c.text())
		}
	}
	if got := byChannel[opsChan]; !strings.Contains(got, "@\u200bchannel") {
		t.Errorf("@channel not neutralised: %q", got)
	}
	if got := byChannel[devChan]; !strings.Contains(got, "&lt;web-1&gt;") {
		t.Errorf("<web-1> not escaped: %q", got)
	}
	if got := byChannel["C0THREE"]; got != "Restart apache on web-1.example.com? (yes / no)" {
		t.Errorf("a linked hostname should arrive as typed: %q", got)
	}
	// Block text is plain_text: never formatted, linked or parsed.
	for _, c := range posts {
		for _, b := range c.blocks(t) {
			if text, ok := b["text"].(map[string]any); ok && text["type"] != "plain_text" {
				t.Errorf("block text of type %v: %s", text["type"], c.form.Get("blocks"))
			}
		}
	}
}

// Long output is cut to one message with a note; very long output is
// uploaded as a snippet.
func TestLongOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		upload bool
	}{
		{"fits", 2000, false},
		{"truncated", 6000, false},
		{"snippet", 20000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			output := "status report\n" + strings.Repeat("line of output <ok> & fine\n", tc.size/27+1)
			output = string([]rune(output)[:tc.size])
			p := startParley(t, fs, options{runs: &runs{output: output}})
			p.send(mention("Ev1", jason, opsChan, "who is on call for payments?", "700.000001", ""))
			if tc.upload {
				fs.waitPosts("files.completeUploadExternal", 1)
			} else {
				fs.waitPosts("chat.postMessage", 1)
			}
			if err := p.stop(); err != nil {
				t.Fatal(err)
			}
			calls := fs.snapshot()
			if tc.upload {
				fs.mu.Lock()
				got := fs.uploads["F1"]
				fs.mu.Unlock()
				if got != output {
					t.Fatalf("uploaded %d characters, want the whole %d", utf8.RuneCountInString(got), tc.size)
				}
				done := ok(calls, "files.completeUploadExternal")[0]
				if done.form.Get("thread_ts") != "700.000001" || !strings.Contains(done.form.Get("initial_comment"), "20000 characters") {
					t.Fatalf("upload comment: %v", done.form)
				}
				if n := len(ok(calls, "chat.postMessage")); n != 0 {
					t.Fatalf("%d messages besides the snippet", n)
				}
				return
			}
			text := ok(calls, "chat.postMessage")[0].text()
			if n := utf8.RuneCountInString(text); n > 4000 {
				t.Fatalf("message of %d characters", n)
			}
			if truncated := strings.Contains(text, "(truncated, "); truncated != (tc.size > 2000) {
				t.Fatalf("truncation note present: %v, for %d characters:\n…%s", truncated, tc.size, text[max(0, len(text)-200):])
			}
		})
	}
}

// A person sending faster than the limit is told once and the excess is
// dropped, not answered: the channel gets one notice, not a reply to every
// line. Another person is not held back.
func TestFloodIsDroppedWithOneNotice(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{config: func(c *chatslack.Config) { c.PersonRate, c.PersonBurst = 0.001, 3 }})
	for i := range 8 {
		ts := fmt.Sprintf("300.%06d", i+1)
		p.send(mention(fmt.Sprintf("EvF%d", i), jason, opsChan, "who is on call for payments?", ts, ""))
	}
	p.send(mention("EvB", bob, opsChan, "who is on call for sre?", "300.000100", ""))
	fs.waitPosts("chat.postMessage", 5)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	posts := ok(fs.snapshot(), "chat.postMessage")
	notices := 0
	for _, c := range posts {
		if strings.Contains(c.text(), "you're sending messages faster than I can usefully answer") {
			notices++
			if !strings.HasPrefix(c.text(), "jason, ") || c.thread() != "300.000004" {
				t.Errorf("notice %q in thread %q", c.text(), c.thread())
			}
		}
	}
	if runs := p.runs.get("oncall_who"); runs != 4 || notices != 1 || len(posts) != 5 {
		t.Fatalf("%d runs (3 for jason, 1 for bob), %d notices, %d posts; want 4, 1, 5:\n%s", runs, notices, len(posts), dump(posts))
	}
}

// A request naming several hosts asks about each with its own buttons: the
// answered question shows how it ended, run or skipped, and the next one
// comes with fresh buttons.
func TestSeveralValuesWithButtons(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	const thread = "500.000001"
	p.send(mention("Ev1", jason, opsChan, "restart apache on web-1, web-2 and web-3", thread, ""))
	q1 := fs.waitPosts("chat.postMessage", 1)[0]
	if !hasButtons(t, q1) || !strings.HasSuffix(q1.text(), "Restart apache on web-1? (yes / no)") {
		t.Fatalf("first question: %s", dump([]call{q1}))
	}
	p.click(clickPayload(t, jason, q1, "parley_confirm", "501.000001"))
	upd := fs.waitPosts("chat.update", 1)[0]
	if upd.ts != q1.ts || !strings.HasSuffix(upd.text(), "✅ Done — confirmed by @Jason") {
		t.Fatalf("the first question after its yes: %s", dump([]call{upd}))
	}
	q2 := fs.waitPosts("chat.postMessage", 2)[1]
	if !hasButtons(t, q2) || !strings.Contains(q2.text(), "Next, web-2:") || !strings.HasSuffix(q2.text(), "Restart apache on web-2? (yes / no)") {
		t.Fatalf("second question: %s", dump([]call{q2}))
	}
	p.click(clickPayload(t, jason, q2, "parley_cancel", "502.000001"))
	upd2 := fs.waitPosts("chat.update", 2)[1]
	if upd2.ts != q2.ts || !strings.HasSuffix(upd2.text(), "✖️ Skipped — answered by @Jason") {
		t.Fatalf("the second question after its no: %s", dump([]call{upd2}))
	}
	q3 := fs.waitPosts("chat.postMessage", 3)[2]
	if !hasButtons(t, q3) || !strings.HasSuffix(q3.text(), "Restart apache on web-3? (yes / no)") {
		t.Fatalf("third question: %s", dump([]call{q3}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if n := p.runs.get("restart_service"); n != 1 {
		t.Fatalf("restart_service ran %d times, want 1", n)
	}
}

// Several requests in one message, over buttons: each gets its own
// question; a no on the first moves to the second, whose yes runs it.
func TestSeveralRequestsWithButtons(t *testing.T) {
	fs := newFakeSlack(t)
	p := startParley(t, fs, options{})
	const thread = "600.000001"
	p.send(mention("Ev1", jason, opsChan, "restart apache on web-1; deploy checkout to staging", thread, ""))
	q1 := fs.waitPosts("chat.postMessage", 1)[0]
	if !hasButtons(t, q1) || !strings.Contains(q1.text(), "One request at a time: first this one, then “deploy checkout to staging”.") ||
		!strings.HasSuffix(q1.text(), "Restart apache on web-1? (yes / no)") {
		t.Fatalf("first question: %s", dump([]call{q1}))
	}
	p.click(clickPayload(t, jason, q1, "parley_cancel", "601.000001"))
	upd := fs.waitPosts("chat.update", 1)[0]
	if upd.ts != q1.ts || !strings.HasSuffix(upd.text(), "✖️ Skipped — answered by @Jason") {
		t.Fatalf("the first question after its no: %s", dump([]call{upd}))
	}
	q2 := fs.waitPosts("chat.postMessage", 2)[1]
	if !hasButtons(t, q2) || !strings.HasSuffix(q2.text(), "Deploy checkout latest to staging? (yes / no)") {
		t.Fatalf("second question: %s", dump([]call{q2}))
	}
	p.click(clickPayload(t, jason, q2, "parley_confirm", "602.000001"))
	upd2 := fs.waitPosts("chat.update", 2)[1]
	if upd2.ts != q2.ts || !strings.HasSuffix(upd2.text(), "✅ Done — confirmed by @Jason") {
		t.Fatalf("the second question after its yes: %s", dump([]call{upd2}))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if r, d := p.runs.get("restart_service"), p.runs.get("deploy"); r != 0 || d != 1 {
		t.Fatalf("restart_service ran %d times and deploy %d, want 0 and 1", r, d)
	}
}
