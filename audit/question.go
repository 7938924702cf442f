package audit

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Asker stands for the person asking in a Filter from ParseQuestion
// ("what did I run today?"); the caller puts their name in its place.
const Asker = "$user"

// DefaultVerbs maps the words people use for Parley's catalog skills to
// the skills' names, for ParseQuestion.
func DefaultVerbs() map[string]string {
	return map[string]string{
		"deploy": "deploy", "deploys": "deploy", "deployed": "deploy", "deployment": "deploy", "deployments": "deploy",
		"restart": "restart_service", "restarts": "restart_service", "restarted": "restart_service",
		"rollback": "rollback", "rollbacks": "rollback", "rolled": "rollback",
		"extended": "extend_trial", "extensions": "extend_trial",
	}
}

// ParseQuestion reads a question about the audit trail, such as "what did
// alice run today?", "show the last 10 deploys", "who deployed checkout
// this week?" or "audit for carol since 2h", and returns the Filter that
// answers it. ok is false for anything else, a command above all: "deploy
// checkout" is not a question. Times are worked out from now, in now's
// location; "this week" starts on Monday. verbs maps words to skill names,
// as DefaultVerbs does (nil means DefaultVerbs); questions about a skill
// ("who deployed…", "the last 5 restarts") look for runs of it, executed or
// failed, unless they name kinds ("failed deploys"). "I" and "me" become
// Asker.
func ParseQuestion(text string, now time.Time, verbs map[string]string) (f Filter, ok bool) {
	if verbs == nil {
		verbs = DefaultVerbs()
	}
	q := &question{toks: words(text), now: now, verbs: verbs}
	q.used = make([]bool, len(q.toks))
	return q.parse()
}

type question struct {
	toks  []string
	used  []bool
	now   time.Time
	verbs map[string]string
	f     Filter

	timed bool // a time phrase was found
}

func words(text string) []string {
	text = strings.ToLower(strings.ReplaceAll(text, "’", "'"))
	var out []string
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, "?!.,;:\"()[]{}*")
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// word returns the i-th word, or "".
func (q *question) word(i int) string {
	if i < 0 || i >= len(q.toks) {
		return ""
	}
	return q.toks[i]
}

// tok returns the i-th word if it is not yet used, or "".
func (q *question) tok(i int) string {
	if i < 0 || i >= len(q.toks) || q.used[i] {
		return ""
	}
	return q.toks[i]
}

func (q *question) use(i, n int) {
	for j := i; j < i+n && j < len(q.used); j++ {
		q.used[j] = true
	}
}

func (q *question) parse() (Filter, bool) {
	if len(q.toks) == 0 {
		return Filter{}, false
	}
	for i := range q.toks {
		if n := q.timeAt(i); n > 0 {
			q.use(i, n)
			q.timed = true
		}
	}
	limited := q.limit()
	skill, kinds := q.skillAndKinds()

	audit := q.find("audit", "history", "activity") >= 0
	if audit && q.find("errors", "error") >= 0 && !slices.Contains(q.f.Kinds, Failed) {
		// Errors in the audit trail are failed runs; errors elsewhere
		// ("show errors of checkout") are a service's logs.
		q.f.Kinds = append(q.f.Kinds, Failed)
	}
	ok := false
	switch first := q.toks[0]; {
	case first == "what" || first == "when":
		// what did alice run / what has bob done / when did carol last deploy
		if i := q.find("did", "has", "have"); i == 1 {
			if q.subject(2) {
				ok = true
			} else if q.toks[i] != "did" && q.passive(2) { // what has been run
				ok = true
			}
		} else if q.passive(1) { // what ran / what was deployed / what failed
			ok = true
		}
		if first == "when" && ok && q.f.Limit == 0 {
			q.f.Limit = 1
		}
	case first == "who":
		// who deployed checkout / who has restarted nginx / who ran deploy
		j := 1
		if w := q.word(j); w == "has" || w == "have" {
			j++
		}
		if w := q.word(j); q.verbs[w] != "" || kindWords[w] != "" || w == "ran" || w == "run" {
			ok = true
			q.value(j + 1)
		}
	case first == "show" || first == "list" || first == "give" || first == "get" || first == "display":
		q.owner()
		// "show failed actions" and "list refused deploys" name records
		// enough; "show deploys" alone needs a time, a count or a person.
		ok = audit || kinds && (skill || q.generic()) || (skill || kinds || q.generic()) && (limited || q.timed || q.f.User != "")
	default:
		ok = audit
	}
	if !ok {
		return Filter{}, false
	}
	q.owner()
	if skill && len(q.f.Kinds) == 0 {
		q.f.Kinds = []Kind{Executed, Failed}
	}
	return q.f, true
}

