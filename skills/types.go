package skills

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu/fuzzy"
	"github.com/parleybot/parley/nlu/typed"
)

// Type parses and validates raw text for one kind of parameter. Parse
// returns an error whose message is a reason fit to show the person.
// Implementations are immutable and safe for concurrent use.
type Type interface {
	// Name is the configuration name of the type (host, int, ...).
	Name() string
	// Kinds are the NLU entity types whose values this type accepts.
	Kinds() []string
	// Values lists the allowed canonical values, or nil for an open type.
	Values() []string
	// Describe says in plain words what a value looks like ("a whole
	// number from 1 to 90"), for a person who asks.
	Describe() string
	Parse(raw string) (Value, error)
}

// TypeSpec configures a parameter type.
type TypeSpec struct {
	// Name is one of: host, hostname, name, enum, person, int, duration,
	// url, email, version, incident, when, text.
	Name string
	// Min and Max bound int (inclusive) and duration (seconds) values.
	Min, Max int64
	// Values and Synonyms (canonical value to other spellings) restrict or
	// normalise name-like types.
	Values   []string
	Synonyms map[string][]string
	// Open lets a name type take values outside Values (they normalise
	// known names and near misses but do not restrict).
	Open bool
	// MaxLen bounds text values in runes (default 200).
	MaxLen int
	// Days makes an int a number of days that also reads "2 weeks".
	Days bool
}

// typeNames lists the type names NewType accepts.
var typeNames = []string{"host", "hostname", "name", "enum", "person", "int", "duration", "url", "email", "version", "incident", "when", "text"}

// TypeNames returns the type names NewType accepts.
func TypeNames() []string { return append([]string(nil), typeNames...) }

// NewType builds a parameter type from its specification.
func NewType(spec TypeSpec) (Type, error) {
	switch spec.Name {
	case "host":
		return simpleType{name: "host", kinds: []string{"host", "ip", "hostname", "fqdn"}, parse: typed.ParseHost,
			about: "a host name or IP address, like web-1 or 10.0.0.5"}, nil
	case "hostname":
		return simpleType{name: "hostname", kinds: []string{"hostname", "fqdn", "host"}, parse: typed.ParseHostname,
			about: "a host name, like api.example.com"}, nil
	case "url":
		return simpleType{name: "url", kinds: []string{"url", "fqdn", "hostname"}, about: "a web address, like https://status.example.com/health", parse: func(s string) (string, error) {
			u, err := typed.ParseURL(s)
			if err != nil {
				return "", err
			}
			return u.String(), nil
		}}, nil
	case "email":
		return simpleType{name: "email", kinds: []string{"email"}, parse: typed.ParseEmail,
			about: "an email address, like alice@example.com"}, nil
	case "version":
		return simpleType{name: "version", kinds: []string{"version", "sha"}, parse: typed.ParseVersion,
			about: "a version like v2.3.1, a commit hash, or latest"}, nil
	case "incident":
		return incidentType{}, nil
	case "when":
		return simpleType{name: "when", kinds: []string{"when"}, about: "a time, like now, tomorrow, friday 9am, dec 24 or in 3 hours",
			parse: func(s string) (string, error) {
				w, err := typed.ParseWhen(s)
				if err != nil {
					return "", err
				}
				return w.String(), nil
			}}, nil
	case "int":
		if spec.Min > spec.Max {
			return nil, fmt.Errorf("int type: min %d is above max %d", spec.Min, spec.Max)
		}
		if spec.Min == 0 && spec.Max == 0 {
			spec.Min, spec.Max = 0, 1_000_000
		}
		return intType{min: spec.Min, max: spec.Max, days: spec.Days}, nil
	case "duration":
		if spec.Min > spec.Max {
			return nil, fmt.Errorf("duration type: min %d is above max %d", spec.Min, spec.Max)
		}
		return durationType{min: spec.Min, max: spec.Max}, nil
	case "text":
		n := spec.MaxLen
		if n <= 0 {
			n = 200
		}
		return textType{maxLen: n}, nil
	case "name", "enum", "person":
		return newNameType(spec)
	case "":
		return nil, errors.New("parameter type is empty")
	}
	return nil, fmt.Errorf("unknown parameter type %q (want one of %s)", spec.Name, strings.Join(typeNames, ", "))
}

// MustType is NewType for specifications known to be valid; it panics
// otherwise. Use it only with constant specifications.
func MustType(spec TypeSpec) Type {
	t, err := NewType(spec)
	if err != nil {
		panic(err)
	}
	return t
}

type simpleType struct {
	name  string
	kinds []string
	parse func(string) (string, error)
	about string
}

func (t simpleType) Name() string     { return t.name }
func (t simpleType) Describe() string { return t.about }
func (t simpleType) Kinds() []string  { return t.kinds }
func (t simpleType) Values() []string { return nil }
func (t simpleType) Parse(raw string) (Value, error) {
	s, err := t.parse(strings.TrimSpace(raw))
	if err != nil {
		return Value{}, err
	}
	return Value{typ: t.name, text: s}, nil
}

