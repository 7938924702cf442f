package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/parleybot/parley/dialog"
)

// Engine is what the Adapter needs of the dialog engine; *dialog.Engine
// has it.
type Engine interface {
	Handle(ctx context.Context, msg dialog.Message) dialog.Outcome
	Pending(ctx context.Context, key dialog.Key) (dialog.State, error)
}

// via names Slack in the audit trail.
const via = "slack"

// maxSection is the longest text a section block holds.
const maxSection = 3000

// Adapter connects one Slack app to the dialog engine. Build it with New,
// mount EventsHandler and InteractionsHandler when it serves the Events
// API, and call Run once.
type Adapter struct {
	cfg    Config
	engine Engine
	api    *slackapi.Client
	dir    Directory
	log    *slog.Logger
	verify verifier

	ran   atomic.Bool
	ready atomic.Bool // set once botID, disp and out exist; cleared on stop
	botID string
	disp  *dispatcher
	out   *outbox

	threads ThreadIndex
	buttons *buttonIndex
	notices notices
	flood   *floodGuard
}

// New checks the configuration and builds an Adapter. It does no I/O.
func New(cfg Config, engine Engine) (*Adapter, error) {
	if engine == nil {
		return nil, errors.New("slack: an engine is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.fill()
	opts := []slackapi.Option{slackapi.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.AppToken.Reveal()))
	}
	api := slackapi.New(cfg.BotToken.Reveal(), opts...)
	a := &Adapter{
		cfg: cfg, engine: engine, api: api, log: cfg.Logger, botID: cfg.BotUserID,
		verify:  verifier{secret: []byte(cfg.SigningSecret.Reveal()), window: cfg.SignatureWindow, now: cfg.Now},
		threads: cfg.Threads,
		buttons: &buttonIndex{now: cfg.Now, m: map[dialog.Key]buttonEntry{}},
		flood:   newFloodGuard(cfg.PersonRate, cfg.PersonBurst),
	}
	a.dir = cfg.Directory
	if a.dir == nil {
		a.dir = newDirectory(api, &a.cfg)
	}
	return a, nil
}

// Mode reports the transport Run uses.
func (a *Adapter) Mode() Mode { return a.cfg.Mode() }

// errNotReady is Ready's answer before Run has checked the bot token and
// after it has stopped.
var errNotReady = errors.New("slack: not connected yet, or stopping")

// Ready reports whether the adapter takes events: nil between Run's
// auth.test and its stop. Events that arrive before are answered 503, so
// a readiness probe should hold traffic until then.
func (a *Adapter) Ready() error {
	if !a.ready.Load() {
		return errNotReady
	}
	return nil
}

// Run learns the bot's own user id (auth.test), then handles events until
// ctx ends: over Socket Mode it holds the connection itself; for the Events
// API it serves what the handlers queue. When ctx ends it stops taking
// events and finishes the queued ones and their replies, for at most
// Config.DrainTimeout. It returns an error when the bot token is rejected
// or Socket Mode cannot authenticate.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.ran.CompareAndSwap(false, true) {
		return errors.New("slack: Run may be called only once")
	}
	if a.botID == "" {
		resp, err := a.api.AuthTestContext(ctx)
		if err != nil {
			return fmt.Errorf("slack: checking the bot token with auth.test: %w", err)
		}
		a.botID = resp.UserID
	}
	// Work goes on after ctx ends, until it is drained.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	a.out = newOutbox(work, a.api, &a.cfg)
	a.disp = newDispatcher(a.cfg.MaxConcurrent, a.cfg.QueueSize, func(in inbound) { a.handle(work, in) })
	a.ready.Store(true)
	a.log.InfoContext(ctx, "slack: ready", "mode", a.Mode().String(), "bot_user", a.botID)

	var err error
	if a.Mode() == SocketMode {
		err = a.runSocket(ctx)
	} else {
		<-ctx.Done()
	}
	a.ready.Store(false)
	a.drain(stopWork)
	return err
}

// drain waits for queued events and their replies, and cancels the work
// still running after DrainTimeout.
func (a *Adapter) drain(stopWork context.CancelFunc) {
	if n := a.disp.pending(); n > 0 {
		a.log.Info("slack: finishing events in flight", "events", n)
	}
	done := make(chan struct{})
	go func() {
		a.disp.close()
		a.out.wait()
		close(done)
	}()
	timer := time.NewTimer(a.cfg.DrainTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		a.log.Warn("slack: events still running at the drain deadline are cancelled", "events", a.disp.pending(), "deadline", a.cfg.DrainTimeout)
		stopWork()
		<-done
	}
}

