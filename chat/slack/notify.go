package slack

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/parleybot/parley/notify"
	slackapi "github.com/slack-go/slack"
)

// The adapter is where notifications go when Slack is configured.
var _ notify.Sink = (*Adapter)(nil)

// errNotRunning is a notification sent before the adapter is connected;
// the hub keeps it for a digest.
var errNotRunning = errors.New("slack: not connected yet")

// notices remembers the messages notifications were posted as, so a later
// count or resolution updates them in place. Old entries are forgotten.
type notices struct {
	mu    sync.Mutex
	next  int
	refs  map[string]*sentRef
	order []string
}

// maxNotices bounds the messages remembered for updates.
const maxNotices = 10000

func (n *notices) add(r *sentRef) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.refs == nil {
		n.refs = map[string]*sentRef{}
	}
	n.next++
	id := strconv.Itoa(n.next)
	n.refs[id] = r
	n.order = append(n.order, id)
	if len(n.order) > maxNotices {
		delete(n.refs, n.order[0])
		n.order = n.order[1:]
	}
	return id
}

func (n *notices) get(id string) *sentRef {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.refs[id]
}

// noticeText renders a notification as text (the fallback of its blocks,
// and what notifications on phones show): its text, then what a reader
// can say to act on it. Everything is escaped: hook senders control the
// text.
func noticeText(m notify.Message) string {
	var b strings.Builder
	b.WriteString(m.Text)
	for _, a := range m.Actions {
		b.WriteString("\n→ say “")
		b.WriteString(a.Command)
		b.WriteString("”")
		if a.Label != "" {
			b.WriteString(" (" + a.Label + ")")
		}
	}
	return Escape(b.String())
}

// Post sends a notification to a channel and returns a reference for
// updating it (notify.Sink). Messages go through the same per-channel
// pacing as replies.
func (a *Adapter) Post(ctx context.Context, channel string, m notify.Message) (string, error) {
	if !a.ready.Load() {
		return "", errNotRunning
	}
	ref := &sentRef{}
	a.out.push(job{kind: jobPost, channel: channel, text: truncate(noticeText(m), a.cfg.MaxText), blocks: noticeBlocks(m), ref: ref})
	return a.notices.add(ref), nil
}

// Update replaces a posted notification's text (notify.Sink).
func (a *Adapter) Update(ctx context.Context, channel, id string, m notify.Message) error {
	if !a.ready.Load() {
		return errNotRunning
	}
	ref := a.notices.get(id)
	if ref == nil {
		return errors.New("slack: that notification is no longer known")
	}
	a.out.push(job{kind: jobUpdate, channel: channel, ref: ref, text: truncate(noticeText(m), a.cfg.MaxText), blocks: noticeBlocks(m)})
	return nil
}

// Action ids of notification buttons: actionNotice and the button's
// index, unique within the message as Slack wants.
const (
	actionNotice = "parley_notice_"
	blockNotice  = "parley_notice"
)

// noticeBlocks shows a notification's text and a button per action. A
// press says the action's command in the notification's thread, as the
// person who pressed it: the same understanding, roles, confirmation and
// audit as typing it. Text is plain_text, so a hook sender's text can
// never mention anyone. Without actions (a resolved alert) there are no
// buttons, and an update removes those it had.
func noticeBlocks(m notify.Message) []slackapi.Block {
	blocks := []slackapi.Block{slackapi.NewSectionBlock(plain(truncate(m.Text, maxSection)), nil, nil)}
	var buttons []slackapi.BlockElement
	for i, act := range m.Actions {
		if i == 5 || len(act.Command) > maxCommand {
			break
		}
		label := act.Label
		if label == "" {
			label = act.Command
		}
		buttons = append(buttons, slackapi.NewButtonBlockElement(actionNotice+strconv.Itoa(i), act.Command, plain(truncate(label, 75))))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slackapi.NewActionBlock(blockNotice, buttons...))
	}
	return blocks
}

// maxCommand is the longest action command a button carries (Slack allows
// 2,000 characters in a button's value; the hook parsers keep commands far
// shorter).
const maxCommand = 500