// find returns the index of the first of words present, or -1.
func (q *question) find(words ...string) int {
	for i, t := range q.toks {
		if slices.Contains(words, t) {
			return i
		}
	}
	return -1
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]*$`)

// notNames are words that cannot be a person in a question.
var notNames = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "to": true, "for": true,
	"of": true, "by": true, "you": true, "anyone": true, "anybody": true, "someone": true, "somebody": true,
	"everyone": true, "everybody": true, "people": true, "we": true, "they": true, "it": true, "that": true,
	"this": true, "there": true, "been": true, "be": true, "run": true, "ran": true, "do": true, "done": true,
	"last": true, "log": true, "trail": true, "audit": true, "history": true, "since": true, "today": true,
	"yesterday": true, "is": true, "was": true, "were": true, "what": true, "who": true,
}

// person reads word i as a person, or returns "".
func (q *question) person(i int) string {
	w := q.tok(i)
	switch w {
	case "i", "me", "myself":
		return Asker
	}
	if w == "" || notNames[w] || !nameRE.MatchString(w) || q.verbs[w] != "" || kindWords[w] != "" {
		return ""
	}
	return w
}

// subject reads "alice run", "bob do" or "carol deploy" at i: a person and
// then a verb.
func (q *question) subject(i int) bool {
	who := q.person(i)
	if who == "" {
		return false
	}
	j := i + 1
	if q.word(j) == "last" || q.word(j) == "just" {
		j++
	}
	switch w := q.word(j); {
	case w == "run" || w == "do" || w == "done" || w == "execute" || w == "executed" || w == "ran" || w == "change" || w == "changed" || w == "touch" || w == "touched":
	case q.verbs[w] != "" || kindWords[w] != "":
		q.value(j + 1)
	default:
		return false
	}
	q.f.User = who
	q.use(i, 1)
	return true
}

// passive reads "ran", "happened", "was run", "has been deployed", "got
// restarted", "failed" at i.
func (q *question) passive(i int) bool {
	for w := q.word(i); w == "was" || w == "were" || w == "got" || w == "been" || w == "has" || w == "have"; w = q.word(i) {
		i++
	}
	w := q.word(i)
	if w == "happened" && !q.timed && !q.place(i+1) { // "what happened to incident 42" is not about the trail
		return false
	}
	if w == "ran" || w == "run" || w == "happened" || w == "done" || w == "executed" || kindWords[w] != "" || q.verbs[w] != "" {
		q.value(i + 1)
		return true
	}
	return false
}

// value reads what a verb acted on ("checkout" in "who deployed checkout")
// at i.
func (q *question) value(i int) {
	w := q.tok(i)
	if w == "back" { // rolled back
		i++
		w = q.tok(i)
	}
	if where[w] { // what ran on web-1
		i++
		w = q.tok(i)
	}
	if w == "" || notNames[w] || q.verbs[w] != "" || !nameRE.MatchString(w) {
		return
	}
	q.f.Value = w
	q.use(i, 1)
}

// where are the words that put a value after a verb: "what ran on web-1".
var where = map[string]bool{"on": true, "in": true, "at": true, "with": true, "to": true, "against": true}

// place reports whether words i and on read "on web-1": a place a thing
// happened, not "to incident 42".
func (q *question) place(i int) bool {
	w, v := q.tok(i), q.tok(i+1)
	return where[w] && w != "to" && v != "" && !notNames[v] && q.verbs[v] == "" && nameRE.MatchString(v)
}

// owner reads whose records are asked for: "by alice", "for bob", "of
// carol", "dave's", unless a subject was found already.
func (q *question) owner() {
	if q.f.User != "" {
		return
	}
	for i, w := range q.toks {
		if q.used[i] {
			continue
		}
		if (w == "by" || w == "for" || w == "of") && q.person(i+1) != "" {
			q.f.User = q.person(i + 1)
			q.use(i, 2)
			return
		}
		if name, ok := strings.CutSuffix(w, "'s"); ok && name != "" {
			q.toks[i] = name
			if who := q.person(i); who != "" {
				q.f.User = who
				q.use(i, 1)
				return
			}
			q.toks[i] = w
		}
	}
}

// kindWords are the words that name a kind of record.
var kindWords = map[string]Kind{
	"failed": Failed, "failures": Failed, "failure": Failed, "fails": Failed,
	"refused": Refused, "refusals": Refused, "refusal": Refused, "denied": Refused, "denials": Refused,
	"cancelled": Cancelled, "canceled": Cancelled, "cancellations": Cancelled,
	"approved": Approved, "approvals": Approved,
	"rejected": Rejected, "rejections": Rejected,
	"taught": Taught, "expired": Expired,
}

// genericNouns are words for records in general.
var genericNouns = []string{"actions", "action", "records", "record", "entries", "entry", "events", "commands", "runs", "things", "changes"}

func (q *question) generic() bool {
	for _, w := range q.toks {
		if slices.Contains(genericNouns, w) {
			return true
		}
	}
	return false
}

// skillAndKinds reads the words in the verb table and kind words.
func (q *question) skillAndKinds() (skill, kinds bool) {
	for i, w := range q.toks {
		if q.used[i] {
			continue
		}
		if s := q.verbs[w]; s != "" && q.f.Skill == "" {
			q.f.Skill = s
			q.use(i, 1)
			skill = true
			continue
		}
		if k := kindWords[w]; k != "" && !slices.Contains(q.f.Kinds, k) {
			q.f.Kinds = append(q.f.Kinds, k)
			kinds = true
		}
	}
	return skill, kinds
}

// limit reads "last 10", "last deploy", "10 latest", "5 most recent".
func (q *question) limit() bool {
	for i, w := range q.toks {
		if q.used[i] {
			continue
		}
		switch w {
		case "last", "latest", "newest", "recent":
			if n, err := strconv.Atoi(q.tok(i + 1)); err == nil && n > 0 {
				q.f.Limit = n
				q.use(i, 2)
				return true
			}
			before := i - 1
			if q.tok(before) == "most" {
				before--
			}
			if n, err := strconv.Atoi(q.tok(before)); err == nil && n > 0 {
				q.f.Limit = n
				q.use(before, i-before+1)
				return true
			}
			if next := q.tok(i + 1); q.verbs[next] != "" || slices.Contains(genericNouns, next) || kindWords[next] != "" {
				q.f.Limit = 1
				q.use(i, 1)
				return true
			}
		}
	}
	return false
}

// timeAt reads a time phrase starting at word i and returns how many words
// it takes, 0 when there is none.
func (q *question) timeAt(i int) int {
	w := q.tok(i)
	midnight := startOfDay(q.now)
	switch w {
	case "today", "today's":
		q.f.Since = midnight
		return 1
	case "yesterday", "yesterday's":
		q.f.Since, q.f.Until = midnight.AddDate(0, 0, -1), midnight
		return 1
	case "this":
		switch q.tok(i + 1) {
		case "week":
			q.f.Since = startOfWeek(q.now)
			return 2
		case "month":
			q.f.Since = time.Date(q.now.Year(), q.now.Month(), 1, 0, 0, 0, 0, q.now.Location())
			return 2
		case "morning":
			q.f.Since = midnight
			return 2
		}
	case "since":
		if d, n := span(q.toks[i+1:]); n > 0 {
			q.f.Since = q.now.Add(-d)
			return 1 + n
		}
		next := q.tok(i + 1)
		switch next {
		case "yesterday":
			q.f.Since = midnight.AddDate(0, 0, -1)
			return 2
		case "today", "midnight", "this":
			q.f.Since = midnight
			if next == "this" && q.tok(i+2) == "morning" {
				return 3
			}
			return 2
		}
		if wd, ok := weekdays[next]; ok {
			back := (int(q.now.Weekday()) - int(wd) + 7) % 7
			q.f.Since = midnight.AddDate(0, 0, -back)
			return 2
		}
	}
	// [in|over|during|for] [the] last|past <span>
	j := i
	if w == "in" || w == "over" || w == "during" || w == "for" || w == "within" {
		j++
	}
	article := q.tok(j) == "the"
	if article {
		j++
	}
	if lp := q.tok(j); lp == "last" || lp == "past" {
		rest := q.toks[j+1:]
		if lp == "last" && !article && j == i && len(rest) > 0 && (rest[0] == "week" || rest[0] == "month") {
			// "last week": the calendar week before this one.
			if rest[0] == "week" {
				q.f.Since, q.f.Until = startOfWeek(q.now).AddDate(0, 0, -7), startOfWeek(q.now)
			} else {
				this := time.Date(q.now.Year(), q.now.Month(), 1, 0, 0, 0, 0, q.now.Location())
				q.f.Since, q.f.Until = this.AddDate(0, -1, 0), this
			}
			return 2
		}
		if d, n := span(rest); n > 0 && !q.anyUsed(j+1, n) {
			q.f.Since = q.now.Add(-d)
			return j + 1 + n - i
		}
	}
	return 0
}

func (q *question) anyUsed(i, n int) bool {
	return slices.Contains(q.used[i:i+n], true)
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var units = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute,
	"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
	"week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

var compactRE = regexp.MustCompile(`^(\d+)(m|min|h|d|w)$`)

// span reads a length of time at the start of ws: "2h", "90m", "1h30m",
// "2 hours", "an hour", "hour", "3 days". It returns the duration and the
// number of words, 0 when there is none.
func span(ws []string) (time.Duration, int) {
	if len(ws) == 0 {
		return 0, 0
	}
	if m := compactRE.FindStringSubmatch(ws[0]); m != nil {
		n, _ := strconv.Atoi(m[1])
		u := map[string]time.Duration{"m": time.Minute, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		return time.Duration(n) * u, 1
	}
	if d, err := time.ParseDuration(ws[0]); err == nil && d > 0 {
		return d, 1
	}
	if u, ok := units[ws[0]]; ok {
		return u, 1
	}
	if len(ws) < 2 {
		return 0, 0
	}
	u, ok := units[ws[1]]
	if !ok {
		return 0, 0
	}
	if ws[0] == "a" || ws[0] == "an" || ws[0] == "one" {
		return u, 2
	}
	if n, err := strconv.Atoi(ws[0]); err == nil && n > 0 {
		return time.Duration(n) * u, 2
	}
	return 0, 0
}

func startOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func startOfWeek(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return startOfDay(t).AddDate(0, 0, -back)
}
