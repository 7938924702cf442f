package training

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parleybot/parley/nlu"
)

// Pos locates an example in its source.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Set is a collection of examples with where each came from.
type Set struct {
	Examples []nlu.Example
	Pos      []Pos
	// Lists are entity vocabularies (lookups and synonyms) and Regexes
	// pattern entities, declared beside the examples.
	Lists   []nlu.List
	Regexes []nlu.Regex
}

// Add appends one example.
func (s *Set) Add(ex nlu.Example, p Pos) {
	s.Examples = append(s.Examples, ex)
	s.Pos = append(s.Pos, p)
}

// Intents lists the distinct intents in order of first appearance.
func (s *Set) Intents() []string {
	var out []string
	for _, ex := range s.Examples {
		if !slices.Contains(out, ex.Intent) {
			out = append(out, ex.Intent)
		}
	}
	return out
}

// Error is a problem in training data, with its place.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// MaxFileSize bounds one training file.
const MaxFileSize = 16 << 20

// Parse reads one YAML training file into set. name is used in errors.
func Parse(set *Set, name string, r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return &Error{Pos{name, 1}, fmt.Sprintf("file is larger than %d MB", MaxFileSize>>20)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return &Error{Pos{name, yamlLine(err)}, "not valid YAML: " + yamlMsg(err)}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return &Error{Pos{name, max(more.Line, 1)}, "only one YAML document is allowed"}
	}
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return &Error{Pos{name, doc.Line}, "expected a mapping with an intents list"}
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "intents":
			if err := parseIntents(set, name, v); err != nil {
				return err
			}
		case "synonyms":
			if err := parseSynonyms(set, name, v); err != nil {
				return err
			}
		case "lookups":
			if err := parseLookups(set, name, v); err != nil {
				return err
			}
		case "regexes":
			if err := parseRegexes(set, name, v); err != nil {
				return err
			}
		default:
			return &Error{Pos{name, k.Line}, fmt.Sprintf("unknown key %q (want intents, synonyms, lookups or regexes)", k.Value)}
		}
	}
	return nil
}

// list returns the set's vocabulary of an entity type, creating it.
func (s *Set) list(typ string) *nlu.List {
	for i := range s.Lists {
		if s.Lists[i].Type == typ {
			return &s.Lists[i]
		}
	}
	s.Lists = append(s.Lists, nlu.List{Type: typ, Synonyms: map[string][]string{}})
	return &s.Lists[len(s.Lists)-1]
}

func addValue(l *nlu.List, v string) {
	if !slices.Contains(l.Values, v) {
		l.Values = append(l.Values, v)
	}
}

// scalars reads a list of plain strings.
func scalars(name string, n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, &Error{Pos{name, n.Line}, what + " must be a list"}
	}
	out := make([]string, 0, len(n.Content))
	for _, v := range n.Content {
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || strings.TrimSpace(v.Value) == "" || strings.ContainsAny(v.Value, "\n\r") {
			return nil, &Error{Pos{name, v.Line}, what + " entries must be single lines of text (quote them if YAML reads them as something else)"}
		}
		out = append(out, strings.TrimSpace(v.Value))
	}
	return out, nil
}

// parseSynonyms reads "synonyms: {type: {canonical: [spelling, ...]}}".
func parseSynonyms(set *Set, name string, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &Error{Pos{name, n.Line}, "synonyms must map entity types to {value: [spellings]}"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		typ, values := n.Content[i], n.Content[i+1]
		if !validIntentName(typ.Value) {
			return &Error{Pos{name, typ.Line}, fmt.Sprintf("entity type %q: use lower-case letters, digits and underscores", typ.Value)}
		}
		if values.Kind != yaml.MappingNode {
			return &Error{Pos{name, values.Line}, fmt.Sprintf("synonyms of %s must map each value to its spellings", typ.Value)}
		}
		l := set.list(typ.Value)
		for j := 0; j+1 < len(values.Content); j += 2 {
			canon := strings.ToLower(strings.TrimSpace(values.Content[j].Value))
			if canon == "" {
				return &Error{Pos{name, values.Content[j].Line}, "empty value"}
			}
			spellings, err := scalars(name, values.Content[j+1], "spellings of "+canon)
			if err != nil {
				return err
			}
			addValue(l, canon)
			l.Synonyms[canon] = append(l.Synonyms[canon], spellings...)
		}
	}
	return nil
}

// parseLookups reads "lookups: {type: [value, ...]}".
func parseLookups(set *Set, name string, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &Error{Pos{name, n.Line}, "lookups must map entity types to lists of values"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		typ := n.Content[i]
		if !validIntentName(typ.Value) {
			return &Error{Pos{name, typ.Line}, fmt.Sprintf("entity type %q: use lower-case letters, digits and underscores", typ.Value)}
		}
		values, err := scalars(name, n.Content[i+1], "lookup values of "+typ.Value)
		if err != nil {
			return err
		}
		l := set.list(typ.Value)
		for _, v := range values {
			addValue(l, strings.ToLower(v))
		}
	}
	return nil
}

