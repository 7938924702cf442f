package slack_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/chat/dedupe"
	chatslack "github.com/parleybot/parley/chat/slack"
	"github.com/parleybot/parley/chat/threads"
	"github.com/parleybot/parley/internal/redistest"
)

// Two Parley processes behind one Slack app share Redis. Slack delivers an
// event to both (a retry landing on the other process) at the same moment:
// it is handled once, and a re-delivered "yes" runs its skill once and is
// answered once.
func TestTwoProcessesOneRedis(t *testing.T) {
	client, prefix := redistest.Client(t)
	other := redis.NewClient(redistest.Options())
	t.Cleanup(func() { other.Close() })
	fs := newFakeSlack(t)
	shared := &runs{}
	process := func(c redis.UniversalClient) *parley {
		return startParley(t, fs, options{redis: c, prefix: prefix, runs: shared, deduper: func(cfg *chatslack.Config) {
			cfg.Deduper = dedupe.NewRedis(c, prefix+"slack:seen:", 0)
		}})
	}
	a, b := process(client), process(other)

	both := func(body []byte) {
		t.Helper()
		var wg sync.WaitGroup
		codes := make([]int, 2)
		start := make(chan struct{})
		for i, p := range []*parley{a, b} {
			wg.Go(func() {
				<-start
				codes[i] = p.post("/slack/events", body, signedNow(body))
			})
		}
		close(start)
		wg.Wait()
		if codes[0] != http.StatusOK || codes[1] != http.StatusOK {
			t.Fatalf("answers %v", codes)
		}
	}
	const rounds = 10
	for i := range rounds {
		both(mention(fmt.Sprintf("EvBoth%d", i), jason, fmt.Sprintf("C%03d", i), "who is on call for payments?", fmt.Sprintf("900.%06d", i), ""))
	}
	fs.waitPosts("chat.postMessage", rounds)

	const thread = "950.000001"
	a.send(mention("EvAsk", jason, opsChan, "restart apache on web-1", thread, ""))
	fs.waitPosts("chat.postMessage", rounds+1)
	both(chanMessage("EvYes", jason, opsChan, "yes", "950.000002", thread))
	fs.waitPosts("chat.postMessage", rounds+2)

	for _, p := range []*parley{a, b} {
		if err := p.stop(); err != nil {
			t.Fatal(err)
		}
	}
	if n := shared.get("oncall_who"); n != rounds {
		t.Fatalf("oncall_who ran %d times for %d events each delivered to both processes", n, rounds)
	}
	if n := shared.get("restart_service"); n != 1 {
		t.Fatalf("restart_service ran %d times for one yes", n)
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != rounds+2 {
		t.Fatalf("%d replies, want %d:\n%s", len(posts), rounds+2, dump(fs.snapshot()))
	}
}

// A dialog started through one process is answered at the top of the
// channel, and Slack delivers the answer to the other process: with the
// thread index in Redis, the answer reaches the dialog in its thread.
func TestTopLevelAnswerReachesTheOtherProcess(t *testing.T) {
	client, prefix := redistest.Client(t)
	other := redis.NewClient(redistest.Options())
	t.Cleanup(func() { other.Close() })
	fs := newFakeSlack(t)
	process := func(c redis.UniversalClient) *parley {
		return startParley(t, fs, options{redis: c, prefix: prefix, deduper: func(cfg *chatslack.Config) {
			cfg.Deduper = dedupe.NewRedis(c, prefix+"slack:seen:", 0)
			cfg.Threads = threads.NewRedis(c, prefix+"slack:waiting:", 0)
		}})
	}
	a, b := process(client), process(other)
	const thread = "960.000001"
	a.send(mention("EvStart", jason, opsChan, "restart apache", thread, ""))
	ask := fs.waitPosts("chat.postMessage", 1)[0]
	if ask.thread() != thread || ask.text() != "On which host would you like to restart apache?" {
		t.Fatalf("question: %s", dump([]call{ask}))
	}
	// Jason answers at the top of the channel; process b gets it.
	b.send(chanMessage("EvAnswer", jason, opsChan, "web-1", "960.000002", ""))
	confirm := fs.waitPosts("chat.postMessage", 2)[1]
	if confirm.thread() != thread || confirm.text() != "Restart apache on web-1? (yes / no)" {
		t.Fatalf("confirmation: %s", dump([]call{confirm}))
	}
	// Chatter by someone nothing waits for stays unanswered.
	b.send(chanMessage("EvChatter", bob, opsChan, "lunch?", "960.000003", ""))
	for _, p := range []*parley{a, b} {
		if err := p.stop(); err != nil {
			t.Fatal(err)
		}
	}
	if posts := ok(fs.snapshot(), "chat.postMessage"); len(posts) != 2 {
		t.Fatalf("%d replies, want 2:\n%s", len(posts), dump(fs.snapshot()))
	}
}