type incidentType struct{}

func (incidentType) Name() string     { return "incident" }
func (incidentType) Kinds() []string  { return []string{"incident", "integer"} }
func (incidentType) Values() []string { return nil }
func (incidentType) Describe() string { return "an incident number, like #42 or INC-42" }
func (incidentType) Parse(raw string) (Value, error) {
	n, err := typed.ParseIncident(strings.TrimSpace(raw))
	if err != nil {
		return Value{}, err
	}
	return Value{typ: "incident", text: fmt.Sprint(n), num: n}, nil
}

type intType struct {
	min, max int64
	days     bool
}

func (intType) Name() string       { return "int" }
func (intType) Kinds() []string    { return []string{"integer"} }
func (intType) Values() []string   { return nil }
func (t intType) Bounds() [2]int64 { return [2]int64{t.min, t.max} }
func (t intType) Describe() string {
	if t.days {
		n := min(max(t.min, 14), t.max)
		switch {
		case t.min <= 14 && t.max >= 14:
			return fmt.Sprintf("a number of days from %d to %d, like %d or “2 weeks”", t.min, t.max, n)
		case t.min <= 7 && t.max >= 7:
			return fmt.Sprintf("a number of days from %d to %d, like %d or “1 week”", t.min, t.max, n)
		}
		return fmt.Sprintf("a number of days from %d to %d, like %d", t.min, t.max, n)
	}
	return fmt.Sprintf("a whole number from %d to %d", t.min, t.max)
}
func (t intType) Parse(raw string) (Value, error) {
	s := strings.TrimSpace(raw)
	n, err := typed.ParseInt(s, t.min, t.max)
	if err != nil && t.days {
		// "14 days", "2 weeks", "a month": a whole number of days in range.
		days, ok := longDays(s)
		if d, derr := typed.ParseDuration(s); !ok && derr == nil && d%(24*time.Hour) == 0 {
			days, ok = int64(d/(24*time.Hour)), true
		}
		if ok {
			if days < t.min || days > t.max {
				return Value{}, fmt.Errorf("it must be a whole number from %d to %d", t.min, t.max)
			}
			n, err = days, nil
		}
	}
	if err != nil {
		return Value{}, err
	}
	return Value{typ: "int", text: fmt.Sprint(n), num: n}, nil
}

// longDays reads counts of months (30 days each) and fortnights: "a
// month", "2 months", "a fortnight".
func longDays(s string) (int64, bool) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) != 2 {
		return 0, false
	}
	var per int64
	switch f[1] {
	case "month", "months":
		per = 30
	case "fortnight", "fortnights":
		per = 14
	default:
		return 0, false
	}
	n := int64(1)
	if f[0] != "a" && f[0] != "an" {
		var err error
		if n, err = typed.ParseInt(f[0], 1, 1200); err != nil {
			return 0, false
		}
	}
	return n * per, true
}

type durationType struct{ min, max int64 }

func (durationType) Name() string     { return "duration" }
func (durationType) Kinds() []string  { return []string{"duration"} }
func (durationType) Values() []string { return nil }
func (t durationType) Describe() string {
	if t.max > 0 {
		return fmt.Sprintf("a duration between %ds and %ds, like 30m or 2h", t.min, t.max)
	}
	return "a duration, like 30m or 2h"
}
func (t durationType) Parse(raw string) (Value, error) {
	d, err := typed.ParseDuration(strings.TrimSpace(raw))
	if err != nil {
		return Value{}, err
	}
	if d%time.Second != 0 {
		return Value{}, errors.New("it must be a whole number of seconds")
	}
	if t.max > 0 && (d.Seconds() < float64(t.min) || d.Seconds() > float64(t.max)) {
		return Value{}, fmt.Errorf("a duration between %ds and %ds is needed", t.min, t.max)
	}
	return Value{typ: "duration", text: d.String(), dur: d}, nil
}

type textType struct{ maxLen int }

func (textType) Name() string     { return "text" }
func (textType) Kinds() []string  { return []string{"text"} }
func (textType) Values() []string { return nil }
func (t textType) Describe() string {
	return fmt.Sprintf("a line of text of at most %d characters", t.maxLen)
}
func (t textType) Parse(raw string) (Value, error) {
	s := strings.TrimSpace(raw)
	switch {
	case !utf8.ValidString(s):
		return Value{}, errors.New("that is not valid text")
	case s == "":
		return Value{}, errors.New("it can't be empty")
	case utf8.RuneCountInString(s) > t.maxLen:
		return Value{}, fmt.Errorf("it must be at most %d characters", t.maxLen)
	}
	if s[0] == '-' {
		return Value{}, errors.New("it can't start with a hyphen")
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return Value{}, errors.New("it must be a single line without control characters")
		case unicode.In(r, unicode.Cf) && r != '\u200d':
			// Invisible format characters (zero-width spaces, direction
			// overrides) could make a confirmation read other than it is;
			// the zero-width joiner inside emoji is harmless.
			return Value{}, errors.New("it can't contain invisible or direction-changing characters")
		}
	}
	return Value{typ: "text", text: s}, nil
}

