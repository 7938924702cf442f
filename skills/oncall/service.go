package oncall

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/nlu/typed"
	"github.com/parleybot/parley/skills"
)

// Service answers on-call questions from a fixed set of rotations. It is
// immutable after New and safe for concurrent use.
type Service struct {
	rotations []Rotation
	now       func() time.Time
}

// New validates every rotation and checks that team names are unique
// (without regard to case). now is the clock; nil means time.Now. The
// rotations are copied, so later changes to the slice do not show.
func New(rotations []Rotation, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	s := &Service{now: now, rotations: make([]Rotation, 0, len(rotations))}
	seen := make(map[string]bool, len(rotations))
	for i := range rotations {
		r := rotations[i]
		if err := r.Validate(); err != nil {
			return nil, err
		}
		k := strings.ToLower(strings.TrimSpace(r.Team))
		if seen[k] {
			return nil, fmt.Errorf("on-call team %s has two rotations", r.Team)
		}
		seen[k] = true
		r.Members = slices.Clone(r.Members)
		r.Overrides = slices.Clone(r.Overrides)
		s.rotations = append(s.rotations, r)
	}
	return s, nil
}

// Teams returns the team names in configuration order.
func (s *Service) Teams() []string {
	out := make([]string, len(s.rotations))
	for i := range s.rotations {
		out[i] = s.rotations[i].Team
	}
	return out
}

func (s *Service) team(name string) (*Rotation, bool) {
	for i := range s.rotations {
		if strings.EqualFold(strings.TrimSpace(s.rotations[i].Team), name) {
			return &s.rotations[i], true
		}
	}
	return nil, false
}

// Who is the executor of oncall_who. With a "team" argument it names that
// team's on-call person; without one it gives a line per team. An "at"
// argument (a moment in words: "friday 09:00") asks about that moment,
// read in each team's time zone.
func (s *Service) Who() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		if err := ctx.Err(); err != nil {
			return skills.Result{}, fmt.Errorf("oncall_who: %w", err)
		}
		now := s.now()
		var at *typed.When
		if raw := call.Args.String("at"); raw != "" && raw != "now" {
			w, err := typed.ParseWhen(raw)
			if err != nil {
				return skills.Result{}, skills.Errorf("I can't tell when “%s” is.", raw)
			}
			at = &w
		}
		line := func(r *Rotation) string {
			if at == nil {
				return whoLine(r, now)
			}
			return whoLineAt(r, at.At(now, r.loc()), now)
		}
		if name := call.Args.String("team"); name != "" {
			r, ok := s.team(name)
			if !ok {
				return skills.Result{}, skills.Errorf("I don't know an on-call rotation for %q. Teams: %s.",
					name, strings.Join(s.Teams(), ", "))
			}
			return skills.Result{Text: line(r)}, nil
		}
		if len(s.rotations) == 0 {
			return skills.Result{Text: "No on-call rotations are configured."}, nil
		}
		lines := make([]string, len(s.rotations))
		for i := range s.rotations {
			lines[i] = line(&s.rotations[i])
		}
		if len(lines) == 1 {
			return skills.Result{Text: lines[0]}, nil
		}
		return skills.Result{Text: "• " + strings.Join(lines, "\n• ")}, nil
	})
}

// whoLine reads "alice is on call for payments until Tue 09:00 CET (then bob)."
func whoLine(r *Rotation, now time.Time) string {
	person, until := r.At(now)
	if until.IsZero() {
		return fmt.Sprintf("%s is on call for %s.", person, r.Team)
	}
	line := fmt.Sprintf("%s is on call for %s until %s", person, r.Team, when(until, now, r.loc()))
	if next, _ := r.At(until); next != "" && !strings.EqualFold(next, person) {
		line += " (then " + next + ")"
	}
	return line + "."
}

// whoLineAt reads "On Fri 27 Nov 12:00 CET, alice is on call for
// payments (until Mon 30 Nov 09:00 CET)." for a moment t, past or future.
func whoLineAt(r *Rotation, t, now time.Time) string {
	person, until := r.At(t)
	verb := "is"
	if t.Before(now.Add(-time.Minute)) {
		verb = "was"
	}
	layout := "Mon 2 Jan 15:04 MST"
	if t.In(r.loc()).Year() != now.In(r.loc()).Year() {
		layout = "Mon 2 Jan 2006 15:04 MST"
	}
	line := fmt.Sprintf("On %s, %s %s on call for %s", t.In(r.loc()).Format(layout), person, verb, r.Team)
	if !until.IsZero() {
		line += " (until " + when(until, t, r.loc()) + ")"
	}
	return line + "."
}

// Next is the executor of oncall_next. Its "person" argument defaults to
// the asker in the skill declaration; the caller is used if it is empty.
// A person in several rotations gets one line per rotation, soonest first.
func (s *Service) Next() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		if err := ctx.Err(); err != nil {
			return skills.Result{}, fmt.Errorf("oncall_next: %w", err)
		}
		person := call.Args.String("person")
		if person == "" {
			person = call.Caller.User
		}
		now := s.now()
		type answer struct {
			at   time.Time // when the stretch starts; zero sorts last
			line string
		}
		var answers []answer
		for i := range s.rotations {
			r := &s.rotations[i]
			if !r.Has(person) {
				continue
			}
			if p, until := r.At(now); strings.EqualFold(p, person) {
				line := fmt.Sprintf("%s is on call for %s right now", person, r.Team)
				if !until.IsZero() {
					line += ", until " + when(until, now, r.loc())
				}
				answers = append(answers, answer{at: now, line: line + "."})
				continue
			}
			from, to, ok := r.Next(person, now)
			if !ok {
				answers = append(answers, answer{line: fmt.Sprintf("%s has no upcoming shift on %s.", person, r.Team)})
				continue
			}
			answers = append(answers, answer{at: from, line: fmt.Sprintf("%s's next shift on %s: %s.", person, r.Team, span(from, to, r.loc()))})
		}
		switch len(answers) {
		case 0:
			return skills.Result{}, skills.Errorf("%s is not in any on-call rotation.", person)
		case 1:
			return skills.Result{Text: answers[0].line}, nil
		}
		slices.SortStableFunc(answers, func(a, b answer) int {
			if a.at.IsZero() != b.at.IsZero() {
				if a.at.IsZero() {
					return 1
				}
				return -1
			}
			return a.at.Compare(b.at)
		})
		var b strings.Builder
		for i, a := range answers {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("• " + a.line)
		}
		return skills.Result{Text: b.String()}, nil
	})
}

// when formats t in loc: the weekday alone within the coming six days,
// with the date beyond that.
func when(t, now time.Time, loc *time.Location) string {
	t = t.In(loc)
	if d := t.Sub(now); d >= 0 && d < 6*day {
		return t.Format("Mon 15:04 MST")
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}

// span reads "Mon 24 Nov 09:00 – Mon 1 Dec 09:00 CET", naming the zone at
// both ends when a daylight-saving change falls in between.
func span(from, to time.Time, loc *time.Location) string {
	from = from.In(loc)
	if to.IsZero() {
		return "from " + from.Format("Mon 2 Jan 15:04 MST") + " on"
	}
	to = to.In(loc)
	if from.Format("MST") != to.Format("MST") {
		return from.Format("Mon 2 Jan 15:04 MST") + " – " + to.Format("Mon 2 Jan 15:04 MST")
	}
	return from.Format("Mon 2 Jan 15:04") + " – " + to.Format("Mon 2 Jan 15:04 MST")
}
