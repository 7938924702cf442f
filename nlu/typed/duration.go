package typed

import (
	"errors"
	"strings"
	"time"
)

var (
	errDuration     = errors.New("that is not a duration like 30m, 2h or 3 days")
	errDurationZero = errors.New("a duration must be longer than zero")
	errDurationLong = errors.New("a duration can be at most 366 days")
)

const (
	day         = 24 * time.Hour
	week        = 7 * day
	maxDuration = 366 * day
	// maxDurationWords bounds a spoken duration ("2 hours and 30 minutes
	// and 10 seconds" is nine words).
	maxDurationWords = 12
)

// compactUnits are the units that may follow a number directly ("5m",
// "2hrs", "3days").
var compactUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week,
}

// spokenUnits are the unit words that may follow a separate amount ("5
// min", "an hour"); single letters are left out ("5 m" may be metres).
var spokenUnits = map[string]time.Duration{
	"sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"day": day, "days": day,
	"wk": week, "wks": week, "week": week, "weeks": week,
}

// numberWords are the number words ParseInt and durations understand.
var numberWords = map[string]int64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
	"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
	"eighty": 80, "ninety": 90,
}

// numberWord reads one number word, case-insensitive, including
// hyphenated tens and units ("twenty-five").
func numberWord(w string) (int64, bool) {
	if n, ok := lookupLower(numberWords, w); ok {
		return n, true
	}
	i := strings.IndexByte(w, '-')
	if i <= 0 {
		return 0, false
	}
	t, ok1 := lookupLower(numberWords, w[:i])
	u, ok2 := lookupLower(numberWords, w[i+1:])
	if ok1 && ok2 && t >= 20 && t%10 == 0 && u >= 1 && u <= 9 {
		return t + u, true
	}
	return 0, false
}

// ParseDuration parses a positive duration of at most 366 days, written
// compactly ("90s", "5m", "1h30m", "1.5h", "3d", "1w") or in words ("5
// min", "2 hours", "a week", "an hour", "half an hour", "twenty minutes",
// "1 hour and 30 minutes", "an hour and a half"). Words are separated by
// single or repeated spaces; units must decrease from left to right.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" || len(s) > 128 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return 0, errDuration
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != ' ' && c != '-' {
			return 0, errDuration
		}
	}
	var buf [maxDurationWords]string
	words := buf[:0]
	for rest := s; rest != ""; {
		if len(words) == len(buf) {
			return 0, errDuration
		}
		w, after, _ := strings.Cut(rest, " ")
		words = append(words, w)
		rest = strings.TrimLeft(after, " ")
	}
	d, n, over := durationPhrase(words, false)
	switch {
	case n != len(words):
		return 0, errDuration
	case over || d > maxDuration:
		return 0, errDurationLong
	case d <= 0:
		return 0, errDurationZero
	}
	return d, nil
}

// durationPhrase reads the longest duration at the start of ws and returns
// its value and length in words. over is set when the words are well formed
// but the value exceeds maxDuration (d is then meaningless). In scan mode
// "a second" is not read as a duration ("a second server").
func durationPhrase(ws []string, scan bool) (d time.Duration, n int, over bool) {
	var smallest time.Duration // of the last group read; 0 before the first
	for n < len(ws) {
		i := n
		if n > 0 && strings.EqualFold(ws[i], "and") {
			i++
			if i+1 < len(ws) && strings.EqualFold(ws[i], "a") && strings.EqualFold(ws[i+1], "half") {
				// "an hour and a half": half the last unit, and nothing
				// may follow.
				d += smallest / 2
				n = i + 2
				break
			}
		}
		if i >= len(ws) {
			break
		}
		g, largest, small, k, gOver := durationGroup(ws[i:], scan)
		if k == 0 || (n > 0 && largest >= smallest) {
			break
		}
		over = over || gOver
		if !over {
			d += g
			over = d > maxDuration
		}
		smallest = small
		n = i + k
	}
	return d, n, over
}

