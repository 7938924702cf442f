package dialog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/training"
)

// Parser understands a message. *nlu.Pipeline and *nlu.Model satisfy it.
type Parser interface {
	Parse(ctx context.Context, text string) (nlu.Result, error)
}

// Catalog finds skills. *skills.Registry satisfies it.
type Catalog interface {
	Lookup(name string) (*skills.Skill, bool)
	All() []*skills.Skill
}

// Runner executes a validated call. The default runs the skill's own
// executor; conversation tests record instead.
type Runner func(ctx context.Context, call skills.Call) (skills.Result, error)

// Observer is told about every turn after it is handled, e.g. for audit
// and metrics. It must be safe for concurrent use and not block.
type Observer interface {
	Observe(ctx context.Context, msg Message, out Outcome)
}

// Config assembles an Engine. Parser, Catalog and Store are required.
type Config struct {
	Parser  Parser
	Catalog Catalog
	Store   Store
	Logger  *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Run executes calls (default: the skill's executor).
	Run Runner
	// Observer, when set, sees every outcome.
	Observer Observer
	// ConfirmTTL is how long a question for yes/no stays valid (5 min).
	ConfirmTTL time.Duration
	// ExecTimeout bounds one execution (60 s).
	ExecTimeout time.Duration
	// MaxTries is how often an invalid answer is asked again (3).
	MaxTries int
	// MaxMessage is the largest message read, in bytes (4096).
	MaxMessage int
	// BotName is stripped when a message starts by mentioning it ("parley").
	BotName string
	// Holders, when set, names the people who have a role, so a refusal
	// can say who may run the skill.
	Holders func(role string) []string
	// Learner, when set, takes teachings, review decisions, picks after
	// "Did you mean…?" and messages not understood.
	Learner Learner
	// TrainerRole may teach directly and review ("trainer").
	TrainerRole string
	// SecondFactor checks one-time codes for skills that require them;
	// without it such skills are refused.
	SecondFactor SecondFactor
	// Assistant, when set, is asked what a message means when the local
	// NLU is unsure; its proposals are checked like any message.
	Assistant Assistant
	// History, when set, answers questions about what was run ("what did
	// alice run today?"); ok is false for anything else.
	History func(ctx context.Context, msg Message, text string) (reply string, ok bool)
}

// SecondFactor checks a person's one-time code for a skill. *auth.Service
// satisfies it.
type SecondFactor interface {
	Verify(ctx context.Context, user, skill, code string) error
}

// Engine handles messages. It is safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger
}

