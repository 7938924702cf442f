package llm

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sashabaranov/go-openai/jsonschema"

	"github.com/parleybot/parley/skills"
)

// Schema returns the JSON Schema of a skill's parameters as the model sees
// it: an object with one property per parameter that is not secret (type
// string, or integer with its bounds; the values of a closed list as an
// enum; the question, a format hint and the default as description),
// required listing the required parameters without a default, and no
// other properties allowed.
func Schema(s *skills.Skill) (json.RawMessage, error) {
	def := jsonschema.Definition{
		Type:                 jsonschema.Object,
		Properties:           map[string]jsonschema.Definition{},
		AdditionalProperties: false,
	}
	bounds := map[string][2]int64{}
	for i := range s.Params {
		p := &s.Params[i]
		if p.Secret || p.Type == nil {
			continue
		}
		d := jsonschema.Definition{Type: jsonschema.String}
		if b, ok := p.Type.(interface{ Bounds() [2]int64 }); ok && p.Type.Name() == "int" {
			d.Type = jsonschema.Integer
			bounds[p.Name] = b.Bounds()
		}
		open := false
		if vals := p.Type.Values(); len(vals) > 0 {
			if open = accepts(p.Type, probe); !open {
				d.Enum = vals
			}
		}
		d.Description = describe(p, open)
		def.Properties[p.Name] = d
		if p.Required && p.Default == "" {
			def.Required = append(def.Required, p.Name)
		}
	}
	// jsonschema.Definition has no minimum or maximum: add them to its
	// encoding (re-encoded for every schema, so that all list their keys
	// in the same, sorted order).
	raw, err := json.Marshal(&def)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", s.Name, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("schema of %s: %w", s.Name, err)
	}
	props, _ := doc["properties"].(map[string]any)
	for name, b := range bounds {
		if prop, ok := props[name].(map[string]any); ok {
			prop["minimum"], prop["maximum"] = b[0], b[1]
		}
	}
	return json.Marshal(doc)
}

// probe is a well-formed name far from any real value: a type with values
// that accepts it is open (the values only normalise), one that refuses it
// is a closed list.
const probe = "zqxj-parley-probe-7"

func accepts(t skills.Type, raw string) bool {
	_, err := t.Parse(raw)
	return err == nil
}

// describe is a parameter's description: its question, what its values
// look like, and its default.
func describe(p *skills.Param, open bool) string {
	var b strings.Builder
	if q := strings.TrimSpace(p.Question); q != "" {
		b.WriteString(q)
	} else {
		b.WriteString("The " + strings.ReplaceAll(p.Name, "_", " ") + ".")
	}
	var notes []string
	if h := p.Type.Describe(); h != "" && !(len(p.Type.Values()) > 0 && !open) {
		notes = append(notes, h) // a closed list is the schema's enum
	}
	switch p.Default {
	case "":
	case "$user":
		notes = append(notes, "default: the person asking")
	default:
		notes = append(notes, "default: "+p.Default)
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return b.String()
}

// toolName is the function name a skill is offered under: its own name
// when the API accepts it (^[a-zA-Z0-9_-]{1,64}$), otherwise a cleaned
// one that taken does not hold yet.
func toolName(skill string, taken func(string) bool) string {
	var b strings.Builder
	for _, r := range skill {
		switch {
		case b.Len() >= 60:
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" {
		name = "skill"
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s_%d", name, i); !taken(n) {
			return n
		}
	}
}
