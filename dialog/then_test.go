package dialog

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/nlu"
)

func TestSplitRequests(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"restart apache on web-1; deploy checkout to staging", []string{"restart apache on web-1", "deploy checkout to staging"}},
		{"restart apache on web-1 && restart nginx on web-2", []string{"restart apache on web-1", "restart nginx on web-2"}},
		{"check nginx, then check apache", []string{"check nginx", "check apache"}},
		{"check nginx and then check apache.", []string{"check nginx", "check apache"}},
		{"check nginx, and then check apache", []string{"check nginx", "check apache"}},
		{"Check nginx THEN check apache", []string{"Check nginx", "check apache"}},
		{"status of redis\nstatus of kafka;\n", []string{"status of redis", "status of kafka"}},
		{"a; b; c; d", []string{"a", "b", "c", "d"}},
		// Shell syntax glued to a value is not a separator.
		{"restart apache on web-1;reboot", []string{"restart apache on web-1;reboot"}},
		{"restart apache on web-1&&reboot", []string{"restart apache on web-1&&reboot"}},
		// "and" alone joins values.
		{"restart apache on web-1 and web-2", []string{"restart apache on web-1 and web-2"}},
		{"; ;", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitRequests(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("splitRequests(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestCoordinated(t *testing.T) {
	ent := func(text, value string) nlu.Entity {
		i := strings.Index(text, value)
		return nlu.Entity{Start: len([]rune(text[:i])), End: len([]rune(text[:i])) + len([]rune(value))}
	}
	tests := []struct {
		text, a, b string
		want       bool
	}{
		{"restart apache on web-1 and web-2", "web-1", "web-2", true},
		{"restart apache on web-1, web-2", "web-1", "web-2", true},
		{"is nginx up on web-1 or web-2?", "web-1", "web-2", true},
		{"deploy checkout to staging and then prod", "staging", "prod", true},
		{"is checkout healthy in prod", "checkout", "prod", false},
		{"restart apache on web-1 then nginx on web-2", "web-1", "web-2", false},
	}
	for _, tt := range tests {
		if got := coordinated(tt.text, ent(tt.text, tt.a), ent(tt.text, tt.b)); got != tt.want {
			t.Errorf("coordinated(%q, %s, %s) = %v, want %v", tt.text, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAsksWhat(t *testing.T) {
	for text, want := range map[string]bool{
		"what's deployed in staging?":     true,
		"Which version is live":           true,
		"is checkout healthy in prod":     true,
		"hey parley, what is on web-1":    true,
		"can you restart nginx on web-3?": false,
		"do a restart of apache on web-2": false,
		"deploy checkout to qa":           false,
		"":                                false,
	} {
		if got := asksWhat(text); got != want {
			t.Errorf("asksWhat(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestTooMany(t *testing.T) {
	for _, tt := range []struct {
		over []string
		want string
	}{
		{[]string{"a"}, "(I take at most 3 requests from one message; ask again for “a”.)"},
		{[]string{"a", "b", "c", "d", "e"}, "(I take at most 3 requests from one message; ask again for “a”, “b”, “c” and 2 more.)"},
	} {
		if got := tooMany(tt.over); got != tt.want {
			t.Errorf("tooMany(%q) = %q, want %q", tt.over, got, tt.want)
		}
	}
}