// New checks the configuration and fills defaults.
func New(cfg Config) (*Engine, error) {
	if cfg.Parser == nil || cfg.Catalog == nil || cfg.Store == nil {
		return nil, errors.New("dialog: Parser, Catalog and Store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Run == nil {
		cfg.Run = func(ctx context.Context, call skills.Call) (skills.Result, error) {
			return call.Skill.Executor.Execute(ctx, call)
		}
	}
	if cfg.ConfirmTTL <= 0 {
		cfg.ConfirmTTL = 5 * time.Minute
	}
	if cfg.ExecTimeout <= 0 {
		cfg.ExecTimeout = time.Minute
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 3
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = 4096
	}
	if cfg.BotName == "" {
		cfg.BotName = "parley"
	}
	if cfg.TrainerRole == "" {
		cfg.TrainerRole = trainerRole
	}
	return &Engine{cfg: cfg, log: cfg.Logger}, nil
}

// Message is one chat message to the bot.
type Message struct {
	User, Channel, Thread string
	// Roles of the user, resolved by the chat adapter from configuration.
	Roles []string
	Text  string
	// Via names the way it came (shell, slack, api), for the audit trail.
	Via string
}

// Key is the conversation the message belongs to.
func (m Message) Key() Key { return Key{User: m.User, Channel: m.Channel, Thread: m.Thread} }

// Outcome is everything a turn did: the replies to post and what happened.
type Outcome struct {
	Replies []string
	// Intent and Confidence are what the NLU understood ("" when the
	// message never reached it).
	Intent     string
	Confidence float64
	// State is the conversation's state after the turn.
	State State
	// Asks names the parameter asked for; Confirm the skill awaiting a yes.
	Asks    string
	Confirm string
	// Params are the pending parameters (collecting, confirming) or, after
	// an execution, the executed ones; secrets are masked.
	Params map[string]string
	// Executed is set when a skill ran in this turn.
	Executed *Execution
	// Denied is set when the person may not run what they asked for.
	Denied bool
	// Err is an internal failure already reported in plain words.
	Err error
	// Records are what an audit trail keeps of the turn.
	Records []Record
	// Sensitive marks a message that must not be recorded as typed (a
	// one-time code).
	Sensitive bool
}

// Record is something accountable that happened in a turn.
type Record struct {
	// Kind is one of: executed, failed, refused, confirmed, cancelled,
	// expired, taught, approved, rejected.
	Kind     string
	Skill    string
	Params   map[string]string // secrets masked
	User     string            // who did it (the requester of an approved run)
	Approver string
	Detail   string
	Duration time.Duration
	// Assisted marks an action the language model understood.
	Assisted bool
}

// Execution reports one skill run.
type Execution struct {
	Skill    string
	Params   map[string]string // secrets masked
	Result   skills.Result
	Err      error
	Duration time.Duration
}

// Reply texts for failures that are not the person's doing.
const (
	msgStoreDown = "I can't reach my state store right now, so I can't act on that. Please try again in a moment."
	msgBusy      = "Too many changes to this conversation at once; please say that again."
)

// maxConflicts bounds how often a turn is re-decided after losing a
// compare-and-set race.
const maxConflicts = 4

// Handle runs one turn. It never panics and never returns internal error
// text to the person: failures are logged and answered in plain words.
func (e *Engine) Handle(ctx context.Context, msg Message) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			ref := newRef()
			e.log.ErrorContext(ctx, "panic while handling a message", "ref", ref, "panic", r, "stack", string(debug.Stack()))
			out = Outcome{Replies: []string{fmt.Sprintf("Something went wrong on my side while handling that (ref %s). Nothing more will happen for this message.", ref)},
				Err: fmt.Errorf("panic: %v", r)}
		}
		if e.cfg.Observer != nil {
			e.cfg.Observer.Observe(ctx, msg, out)
		}
	}()
	text, problem := e.clean(msg.Text)
	if problem != "" {
		return Outcome{Replies: []string{problem}}
	}
	if out, ok := e.learning(ctx, msg, text); ok {
		return out
	}
	if out, ok := e.approving(ctx, msg, text); ok {
		return out
	}
	if e.cfg.History != nil {
		if reply, ok := e.cfg.History(ctx, msg, text); ok {
			return Outcome{Replies: []string{reply}}
		}
	}
	first, rest := text, []string(nil)
	var over []string
	parts, left := e.requestsIn(ctx, msg, text)
	if len(parts) > 0 {
		if len(parts) > maxRequests {
			parts, over = parts[:maxRequests], parts[maxRequests:]
		}
		first, rest = parts[0], parts[1:]
		if len(rest) == 0 {
			rest = nil
		}
	}
	out, next := e.turn(ctx, msg, first, rest)
	if len(left) > 0 {
		out.Replies = append([]string{leftOut(left)}, out.Replies...)
	}
	// Further requests of the message are taken in order, each in its own
	// turn, as long as the one before has finished.
	for len(next) > 0 {
		o, n := e.turn(ctx, msg, next[0], next[1:])
		out = joined(out, o)
		next = n
	}
	if len(over) > 0 {
		out.Replies = append(out.Replies, tooMany(over))
	}
	return out
}

