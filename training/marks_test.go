package training

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
)

// checkSpans fails unless every entity's span lies in text, in order, and
// covers exactly the entity's Text.
func checkSpans(t *testing.T, text string, ents []nlu.Entity) {
	t.Helper()
	rs := []rune(text)
	prev := 0
	for i, e := range ents {
		if e.Start < prev || e.End < e.Start || e.End > len(rs) {
			t.Fatalf("entity %d %+v: span out of order or outside %d runes", i, e, len(rs))
		}
		if got := string(rs[e.Start:e.End]); got != e.Text {
			t.Errorf("entity %d %+v: span covers %q, not its text", i, e, got)
		}
		prev = e.End
	}
}

func TestParseMarked(t *testing.T) {
	ent := func(typ, text, value string, start, end int) nlu.Entity {
		return nlu.Entity{Type: typ, Text: text, Value: value, Start: start, End: end}
	}
	tests := []struct {
		name     string
		in       string
		wantText string
		wantEnts []nlu.Entity
	}{
		{"plain text", "restart apache please", "restart apache please", nil},
		{"empty", "", "", nil},
		{"one mark", "restart [apache](service) now", "restart apache now", []nlu.Entity{ent("service", "apache", "", 8, 14)}},
		{"two marks", "restart [apache](service) on [web-1](host)", "restart apache on web-1",
			[]nlu.Entity{ent("service", "apache", "", 8, 14), ent("host", "web-1", "", 18, 23)}},
		{"adjacent marks", "[a](x)[b](y)", "ab", []nlu.Entity{ent("x", "a", "", 0, 1), ent("y", "b", "", 1, 2)}},
		{"type and value", "restrat [apche](service:apache) now", "restrat apche now", []nlu.Entity{ent("service", "apche", "apache", 8, 13)}},
		{"value with spaces", "open a [sev 1](severity: sev1 ) incident", "open a sev 1 incident", []nlu.Entity{ent("severity", "sev 1", "sev1", 7, 12)}},
		{"value holding a colon", "check [the site](url:https://x.io/a)", "check the site", []nlu.Entity{ent("url", "the site", "https://x.io/a", 6, 14)}},
		{"type padded with spaces", "[nginx]( service )", "nginx", []nlu.Entity{ent("service", "nginx", "", 0, 5)}},
		{"spaces inside the span", "restart [ apache ](service) now", "restart  apache  now", []nlu.Entity{ent("service", "apache", "", 9, 15)}},
		{"several words", "on [db1 prod server](host)", "on db1 prod server", []nlu.Entity{ent("host", "db1 prod server", "", 3, 18)}},
		{"type with dots, dashes and capitals", "[x](a.B-c_1)", "x", []nlu.Entity{ent("a.B-c_1", "x", "", 0, 1)}},
		{"mark at the start", "[nginx](service) is down", "nginx is down", []nlu.Entity{ent("service", "nginx", "", 0, 5)}},
		{"mark at the end", "restart [nginx](service)", "restart nginx", []nlu.Entity{ent("service", "nginx", "", 8, 13)}},
		{"mark is everything", "[nginx](service)", "nginx", []nlu.Entity{ent("service", "nginx", "", 0, 5)}},
		{"brackets that are no mark", "items[0] and [x] done", "items[0] and [x] done", nil},
		{"space before the parenthesis", "see [docs] (link)", "see [docs] (link)", nil},
		{"type with a space", "[a](b c)", "[a](b c)", nil},
		{"type with a slash", "[a](b/c) then [d](e)", "[a](b/c) then d", []nlu.Entity{ent("e", "d", "", 14, 15)}},
		{"unclosed parenthesis", "[apache](service", "[apache](service", nil},
		{"unclosed bracket", "restart [apache", "restart [apache", nil},
		{"bracket before a mark", "[[apache](service)", "[apache", []nlu.Entity{ent("service", "apache", "", 1, 7)}},
		{"closing bracket alone", "a ] b ) c", "a ] b ) c", nil},
		{"unicode before and in marks", "redémarre [café-1](host) ☕ puis [ngïnx](service)", "redémarre café-1 ☕ puis ngïnx",
			[]nlu.Entity{ent("host", "café-1", "", 10, 16), ent("service", "ngïnx", "", 24, 29)}},
		{"emoji before a mark", "🙏🙏 [nginx](service)", "🙏🙏 nginx", []nlu.Entity{ent("service", "nginx", "", 3, 8)}},
		{"combining accent in a span", "[e\u0301cole](place) ok", "e\u0301cole ok", []nlu.Entity{ent("place", "e\u0301cole", "", 0, 6)}},
		{"CJK", "重启[网关](service)服务", "重启网关服务", []nlu.Entity{ent("service", "网关", "", 2, 4)}},
		{"tab before the span text", "restart [\tapache](service)", "restart \tapache", []nlu.Entity{ent("service", "apache", "", 9, 15)}},
		{"no-break space before the span text", "restart [\u00a0apache](service)", "restart \u00a0apache", []nlu.Entity{ent("service", "apache", "", 9, 15)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, ents, err := ParseMarked(tt.in)
			if err != nil {
				t.Fatalf("ParseMarked(%q): %v", tt.in, err)
			}
			if text != tt.wantText {
				t.Errorf("text = %q, want %q", text, tt.wantText)
			}
			if !slices.Equal(ents, tt.wantEnts) {
				t.Errorf("entities = %+v, want %+v", ents, tt.wantEnts)
			}
			checkSpans(t, text, ents)
		})
	}
}

func TestParseMarkedErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty span", "restart [](service)", `mark "[](service)" has an empty span`},
		{"blank span", "restart [   ](service) now", `mark "[   ](service)" has an empty span`},
		{"missing type", "restart [apache]()", `mark "[apache]()" has no entity type`},
		{"blank type", "restart [apache](  )", "has no entity type"},
		{"value without type", "restart [apche](:apache)", `mark "[apche](:apache)" has no entity type`},
		{"second mark broken", "[a](x) and [b]()", `mark "[b]()" has no entity type`},
		{"invalid UTF-8", "restart \xff[apache](service)", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, ents, err := ParseMarked(tt.in)
			if err == nil {
				t.Fatalf("ParseMarked(%q) = %q, %+v; want an error", tt.in, text, ents)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if text != "" || ents != nil {
				t.Errorf("ParseMarked returned %q, %+v with its error", text, ents)
			}
		})
	}
}

func FuzzParseMarked(f *testing.F) {
	for _, s := range []string{
		"restart [apache](service) on [web-1](host)",
		"[apche](service:apache)",
		"[ a ](x) [](y) [b]()",
		"[[a](b)](c)",
		"redémarre [café](host) ☕",
		"[\ta](x)",
		"a]b[c(d)e",
		"[x](a:b:c)",
		"\xff[x](y)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		text, ents, err := ParseMarked(in)
		if err != nil {
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("ParseMarked(%q) text %q is not UTF-8", in, text)
		}
		if len(text) > len(in) {
			t.Fatalf("ParseMarked(%q) text %q is longer than the input", in, text)
		}
		if !strings.Contains(in, "[") && (text != in || len(ents) != 0) {
			t.Fatalf("ParseMarked(%q) = %q, %+v; want text without brackets unchanged", in, text, ents)
		}
		rs := []rune(text)
		prev := 0
		for i, e := range ents {
			if e.Start < prev || e.End <= e.Start || e.End > len(rs) {
				t.Fatalf("ParseMarked(%q) = %q: entity %d %+v out of order or outside the text", in, text, i, e)
			}
			if got := string(rs[e.Start:e.End]); got != e.Text {
				t.Fatalf("ParseMarked(%q) = %q: entity %d %+v covers %q", in, text, i, e, got)
			}
			if e.Type == "" || strings.TrimSpace(e.Text) != e.Text {
				t.Fatalf("ParseMarked(%q): entity %d %+v has no type or untrimmed text", in, i, e)
			}
			prev = e.End
		}
	})
}
