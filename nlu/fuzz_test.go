package nlu

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTokenize: folding keeps rune offsets, and every token's span holds
// its text.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"restart apache on web-1", "Résumé “quoted” — dash", "\xff\xfe", "a\x00b\tc\nd", "can't won't", "$(reboot) `id`", "🙂🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		folded := fold(text)
		if utf8.RuneCountInString(folded) != utf8.RuneCountInString(strings.ToValidUTF8(text, "\uFFFD")) && utf8.ValidString(text) {
			t.Fatalf("fold changed the rune count of %q", text)
		}
		runes := []rune(folded)
		last := 0
		for _, tok := range tokenize(folded) {
			if tok.Start < last || tok.End > len(runes) || tok.Start >= tok.End {
				t.Fatalf("bad span %+v in %q", tok, folded)
			}
			if string(runes[tok.Start:tok.End]) != tok.Text {
				t.Fatalf("span %+v does not hold its text in %q", tok, folded)
			}
			last = tok.End
		}
	})
}

// FuzzModelParse: any text gets an intent, spans inside the text.
func FuzzModelParse(f *testing.F) {
	ex := []Example{
		{Text: "restart apache on web-1", Intent: "restart", Entities: []Entity{{Type: "service", Start: 8, End: 14}, {Type: "host", Start: 18, End: 23}}},
		{Text: "is nginx up", Intent: "status", Entities: []Entity{{Type: "service", Start: 3, End: 8}}},
		{Text: "tell me a joke", Intent: OutOfScope},
	}
	m, err := Train(context.Background(), ex, Options{Seed: 1, Epochs: 3, TaggerEpochs: 2, Regexes: []Regex{{Type: "ticket", Pattern: `JIRA-\d+`}},
		Lists: []List{{Type: "service", Values: []string{"apache", "nginx"}, Synonyms: map[string][]string{"apache": {"httpd"}}}}})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"restart httpd on 10.0.0.1", "JIRA-12 \xff", "", strings.Repeat("a ", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := m.Parse(context.Background(), text)
		if err != nil || r.Intent == "" || r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("%q: %+v %v", text, r, err)
		}
		n := utf8.RuneCountInString(text)
		for _, e := range r.Entities {
			if e.Start < 0 || e.End > n || e.Start >= e.End {
				t.Fatalf("%q: entity span %+v", text, e)
			}
		}
	})
}