// turn handles one request of a message. then, when not nil, holds the
// requests the same message made after this one: they wait with it while
// it asks or is confirmed. turn returns the requests to take next: those
// waiting, once the pending request has finished (and was not cancelled).
func (e *Engine) turn(ctx context.Context, msg Message, text string, then []string) (Outcome, []string) {
	res, err := e.cfg.Parser.Parse(ctx, text)
	if err != nil {
		ref := newRef()
		e.log.ErrorContext(ctx, "nlu failed", "ref", ref, "err", err)
		return Outcome{Replies: []string{fmt.Sprintf("I couldn't process that message (ref %s). Please try again.", ref)}, Err: err}, nil
	}
	key := msg.Key().String()
	newID := newRef()[:6]
	var code *codeCheck  // checked once: a code is spent when checked
	var help *assistance // the assistant is asked at most once a turn
	for attempt := 0; ; attempt++ {
		data, version, err := e.cfg.Store.Load(ctx, key)
		if err != nil {
			return e.storeFailure(ctx, err, res), nil
		}
		conv, err := decode(data)
		if err != nil {
			// A record this build cannot read is dropped, not obeyed.
			e.log.WarnContext(ctx, "dropping unreadable conversation", "key", key, "err", err)
			conv = conversation{}
		}
		now := e.cfg.Now()
		in := turnInput{msg: msg, text: text, nlu: res, now: now, newID: newID, last: conv.Last}
		if conv.State == Confirming && conv.Stage == stageCode && isCode(text) && e.cfg.SecondFactor != nil {
			if code == nil {
				code = &codeCheck{err: e.checkCode(ctx, msg.User, conv.Skill, text)}
			}
			in.code = code
		}
		if len(conv.Suggest) > 0 {
			// The person may be picking a guess for this earlier message.
			if in.origin, err = e.cfg.Parser.Parse(ctx, conv.Origin); err != nil {
				conv = conversation{}
			}
		}
		if help == nil && e.wantsAssist(conv, res, text) {
			a := e.assist(ctx, conv, msg, res, text)
			help = &a
		}
		if help != nil && help.ok {
			in.nlu, in.assisted = help.result, true
		}
		var asked map[string]string
		if conv.State == Confirming {
			asked = maps.Clone(conv.Params) // decide may change the map in place
		}
		next, p := e.decide(conv, in)
		if next.Last == nil {
			// What ran before is remembered whatever this turn made of
			// the message: a "Did you mean" or a refusal forgets nothing.
			next.Last = conv.Last
		}
		if next.State == Confirming && p.err == nil && (conv.State != Confirming || conv.Skill != next.Skill || !maps.Equal(asked, next.Params)) {
			tries := 0
			if conv.State == Collecting {
				tries = conv.Tries
			}
			next, p = e.checkValues(ctx, next, p, in, conv.Asking, tries)
		}
		waiting := e.waiting(conv, &next, in, then, &p)
		assisted := in.assisted || conv.Assisted
		if assisted && next.State != Idle && next.Skill != "" && (conv.State == Idle || conv.Assisted || next.Skill == conv.Skill) {
			next.Assisted = true
		}
		if p.err != nil {
			ref := newRef()
			e.log.ErrorContext(ctx, "dialog decision failed", "ref", ref, "err", p.err)
			return Outcome{Replies: []string{fmt.Sprintf("Something went wrong on my side (ref %s). Nothing was run.", ref)}, Intent: res.Intent, Err: p.err}, nil
		}
		if p.persist || version != 0 && next.State == Idle {
			newVersion, err := e.swap(ctx, key, version, next)
			if errors.Is(err, ErrConflict) {
				if attempt+1 < maxConflicts {
					continue
				}
				return Outcome{Replies: []string{msgBusy}, Intent: res.Intent, Err: err}, nil
			}
			if err != nil {
				return e.storeFailure(ctx, err, res), nil
			}
			version = newVersion
		}
		if p.candidate != nil && e.cfg.Learner != nil {
			if _, err := e.cfg.Learner.Propose(ctx, *p.candidate); err != nil {
				e.log.WarnContext(ctx, "could not queue a candidate example", "err", err)
			}
		}
		if p.approval != "" {
			// Index the request so another person's "approve ID" finds it.
			if _, err := e.cfg.Store.Swap(ctx, approvalKey(p.approval), 0, []byte(key)); err != nil {
				e.log.WarnContext(ctx, "could not index an approval request", "err", err)
			}
		}
		out := e.outcome(next, p, in.nlu)
		if p.call != nil {
			e.execute(ctx, p, *p.call, &out)
			for _, call := range p.more {
				e.execute(ctx, p, *call, &out)
			}
			if next.State == Executing {
				done, _ := transition(Executing, EvFinish)
				last := next.Last
				if ex := out.Executed; last != nil && ex != nil && ex.Err == nil && len(ex.Result.Made) > 0 {
					last.Params = maps.Clone(last.Params)
					if last.Params == nil {
						last.Params = map[string]string{}
					}
					maps.Copy(last.Params, ex.Result.Made)
				}
				after := conversation{State: done, Last: last}
				if s, ok := e.cfg.Catalog.Lookup(next.Skill); ok && len(next.Queue) > 0 {
					// The next value named with the request is proposed.
					c := next
					c.Last = last
					if proposed, pn := e.proposeNext(c, s, in, &plan{}); pn.err == nil {
						after = proposed
						after.Then = waiting
						out.Replies = append(out.Replies, pn.replies...)
						out.Records = append(out.Records, pn.records...)
						out.Confirm, out.Denied = pn.confirm, out.Denied || pn.denied
						out.Params = e.redact(after.Skill, after.Params)
					} else {
						e.log.WarnContext(ctx, "could not propose the next value", "key", key, "err", pn.err)
					}
				}
				if _, err := e.swap(ctx, key, version, after); err != nil {
					e.log.WarnContext(ctx, "could not mark execution finished", "key", key, "err", err)
				}
				out.State = after.State
			}
		}
		if p.after != "" {
			out.Replies = append(out.Replies, p.after)
		}
		if assisted {
			e.learnFromAssist(ctx, msg, conv, text, &out)
		}
		if help != nil && help.unavailable {
			out.Replies = append(out.Replies, msgUnsure)
		}
		if out.State != Idle {
			return out, nil
		}
		return out, waiting
	}
}

