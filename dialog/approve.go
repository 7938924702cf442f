package dialog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

// approvalRE is another person's answer to a request under the two-person
// rule: "approve 3fa9c1", with a one-time code when the skill needs one.
var approvalRE = regexp.MustCompile(`(?i)^(approve|reject)\s+#?([0-9a-f]{6})(?:\s+(\d{3}\s?\d{3}))?[.!]?$`)

func approvalKey(id string) string { return "approval|" + strings.ToLower(id) }

// approving handles "approve ID" and "reject ID" for requests waiting under
// the two-person rule. It reports whether text was one.
func (e *Engine) approving(ctx context.Context, msg Message, text string) (Outcome, bool) {
	m := approvalRE.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return Outcome{}, false
	}
	approve, id, code := strings.EqualFold(m[1], "approve"), strings.ToLower(m[2]), m[3]
	out, err := e.approve(ctx, msg, id, approve, code)
	if err != nil {
		return e.storeFailure(ctx, err, nlu.Result{}), true
	}
	if code != "" {
		out.Sensitive = true
	}
	return out, true
}

// approve decides one approval under compare-and-set, like any turn.
func (e *Engine) approve(ctx context.Context, msg Message, id string, approve bool, code string) (Outcome, error) {
	say := func(format string, a ...any) Outcome { return Outcome{Replies: []string{fmt.Sprintf(format, a...)}} }
	raw, indexVersion, err := e.cfg.Store.Load(ctx, approvalKey(id))
	if err != nil {
		return Outcome{}, err
	}
	if raw == nil {
		return say("There is no request %s waiting for approval (it may have run, been withdrawn or expired).", id), nil
	}
	key := string(raw)
	var checked *codeCheck
	for attempt := 0; attempt < maxConflicts; attempt++ {
		data, version, err := e.cfg.Store.Load(ctx, key)
		if err != nil {
			return Outcome{}, err
		}
		c, err := decode(data)
		now := e.cfg.Now()
		if err != nil || c.Approval != id || c.State != Confirming || c.expired(now) {
			return say("There is no request %s waiting for approval (it may have run, been withdrawn or expired).", id), nil
		}
		s, ok := e.cfg.Catalog.Lookup(c.Skill)
		if !ok {
			return say("The skill of request %s is no longer available.", id), nil
		}
		var p plan
		if msg.User == c.By {
			return say("You can't approve your own request: someone else has to."), nil
		}
		if !approve {
			p.sayf("Rejected by %s: %s won't run.", msg.User, e.doing(s, c.Params))
			p.record("rejected", s, c.Params, c.By, "")
			p.records[len(p.records)-1].Approver = msg.User
			next, pl := e.drop(c, &p)
			if _, err := e.swap(ctx, key, version, next); errors.Is(err, ErrConflict) {
				continue
			} else if err != nil {
				return Outcome{}, err
			}
			return Outcome{Replies: pl.replies, Records: pl.records, State: Idle}, nil
		}
		requester := skills.Caller{User: c.By, Channel: msg.Channel}
		args, err := s.Bind(c.Params, requester)
		if err != nil {
			return Outcome{}, fmt.Errorf("approved %s no longer binds: %w", s.Name, err)
		}
		// The approver must be allowed to run it too.
		if ok, needed := s.Allowed(msg.Roles, args); !ok {
			in := turnInput{msg: msg}
			_, pl := e.deny(s, needed, describeRule(s, args), in, &p)
			return Outcome{Replies: pl.replies, Records: pl.records, Denied: true}, nil
		}
		if s.Require2FA {
			if code == "" {
				return say("This needs your one-time code too: say “approve %s CODE”.", id), nil
			}
			if checked == nil {
				checked = &codeCheck{err: e.checkCode(ctx, msg.User, s.Name, code)}
			}
			if checked.err != nil {
				var bad *codeError
				reason := "the code was not accepted"
				if errors.As(checked.err, &bad) {
					reason = bad.msg
				}
				p.record("refused", s, c.Params, msg.User, reason)
				return Outcome{Replies: []string{reason + " Nothing was run."}, Records: p.records}, nil
			}
		}
		c.Expires = now.Add(e.cfg.ExecTimeout + time.Minute).UnixMilli()
		next, err := transition(c.State, EvRun)
		if err != nil {
			return Outcome{}, err
		}
		c.State, c.Stage = next, ""
		newVersion, err := e.swap(ctx, key, version, c)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Outcome{}, err
		}
		p.record("approved", s, c.Params, c.By, "")
		p.records[0].Approver = msg.User
		p.approver = msg.User
		p.call = &skills.Call{Skill: s, Args: args, Caller: requester, Time: now}
		out := Outcome{Replies: []string{fmt.Sprintf("Approved by %s.", msg.User)}, Records: p.records, Confirm: "", State: Executing}
		e.execute(ctx, p, *p.call, &out)
		done, _ := transition(Executing, EvFinish)
		if _, err := e.swap(ctx, key, newVersion, conversation{State: done}); err != nil {
			e.log.WarnContext(ctx, "could not mark an approved execution finished", "key", key, "err", err)
		}
		if _, err := e.cfg.Store.Swap(ctx, approvalKey(id), indexVersion, nil); err != nil && !errors.Is(err, ErrConflict) {
			e.log.WarnContext(ctx, "could not remove an approval index", "err", err)
		}
		out.State = done
		return out, nil
	}
	return Outcome{Replies: []string{msgBusy}}, nil
}
