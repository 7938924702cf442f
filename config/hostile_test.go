package config

import (
	"strings"
	"testing"
)

// Hostile configuration files fail with an error, never a panic or a
// runaway: deep nesting, alias bombs, binary, huge scalars.
func TestHostileFiles(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	for name, src := range map[string]string{
		"deep flow nesting":  strings.Repeat("[", 100000),
		"deep block nesting": strings.Repeat("- ", 50000) + "x",
		"deep mappings":      strings.Repeat("a:\n ", 20000) + "b",
		"alias bomb":         bomb,
		"binary":             "\x00\x01\x02\xff\xfe",
		"huge scalar":        "bot: {name: " + strings.Repeat("x", 1<<20) + "}",
		"shell in a value":   "bot: {name: \"$(reboot)\"}",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(strings.NewReader(src), "hostile.yaml"); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