// checkValues looks, before a yes is asked for, whether the values of a
// request just proposed name things that exist (a skill whose executor is
// a skills.Checker): one that does not is asked for again. A check that
// fails for another reason leaves the request as it is; the run will
// report it.
// asking and tries are the question the turn answered, if any, and the
// answers it had already had.
func (e *Engine) checkValues(ctx context.Context, c conversation, p plan, in turnInput, asking string, tries int) (conversation, plan) {
	s, ok := e.cfg.Catalog.Lookup(c.Skill)
	if !ok {
		return c, p
	}
	checker, ok := s.Executor.(skills.Checker)
	if !ok {
		return c, p
	}
	caller := skills.Caller{User: in.msg.User, Roles: in.msg.Roles, Channel: in.msg.Channel}
	args, err := s.Bind(c.Params, caller)
	if err != nil {
		return c, p
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.ExecTimeout)
	defer cancel()
	err = checker.Check(ctx, skills.Call{Skill: s, Args: args, Caller: caller, Time: in.now})
	var pe *skills.ParamError
	switch {
	case err == nil:
		return c, p
	case errors.As(err, &pe) && s.Param(pe.Param) != nil:
		if asking != pe.Param {
			tries = 0
		}
		return e.unconfirmed(c, s, pe, p, tries)
	}
	e.log.WarnContext(ctx, "could not check a request's values before asking for a yes", "skill", s.Name, "err", err)
	return c, p
}

