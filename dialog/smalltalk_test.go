package dialog

import "testing"

func TestSmallTalk(t *testing.T) {
	tests := []struct {
		text string
		want talk
	}{
		{"hi", greeting},
		{"Hello there!", greeting},
		{"hey parley 👋", greeting},
		{"good morning everyone", greeting},
		{"how are you?", greeting},
		{"what’s up", greeting},
		{"👋", greeting},
		{"thanks", thanks},
		{"Thank you so much!", thanks},
		{"ok thanks", thanks},
		{"great, thanks a lot parley", thanks},
		{"hi, thanks", thanks},
		{"🙏", thanks},
		{"ty", thanks},
		{"are you there?", greeting},
		{"hey, how's it going", greeting},
		{"", noTalk},
		{"how many?", noTalk},
		{"how do i deploy", noTalk},
		{"what's up with web-1", noTalk},
		{"?!", noTalk},
		{"🤖", noTalk},
		{"ok", noTalk},
		{"good", noTalk},
		{"no thanks", noTalk},
		{"thanks, restart nginx", noTalk},
		{"hey, who is on call?", noTalk},
		{"hi web-1", noTalk},
		{"thanks " + string(make([]byte, 300)), noTalk},
	}
	for _, tt := range tests {
		if got := smallTalk(tt.text); got != tt.want {
			t.Errorf("smallTalk(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
