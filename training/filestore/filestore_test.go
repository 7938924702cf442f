package filestore_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/filestore"
	"github.com/parleybot/parley/training/storetest"
)

func open(t *testing.T, dir string) *filestore.Store {
	t.Helper()
	s, err := filestore.Open(dir, nil)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Test(t,
		func(t *testing.T) training.Store { return open(t, t.TempDir()) },
		storetest.WithReopen(func(t *testing.T, s training.Store) training.Store {
			fs := s.(*filestore.Store)
			if err := fs.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, fs.Dir())
		}))
}

func teach(t *testing.T, s *filestore.Store, text, intent string) training.Teaching {
	t.Helper()
	got, err := s.Teach(t.Context(), training.Teaching{Text: text, Intent: intent, By: "alice"})
	if err != nil {
		t.Fatalf("Teach(%q): %v", text, err)
	}
	return got
}

func texts(t *testing.T, s *filestore.Store) string {
	t.Helper()
	ex, err := s.Examples(t.Context())
	if err != nil {
		t.Fatalf("Examples: %v", err)
	}
	var b strings.Builder
	for _, e := range ex {
		b.WriteString(e.Text + "→" + e.Intent + ";")
	}
	return b.String()
}

func appendTo(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "train")
	open(t, dir)
	for path, want := range map[string]os.FileMode{
		dir:                                      0o700 | os.ModeDir,
		filepath.Join(dir, filestore.TaughtFile): 0o600,
		filepath.Join(dir, filestore.QueueFile):  0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
		}
	}
}

// TestEventLines pins the format: one event a line, in the file it
// belongs to, nothing rewritten.
func TestEventLines(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	teach(t, s, "restart apache", "restart")
	teach(t, s, "restart apache", "deploy")
	c, err := s.Propose(t.Context(), training.Candidate{Text: "bounce apache", Intent: "restart", By: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Propose(t.Context(), training.Candidate{Text: "Bounce Apache", Intent: "restart", By: "carol"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(t.Context(), c.ID, training.Decision{Approve: true, By: "dan"}); err != nil {
		t.Fatal(err)
	}
	type line struct {
		Op        string
		Teaching  *training.Teaching
		Candidate *training.Candidate
		ID        string
		Approve   *bool
		By        string
	}
	read := func(name string) []line {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var out []line
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%s: %q: %v", name, sc.Text(), err)
			}
			out = append(out, l)
		}
		return out
	}
	taught := read(filestore.TaughtFile)
	if len(taught) != 3 {
		t.Fatalf("taught.jsonl has %d lines, want 3", len(taught))
	}
	for i, want := range []string{"restart", "deploy", "restart"} {
		if l := taught[i]; l.Op != "taught" || l.Teaching == nil || l.Teaching.Intent != want {
			t.Errorf("taught.jsonl line %d = %+v, want a taught event of %s", i+1, l, want)
		}
	}
	if l := taught[2]; l.Teaching.Source != "review" || l.Teaching.By != "dan" {
		t.Errorf("approval taught %+v, want source review by dan", l.Teaching)
	}
	q := read(filestore.QueueFile)
	if len(q) != 3 {
		t.Fatalf("queue.jsonl has %d lines, want 3", len(q))
	}
	if q[0].Op != "proposed" || q[1].Op != "proposed" || q[1].Candidate.ID != c.ID || q[1].Candidate.By != "carol" || q[1].Candidate.Count != 2 {
		t.Errorf("queue.jsonl proposals = %+v, %+v; want the second under the first's id, by carol, count 2", q[0], q[1])
	}
	if l := q[2]; l.Op != "resolved" || l.ID != c.ID || l.Approve == nil || !*l.Approve || l.By != "dan" {
		t.Errorf("queue.jsonl line 3 = %+v, want an approval of %s by dan", l, c.ID)
	}
}

func TestClock(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := filestore.Open(t.TempDir(), func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := teach(t, s, "x", "y"); !got.At.Equal(at) {
		t.Errorf("Teach stamped %v, want %v", got.At, at)
	}
	c, err := s.Propose(t.Context(), training.Candidate{Text: "z"})
	if err != nil || !c.At.Equal(at) {
		t.Errorf("Propose = %+v, %v; want At %v", c, err, at)
	}
}

// TestTruncatedLastLine stands for a crash in the middle of a write: the
// torn line is ignored, the rest kept, and the next line starts cleanly.
func TestTruncatedLastLine(t *testing.T) {
	for _, name := range []string{filestore.TaughtFile, filestore.QueueFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir)
			teach(t, s, "one", "a")
			teach(t, s, "two", "b")
			if _, err := s.Propose(t.Context(), training.Candidate{Text: "three", By: "bob"}); err != nil {
				t.Fatal(err)
			}
			s.Close()
			appendTo(t, filepath.Join(dir, name), `{"op":"taught","teaching":{"id":"abc","te`)

			s = open(t, dir)
			if got := texts(t, s); got != "one→a;two→b;" {
				t.Fatalf("examples after a torn line = %q", got)
			}
			teach(t, s, "four", "d")
			if _, err := s.Propose(t.Context(), training.Candidate{Text: "five", By: "bob"}); err != nil {
				t.Fatal(err)
			}
			s.Close()

			s = open(t, dir)
			if got := texts(t, s); got != "one→a;two→b;four→d;" {
				t.Fatalf("examples after writing past a torn line = %q", got)
			}
			cs, err := s.Candidates(t.Context())
			if err != nil || len(cs) != 2 {
				t.Fatalf("Candidates = %+v, %v; want three and five", cs, err)
			}
		})
	}
}

