package training

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parleybot/parley/nlu"
)

func parse(t *testing.T, src string) (*Set, error) {
	t.Helper()
	set := &Set{}
	err := Parse(set, "t.yml", strings.NewReader(src))
	return set, err
}

func TestParse(t *testing.T) {
	src := `# restarts and status
intents:
  - intent: restart_service
    examples:
      - "restart [apache](service) on [web-1](host)"
      - restart nginx
      - 'bounce [ngnix](service:nginx)'

  - intent: service_status
    examples: ["is [redis](service) up", "status please"]
  - intent: restart_service
    examples:
      - kick it again
`
	set, err := parse(t, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text, intent string
		line         int
		ents         []nlu.Entity
	}{
		{"restart apache on web-1", "restart_service", 5, []nlu.Entity{
			{Type: "service", Text: "apache", Start: 8, End: 14},
			{Type: "host", Text: "web-1", Start: 18, End: 23},
		}},
		{"restart nginx", "restart_service", 6, nil},
		{"bounce ngnix", "restart_service", 7, []nlu.Entity{{Type: "service", Text: "ngnix", Value: "nginx", Start: 7, End: 12}}},
		{"is redis up", "service_status", 10, []nlu.Entity{{Type: "service", Text: "redis", Start: 3, End: 8}}},
		{"status please", "service_status", 10, nil},
		{"kick it again", "restart_service", 13, nil},
	}
	if len(set.Examples) != len(want) || len(set.Pos) != len(want) {
		t.Fatalf("%d examples and %d positions, want %d: %+v", len(set.Examples), len(set.Pos), len(want), set.Examples)
	}
	for i, w := range want {
		ex, pos := set.Examples[i], set.Pos[i]
		if ex.Text != w.text || ex.Intent != w.intent || !slices.Equal(ex.Entities, w.ents) {
			t.Errorf("example %d = %+v, want %q (%s) %+v", i, ex, w.text, w.intent, w.ents)
		}
		if pos != (Pos{"t.yml", w.line}) {
			t.Errorf("example %d at %v, want t.yml:%d", i, pos, w.line)
		}
	}
	if got := set.Intents(); !slices.Equal(got, []string{"restart_service", "service_status"}) {
		t.Errorf("Intents() = %v", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "intents: []\n"} {
		set, err := parse(t, src)
		if err != nil || len(set.Examples) != 0 {
			t.Errorf("Parse(%q) = %d examples, %v; want none and no error", src, len(set.Examples), err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantLine int
		want     string
	}{
		{"not YAML: unclosed quote", "intents:\n  - intent: a\n    examples:\n      - \"x\n", 4, "not valid YAML: found unexpected end of stream"},
		{"not YAML: tab indentation", "intents:\n\t- intent: a\n", 2, "not valid YAML"},
		{"not YAML: mapping in a plain scalar", "intents:\n  - intent: a\n    examples:\n      - x\n      - y: z: w\n", 5, "not valid YAML: mapping values are not allowed"},
		// For these syntax errors the YAML library names the line where
		// the enclosing block starts, before the real problem.
		{"not YAML: bad indentation", "intents:\n  - intent: a\n    examples:\n      - x\n   bad: y\n", 1, "not valid YAML"},
		{"not YAML: unclosed flow list", "intents:\n  - intent: a\n    examples: [x, y\n  - intent: b\n", 2, "not valid YAML"},
		{"not YAML: unknown alias", "intents:\n  - intent: a\n    examples:\n      - *nope\n", 1, "not valid YAML"},
		{"top level is a list", "# c\n- intent: a\n", 2, "expected a mapping with an intents list"},
		{"top level is text", "hello\n", 1, "expected a mapping with an intents list"},
		{"unknown top-level key", "# c\nintent: a\n", 2, `unknown key "intent" (want intents, synonyms, lookups or regexes)`},
		{"unknown key after intents", "intents: []\nversion: 2\n", 2, `unknown key "version"`},
		{"intents not a list", "intents:\n  restart: [x]\n", 2, "intents must be a list"},
		{"intent not a mapping", "intents:\n  - restart_service\n", 2, "each intent must be a mapping with intent and examples"},
		{"unknown intent key", "intents:\n  - intent: a\n    exmaples:\n      - x\n", 3, `unknown key "exmaples" (want intent, examples)`},
		{"intent name with a space", "intents:\n  - intent: ok\n    examples: [x]\n\n  - intent: restart service\n    examples: [x]\n", 5, `intent name "restart service": use lower-case letters, digits and underscores`},
		{"intent name in capitals", "intents:\n  - intent: Restart\n    examples: [x]\n", 2, `intent name "Restart"`},
		{"intent name missing", "intents:\n  - examples:\n      - x\n", 2, `intent name ""`},
		{"intent name too long", "intents:\n  - intent: " + strings.Repeat("a", 65) + "\n    examples: [x]\n", 2, "intent name"},
		{"intent name is a list", "intents:\n  - intent: [a]\n    examples: [x]\n", 2, `intent name ""`},
		{"examples missing", "intents:\n  - intent: a\n", 2, "intent a needs an examples list"},
		{"examples not a list", "intents:\n  - intent: a\n    examples: restart it\n", 2, "intent a needs an examples list"},
		{"example is a mapping", "intents:\n  - intent: a\n    examples:\n      - fine\n      - {text: x}\n", 5, "an example must be a single line of text"},
		{"example is a list", "intents:\n  - intent: a\n    examples:\n      - [x, y]\n", 4, "an example must be a single line of text"},
		{"example is null", "intents:\n  - intent: a\n    examples:\n      - fine\n      - ~\n", 5, "an example must be a single line of text"},
		{"example is a number", "intents:\n  - intent: a\n    examples:\n      - 42\n", 4, "an example must be a single line of text"},
		{"example is a boolean", "intents:\n  - intent: a\n    examples:\n      - yes please\n      - true\n", 5, "an example must be a single line of text"},
		{"example is binary", "intents:\n  - intent: a\n    examples:\n      - !!binary aGVsbG8=\n", 4, "an example must be a single line of text"},
		{"example spans lines", "intents:\n  - intent: a\n    examples:\n      - |\n        restart apache\n        now\n", 4, "an example must be a single line of text"},
		{"empty example", "intents:\n  - intent: a\n    examples:\n      - fine\n      - \"\"\n", 5, "empty example"},
		{"blank example", "intents:\n  - intent: a\n    examples:\n      - '   '\n", 4, "empty example"},
		{"example that is only a bracket mark with no text", "intents:\n  - intent: a\n    examples:\n      - \"[ ](x)\"\n", 4, "has an empty span"},
		{"bad mark", "intents:\n  - intent: a\n    examples:\n      - ok\n      - \"restart [apache]()\"\n", 5, `mark "[apache]()" has no entity type`},
		{"duplicate intent key", "intents:\n  - intent: a\n    intent: b\n    examples: [x]\n", 3, "intent"},
		{"second document", "intents:\n  - intent: a\n    examples: [x]\n---\nintents:\n  - intent: b\n    examples: [y]\n", 4, "document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := parse(t, tt.src)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want an error at line %d", set.Examples, tt.wantLine)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("error %q (%T) is not a *training.Error", err, err)
			}
			if te.Pos != (Pos{"t.yml", tt.wantLine}) {
				t.Errorf("error at %v, want t.yml:%d (%s)", te.Pos, tt.wantLine, te.Msg)
			}
			if !strings.Contains(te.Msg, tt.want) {
				t.Errorf("message %q, want it to contain %q", te.Msg, tt.want)
			}
			if want := te.Pos.String() + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	set := &Set{}
	err := Parse(set, "big.yml", strings.NewReader(strings.Repeat("#", MaxFileSize+1)))
	var te *Error
	if !errors.As(err, &te) || te.Pos != (Pos{"big.yml", 1}) || !strings.Contains(te.Msg, "larger than 16 MB") {
		t.Errorf("Parse of %d bytes: %v", MaxFileSize+1, err)
	}
}

type item struct {
	ex  nlu.Example
	pos Pos
}

func TestCheck(t *testing.T) {
	a := func(text, intent, file string, line int) item {
		return item{nlu.Example{Text: text, Intent: intent}, Pos{file, line}}
	}
	tests := []struct {
		name      string
		items     []item
		known     func(string) bool
		wantTexts []string
		wantPos   []Pos
		wantErr   string
		wantAt    Pos
	}{
		{
			name:      "no duplicates",
			items:     []item{a("restart apache", "restart", "a.yml", 3), a("status of nginx", "status", "a.yml", 9)},
			wantTexts: []string{"restart apache", "status of nginx"},
			wantPos:   []Pos{{"a.yml", 3}, {"a.yml", 9}},
		},
		{
			name: "same text twice under one intent is dropped",
			items: []item{
				a("restart apache", "restart", "a.yml", 3), a("bounce it", "restart", "a.yml", 4),
				a("Restart  Apache", "restart", "b.yml", 7),
			},
			wantTexts: []string{"restart apache", "bounce it"},
			wantPos:   []Pos{{"a.yml", 3}, {"a.yml", 4}},
		},
		{
			name:    "same text under two intents",
			items:   []item{a("check nginx", "status", "a.yml", 3), a("ok", "status", "a.yml", 4), a(" Check   NGINX ", "restart", "b.yml", 12)},
			wantErr: `" Check   NGINX " is an example of restart here and of status at a.yml:3`,
			wantAt:  Pos{"b.yml", 12},
		},
		{
			name:    "unknown intent",
			items:   []item{a("hi", "greet", "a.yml", 3), a("deploy it", "deploy_app", "a.yml", 8)},
			known:   func(s string) bool { return s == "greet" },
			wantErr: `unknown intent "deploy_app"`,
			wantAt:  Pos{"a.yml", 8},
		},
		{
			name:      "every intent known",
			items:     []item{a("hi", "greet", "a.yml", 3)},
			known:     func(s string) bool { return s == "greet" },
			wantTexts: []string{"hi"},
			wantPos:   []Pos{{"a.yml", 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Set{}
			for _, it := range tt.items {
				in.Add(it.ex, it.pos)
			}
			before := len(in.Examples)
			out, err := Check(in, tt.known)
			if len(in.Examples) != before {
				t.Errorf("Check changed its input")
			}
			if tt.wantErr != "" {
				var te *Error
				if !errors.As(err, &te) {
					t.Fatalf("Check = %v, %v; want a *training.Error", out, err)
				}
				if te.Pos != tt.wantAt || te.Msg != tt.wantErr {
					t.Errorf("Check error = %v: %q, want %v: %q", te.Pos, te.Msg, tt.wantAt, tt.wantErr)
				}
				if out != nil {
					t.Errorf("Check returned a set with its error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, ex := range out.Examples {
				texts = append(texts, ex.Text)
			}
			if !slices.Equal(texts, tt.wantTexts) || !slices.Equal(out.Pos, tt.wantPos) {
				t.Errorf("Check = %q at %v, want %q at %v", texts, out.Pos, tt.wantTexts, tt.wantPos)
			}
		})
	}
}

func TestParseFS(t *testing.T) {
	fsys := fstest.MapFS{
		"data/b.yml":          {Data: []byte("intents:\n  - intent: b\n    examples: [bee]\n")},
		"data/a.yaml":         {Data: []byte("intents:\n  - intent: a\n    examples: [ay]\n")},
		"data/sub/c.yml":      {Data: []byte("intents:\n  - intent: c\n    examples: [sea]\n")},
		"data/notes.txt":      {Data: []byte("not yaml: [")},
		"data/README.md":      {Data: []byte("# x")},
		"other/ignored.yml":   {Data: []byte("intents:\n  - intent: z\n    examples: [zed]\n")},
		"data/broken/bad.yml": {Data: []byte("intents:\n  - intent: Bad\n    examples: [x]\n")},
	}
	_, err := ParseFS(fsys, "data")
	var te *Error
	if !errors.As(err, &te) || te.Pos != (Pos{"data/broken/bad.yml", 2}) {
		t.Fatalf("ParseFS = %v, want the error of data/broken/bad.yml:2", err)
	}
	delete(fsys, "data/broken/bad.yml")
	set, err := ParseFS(fsys, "data")
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Intents(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Intents() = %v, want the files in name order", got)
	}
	if got := set.Pos[2]; got != (Pos{"data/sub/c.yml", 3}) {
		t.Errorf("Pos[2] = %v", got)
	}
	if _, err := ParseFS(fsys, "missing"); err == nil {
		t.Error("ParseFS of a missing directory succeeded")
	}
}

func TestCatalog(t *testing.T) {
	set, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Examples) != len(set.Pos) {
		t.Fatalf("%d examples and %d positions", len(set.Examples), len(set.Pos))
	}
	count := map[string]int{}
	for i, ex := range set.Examples {
		count[ex.Intent]++
		if set.Pos[i].File != "data/catalog.yml" || set.Pos[i].Line < 1 {
			t.Errorf("example %q at %v", ex.Text, set.Pos[i])
		}
		if strings.TrimSpace(ex.Text) == "" {
			t.Errorf("%v: empty example", set.Pos[i])
		}
		checkSpans(t, ex.Text, ex.Entities)
	}
	intents := set.Intents()
	for _, want := range []string{
		"restart_service", "service_status", "deploy", "rollback", "oncall_who", "oncall_next",
		"incident_create", "incident_list", "incident_ack", "incident_resolve", "dns_lookup", "http_check",
		"extend_trial", "bookmark_save", "bookmark_find", "help", "affirm", "deny", "cancel", "out_of_scope",
	} {
		if !slices.Contains(intents, want) {
			t.Errorf("the catalog has no examples of %s", want)
		}
	}
	for _, intent := range intents {
		if count[intent] < 40 {
			t.Errorf("intent %s has %d examples, want at least 40", intent, count[intent])
		}
	}
}

// TestHeldOutIsUnseen checks that the held-out examples used to measure the
// model are not among the examples it is trained on, and agree with them
// on nothing: a shared sentence would flatter the measurement.
func TestHeldOutIsUnseen(t *testing.T) {
	catalog, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	held, err := ParseFS(os.DirFS("."), "heldout")
	if err != nil {
		t.Fatal(err)
	}
	if len(held.Examples) == 0 {
		t.Fatal("no held-out examples")
	}
	intents := catalog.Intents()
	if _, err := Check(held, func(s string) bool { return slices.Contains(intents, s) }); err != nil {
		t.Errorf("held-out data: %v", err)
	}
	seen := map[string]Pos{}
	for i, ex := range catalog.Examples {
		seen[strings.ToLower(strings.Join(strings.Fields(ex.Text), " "))] = catalog.Pos[i]
	}
	for i, ex := range held.Examples {
		if p, ok := seen[strings.ToLower(strings.Join(strings.Fields(ex.Text), " "))]; ok {
			t.Errorf("%v: %q is also a training example at %v", held.Pos[i], ex.Text, p)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"intents:\n  - intent: a\n    examples: [\"[x](y)\", z]\n",
		"intents:\n  - intent: a\n    examples:\n      - &x hi\n      - *x\n",
		"intents: [{intent: a, examples: [~, 1, {a: b}]}]",
		"- a\n",
		"intents:\n\t- x",
		"a: &a [*a]",
		"intents: !!binary aGk=",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set := &Set{}
		err := Parse(set, "f.yml", strings.NewReader(string(data)))
		if len(set.Examples) != len(set.Pos) {
			t.Fatalf("%d examples and %d positions", len(set.Examples), len(set.Pos))
		}
		if err != nil {
			var te *Error
			if errors.As(err, &te) && (te.Pos.File != "f.yml" || te.Pos.Line < 1) {
				t.Fatalf("error at %v", te.Pos)
			}
			return
		}
		for i, ex := range set.Examples {
			if !validIntentName(ex.Intent) || strings.TrimSpace(ex.Text) == "" || set.Pos[i].Line < 1 {
				t.Fatalf("example %+v at %v", ex, set.Pos[i])
			}
			checkSpans(t, ex.Text, ex.Entities)
		}
	})
}

func TestVocabulariesAndPatterns(t *testing.T) {
	src := `intents:
  - intent: deploy
    examples:
      - "deploy [api](app) to [prod](environment:production)"
synonyms:
  environment:
    production: [prod, prd, live]
    staging: [stage]
lookups:
  environment: [qa]
  app: [api, Billing]
regexes:
  ticket: 'JIRA-\d+'
`
	set := &Set{}
	if err := Parse(set, "t.yml", strings.NewReader(src)); err != nil {
		t.Fatal(err)
	}
	got := map[string]nlu.List{}
	for _, l := range set.Lists {
		got[l.Type] = l
	}
	env := got["environment"]
	if !slices.Equal(env.Values, []string{"production", "staging", "qa"}) || !slices.Equal(env.Synonyms["production"], []string{"prod", "prd", "live"}) {
		t.Fatalf("environment list %+v", env)
	}
	if !slices.Equal(got["app"].Values, []string{"api", "billing"}) {
		t.Fatalf("app list %+v", got["app"])
	}
	if len(set.Regexes) != 1 || set.Regexes[0].Type != "ticket" || set.Regexes[0].Pattern != `JIRA-\d+` {
		t.Fatalf("regexes %+v", set.Regexes)
	}
	checked, err := Check(set, nil)
	if err != nil || len(checked.Lists) != 2 || len(checked.Regexes) != 1 {
		t.Fatalf("Check dropped the vocabularies: %+v %v", checked, err)
	}

	for _, tc := range []struct {
		src  string
		line int
		want string
	}{
		{"regexes:\n  ticket: 'JIRA-(\\d+'\n", 2, "missing closing )"},
		{"regexes:\n  anything: '.*'\n", 2, "matches empty text"},
		{"synonyms:\n  environment: [prod]\n", 2, "must map each value"},
		{"synonyms:\n  environment:\n    production: prod\n", 3, "must be a list"},
		{"lookups:\n  Service: [apache]\n", 2, "lower-case"},
		{"lookups:\n  service: [42]\n", 2, "single lines of text"},
	} {
		err := Parse(&Set{}, "t.yml", strings.NewReader(tc.src))
		var pe *Error
		if !errors.As(err, &pe) || pe.Pos.Line != tc.line || !strings.Contains(pe.Msg, tc.want) {
			t.Errorf("%q: got %v, want line %d and %q", tc.src, err, tc.line, tc.want)
		}
	}
}
