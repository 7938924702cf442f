package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/skills"
)

// Statuses an incident moves through, in order.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// State keys.
const (
	seqKey   = "incident:seq"
	indexKey = "incident:ids"
)

// listLimit is how many incidents one reply lists.
const listLimit = 20

// Incident is one record, stored as JSON.
type Incident struct {
	ID       int64     `json:"id"`
	Summary  string    `json:"summary"`
	Severity string    `json:"severity,omitempty"`
	Status   string    `json:"status"`
	Opener   string    `json:"opener"`
	Opened   time.Time `json:"opened"`
	History  []Change  `json:"history"`
}

// Change is one status change, the opening included.
type Change struct {
	Status string    `json:"status"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// last returns the latest change to status.
func (inc *Incident) last(status string) (Change, bool) {
	for i := len(inc.History) - 1; i >= 0; i-- {
		if inc.History[i].Status == status {
			return inc.History[i], true
		}
	}
	return Change{}, false
}

// Service holds incidents in a skills.State. It is safe for concurrent use
// as far as its State is; see the package documentation for concurrent
// changes of one incident.
type Service struct {
	state skills.State
	now   func() time.Time
}

// New returns a Service over state. now is the clock; nil means time.Now.
func New(state skills.State, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{state: state, now: now}
}

func key(id int64) string { return "incident:" + strconv.FormatInt(id, 10) }

// Get returns incident id. A missing incident is an error wrapping
// skills.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Incident, error) {
	data, err := s.state.Get(ctx, key(id))
	if err != nil {
		return Incident{}, fmt.Errorf("incident #%d: %w", id, err)
	}
	var inc Incident
	if err := json.Unmarshal(data, &inc); err != nil {
		return Incident{}, fmt.Errorf("incident #%d: decode: %w", id, err)
	}
	return inc, nil
}

func (s *Service) put(ctx context.Context, inc *Incident) error {
	data, err := json.Marshal(inc)
	if err != nil {
		return fmt.Errorf("incident #%d: encode: %w", inc.ID, err)
	}
	if err := s.state.Put(ctx, key(inc.ID), data); err != nil {
		return fmt.Errorf("incident #%d: save: %w", inc.ID, err)
	}
	return nil
}

// Create is the executor that opens an incident from the arguments
// "summary" and "severity" (whose default comes from the skill declaration).
func (s *Service) Create() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		summary := call.Args.String("summary")
		if summary == "" {
			return skills.Result{}, skills.Errorf("An incident needs a short summary of what is wrong.")
		}
		id, err := s.state.Incr(ctx, seqKey)
		if err != nil {
			return skills.Result{}, fmt.Errorf("incident: next id: %w", err)
		}
		now := s.now()
		inc := Incident{
			ID:       id,
			Summary:  summary,
			Severity: call.Args.String("severity"),
			Status:   StatusOpen,
			Opener:   call.Caller.User,
			Opened:   now,
			History:  []Change{{Status: StatusOpen, By: call.Caller.User, At: now}},
		}
		// The record goes first, so the index never names a missing one.
		if err := s.put(ctx, &inc); err != nil {
			return skills.Result{}, err
		}
		if err := s.state.Append(ctx, indexKey, []byte(strconv.FormatInt(id, 10))); err != nil {
			return skills.Result{}, fmt.Errorf("incident #%d: index: %w", id, err)
		}
		made := map[string]string{"incident": strconv.FormatInt(id, 10)}
		if inc.Severity == "" {
			return skills.Result{Text: fmt.Sprintf("Opened incident #%d: %s.", id, summary), Made: made}, nil
		}
		return skills.Result{Text: fmt.Sprintf("Opened incident #%d (%s): %s.", id, inc.Severity, summary), Made: made}, nil
	})
}

// List is the executor that lists incidents, newest first. An optional
// "status" argument picks one status, or "all" for every incident;
// without it, every incident not yet resolved is listed.
func (s *Service) List() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		status := call.Args.String("status")
		switch status {
		case "", "all", StatusOpen, StatusAcknowledged, StatusResolved:
		default:
			return skills.Result{}, skills.Errorf("Incidents are open, acknowledged or resolved, not %q.", status)
		}
		all, err := s.all(ctx)
		if err != nil {
			return skills.Result{}, err
		}
		var hits []Incident
		for _, inc := range all {
			if (status == "" && inc.Status != StatusResolved) || status == "all" || inc.Status == status {
				hits = append(hits, inc)
			}
		}
		what := status
		switch what {
		case "":
			what = "open"
		case "all":
			what = "recorded"
		}
		if len(hits) == 0 {
			return skills.Result{Text: fmt.Sprintf("No %s incidents.", what)}, nil
		}
		var b strings.Builder
		switch status {
		case "":
			b.WriteString("Open and acknowledged incidents:")
		case "all":
			b.WriteString("All incidents:")
		default:
			b.WriteString(strings.ToUpper(what[:1]) + what[1:] + " incidents:")
		}
		now := s.now()
		for _, inc := range hits[:min(len(hits), listLimit)] {
			b.WriteString("\n• " + listLine(&inc, now))
		}
		if n := len(hits) - listLimit; n > 0 {
			fmt.Fprintf(&b, "\n…and %d more", n)
		}
		return skills.Result{Text: b.String()}, nil
	})
}

// listLine reads "#7 (sev2, open) database is slow — alice, 3h ago".
func listLine(inc *Incident, now time.Time) string {
	tags := inc.Status
	if inc.Severity != "" {
		tags = inc.Severity + ", " + tags
	}
	line := fmt.Sprintf("#%d (%s) %s — ", inc.ID, tags, inc.Summary)
	if inc.Opener != "" {
		line += inc.Opener + ", "
	}
	return line + ago(now, inc.Opened)
}

// all reads every indexed incident, newest first. Index entries without a
// record (a create that failed half-way) are skipped.
func (s *Service) all(ctx context.Context) ([]Incident, error) {
	raw, err := s.state.List(ctx, indexKey)
	if err != nil {
		return nil, fmt.Errorf("incident: read index: %w", err)
	}
	ids := make([]int64, 0, len(raw))
	for _, r := range raw {
		id, err := strconv.ParseInt(string(r), 10, 64)
		if err != nil {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.Reverse(ids)
	out := make([]Incident, 0, len(ids))
	for _, id := range ids {
		inc, err := s.Get(ctx, id)
		if errors.Is(err, skills.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, inc)
	}
	return out, nil
}

// load reads the incident named by the "incident" argument, turning a
// missing one into a message for the person.
func (s *Service) load(ctx context.Context, call skills.Call) (Incident, error) {
	id := call.Args.Int("incident")
	inc, err := s.Get(ctx, id)
	if errors.Is(err, skills.ErrNotFound) {
		return Incident{}, skills.Errorf("There is no incident #%d.", id)
	}
	return inc, err
}

// checked is an executor whose incident is looked up before the person is
// asked for a yes.
type checked struct {
	s   *Service
	run skills.ExecutorFunc
}

func (c checked) Execute(ctx context.Context, call skills.Call) (skills.Result, error) {
	return c.run(ctx, call)
}

// Check reports an incident number that names no incident, or one already
// resolved, with the open ones, as a value to ask for again.
func (c checked) Check(ctx context.Context, call skills.Call) error {
	id := call.Args.Int("incident")
	inc, err := c.s.Get(ctx, id)
	var msg string
	switch {
	case errors.Is(err, skills.ErrNotFound):
		msg = fmt.Sprintf("there is no incident #%d", id)
	case err != nil:
		return err
	case inc.Status == StatusResolved:
		msg = fmt.Sprintf("incident #%d is already resolved", id)
	default:
		return nil
	}
	if all, err := c.s.all(ctx); err == nil {
		var ids []int64
		for _, inc := range all {
			if inc.Status != StatusResolved {
				ids = append(ids, inc.ID)
			}
		}
		slices.Sort(ids)
		open := make([]string, len(ids))
		for i, id := range ids {
			open[i] = fmt.Sprintf("#%d", id)
		}
		switch {
		case len(open) == 0:
			msg += " (none is open)"
		case len(open) <= 5:
			msg += " (open: " + strings.Join(open, ", ") + ")"
		}
	}
	return &skills.ParamError{Param: "incident", Err: errors.New(msg)}
}

// Ack is the executor that acknowledges the incident given as "incident".
func (s *Service) Ack() skills.Executor {
	return checked{s, func(ctx context.Context, call skills.Call) (skills.Result, error) {
		inc, err := s.load(ctx, call)
		if err != nil {
			return skills.Result{}, err
		}
		now := s.now()
		switch inc.Status {
		case StatusOpen:
		case StatusAcknowledged:
			c, _ := inc.last(StatusAcknowledged)
			return skills.Result{Text: fmt.Sprintf("Incident #%d is already acknowledged%s.", inc.ID, byWhom(c, now))}, nil
		case StatusResolved:
			c, _ := inc.last(StatusResolved)
			return skills.Result{}, skills.Errorf("Incident #%d is already resolved%s; there is nothing to acknowledge.", inc.ID, byWhom(c, now))
		default:
			return skills.Result{}, fmt.Errorf("incident #%d: unknown status %q", inc.ID, inc.Status)
		}
		if err := s.change(ctx, &inc, StatusAcknowledged, call.Caller.User, now); err != nil {
			return skills.Result{}, err
		}
		return skills.Result{Text: fmt.Sprintf("Acknowledged incident #%d: %s.", inc.ID, inc.Summary)}, nil
	}}
}

// Resolve is the executor that resolves the incident given as "incident".
// Resolving a resolved incident is not an error.
func (s *Service) Resolve() skills.Executor {
	return checked{s, func(ctx context.Context, call skills.Call) (skills.Result, error) {
		inc, err := s.load(ctx, call)
		if err != nil {
			return skills.Result{}, err
		}
		now := s.now()
		switch inc.Status {
		case StatusOpen, StatusAcknowledged:
		case StatusResolved:
			c, _ := inc.last(StatusResolved)
			return skills.Result{Text: fmt.Sprintf("Incident #%d is already resolved%s.", inc.ID, byWhom(c, now))}, nil
		default:
			return skills.Result{}, fmt.Errorf("incident #%d: unknown status %q", inc.ID, inc.Status)
		}
		if err := s.change(ctx, &inc, StatusResolved, call.Caller.User, now); err != nil {
			return skills.Result{}, err
		}
		text := fmt.Sprintf("Resolved incident #%d: %s", inc.ID, inc.Summary)
		if !inc.Opened.IsZero() && now.After(inc.Opened) {
			text += " (open for " + length(now.Sub(inc.Opened)) + ")"
		}
		return skills.Result{Text: text + "."}, nil
	}}
}

// change records a status change and writes the record back. It is a
// plain read-modify-write: see the package documentation.
func (s *Service) change(ctx context.Context, inc *Incident, status, by string, at time.Time) error {
	inc.Status = status
	inc.History = append(inc.History, Change{Status: status, By: by, At: at})
	return s.put(ctx, inc)
}

// byWhom reads " by bob 5m ago", or "" when nothing is known.
func byWhom(c Change, now time.Time) string {
	var out string
	if c.By != "" {
		out = " by " + c.By
	}
	if !c.At.IsZero() {
		out += " " + ago(now, c.At)
	}
	return out
}

// ago reads "just now", "5m ago", "3h ago" or "2d ago".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return length(d) + " ago"
}

// length rounds a duration down to its two largest units: "5m", "3h 20m",
// "2d 4h".
func length(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < 24*time.Hour:
		h, m := d/time.Hour, d%time.Hour/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days, h := d/(24*time.Hour), d%(24*time.Hour)/time.Hour
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}
