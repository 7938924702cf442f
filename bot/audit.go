package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/dialog"
)

// auditor writes every turn's records to the audit log in the background,
// in order, so a turn never waits for a disk or database; Close drains it.
type auditor struct {
	log    audit.Log
	logger *slog.Logger
	queue  chan auditItem
	done   sync.WaitGroup
}

// auditItem is a record to write, or a flush marker to close once every
// record before it is written.
type auditItem struct {
	rec     audit.Record
	flushed chan struct{}
}

// auditQueue bounds the records waiting to be written; a full queue makes
// turns wait rather than lose a record.
const auditQueue = 1024

func newAuditor(log audit.Log, logger *slog.Logger) *auditor {
	a := &auditor{log: log, logger: logger, queue: make(chan auditItem, auditQueue)}
	a.done.Add(1)
	go a.run()
	return a
}

func (a *auditor) run() {
	defer a.done.Done()
	for it := range a.queue {
		if it.flushed != nil {
			close(it.flushed)
			continue
		}
		r := it.rec
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := a.log.Append(ctx, r); err != nil {
			a.logger.Error("could not write an audit record", "err", err, "kind", r.Kind, "user", r.User, "skill", r.Skill)
		}
		cancel()
	}
}

// Close writes what is queued and stops.
func (a *auditor) Close() error {
	close(a.queue)
	a.done.Wait()
	return nil
}

// Observe turns a turn's records into audit records.
func (a *auditor) Observe(ctx context.Context, msg dialog.Message, out dialog.Outcome) {
	message := msg.Text
	if out.Sensitive {
		message = "[a one-time code]"
	}
	for _, r := range out.Records {
		user := r.User
		if user == "" {
			user = msg.User
		}
		via := msg.Via
		if r.Assisted {
			via += "+llm" // understood by the language model
		}
		rec := audit.Record{
			Kind: audit.Kind(r.Kind), User: user, Channel: msg.Channel, Via: via,
			Skill: r.Skill, Params: r.Params, Duration: r.Duration, Message: message, Approver: r.Approver,
		}
		if r.Kind == "failed" || r.Kind == "refused" {
			rec.Error = r.Detail
		} else {
			rec.Result = r.Detail
		}
		if !rec.Kind.Valid() {
			a.logger.Warn("unknown audit kind", "kind", r.Kind)
			continue
		}
		a.queue <- auditItem{rec: rec}
	}
}

// flush waits until every record queued so far is written.
func (a *auditor) flush(ctx context.Context) {
	done := make(chan struct{})
	select {
	case a.queue <- auditItem{flushed: done}:
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// observers fans one outcome out to several observers.
type observers []dialog.Observer

func (os observers) Observe(ctx context.Context, msg dialog.Message, out dialog.Outcome) {
	for _, o := range os {
		o.Observe(ctx, msg, out)
	}
}

// history answers questions about the audit trail for people allowed to
// see it.
func (b *Bot) history(ctx context.Context, msg dialog.Message, text string) (string, bool) {
	now := b.now()
	f, ok := audit.ParseQuestion(text, now, nil)
	if !ok {
		return "", false
	}
	if !slices.ContainsFunc(b.Config.Audit.ViewerRoles, func(r string) bool { return slices.Contains(msg.Roles, r) }) {
		return "Sorry " + msg.User + ", the audit trail is only for people with the " + joinOr(b.Config.Audit.ViewerRoles) + " role.", true
	}
	if f.User == audit.Asker {
		f.User = msg.User
	}
	if f.Limit == 0 {
		f.Limit = audit.MaxSummary
	}
	b.auditor.flush(ctx) // what this person just did is in the answer
	records, err := b.auditLog.Query(ctx, f)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "The audit trail took too long to answer; try a narrower question.", true
		}
		b.logger.ErrorContext(ctx, "audit query failed", "err", err)
		return "I couldn't read the audit trail right now.", true
	}
	if len(records) == 0 {
		return "Nothing in the audit trail matches that.", true
	}
	return audit.Summarise(records, now), true
}

func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return "(none)"
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1:] {
		out += " or " + x
	}
	return out
}