// learnFromAssist marks what the model understood in the records and,
// once the person confirmed it or it ran, queues the phrasing for review
// so the local model learns it.
func (e *Engine) learnFromAssist(ctx context.Context, msg Message, conv conversation, text string, out *Outcome) {
	var skill string
	for i := range out.Records {
		out.Records[i].Assisted = true
		if k := out.Records[i].Kind; (k == "confirmed" || k == "executed") && skill == "" {
			skill = out.Records[i].Skill
		}
	}
	if skill == "" || e.cfg.Learner == nil {
		return
	}
	origin := text
	if conv.Assisted && conv.Origin != "" {
		origin = conv.Origin
	}
	if _, err := e.cfg.Learner.Propose(ctx, training.Candidate{Text: origin, Intent: skill, By: msg.User, Channel: msg.Channel, Source: "llm"}); err != nil {
		e.log.WarnContext(ctx, "could not queue what the model understood", "err", err)
	}
}

func (e *Engine) swap(ctx context.Context, key string, version int64, c conversation) (int64, error) {
	data, err := encode(c)
	if err != nil {
		return 0, err
	}
	return e.cfg.Store.Swap(ctx, key, version, data)
}

func (e *Engine) storeFailure(ctx context.Context, err error, res nlu.Result) Outcome {
	e.log.ErrorContext(ctx, "state store failed", "err", err)
	return Outcome{Replies: []string{msgStoreDown}, Intent: res.Intent, Confidence: res.Confidence, Err: err}
}

func (e *Engine) outcome(c conversation, p plan, res nlu.Result) Outcome {
	out := Outcome{
		Replies: p.replies, Intent: res.Intent, Confidence: res.Confidence,
		State: c.State, Asks: p.asks, Confirm: p.confirm, Denied: p.denied,
		Records: p.records, Sensitive: p.sensitive,
	}
	if c.State == Collecting || c.State == Confirming {
		out.Params = e.redact(c.Skill, c.Params)
	}
	if p.understood != "" {
		out.Intent = p.understood
	}
	return out
}

// redact masks secret parameters for display.
func (e *Engine) redact(skill string, params map[string]string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	s, _ := e.cfg.Catalog.Lookup(skill)
	out := make(map[string]string, len(params))
	for k, v := range params {
		if s != nil {
			if p := s.Param(k); p != nil && p.Secret {
				v = "••••"
			}
		}
		out[k] = v
	}
	return out
}

// execute runs the planned call with a deadline and a recover, and writes
// the reply and the Execution into out.
func (e *Engine) execute(ctx context.Context, p plan, call skills.Call, out *Outcome) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.ExecTimeout)
	defer cancel()
	start := time.Now()
	res, err := e.safeRun(ctx, call)
	ex := &Execution{Skill: call.Skill.Name, Params: call.Args.Redacted(), Result: res, Err: err, Duration: time.Since(start)}
	if out.Executed == nil {
		out.Executed = ex
		out.Params = ex.Params
	}
	text := e.resultText(ctx, call, res, err)
	out.Replies = append(out.Replies, text)
	kind := "executed"
	if err != nil {
		kind = "failed"
	}
	out.Records = append(out.Records, Record{Kind: kind, Skill: call.Skill.Name, Params: ex.Params, User: call.Caller.User, Approver: p.approver, Detail: text, Duration: ex.Duration})
}

// checkCode asks the second factor and phrases a refusal for the person.
func (e *Engine) checkCode(ctx context.Context, user, skill, code string) error {
	err := e.cfg.SecondFactor.Verify(ctx, user, skill, strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrCodeWrong):
		return &codeError{msg: err.Error(), retry: true}
	case errors.Is(err, ErrCodeRefused):
		return &codeError{msg: err.Error()}
	}
	ref := newRef()
	e.log.ErrorContext(ctx, "checking a one-time code failed", "ref", ref, "err", err)
	return &codeError{msg: fmt.Sprintf("I couldn't check the code right now (ref %s).", ref)}
}