// parseRegexes reads "regexes: {type: pattern}" (RE2 syntax, matched
// without regard to case).
func parseRegexes(set *Set, name string, n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &Error{Pos{name, n.Line}, "regexes must map entity types to patterns"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		typ, pat := n.Content[i], n.Content[i+1]
		if !validIntentName(typ.Value) {
			return &Error{Pos{name, typ.Line}, fmt.Sprintf("entity type %q: use lower-case letters, digits and underscores", typ.Value)}
		}
		if pat.Kind != yaml.ScalarNode || pat.Value == "" {
			return &Error{Pos{name, pat.Line}, "a regex must be a pattern string"}
		}
		r := nlu.Regex{Type: typ.Value, Pattern: pat.Value}
		if err := r.Check(); err != nil {
			return &Error{Pos{name, pat.Line}, err.Error()}
		}
		set.Regexes = append(set.Regexes, r)
	}
	return nil
}

func parseIntents(set *Set, name string, list *yaml.Node) error {
	if list.Kind != yaml.SequenceNode {
		return &Error{Pos{name, list.Line}, "intents must be a list"}
	}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			return &Error{Pos{name, item.Line}, "each intent must be a mapping with intent and examples"}
		}
		intent := ""
		var examples *yaml.Node
		seen := map[string]bool{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if seen[k.Value] {
				return &Error{Pos{name, k.Line}, fmt.Sprintf("key %q is given twice", k.Value)}
			}
			seen[k.Value] = true
			switch k.Value {
			case "intent":
				intent = strings.TrimSpace(v.Value)
			case "examples":
				examples = v
			default:
				return &Error{Pos{name, k.Line}, fmt.Sprintf("unknown key %q (want intent, examples)", k.Value)}
			}
		}
		if !validIntentName(intent) {
			return &Error{Pos{name, item.Line}, fmt.Sprintf("intent name %q: use lower-case letters, digits and underscores", intent)}
		}
		if examples == nil || examples.Kind != yaml.SequenceNode {
			return &Error{Pos{name, item.Line}, fmt.Sprintf("intent %s needs an examples list", intent)}
		}
		for _, ex := range examples.Content {
			if ex.Kind != yaml.ScalarNode || ex.Tag != "!!str" || strings.ContainsAny(ex.Value, "\n\r") {
				return &Error{Pos{name, ex.Line}, "an example must be a single line of text (quote it if YAML reads it as something else)"}
			}
			text, ents, err := ParseMarked(ex.Value)
			if err != nil {
				return &Error{Pos{name, ex.Line}, err.Error()}
			}
			if strings.TrimSpace(text) == "" {
				return &Error{Pos{name, ex.Line}, "empty example"}
			}
			set.Add(nlu.Example{Text: text, Intent: intent, Entities: ents}, Pos{name, ex.Line})
		}
	}
	return nil
}

func validIntentName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Check reports duplicate examples: the same text under two intents is an
// error naming both places; the same text twice under one intent is
// dropped. known, when not nil, is the set of intents the data may use.
func Check(set *Set, known func(string) bool) (*Set, error) {
	out := &Set{Lists: set.Lists, Regexes: set.Regexes}
	seen := map[string]int{}
	for i, ex := range set.Examples {
		if known != nil && !known(ex.Intent) {
			return nil, &Error{set.Pos[i], fmt.Sprintf("unknown intent %q", ex.Intent)}
		}
		key := strings.ToLower(strings.Join(strings.Fields(ex.Text), " "))
		if j, ok := seen[key]; ok {
			if set.Examples[j].Intent != ex.Intent {
				return nil, &Error{set.Pos[i], fmt.Sprintf("%q is an example of %s here and of %s at %s", ex.Text, ex.Intent, set.Examples[j].Intent, set.Pos[j])}
			}
			continue
		}
		seen[key] = i
		out.Add(ex, set.Pos[i])
	}
	return out, nil
}

// ParseFS reads every *.yml and *.yaml file under dir of fsys, in name order.
func ParseFS(fsys fs.FS, dir string) (*Set, error) {
	set := &Set{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (path.Ext(p) != ".yml" && path.Ext(p) != ".yaml") {
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return Parse(set, p, f)
	})
	return set, err
}

//go:embed data
var catalogFS embed.FS

// Catalog returns the training examples of Parley's own catalog.
func Catalog() (*Set, error) {
	set, err := ParseFS(catalogFS, "data")
	if err != nil {
		return nil, err
	}
	return Check(set, nil)
}

func yamlLine(err error) int {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 1
	}
	var line int
	if _, scanErr := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line); scanErr == nil {
		return line
	}
	return 1
}

func yamlMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		return msg[i+2:]
	}
	return msg
}
