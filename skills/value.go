package skills

import (
	"maps"
	"slices"
	"time"
)

// Value is one validated parameter value. Only this package's types make
// Values, so holding one proves the text passed its type's parser.
type Value struct {
	typ    string
	text   string // canonical form
	num    int64
	dur    time.Duration
	secret bool
}

// Type is the name of the parameter type that produced the value.
func (v Value) Type() string { return v.typ }

// String is the canonical text form, the one executors and templates use.
func (v Value) String() string { return v.text }

// Display is the form shown to people: secrets are masked.
func (v Value) Display() string {
	if v.secret {
		return "••••"
	}
	return v.text
}

// Int is the value of an integer or incident parameter.
func (v Value) Int() int64 { return v.num }

// Duration is the value of a duration parameter.
func (v Value) Duration() time.Duration { return v.dur }

// Args are the validated arguments of one call, by parameter name.
type Args struct {
	skill  string
	values map[string]Value
}

// Get returns the named argument.
func (a Args) Get(name string) (Value, bool) {
	v, ok := a.values[name]
	return v, ok
}

// String returns the canonical text of the named argument, or "".
func (a Args) String(name string) string { return a.values[name].text }

// Int returns the named integer argument, or 0.
func (a Args) Int(name string) int64 { return a.values[name].num }

// Duration returns the named duration argument, or 0.
func (a Args) Duration(name string) time.Duration { return a.values[name].dur }

// Names lists the arguments present, sorted.
func (a Args) Names() []string { return slices.Sorted(maps.Keys(a.values)) }

// Len is the number of arguments present.
func (a Args) Len() int { return len(a.values) }

// Canonical returns the arguments as canonical text, for storage and display.
// Secret values are included; use Redacted for anything a person or log sees.
func (a Args) Canonical() map[string]string {
	out := make(map[string]string, len(a.values))
	for k, v := range a.values {
		out[k] = v.text
	}
	return out
}

// Redacted returns the arguments as display text with secrets masked.
func (a Args) Redacted() map[string]string {
	out := make(map[string]string, len(a.values))
	for k, v := range a.values {
		out[k] = v.Display()
	}
	return out
}