// TestLastLineWithoutNewline: a complete event missing only its newline (a
// file edited by hand) is kept, and the next line does not run on from it.
func TestLastLineWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	teach(t, s, "one", "a")
	s.Close()
	appendTo(t, filepath.Join(dir, filestore.TaughtFile), `{"op":"taught","teaching":{"id":"h1","text":"by hand","intent":"b"}}`)
	s = open(t, dir)
	teach(t, s, "two", "c")
	s.Close()
	s = open(t, dir)
	if got := texts(t, s); got != "one→a;by hand→b;two→c;" {
		t.Fatalf("examples = %q", got)
	}
}

func TestGarbageInTheMiddle(t *testing.T) {
	tests := []struct {
		name, file, content, line string
	}{
		{"not JSON", filestore.TaughtFile,
			`{"op":"taught","teaching":{"id":"1","text":"one","intent":"a"}}` + "\n" +
				"\n" +
				`{"op":"taught","teaching":{"id":"2","te` + "\n" +
				`{"op":"taught","teaching":{"id":"3","text":"three","intent":"c"}}` + "\n",
			filestore.TaughtFile + ":3:"},
		{"wrong file", filestore.TaughtFile,
			`{"op":"proposed","candidate":{"id":"1","text":"one"}}` + "\n",
			filestore.TaughtFile + ":1:"},
		{"unknown op", filestore.QueueFile,
			`{"op":"proposed","candidate":{"id":"1","text":"one"}}` + "\n" +
				`{"op":"forgotten","id":"1"}` + "\n" +
				`{"op":"resolved","id":"1","approve":false}` + "\n",
			filestore.QueueFile + ":2:"},
		{"incomplete event", filestore.QueueFile,
			`{"op":"resolved","id":"1"}` + "\n" +
				`{"op":"proposed","candidate":{"id":"1","text":"one"}}` + "\n",
			filestore.QueueFile + ":1:"},
		{"teaching without intent", filestore.TaughtFile,
			`{"op":"taught","teaching":{"id":"1","text":"one"}}` + "\n",
			filestore.TaughtFile + ":1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := filestore.Open(dir, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			var terr *training.Error
			if !errors.As(err, &terr) || terr.Pos.File != path {
				t.Errorf("Open: %v (%T), want a *training.Error in %s", err, err, path)
			}
			if !strings.Contains(err.Error(), tt.line) {
				t.Errorf("Open: %v, want it to name %s", err, tt.line)
			}
			// The file is left as it was.
			if data, _ := os.ReadFile(path); string(data) != tt.content {
				t.Errorf("Open changed a bad file to %q", data)
			}
		})
	}
}

// TestAnotherWriter has a second Store on the same directory, as a second
// process would: each sees what the other appended, and Changes fires for
// it.
func TestAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, dir), open(t, dir)
	ch := b.Changes(t.Context())
	teach(t, a, "restart apache", "restart")
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no change noticed from another writer within 5s")
	}
	if got := texts(t, b); got != "restart apache→restart;" {
		t.Fatalf("examples seen by the other store = %q", got)
	}

	c, err := a.Propose(t.Context(), training.Candidate{Text: "bounce apache", Intent: "restart"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := b.Propose(t.Context(), training.Candidate{Text: "Bounce apache", Intent: "restart"})
	if err != nil || c2.ID != c.ID || c2.Count != 2 {
		t.Fatalf("second store's proposal = %+v, %v; want %s counted twice", c2, err, c.ID)
	}
	if _, err := b.Resolve(t.Context(), c.ID, training.Decision{Approve: true, By: "r"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Resolve(t.Context(), c.ID, training.Decision{Approve: true, By: "r"}); !errors.Is(err, training.ErrUnknown) {
		t.Fatalf("Resolve in the first store of what the second resolved: %v, want ErrUnknown", err)
	}
	if got := texts(t, a); got != "restart apache→restart;bounce apache→restart;" {
		t.Fatalf("examples seen by the first store = %q", got)
	}
}

func TestClosed(t *testing.T) {
	s := open(t, t.TempDir())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Examples(t.Context()); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Examples after Close: %v, want os.ErrClosed", err)
	}
	if _, err := s.Teach(t.Context(), training.Teaching{Text: "x", Intent: "y"}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Teach after Close: %v, want os.ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// FuzzOpen: whatever the files hold, Open does not panic, and what it
// accepts reads back the same when opened again.
func FuzzOpen(f *testing.F) {
	f.Add([]byte(`{"op":"taught","teaching":{"id":"1","text":"one","intent":"a"}}`+"\n"),
		[]byte(`{"op":"proposed","candidate":{"id":"1","text":"one"}}`+"\n"+`{"op":"resolved","id":"1","approve":true}`))
	f.Add([]byte("\n\n{"), []byte(`{"op":"proposed","candidate":{"id":"1","text":"one"}}`+"\n"+`{"op":"proposed","candidate":{"id":"1","text":"x"}}`+"\n"))
	f.Fuzz(func(t *testing.T, taught, queue []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, filestore.TaughtFile), taught, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filestore.QueueFile), queue, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := filestore.Open(dir, nil)
		if err != nil {
			return
		}
		ex1, err1 := s.Examples(t.Context())
		cs1, err2 := s.Candidates(t.Context())
		s.Close()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		s, err = filestore.Open(dir, nil)
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		defer s.Close()
		ex2, _ := s.Examples(t.Context())
		cs2, _ := s.Candidates(t.Context())
		if len(ex1) != len(ex2) || len(cs1) != len(cs2) {
			t.Fatalf("reopened: %d examples and %d candidates, were %d and %d", len(ex2), len(cs2), len(ex1), len(cs1))
		}
	})
}
