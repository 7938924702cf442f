package typed

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var errWhen = errors.New("that is not a time like tomorrow, friday 9am, dec 24 or in 3 hours")

// When is a moment said in words ("tomorrow", "friday at 9am", "dec 24",
// "in 3 hours"), kept unresolved: it becomes a time only against a clock
// and a time zone (At), so that "tomorrow" stays tomorrow for a request
// confirmed a minute before midnight, and is tomorrow in the zone of the
// team asked about.
type When struct {
	day   dayKind
	rel   int // weekday: 0 plain or this, 1 next, -1 last; week: 0 this, 1 next
	wd    time.Weekday
	month time.Month
	date  int // day of the month
	year  int // 0: the next such date
	in    time.Duration
	// hour and minute, when clock is set: "at 9am", "15:30", "noon".
	hour, minute int
	clock        bool
	part         string // morning, afternoon, evening, night
}

type dayKind int

const (
	dayNone dayKind = iota
	dayNow
	dayToday
	dayTonight
	dayTomorrow
	dayYesterday
	dayWeekday
	dayDate
	dayWeek
	dayWeekend
	dayIn
	dayAfterTomorrow
	dayOfMonth // "the 5th": date set, month and year not
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday, "monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

var months = map[string]time.Month{
	"january": time.January, "jan": time.January, "february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March, "april": time.April, "apr": time.April, "may": time.May,
	"june": time.June, "jun": time.June, "july": time.July, "jul": time.July, "august": time.August,
	"aug": time.August, "september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October, "november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

// dayParts are the hours a part of the day stands for.
var dayParts = map[string]int{"morning": 9, "afternoon": 15, "evening": 19, "night": 22}

// maxWhenWords bounds a spoken moment ("next friday at 9:30 in the
// morning" is eight words).
const maxWhenWords = 8

// whenWords splits a phrase into lower-case words, dropping the filler
// words "on", "the", "of" and "for". A word is letters and digits, with
// ":" or "-" only inside ("9:30", "2026-12-24"): anything else fails.
func whenWords(s string) ([]string, bool) {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = dropInnerApostrophe(w) // "new year's eve"
		for i, r := range w {
			inside := i > 0 && i < len(w)-1
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !((r == ':' || r == '-') && inside) {
				return nil, false
			}
		}
		switch w {
		case "on", "the", "of", "for":
			continue
		}
		out = append(out, w)
	}
	return out, true
}

// ParseWhen reads a whole phrase as a moment.
func ParseWhen(s string) (When, error) {
	if len(s) > 80 {
		return When{}, errWhen
	}
	ws, ok := whenWords(s)
	if !ok || len(ws) == 0 || len(ws) > maxWhenWords {
		return When{}, errWhen
	}
	w, n := parseDay(ws)
	rest := ws[n:]
	if len(rest) > 0 {
		var ok bool
		if rest, ok = parseClock(&w, rest); !ok {
			return When{}, errWhen
		}
		if n == 0 && len(rest) > 0 {
			// The time of day first: "at midnight on friday".
			d, m := parseDay(rest)
			if m == 0 {
				return When{}, errWhen
			}
			d.hour, d.minute, d.clock, d.part = w.hour, w.minute, w.clock, w.part
			w, rest = d, rest[m:]
		}
	}
	if len(rest) > 0 || (w.day == dayNone && !w.clock && w.part == "") {
		return When{}, errWhen
	}
	if w.day == dayIn && (w.clock || w.part != "") || w.day == dayNow && (w.clock || w.part != "") {
		return When{}, errWhen
	}
	return w, nil
}

// parseDay reads the day part at the start of ws and says how many words
// it took (none when there is no day).
func parseDay(ws []string) (When, int) {
	var w When
	if m, d, n := holiday(ws); n > 0 {
		w.day, w.month, w.date = dayDate, m, d
		return w, n
	}
	switch ws[0] {
	case "now", "currently":
		w.day = dayNow
		return w, 1
	case "today":
		w.day = dayToday
		return w, 1
	case "tonight":
		w.day, w.part = dayTonight, "night"
		return w, 1
	case "tomorrow", "tmrw", "tmr":
		w.day = dayTomorrow
		return w, 1
	case "day":
		// "the day after tomorrow" ("the" is dropped).
		if len(ws) >= 3 && ws[1] == "after" && (ws[2] == "tomorrow" || ws[2] == "tmrw" || ws[2] == "tmr") {
			w.day = dayAfterTomorrow
			return w, 3
		}
		return w, 0
	case "yesterday":
		w.day = dayYesterday
		return w, 1
	case "weekend":
		w.day = dayWeekend
		return w, 1
	case "this", "next", "last", "coming":
		if len(ws) < 2 {
			return w, 0
		}
		rel := map[string]int{"this": 0, "coming": 0, "next": 1, "last": -1}[ws[0]]
		switch {
		case ws[1] == "week" && rel >= 0:
			w.day, w.rel = dayWeek, rel
			return w, 2
		case ws[1] == "weekend" && rel >= 0:
			w.day, w.rel = dayWeekend, rel
			return w, 2
		case ws[1] == "morning" || ws[1] == "afternoon" || ws[1] == "evening":
			if ws[0] != "this" {
				return w, 0
			}
			w.day, w.part = dayToday, ws[1]
			return w, 2
		}
		if wd, ok := weekdays[ws[1]]; ok {
			w.day, w.wd, w.rel = dayWeekday, wd, rel
			return w, 2
		}
		return w, 0
	case "in":
		if len(ws) < 3 {
			return w, 0
		}
		amount := ws[1]
		if amount == "a" || amount == "an" {
			amount = "1"
		} else if n, ok := numberWord(amount); ok {
			amount = strconv.FormatInt(n, 10) // "in two hours"
		}
		n, err := strconv.Atoi(amount)
		if err != nil || n <= 0 || n > 366 {
			return w, 0
		}
		unit, ok := spokenUnits[ws[2]]
		if !ok || unit < time.Minute {
			return w, 0
		}
		if d := time.Duration(n) * unit; d <= maxDuration {
			w.day, w.in = dayIn, d
			return w, 3
		}
		return w, 0
	}
	if wd, ok := weekdays[ws[0]]; ok {
		w.day, w.wd = dayWeekday, wd
		return w, 1
	}
	if t, err := time.Parse("2006-01-02", ws[0]); err == nil {
		w.day, w.year, w.month, w.date = dayDate, t.Year(), t.Month(), t.Day()
		return w, 1
	}
	// "dec 24", "december 24th", "24 dec", "24th of december", each with
	// a year after it or not.
	if len(ws) >= 2 {
		m, d, ok := time.Month(0), 0, false
		if mo, found := months[ws[0]]; found {
			m = mo
			d, ok = monthDay(ws[1], m)
		}
		if mo, found := months[ws[1]]; found && !ok {
			m = mo
			d, ok = monthDay(ws[0], m)
		}
		if ok {
			w.day, w.month, w.date = dayDate, m, d
			if len(ws) >= 3 {
				if y, err := strconv.Atoi(ws[2]); err == nil && len(ws[2]) == 4 && y >= 2000 && y <= 2100 &&
					(m != time.February || d < 29 || time.Date(y, 2, 29, 0, 0, 0, 0, time.UTC).Day() == 29) {
					w.year = y
					return w, 3
				}
			}
			return w, 2
		}
	}
	// "the 5th": a day of this month or the next ("the" is dropped); the
	// ordinal ending is needed, as "5" alone is no day.
	if d, ok := ordinal(ws[0]); ok {
		w.day, w.date = dayOfMonth, d
		return w, 1
	}
	return w, 0
}

// dropInnerApostrophe turns "year's" into "years"; an apostrophe that
// does not sit between two letters stays, and fails the word.
func dropInnerApostrophe(w string) string {
	r := []rune(w)
	out := make([]rune, 0, len(r))
	for i, c := range r {
		if (c == '\'' || c == '’') && i > 0 && i < len(r)-1 && unicode.IsLetter(r[i-1]) && unicode.IsLetter(r[i+1]) {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// ordinal reads "5th", "1st", "22nd" or "23rd" as a day of a month.
func ordinal(s string) (int, bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if num, ok := strings.CutSuffix(s, suffix); ok {
			d, err := strconv.Atoi(num)
			if err != nil || d < 1 || d > 31 || num[0] == '0' {
				return 0, false
			}
			return d, true
		}
	}
	return 0, false
}

// holiday reads a holiday of fixed date at the start of ws ("christmas",
// "new year's eve") and says how many words it took (none when there is
// none).
func holiday(ws []string) (time.Month, int, int) {
	next := func(i int) string {
		if i < len(ws) {
			return ws[i]
		}
		return ""
	}
	switch ws[0] {
	case "christmas", "xmas":
		switch next(1) {
		case "eve":
			return time.December, 24, 2
		case "day":
			return time.December, 25, 2
		}
		return time.December, 25, 1
	case "nye":
		return time.December, 31, 1
	case "halloween":
		return time.October, 31, 1
	case "new":
		if y := next(1); y != "year" && y != "years" {
			return 0, 0, 0
		}
		switch next(2) {
		case "eve":
			return time.December, 31, 3
		case "day":
			return time.January, 1, 3
		}
		return time.January, 1, 2
	}
	return 0, 0, 0
}

func monthDay(s string, m time.Month) (int, bool) {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		s = strings.TrimSuffix(s, suffix)
	}
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 31 || (m == time.February && d > 29) ||
		(d == 31 && (m == time.April || m == time.June || m == time.September || m == time.November)) {
		return 0, false
	}
	return d, true
}

// parseClock reads a time of day ("at 9am", "15:30", "noon", "in the
// morning", "night") and returns the words left.
func parseClock(w *When, ws []string) ([]string, bool) {
	if ws[0] == "at" {
		ws = ws[1:]
		if len(ws) == 0 {
			return ws, false
		}
	}
	switch ws[0] {
	case "noon", "midday":
		w.hour, w.clock = 12, true
		return ws[1:], true
	case "midnight":
		w.hour, w.clock = 0, true
		return ws[1:], true
	case "in":
		if len(ws) >= 2 {
			if _, ok := dayParts[ws[1]]; ok && ws[1] != "night" {
				w.part = ws[1]
				return ws[2:], true
			}
		}
		return ws, false
	}
	if _, ok := dayParts[ws[0]]; ok {
		w.part = ws[0]
		return ws[1:], true
	}
	word := ws[0]
	ws = ws[1:]
	suffix := ""
	switch {
	case strings.HasSuffix(word, "am"), strings.HasSuffix(word, "pm"):
		word, suffix = word[:len(word)-2], word[len(word)-2:]
	case len(ws) > 0 && (ws[0] == "am" || ws[0] == "pm"):
		suffix, ws = ws[0], ws[1:]
	}
	h, m := 0, 0
	var err error
	if hs, ms, ok := strings.Cut(word, ":"); ok {
		if len(ms) != 2 {
			return ws, false
		}
		if h, err = strconv.Atoi(hs); err != nil {
			return ws, false
		}
		if m, err = strconv.Atoi(ms); err != nil || m < 0 || m > 59 {
			return ws, false
		}
	} else {
		if suffix == "" {
			return ws, false // a bare "5" could be anything
		}
		if h, err = strconv.Atoi(word); err != nil {
			return ws, false
		}
	}
	switch suffix {
	case "":
		if h < 0 || h > 23 {
			return ws, false
		}
	default:
		if h < 1 || h > 12 {
			return ws, false
		}
		h %= 12
		if suffix == "pm" {
			h += 12
		}
	}
	w.hour, w.minute, w.clock = h, m, true
	return ws, true
}

// FindWhen finds the first moment said in text, the longest phrase at the
// first place one starts, and returns it with the text it was read from
// (sentence punctuation around words aside: "tomorrow?").
func FindWhen(text string) (When, string, bool) {
	if len(text) > 4096 {
		return When{}, "", false
	}
	fields := strings.Fields(text)
	for i, f := range fields {
		fields[i] = strings.Trim(f, ",.;!?\"'“”‘’()")
	}
	for i, f := range fields {
		if !mayStartWhen(strings.ToLower(f)) {
			continue
		}
		for n := min(maxWhenWords+2, len(fields)-i); n >= 1; n-- {
			phrase := strings.Join(fields[i:i+n], " ")
			if w, err := ParseWhen(phrase); err == nil {
				return w, phrase, true
			}
		}
	}
	return When{}, "", false
}

// mayStartWhen reports whether a moment could begin with word w: most
// words of a message cannot, and need not be tried.
func mayStartWhen(w string) bool {
	if w == "" {
		return false
	}
	if w[0] >= '0' && w[0] <= '9' {
		return true
	}
	switch w {
	case "on", "the", "of", "for", "now", "currently", "today", "tonight", "tomorrow", "tmrw", "tmr", "yesterday",
		"weekend", "this", "next", "last", "coming", "in", "at", "noon", "midday", "midnight",
		"christmas", "xmas", "nye", "new", "halloween", "day":
		return true
	}
	_, part := dayParts[w]
	_, wd := weekdays[w]
	_, mo := months[w]
	return part || wd || mo
}

// ordinalString writes a day of the month as "1st", "2nd", "23rd", "5th".
func ordinalString(d int) string {
	switch {
	case d%10 == 1 && d != 11:
		return strconv.Itoa(d) + "st"
	case d%10 == 2 && d != 12:
		return strconv.Itoa(d) + "nd"
	case d%10 == 3 && d != 13:
		return strconv.Itoa(d) + "rd"
	}
	return strconv.Itoa(d) + "th"
}

// String is the canonical form of the moment, which ParseWhen reads back
// as the same moment: "tomorrow 09:00", "next fri", "dec 24", "in 3h".
func (w When) String() string {
	var b []string
	switch w.day {
	case dayNow:
		return "now"
	case dayIn:
		switch {
		case w.in%day == 0:
			return fmt.Sprintf("in %d days", w.in/day)
		case w.in%time.Hour == 0:
			return fmt.Sprintf("in %d hours", w.in/time.Hour)
		}
		return fmt.Sprintf("in %d minutes", w.in/time.Minute)
	case dayToday:
		b = append(b, "today")
	case dayTonight:
		b = append(b, "tonight")
	case dayTomorrow:
		b = append(b, "tomorrow")
	case dayAfterTomorrow:
		b = append(b, "day after tomorrow")
	case dayOfMonth:
		b = append(b, "the "+ordinalString(w.date))
	case dayYesterday:
		b = append(b, "yesterday")
	case dayWeekday:
		name := strings.ToLower(w.wd.String()[:3])
		switch w.rel {
		case 1:
			name = "next " + name
		case -1:
			name = "last " + name
		}
		b = append(b, name)
	case dayDate:
		if w.year != 0 {
			b = append(b, fmt.Sprintf("%04d-%02d-%02d", w.year, w.month, w.date))
		} else {
			b = append(b, fmt.Sprintf("%s %d", strings.ToLower(w.month.String()[:3]), w.date))
		}
	case dayWeek:
		b = append(b, map[int]string{0: "this week", 1: "next week"}[w.rel])
	case dayWeekend:
		b = append(b, map[int]string{0: "weekend", 1: "next weekend"}[w.rel])
	}
	switch {
	case w.clock:
		b = append(b, fmt.Sprintf("%02d:%02d", w.hour, w.minute))
	case w.part != "" && w.day != dayTonight:
		b = append(b, w.part)
	}
	return strings.Join(b, " ")
}

// At resolves the moment against now, in loc. A day without a time of day
// is its noon, except today, which is now; a time without a day is its
// next occurrence ("at 9am" in the afternoon is tomorrow's); a weekday or date is the next one, today included
// (for "last": the one before today).
func (w When) At(now time.Time, loc *time.Location) time.Time {
	now = now.In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	on := func(d time.Time) time.Time {
		h, m := 12, 0
		switch {
		case w.clock:
			h, m = w.hour, w.minute
		case w.part != "":
			h = dayParts[w.part]
		}
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	}
	addDays := func(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }
	switch w.day {
	case dayNow:
		return now
	case dayIn:
		return now.Add(w.in)
	case dayNone:
		t := on(midnight)
		if w.clock && t.Before(now) {
			// "at 9am" said in the afternoon is tomorrow's.
			return on(addDays(midnight, 1))
		}
		return t
	case dayToday, dayTonight:
		if !w.clock && w.part == "" {
			return now
		}
		return on(midnight)
	case dayTomorrow:
		return on(addDays(midnight, 1))
	case dayAfterTomorrow:
		return on(addDays(midnight, 2))
	case dayOfMonth:
		// This month's, unless it is past or the month is too short; then
		// the next month that has it.
		for i := 0; i < 12; i++ {
			first := time.Date(now.Year(), now.Month()+time.Month(i), 1, 0, 0, 0, 0, loc)
			d := time.Date(first.Year(), first.Month(), w.date, 0, 0, 0, 0, loc)
			if d.Month() == first.Month() && !d.Before(midnight) {
				return on(d)
			}
		}
		return on(midnight)
	case dayYesterday:
		return on(addDays(midnight, -1))
	case dayWeekday:
		ahead := (int(w.wd) - int(now.Weekday()) + 7) % 7
		switch w.rel {
		case 1:
			if ahead == 0 {
				ahead = 7
			}
		case -1:
			ahead -= 7
		}
		if ahead == 0 && !w.clock && w.part == "" {
			return now
		}
		return on(addDays(midnight, ahead))
	case dayDate:
		year := w.year
		if year == 0 {
			year = now.Year()
			if time.Date(year, w.month, w.date, 0, 0, 0, 0, loc).Before(midnight) {
				year++
			}
		}
		return on(time.Date(year, w.month, w.date, 0, 0, 0, 0, loc))
	case dayWeek:
		monday := addDays(midnight, -((int(now.Weekday()) + 6) % 7))
		if w.rel == 0 {
			if w.clock || w.part != "" {
				return on(monday)
			}
			return now
		}
		return on(addDays(monday, 7))
	case dayWeekend:
		ahead := (int(time.Saturday) - int(now.Weekday()) + 7) % 7
		if now.Weekday() == time.Sunday {
			ahead = -1
		}
		if w.rel == 1 {
			ahead += 7
		}
		if ahead <= 0 && w.rel == 0 && !w.clock && w.part == "" {
			return now
		}
		return on(addDays(midnight, ahead))
	}
	return now
}
