package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxSummary is how many records Summarise shows; older ones are counted.
const MaxSummary = 20

// Summarise writes records as short lines for chat, oldest first, such as
//
//	10:42 alice deploy app=checkout environment=production → done (1.2s)
//
// Times are in now's location, with the date when it is not now's day.
// Only the newest MaxSummary records are shown.
func Summarise(records []Record, now time.Time) string {
	if len(records) == 0 {
		return "Nothing in the audit trail matches."
	}
	var b strings.Builder
	if n := len(records) - MaxSummary; n > 0 {
		fmt.Fprintf(&b, "(%d earlier not shown)\n", n)
		records = records[n:]
	}
	for i, r := range records {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(when(r.Time, now))
		b.WriteByte(' ')
		b.WriteString(cmp.Or(r.User, "?"))
		if r.Skill != "" {
			b.WriteByte(' ')
			b.WriteString(r.Skill)
		}
		if p := ParamsText(r.Params); p != "" {
			b.WriteByte(' ')
			b.WriteString(p)
		}
		b.WriteString(" → ")
		b.WriteString(Outcome(r))
		if r.Duration > 0 {
			fmt.Fprintf(&b, " (%s)", ShortDuration(r.Duration))
		}
	}
	return b.String()
}

func when(t, now time.Time) string {
	t = t.In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2 15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// ParamsText writes params as "name=value" pairs sorted by name, quoting
// values that are empty or hold spaces.
func ParamsText(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := params[k]
		if v == "" || strings.ContainsAny(v, " \t\n\"") {
			v = strconv.Quote(v)
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, " ")
}

// maxOutcome is how many characters of result or error text Outcome keeps.
const maxOutcome = 80

// Outcome says in a few words how a record ended: "done", the first line
// of its result, "failed: …", "refused: …", "approved by bob".
func Outcome(r Record) string {
	first := func(s string) string {
		s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
		return shorten(s, maxOutcome)
	}
	with := func(word, text string) string {
		if text = first(text); text != "" {
			return word + ": " + text
		}
		return word
	}
	switch r.Kind {
	case Executed:
		out := cmp.Or(first(r.Result), "done")
		if r.Approver != "" {
			out += " (approved by " + r.Approver + ")"
		}
		return out
	case Failed:
		return with("failed", cmp.Or(r.Error, r.Result))
	case Refused:
		return with("refused", cmp.Or(r.Error, r.Result))
	case Approved:
		if r.Approver != "" {
			return "approved by " + r.Approver
		}
		return "approved"
	case Rejected:
		if r.Approver != "" {
			return "rejected by " + r.Approver
		}
		return "rejected"
	case Taught:
		return with("taught", r.Result)
	}
	return with(string(r.Kind), cmp.Or(r.Error, r.Result))
}

// ShortDuration writes d as "340ms", "1.2s" or "2m5s".
func ShortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
