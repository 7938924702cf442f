package slack_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	chatslack "github.com/parleybot/parley/chat/slack"
)

// A 429 on one channel is waited out (Retry-After) and the message
// delivered; meanwhile another channel's message goes out.
func TestRateLimitedChannelWaitsAndDelivers(t *testing.T) {
	fs := newFakeSlack(t)
	fs.rateLimit("chat.postMessage", opsChan, 1)
	p := startParley(t, fs, options{})
	p.send(mention("Ev1", jason, opsChan, "who is on call for payments?", "100.000001", ""))
	limited := fs.waitFor("the 429", func(cs []call) bool {
		for _, c := range cs {
			if c.status == http.StatusTooManyRequests {
				return true
			}
		}
		return false
	})[0]
	p.send(mention("Ev2", bob, devChan, "who is on call for payments?", "200.000001", ""))
	posts := fs.waitPosts("chat.postMessage", 2)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if posts[0].channel() != devChan || posts[1].channel() != opsChan {
		t.Fatalf("the other channel waited behind the limited one:\n%s", dump(fs.snapshot()))
	}
	if waited := posts[1].at.Sub(limited.at); waited < time.Second {
		t.Fatalf("sent again %v after a 429 with Retry-After: 1", waited)
	}
	if n := p.runs.get("oncall_who"); n != 2 {
		t.Fatalf("oncall_who ran %d times", n)
	}
}

// Messages to one channel are paced by its token bucket: a burst, then the
// configured rate.
func TestChannelPacing(t *testing.T) {
	fs := newFakeSlack(t)
	const rate, burst, n = 10, 2, 6
	p := startParley(t, fs, options{config: func(c *chatslack.Config) { c.ChannelRate, c.ChannelBurst = rate, burst }})
	for i := range n {
		p.send(mention(fmt.Sprintf("Ev%d", i), jason, opsChan, "who is on call for payments?", fmt.Sprintf("%d.000001", i+1), ""))
	}
	posts := fs.waitPosts("chat.postMessage", n)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	// However the replies were spread, n tokens take (n-burst)/rate to
	// earn after the first was spent. The first message's own trip to the
	// server is allowed for.
	least := time.Duration(n-burst) * time.Second / rate
	if span := posts[n-1].at.Sub(posts[0].at); span < least-least/8 {
		t.Fatalf("%d messages, burst %d at %d/s, went out within %v; want at least %v", n, burst, rate, span, least)
	}
}