// submit queues an accepted event for handling. Chatter at the top of a
// channel is dropped at once unless a question waits for its author there.
func (a *Adapter) submit(in inbound) error {
	if !a.ready.Load() {
		return errStopped
	}
	if in.kind == kindMessage && !in.dm && in.thread == "" && a.waitingThread(context.Background(), in.user, in.channel) == "" {
		return nil
	}
	return a.disp.submit(in)
}

// handle runs one event; it never panics.
func (a *Adapter) handle(ctx context.Context, in inbound) {
	defer func() {
		if r := recover(); r != nil {
			a.log.ErrorContext(ctx, "slack: panic while handling an event", "event", in.id, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if in.kind == kindClick {
		a.onClick(ctx, in)
		return
	}
	a.onMessage(ctx, in)
}

// onMessage handles a mention, a direct message, or a channel message
// that may answer a question the bot asked its author.
func (a *Adapter) onMessage(ctx context.Context, in inbound) {
	thread := in.thread
	if thread == "" && !in.dm && in.kind == kindMention {
		thread = in.ts // a new dialog gets its own thread
	}
	if !in.dm && in.kind == kindMessage {
		if thread == "" {
			// An answer at the top of the channel goes to the dialog
			// waiting there for this person.
			if thread = a.waitingThread(ctx, in.user, in.channel); thread == "" {
				return
			}
		}
		if !a.awaited(ctx, dialog.Key{User: a.dir.Name(in.user), Channel: in.channel, Thread: thread}) {
			return
		}
	}
	if !a.firstSighting(ctx, in) {
		return
	}
	p := a.dir.Lookup(ctx, in.user)
	if ok, tell := a.flood.allow(in.user, a.cfg.Now()); !ok {
		a.log.WarnContext(ctx, "slack: a person sends faster than the limit; message dropped", "event", in.id, "user", p.Name, "channel", in.channel)
		if tell {
			note := fmt.Sprintf("%s, you're sending messages faster than I can usefully answer, so I'm skipping some. Wait a few seconds, then ask again.", p.ID)
			a.postText(in.channel, thread, a.replyText(p, dialog.Outcome{Replies: []string{strings.Replace(note, p.ID, p.Name, 1)}}))
		}
		return
	}
	msg := dialog.Message{User: p.Name, Channel: in.channel, Thread: thread, Roles: p.Roles, Text: cleanInbound(in.text, a.botID, a.dir.Name), Via: via}
	out := a.engine.Handle(ctx, msg)
	a.logTurn(ctx, in, msg, out)
	if !in.dm {
		a.noteThread(ctx, in.user, in.channel, thread, out.State)
	}
	a.respond(msg.Key(), p, out)
}

// awaited reports whether the engine waits for an answer on key.
func (a *Adapter) awaited(ctx context.Context, key dialog.Key) bool {
	st, err := a.engine.Pending(ctx, key)
	if err != nil {
		a.log.WarnContext(ctx, "slack: cannot tell whether an answer is awaited; ignoring the message", "channel", key.Channel, "err", err)
		return false
	}
	return st == dialog.Collecting || st == dialog.Confirming
}

// firstSighting asks the deduper. On an error the event is dropped: see
// package dedupe for why failing closed is the right way round.
func (a *Adapter) firstSighting(ctx context.Context, in inbound) bool {
	first, err := a.cfg.Deduper.Seen(ctx, in.id)
	if err != nil {
		a.log.ErrorContext(ctx, "slack: cannot tell whether this event was handled already, so it is dropped", "event", in.id, "err", err)
		return false
	}
	if !first {
		a.log.InfoContext(ctx, "slack: ignoring a repeated delivery", "event", in.id, "retry", in.retry)
	}
	return first
}

// onClick handles a Confirm or Cancel button.
func (a *Adapter) onClick(ctx context.Context, in inbound) {
	c := in.click
	if !a.firstSighting(ctx, in) {
		return
	}
	if in.user != c.asker {
		asker := a.dir.Lookup(ctx, c.asker)
		a.log.InfoContext(ctx, "slack: refused a button click by someone other than the asker", "user", in.user, "asker", c.asker, "channel", in.channel)
		a.out.push(job{kind: jobEphemeral, channel: in.channel, thread: c.thread, user: in.user,
			text: Escape(fmt.Sprintf("Only %s can answer this.", asker.Display))})
		return
	}
	key := dialog.Key{User: a.dir.Name(c.asker), Channel: in.channel, Thread: c.thread}
	question := Escape(unescapeEntities(c.question))
	if ref := a.buttons.get(key); ref != nil && ref.get() != "" && ref.get() != c.messageTS {
		// A newer question replaced this one; its answer is not this one's.
		a.settle(in.channel, c.messageTS, nil, question, "This question was replaced by a newer one.")
		return
	}
	st, err := a.engine.Pending(ctx, key)
	if err != nil {
		a.log.ErrorContext(ctx, "slack: cannot load the dialog a button answers", "channel", in.channel, "err", err)
		a.out.push(job{kind: jobEphemeral, channel: in.channel, thread: c.thread, user: in.user,
			text: "I can't reach my state store right now, so I did nothing. Please try again in a moment."})
		return
	}
	if st != dialog.Confirming {
		a.buttons.forget(key)
		a.settle(in.channel, c.messageTS, nil, question, "This request is no longer waiting for an answer.")
		return
	}
	p := a.dir.Lookup(ctx, c.asker)
	said := "no"
	if c.yes {
		said = "yes"
	}
	msg := dialog.Message{User: p.Name, Channel: in.channel, Thread: c.thread, Roles: p.Roles, Text: said, Via: via}
	out := a.engine.Handle(ctx, msg)
	a.logTurn(ctx, in, msg, out)
	a.buttons.forget(key)
	if out.Confirm != "" {
		// A question again below with fresh buttons: this one again, or
		// the next value of a request that named several.
		a.settle(in.channel, c.messageTS, nil, question, settledLine(out, p, said))
		a.respond(key, p, out)
		return
	}
	a.postText(in.channel, c.thread, a.replyText(p, out))
	a.settle(in.channel, c.messageTS, nil, question, outcomeLine(out, p, said))
}

// respond posts a turn's replies: a question for yes or no with buttons,
// anything else as text. A button message left from an earlier turn of the
// dialog loses its buttons once its question is settled.
func (a *Adapter) respond(key dialog.Key, p Person, out dialog.Outcome) {
	text := a.replyText(p, out)
	if ref := a.buttons.get(key); ref != nil && (out.State != dialog.Confirming || out.Confirm != "") {
		a.buttons.forget(key)
		a.settle(key.Channel, "", ref, ref.question, settledLine(out, p, ""))
	}
	if out.Confirm == "" {
		a.postText(key.Channel, key.Thread, text)
		return
	}
	question := truncate(Escape(text), maxSection)
	value, _ := json.Marshal(buttonValue{User: p.ID, Thread: key.Thread})
	danger := a.cfg.Dangerous == nil || a.cfg.Dangerous(out.Confirm)
	ref := &sentRef{question: question}
	a.buttons.put(key, ref)
	a.out.push(job{kind: jobPost, channel: key.Channel, thread: key.Thread, text: question,
		blocks: confirmBlocks(question, string(value), danger), ref: ref})
}

// settle replaces a button message with its question and how it ended.
// The message is ts, or ref's once it is known.
func (a *Adapter) settle(channel, ts string, ref *sentRef, question, line string) {
	line = Escape(line)
	a.out.push(job{kind: jobUpdate, channel: channel, ts: ts, ref: ref, text: question + "\n" + line, blocks: settledBlocks(question, line)})
}

// postText posts a reply: escaped, truncated to one message, or uploaded as
// a snippet when it is very long.
func (a *Adapter) postText(channel, thread, raw string) {
	if strings.TrimSpace(raw) == "" {
		return
	}
	if n := utf8.RuneCountInString(raw); n > a.cfg.UploadAbove {
		note := fmt.Sprintf("%s\n(The full output, %d characters, is in the snippet.)", firstLine(raw, 300), n)
		a.out.push(job{kind: jobUpload, channel: channel, thread: thread, content: raw,
			text: Escape(note), fallback: truncate(Escape(raw), a.cfg.MaxText)})
		return
	}
	a.out.push(job{kind: jobPost, channel: channel, thread: thread, text: truncate(Escape(raw), a.cfg.MaxText)})
}

// replyText joins a turn's replies. People without a configured name are
// called by their display name rather than their Slack id.
func (a *Adapter) replyText(p Person, out dialog.Outcome) string {
	text := strings.Join(out.Replies, "\n")
	if p.Name == p.ID && p.Display != "" && p.Display != p.ID {
		text = strings.ReplaceAll(text, p.ID, p.Display)
	}
	return text
}

func (a *Adapter) logTurn(ctx context.Context, in inbound, msg dialog.Message, out dialog.Outcome) {
	attrs := []any{"event", in.id, "user", msg.User, "channel", msg.Channel, "thread", msg.Thread, "intent", out.Intent, "state", out.State.String()}
	if out.Executed != nil {
		attrs = append(attrs, "executed", out.Executed.Skill, "ok", out.Executed.Err == nil)
	}
	if out.Denied {
		attrs = append(attrs, "denied", true)
	}
	a.log.InfoContext(ctx, "slack: turn", attrs...)
}

// outcomeLine says how a confirmation ended and who decided. said is the
// button's "yes" or "no", or "" for a typed answer.
func outcomeLine(out dialog.Outcome, p Person, said string) string {
	who := "@" + p.Display
	switch {
	case out.Executed != nil && out.Executed.Err == nil:
		return "✅ Done — confirmed by " + who
	case out.Executed != nil:
		return "⚠️ Failed — confirmed by " + who
	case out.Denied:
		return "⛔ Not allowed — answered by " + who
	case out.Err != nil:
		return "⚠️ Nothing was done (something went wrong on my side) — answered by " + who
	case said == "no" || out.State == dialog.Idle:
		return "✖️ Cancelled — cancelled by " + who
	}
	return "Answered in the thread by " + who
}

// settledLine says how a button question ended when the turn that answered
// it may ask another: run or skipped, when the new question is about the
// next value of a request that named several; else asked again.
func settledLine(out dialog.Outcome, p Person, said string) string {
	if out.Confirm == "" || out.Executed != nil {
		return outcomeLine(out, p, said)
	}
	for _, r := range out.Records {
		if r.Kind == "cancelled" {
			return "✖️ Skipped — answered by @" + p.Display
		}
	}
	return "Asked again below."
}

// confirmBlocks shows an escaped question with Confirm and Cancel. Block
// text is plain_text, which Slack never formats, links or parses for
// mentions, so it carries the question as typed.
func confirmBlocks(question, value string, danger bool) []slackapi.Block {
	confirm := slackapi.NewButtonBlockElement(actionConfirm, value, plain("Confirm"))
	if danger {
		confirm.WithStyle(slackapi.StyleDanger)
	} else {
		confirm.WithStyle(slackapi.StylePrimary)
	}
	cancel := slackapi.NewButtonBlockElement(actionCancel, value, plain("Cancel"))
	return []slackapi.Block{
		slackapi.NewSectionBlock(plain(unescapeEntities(question)), nil, nil),
		slackapi.NewActionBlock(blockConfirm, confirm, cancel),
	}
}

// settledBlocks shows an escaped question and how it ended, without
// buttons.
func settledBlocks(question, line string) []slackapi.Block {
	return []slackapi.Block{
		slackapi.NewSectionBlock(plain(unescapeEntities(question)), nil, nil),
		slackapi.NewContextBlock("", plain(unescapeEntities(line))),
	}
}

func plain(text string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, text, false, false)
}

// waitingThread is the thread where a dialog of user waits in channel, or
// "" (also when the index cannot be read: the message is then taken for
// chatter, and the person can answer in the thread).
func (a *Adapter) waitingThread(ctx context.Context, user, channel string) string {
	thread, err := a.threads.Get(ctx, user, channel)
	if err != nil {
		a.log.WarnContext(ctx, "slack: reading where a dialog waits", "err", err)
		return ""
	}
	return thread
}

// noteThread records whether the dialog in thread waits for user's answer.
func (a *Adapter) noteThread(ctx context.Context, user, channel, thread string, st dialog.State) {
	var err error
	if st == dialog.Collecting || st == dialog.Confirming {
		err = a.threads.Wait(ctx, user, channel, thread)
	} else {
		err = a.threads.Done(ctx, user, channel, thread)
	}
	if err != nil {
		a.log.WarnContext(ctx, "slack: recording where a dialog waits", "err", err)
	}
}

// buttonIndex remembers the button message of each dialog waiting for a
// yes or no in this process, so that a typed answer can remove its buttons.
type buttonIndex struct {
	now func() time.Time

	mu sync.Mutex
	m  map[dialog.Key]buttonEntry
}

type buttonEntry struct {
	ref   *sentRef
	added time.Time
}

func (b *buttonIndex) put(k dialog.Key, ref *sentRef) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) > 10000 {
		for k, e := range b.m {
			if now.Sub(e.added) > time.Hour {
				delete(b.m, k)
			}
		}
	}
	b.m[k] = buttonEntry{ref: ref, added: now}
}

func (b *buttonIndex) get(k dialog.Key) *sentRef {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[k].ref
}

func (b *buttonIndex) forget(k dialog.Key) {
	b.mu.Lock()
	delete(b.m, k)
	b.mu.Unlock()
}