// durationGroup reads one amount and unit at the start of ws: a compact
// word, "<amount> <unit>" or "half a|an <unit>". It returns the value, the
// largest and smallest units used, and the number of words read (0 if
// none).
func durationGroup(ws []string, scan bool) (d, largest, smallest time.Duration, k int, over bool) {
	w := ws[0]
	if w == "" {
		return 0, 0, 0, 0, false
	}
	if isDigit(w[0]) {
		if d, largest, smallest, ok, over := parseCompact(w); ok {
			return d, largest, smallest, 1, over
		}
		whole, frac, fracDigits, next, ok := readAmount(w, 0)
		if !ok || next != len(w) || len(ws) < 2 {
			return 0, 0, 0, 0, false
		}
		u, ok := lookupLower(spokenUnits, ws[1])
		if !ok {
			return 0, 0, 0, 0, false
		}
		d, over := scaleAmount(whole, frac, fracDigits, u)
		return d, u, u, 2, over
	}
	if len(ws) < 2 {
		return 0, 0, 0, 0, false
	}
	article := strings.EqualFold(w, "a") || strings.EqualFold(w, "an")
	if strings.EqualFold(w, "half") && len(ws) >= 3 && (strings.EqualFold(ws[1], "a") || strings.EqualFold(ws[1], "an")) {
		if u, ok := lookupLower(spokenUnits, ws[2]); ok {
			return u / 2, u, u, 3, false
		}
		return 0, 0, 0, 0, false
	}
	var amount int64
	if article {
		amount = 1
	} else if n, ok := numberWord(w); ok {
		amount = n
	} else {
		return 0, 0, 0, 0, false
	}
	u, ok := lookupLower(spokenUnits, ws[1])
	if !ok || (scan && article && u == time.Second) {
		return 0, 0, 0, 0, false
	}
	return time.Duration(amount) * u, u, u, 2, false
}

// parseCompact reads a word of number-unit pairs with decreasing units
// ("1h30m", "1.5h", "3days").
func parseCompact(w string) (d, largest, smallest time.Duration, ok, over bool) {
	i := 0
	for i < len(w) {
		whole, frac, fracDigits, next, ok := readAmount(w, i)
		if !ok {
			return 0, 0, 0, false, false
		}
		j := next
		for j < len(w) && isLetter(w[j]) {
			j++
		}
		u, found := lookupLower(compactUnits, w[next:j])
		if !found || (smallest != 0 && u >= smallest) {
			return 0, 0, 0, false, false
		}
		if largest == 0 {
			largest = u
		}
		smallest = u
		g, gOver := scaleAmount(whole, frac, fracDigits, u)
		over = over || gOver
		if !over {
			d += g
			over = d > maxDuration
		}
		i = j
	}
	return d, largest, smallest, i > 0, over
}

// readAmount reads digits with an optional decimal fraction from w[i:]:
// up to 12 whole digits and 9 fraction digits.
func readAmount(w string, i int) (whole, frac int64, fracDigits, next int, ok bool) {
	j := i
	for j < len(w) && isDigit(w[j]) {
		whole = whole*10 + int64(w[j]-'0')
		j++
		if j-i > 12 {
			return 0, 0, 0, 0, false
		}
	}
	if j == i {
		return 0, 0, 0, 0, false
	}
	if j+1 < len(w) && w[j] == '.' && isDigit(w[j+1]) {
		j++
		for j < len(w) && isDigit(w[j]) {
			if fracDigits == 9 {
				return 0, 0, 0, 0, false
			}
			frac = frac*10 + int64(w[j]-'0')
			fracDigits++
			j++
		}
	}
	return whole, frac, fracDigits, j, true
}

// scaleAmount multiplies whole.frac by the unit u, a whole number of
// seconds, reporting values above maxDuration as over.
func scaleAmount(whole, frac int64, fracDigits int, u time.Duration) (time.Duration, bool) {
	if whole > int64(maxDuration/u) {
		return 0, true
	}
	d := time.Duration(whole) * u
	if fracDigits > 0 {
		p := time.Duration(1)
		for range fracDigits {
			p *= 10
		}
		d += time.Duration(frac) * (u / p)
	}
	return d, d > maxDuration
}