// nameRE is what a name-like value may look like: it starts with a letter
// or digit (so it can never be taken for a command-line option) and holds
// only letters, digits, dots, underscores and hyphens.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

type nameType struct {
	name   string
	open   bool
	values []string
	canon  map[string]string // lower-case spelling -> canonical value
	words  []string          // keys of canon, for fuzzy matching
}

func newNameType(spec TypeSpec) (Type, error) {
	t := nameType{name: spec.Name, open: spec.Open || (spec.Name != "enum" && len(spec.Values) == 0), canon: map[string]string{}}
	if spec.Name == "enum" && len(spec.Values) == 0 {
		return nil, errors.New("enum type needs values")
	}
	add := func(spelling, canonical string) error {
		k := strings.ToLower(strings.TrimSpace(spelling))
		if k == "" {
			return fmt.Errorf("%s type: empty value", spec.Name)
		}
		if prev, ok := t.canon[k]; ok && prev != canonical {
			return fmt.Errorf("%s type: %q means both %q and %q", spec.Name, spelling, prev, canonical)
		}
		t.canon[k] = canonical
		return nil
	}
	for _, v := range spec.Values {
		c := strings.ToLower(strings.TrimSpace(v))
		if !nameRE.MatchString(c) {
			return nil, fmt.Errorf("%s type: value %q is not a valid name", spec.Name, v)
		}
		t.values = append(t.values, c)
		if err := add(c, c); err != nil {
			return nil, err
		}
	}
	for c, syns := range spec.Synonyms {
		c = strings.ToLower(strings.TrimSpace(c))
		if _, ok := t.canon[c]; !ok {
			return nil, fmt.Errorf("%s type: synonyms given for %q, which is not one of its values", spec.Name, c)
		}
		for _, s := range syns {
			if err := add(s, c); err != nil {
				return nil, err
			}
		}
	}
	for k := range t.canon {
		t.words = append(t.words, k)
	}
	return t, nil
}

func (t nameType) Name() string { return t.name }
func (t nameType) Kinds() []string {
	if t.name == "person" {
		return []string{"person"}
	}
	return nil
}
func (t nameType) Values() []string { return t.values }
func (t nameType) Describe() string {
	switch {
	case !t.open:
		return "one of " + strings.Join(t.values, ", ")
	case t.name == "person" && len(t.values) > 0:
		return "a person, like @" + t.values[0]
	case t.name == "person":
		return "a person, like @alice"
	case len(t.values) > 0:
		return "a name such as " + strings.Join(t.values, ", ")
	}
	return "a name of letters, digits, dots, underscores and hyphens"
}

func (t nameType) Parse(raw string) (Value, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if t.name == "person" {
		s = personHandle(s)
	}
	if c, ok := t.canon[s]; ok {
		return Value{typ: t.name, text: c}, nil
	}
	// Only a well-formed name may be matched as a near miss, so
	// "nginx;" or "-prod" is rejected, never corrected.
	if !nameRE.MatchString(s) {
		if !t.open {
			return Value{}, fmt.Errorf("it must be one of %s", strings.Join(t.values, ", "))
		}
		return Value{}, errors.New("a name is letters, digits, dots, underscores and hyphens, starting with a letter or digit")
	}
	if c, ok := t.nearest(s); ok {
		return Value{typ: t.name, text: c}, nil
	}
	if !t.open {
		return Value{}, fmt.Errorf("it must be one of %s", strings.Join(t.values, ", "))
	}
	return Value{typ: t.name, text: s}, nil
}

// nearest returns the canonical value whose spellings are uniquely
// closest to s within the typo budget; two spellings of one value tie
// harmlessly ("prdo" is near both "prod" and "prd", both production).
func (t nameType) nearest(s string) (string, bool) {
	budget := fuzzy.Budget(utf8.RuneCountInString(s))
	if budget == 0 {
		return "", false
	}
	best, found := budget+1, ""
	ambiguous := false
	for _, w := range t.words {
		d := fuzzy.Distance(s, w, budget)
		switch {
		case d > budget || d > best:
		case d < best:
			best, found, ambiguous = d, t.canon[w], false
		case t.canon[w] != found:
			ambiguous = true
		}
	}
	return found, found != "" && !ambiguous
}

// personHandle strips chat mention syntax: "@alice" and "<@alice>".
func personHandle(s string) string {
	if strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">") {
		return s[2 : len(s)-1]
	}
	return strings.TrimPrefix(s, "@")
}
