package exec

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// tailKeep is how many bytes from the end of an overlong output are kept
// besides its head, so that a failure can still show its last lines.
const tailKeep = 1024

// output collects a command's combined stdout and stderr. It keeps the
// first limit bytes and, once those are full, the last few hundred bytes in
// a small ring; everything else is counted and dropped. Memory stays below
// limit plus tailKeep however much the command writes.
type output struct {
	mu      sync.Mutex
	limit   int
	head    []byte
	tail    []byte // the last bytes written after head filled, at most tailCap
	tailCap int    // capacity of tail
	total   int64
}

func newOutput(limit int) *output {
	return &output{limit: limit, tailCap: min(tailKeep, limit)}
}

// Write keeps what fits and never fails, so the command is never blocked
// or killed by a full buffer.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(p)
	o.total += int64(n)
	if room := o.limit - len(o.head); room > 0 {
		k := min(room, len(p))
		o.growHead(k)
		o.head = append(o.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	if o.tail == nil {
		o.tail = make([]byte, 0, o.tailCap)
	}
	if len(p) >= o.tailCap {
		o.tail = append(o.tail[:0], p[len(p)-o.tailCap:]...)
		return n, nil
	}
	if over := len(o.tail) + len(p) - o.tailCap; over > 0 {
		o.tail = o.tail[:copy(o.tail, o.tail[over:])]
	}
	o.tail = append(o.tail, p...)
	return n, nil
}

// growHead makes room for k more bytes without ever letting the head's
// capacity exceed the limit.
func (o *output) growHead(k int) {
	need := len(o.head) + k
	if need <= cap(o.head) {
		return
	}
	c := min(o.limit, max(2*cap(o.head), need, 512))
	h := make([]byte, len(o.head), c)
	copy(h, o.head)
	o.head = h
}

// dropped is how many bytes were not kept in the head.
func (o *output) dropped() int64 { return o.total - int64(len(o.head)) }

// text is the cleaned, trimmed head of the output followed by a note when
// some of it was dropped; it is empty when the command printed nothing.
func (o *output) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := strings.TrimSpace(clean(o.head))
	if d := o.dropped(); d > 0 {
		note := fmt.Sprintf("…(truncated, %d bytes more)", d)
		if s == "" {
			return note
		}
		return s + "\n" + note
	}
	return s
}

// lastLines returns at most n cleaned lines from the end of the output,
// and never more than tailKeep bytes of them. A leading "…" line says that
// earlier output was left out.
func (o *output) lastLines(n int) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var (
		src []byte
		cut bool
	)
	if d := o.dropped(); d <= int64(len(o.tail)) {
		src = append(append([]byte(nil), o.head...), o.tail...)
	} else {
		src, cut = o.tail, true
	}
	if len(src) > o.tailCap {
		src, cut = src[len(src)-o.tailCap:], true
	}
	s := strings.TrimSpace(clean(src))
	if cut {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = strings.TrimSpace(s[i+1:])
		}
	}
	if lines := strings.Split(s, "\n"); len(lines) > n {
		s, cut = strings.Join(lines[len(lines)-n:], "\n"), true
	}
	if cut && s != "" {
		s = "…\n" + s
	}
	return s
}

// clean makes command output safe to show in chat: invalid UTF-8 and
// control characters other than newline and tab are removed, and so are
// ANSI escape sequences (colours, cursor movement) as a whole.
func clean(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
		case r == 0x1b:
			size = escapeLen(b)
		case r == '\n' || r == '\t':
			sb.WriteRune(r)
		case unicode.IsControl(r):
		default:
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

// escapeLen is the length of the escape sequence at the start of b, which
// begins with ESC: a whole CSI sequence ("\x1b[1;31m"), or the ESC alone.
func escapeLen(b []byte) int {
	if len(b) < 2 || b[1] != '[' {
		return 1
	}
	i := 2
	for i < len(b) && 0x20 <= b[i] && b[i] <= 0x3f {
		i++
	}
	if i < len(b) && 0x40 <= b[i] && b[i] <= 0x7e {
		i++
	}
	return i
}
