package exec

import (
	"bytes"
	"strings"
	"testing"
)

func TestOutputMemoryIsBounded(t *testing.T) {
	const limit = 4096
	o := newOutput(limit)
	chunk := bytes.Repeat([]byte("0123456789abcde\n"), 4097) // odd size, crosses every boundary
	var total int
	for total < 10<<20 {
		n, err := o.Write(chunk)
		if err != nil || n != len(chunk) {
			t.Fatalf("Write = %d, %v", n, err)
		}
		total += n
		if cap(o.head) > limit || cap(o.tail) > tailKeep {
			t.Fatalf("after %d bytes: head cap %d, tail cap %d", total, cap(o.head), cap(o.tail))
		}
	}
	if o.total != int64(total) || len(o.head) != limit || len(o.tail) != tailKeep {
		t.Fatalf("total %d, head %d, tail %d", o.total, len(o.head), len(o.tail))
	}
	last := o.lastLines(3)
	if want := "…\n0123456789abcde\n0123456789abcde\n0123456789abcde"; last != want {
		t.Errorf("lastLines = %q, want %q", last, want)
	}
}

func TestOutputSmallWrites(t *testing.T) {
	o := newOutput(8)
	for _, s := range []string{"one\n", "two\n", "three\n", "four\n"} {
		o.Write([]byte(s))
	}
	if got, want := o.text(), "one\ntwo\n…(truncated, 11 bytes more)"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	// Head and tail together still hold everything after "one\ntwo\n"
	// minus what the small ring dropped.
	if got := o.lastLines(10); !strings.HasSuffix(got, "four") {
		t.Errorf("lastLines = %q, want it to end with the last line", got)
	}
}

func TestOutputLastLines(t *testing.T) {
	o := newOutput(64)
	o.Write([]byte("line1\nline2\nline3\nline4\nline5\n"))
	if got, want := o.lastLines(2), "…\nline4\nline5"; got != want {
		t.Errorf("lastLines(2) = %q, want %q", got, want)
	}
	if got, want := o.lastLines(10), "line1\nline2\nline3\nline4\nline5"; got != want {
		t.Errorf("lastLines(10) = %q, want %q", got, want)
	}
}

func TestOutputTailJoinsHead(t *testing.T) {
	// The last line starts in the head and ends in the tail.
	o := newOutput(16)
	o.Write([]byte("aaaa\nbbbb\ncccc\ndddd\n"))
	if got, want := o.lastLines(10), "…\ncccc\ndddd"; got != want {
		t.Errorf("lastLines = %q, want %q", got, want)
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain\ttext\n", "plain\ttext\n"},
		{"\x1b[1;31mred\x1b[0m", "red"},
		{"bell\a and nul\x00", "bell and nul"},
		{"cr\r\nlf", "cr\nlf"},
		{"bad \xff\xfe utf8", "bad  utf8"},
		{"c1 \u0085 control", "c1  control"},
		{"lone esc \x1b", "lone esc "},
		{"héllo ✓", "héllo ✓"},
	}
	for _, tt := range tests {
		if got := clean([]byte(tt.in)); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
