package dialog

import (
	"slices"
	"testing"
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
