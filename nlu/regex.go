package nlu

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// Regex declares an entity found by a pattern (RE2 syntax, matched without
// regard to case), e.g. {Type: "ticket", Pattern: `JIRA-\d+`}.
type Regex struct {
	Type    string
	Pattern string
}

// maxPattern bounds a pattern's length; RE2 runs in linear time, so the
// size of the pattern is the only cost to bound.
const maxPattern = 512

// Check compiles the pattern and reports why it cannot be used.
func (r Regex) Check() error {
	_, err := r.compile()
	return err
}

func (r Regex) compile() (*regexp.Regexp, error) {
	if r.Type == "" {
		return nil, fmt.Errorf("regex entity without a type")
	}
	if len(r.Pattern) > maxPattern {
		return nil, fmt.Errorf("regex for %s is longer than %d characters", r.Type, maxPattern)
	}
	re, err := regexp.Compile("(?i)" + r.Pattern)
	if err != nil {
		return nil, fmt.Errorf("regex for %s: %w", r.Type, err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("regex for %s matches empty text", r.Type)
	}
	return re, nil
}

type compiledRegex struct {
	typ string
	re  *regexp.Regexp
}

func compileRegexes(rs []Regex) ([]compiledRegex, error) {
	out := make([]compiledRegex, 0, len(rs))
	for _, r := range rs {
		re, err := r.compile()
		if err != nil {
			return nil, err
		}
		out = append(out, compiledRegex{typ: r.Type, re: re})
	}
	return out, nil
}

// regexEntities finds pattern entities in text, with rune spans.
func regexEntities(rs []compiledRegex, text string) []Entity {
	var out []Entity
	for _, r := range rs {
		for _, m := range r.re.FindAllStringIndex(text, 16) {
			start := utf8.RuneCountInString(text[:m[0]])
			surface := text[m[0]:m[1]]
			out = append(out, Entity{Type: r.typ, Text: surface, Value: surface, Start: start, End: start + utf8.RuneCountInString(surface), Source: "regex"})
		}
	}
	return out
}
