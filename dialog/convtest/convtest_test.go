package convtest

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases, err := Parse("t.yml", strings.NewReader(`
- name: one
  user: jason
  roles: [ops]
  turns:
    - say: "restart apache"
      expect: {intent: restart_service, asks: host}
    - say: "yes"
      user: bob
      after: 6m
      expect: {state: idle, reply: "/^Nothing/"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || len(cases[0].Turns) != 2 || cases[0].Turns[1].User != "bob" || cases[0].Turns[1].After.Minutes() != 6 || cases[0].Line != 2 || cases[0].Turns[1].Line != 8 {
		t.Fatalf("%+v", cases)
	}
	for name, tc := range map[string]struct{ src, want string }{
		"unknown key":  {"- name: x\n  user: a\n  turns:\n    - say: hi\n      expect: {intnet: help}\n", "intnet"},
		"no name":      {"- user: a\n  turns:\n    - say: hi\n", "needs a name"},
		"no turns":     {"- name: x\n  user: a\n", "no turns"},
		"no user":      {"- name: x\n  turns:\n    - say: hi\n", "no user"},
		"bad state":    {"- name: x\n  user: a\n  turns:\n    - say: hi\n      expect: {state: sleeping}\n", "sleeping"},
		"bad regexp":   {"- name: x\n  user: a\n  turns:\n    - say: hi\n      expect: {reply: \"/(/\"}\n", "reply"},
		"not a list":   {"name: x\n", "expected a list"},
		"deep nesting": {strings.Repeat("[", 100000), ""},
		"binary":       {"\x00\xff\xfe", ""},
		"bad time":     {"- name: x\n  user: a\n  now: yesterday\n  turns:\n    - say: hi\n", "RFC 3339"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.yml", strings.NewReader(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("- name: x\n  user: a\n  turns:\n    - say: hi\n      expect: {intent: help}\n")
	f.Add(strings.Repeat("[", 1000))
	f.Add("- name: x\n  user: a\n  turns:\n    - say: hi\n      expect: {reply: \"/a(b/\"}\n")
	f.Fuzz(func(t *testing.T, src string) {
		cases, err := Parse("f.yml", strings.NewReader(src))
		if err != nil {
			return
		}
		for _, c := range cases {
			if c.Name == "" || len(c.Turns) == 0 {
				t.Fatalf("an invalid case was accepted: %+v", c)
			}
		}
	})
}
