package training

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
)

// jsonlExample is one line of the JSONL benchmark format:
// {"text", "intent", "entities": [{"entity", "value", "start", "end"}]},
// offsets in runes, end exclusive.
type jsonlExample struct {
	Text     *string `json:"text"`
	Intent   *string `json:"intent"`
	Entities []struct {
		Entity string `json:"entity"`
		Value  string `json:"value"`
		Start  *int   `json:"start"`
		End    *int   `json:"end"`
	} `json:"entities"`
}

// ParseJSONL reads examples in the JSONL format into set, one object per
// line; blank lines are skipped. name is used in errors.
func ParseJSONL(set *Set, name string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		pos := Pos{name, line}
		var ex jsonlExample
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ex); err != nil {
			return &Error{pos, "not a valid example object: " + err.Error()}
		}
		switch {
		case ex.Text == nil || strings.TrimSpace(*ex.Text) == "":
			return &Error{pos, "text is missing or empty"}
		case ex.Intent == nil || *ex.Intent == "":
			return &Error{pos, "intent is missing"}
		case !utf8.ValidString(*ex.Text):
			return &Error{pos, "text is not valid UTF-8"}
		}
		runes := []rune(*ex.Text)
		out := nlu.Example{Text: *ex.Text, Intent: *ex.Intent}
		for i, e := range ex.Entities {
			if e.Start == nil || e.End == nil || e.Entity == "" {
				return &Error{pos, fmt.Sprintf("entity %d needs entity, start and end", i+1)}
			}
			s, end := *e.Start, *e.End
			if s < 0 || end > len(runes) || s >= end {
				return &Error{pos, fmt.Sprintf("entity %d (%s): span %d-%d is empty or outside the text (%d characters)", i+1, e.Entity, s, end, len(runes))}
			}
			surface := string(runes[s:end])
			value := e.Value
			if value == surface {
				value = ""
			}
			out.Entities = append(out.Entities, nlu.Entity{Type: e.Entity, Text: surface, Value: value, Start: s, End: end})
		}
		set.Add(out, pos)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return nil
}