// Errors a SecondFactor wraps; their text is shown to the person.
var (
	// ErrCodeWrong is a wrong code that may be tried again.
	ErrCodeWrong = errors.New("wrong one-time code")
	// ErrCodeRefused is a code that cannot be accepted now (reused,
	// locked out, not enrolled).
	ErrCodeRefused = errors.New("one-time code refused")
)

func (e *Engine) safeRun(ctx context.Context, call skills.Call) (res skills.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			e.log.ErrorContext(ctx, "panic in skill", "skill", call.Skill.Name, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("skill %s panicked: %v", call.Skill.Name, r)
		}
	}()
	return e.cfg.Run(ctx, call)
}

// resultText phrases an execution's result: "Restarting apache on web-1
// ... done." for skills with a Running template, the executor's own text
// otherwise.
func (e *Engine) resultText(ctx context.Context, call skills.Call, res skills.Result, err error) string {
	running := ""
	if call.Skill.Running != "" {
		running = skills.Render(call.Skill.Running, call.Args) + " ... "
	}
	if err != nil {
		var ue *skills.UserError
		if errors.As(err, &ue) {
			if running == "" {
				return ue.Msg
			}
			return running + "failed: " + ue.Msg
		}
		ref := newRef()
		e.log.ErrorContext(ctx, "skill failed", "skill", call.Skill.Name, "ref", ref, "err", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return running + "failed: it did not finish in time (ref " + ref + ")."
		}
		return running + "failed: something went wrong on my side (ref " + ref + ")."
	}
	text := strings.TrimSpace(res.Text)
	if running == "" {
		if text == "" {
			return "Done."
		}
		return text
	}
	switch {
	case res.DryRun:
		return running + "done. (" + text + "; nothing was touched)"
	case text == "" || strings.EqualFold(text, "done.") || strings.EqualFold(text, "done"):
		return running + "done."
	}
	return running + "done.\n" + text
}

// clean checks and tidies a message's text. A non-empty problem is the
// reply to send instead of handling the message.
func (e *Engine) clean(text string) (string, string) {
	if len(text) > e.cfg.MaxMessage {
		return "", fmt.Sprintf("That message is too long for me (%s; my limit is %s). Nothing was done.", sizeOf(len(text)), sizeOf(e.cfg.MaxMessage))
	}
	if !utf8.ValidString(text) {
		return "", "I can only read plain text, and that message has bytes that aren't valid text. Nothing was done."
	}
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.In(r, unicode.Cf) && r != '\u200d':
			// Control and invisible format characters are dropped.
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(e.stripMention(strings.TrimSpace(b.String())))
	if s == "" {
		return "", "I didn't catch anything there. Say “help” to see what I can do."
	}
	return s, ""
}

// stripMention removes a leading "@parley", "parley:" or "parley,".
func (e *Engine) stripMention(s string) string {
	name := e.cfg.BotName
	lower := strings.ToLower(s)
	for _, prefix := range []string{"@" + name, name + ":", name + ","} {
		if strings.HasPrefix(lower, prefix) {
			rest := s[len(prefix):]
			rest = strings.TrimLeft(rest, " :,")
			return rest
		}
	}
	return s
}

func sizeOf(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// newRef is a short reference a person can quote and an operator can grep.
func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Pending reports the state of a person's conversation: whether the bot is
// waiting for their answer there (collecting or confirming). Chat adapters
// use it to take the next message without a mention.
func (e *Engine) Pending(ctx context.Context, key Key) (State, error) {
	data, _, err := e.cfg.Store.Load(ctx, key.String())
	if err != nil {
		return Idle, err
	}
	c, err := decode(data)
	if err != nil || c.expired(e.cfg.Now()) {
		return Idle, nil
	}
	return c.State, nil
}
