package filelog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
	"github.com/parleybot/parley/audit/logtest"
)

func open(t *testing.T, path string, opts ...filelog.Option) *filelog.Log {
	t.Helper()
	l, err := filelog.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestConformance(t *testing.T) {
	logtest.Test(t,
		func(t *testing.T) audit.Log { return open(t, filepath.Join(t.TempDir(), "audit.jsonl")) },
		logtest.WithReopen(func(t *testing.T, l audit.Log) audit.Log {
			fl := l.(*filelog.Log)
			if err := fl.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, fl.Path())
		}))
}

func TestReadOnlyConformance(t *testing.T) {
	// What a read-only Log sees of a file another Log writes.
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	w := open(t, path)
	r := open(t, path, filelog.ReadOnly())
	logtest.WantIntact(t, r, 0)
	want := logtest.Fill(t, w, 5)
	got, err := r.Query(t.Context(), audit.Filter{Limit: 2})
	if err != nil || len(got) != 2 || got[1].Hash != want[4].Hash {
		t.Fatalf("read-only Query = %v, %v", got, err)
	}
	logtest.WantIntact(t, r, 5)
	if _, err := r.Append(t.Context(), logtest.Sample(0)); !errors.Is(err, filelog.ErrReadOnly) {
		t.Errorf("read-only Append: %v", err)
	}
}

func TestReadOnlyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nothing", "audit.jsonl")
	l := open(t, path, filelog.ReadOnly())
	logtest.WantIntact(t, l, 0)
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only Log created %s", filepath.Dir(path))
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "audit.jsonl")
	logtest.Fill(t, open(t, path), 1)
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
}

func TestFileFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	recs := logtest.Fill(t, open(t, path), 2)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil {
		t.Fatal(err)
	}
	if m["seq"] != 2.0 || m["prev"] != recs[0].Hash || m["hash"] != recs[1].Hash || m["duration_ns"] != 2e8 || m["time"] != "2026-03-02T10:01:00Z" {
		t.Errorf("line 2 = %s", lines[1])
	}
}

func TestReopenAfterLongRecord(t *testing.T) {
	// The last line is longer than Open's read-back chunk.
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := open(t, path)
	logtest.Fill(t, l, 2)
	r := logtest.Sample(2)
	r.Params = map[string]string{}
	for i := range 300 {
		r.Params[strings.Repeat("k", 3)+string(rune('a'+i%26))+strings.Repeat("x", i)] = strings.Repeat("v", 400)
	}
	long, err := l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = open(t, path)
	next, err := l.Append(t.Context(), logtest.Sample(3))
	if err != nil {
		t.Fatal(err)
	}
	if next.Seq != 4 || next.Prev != long.Hash {
		t.Errorf("after a long record: seq %d prev %.8s, want 4 %.8s", next.Seq, next.Prev, long.Hash)
	}
	logtest.WantIntact(t, l, 4)
}

// Two writers on one file, as two processes are, take turns: each
// continues the chain from the last record, whoever wrote it.
func TestWritersShareTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	a := open(t, path)
	b := open(t, path)
	const each = 40
	var wg sync.WaitGroup
	for _, l := range []*filelog.Log{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := l.Append(t.Context(), logtest.Sample(i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	logtest.WantIntact(t, a, 2*each)
	// Each sees the other's records, and appends after them.
	rec, err := b.Append(t.Context(), logtest.Sample(0))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seq != 2*each+1 {
		t.Errorf("next record of b: seq %d, want %d", rec.Seq, 2*each+1)
	}
	got, err := a.Query(t.Context(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*each+1 {
		t.Errorf("a reads %d records, want %d", len(got), 2*each+1)
	}
}

// A second process (this test binary again) appends to the file while this
// one does: the chain stays whole.
func TestProcessesShareTheFile(t *testing.T) {
	if path := os.Getenv("FILELOG_CHILD_PATH"); path != "" {
		l := open(t, path)
		for i := range 30 {
			if _, err := l.Append(t.Context(), logtest.Sample(i)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := open(t, path)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestProcessesShareTheFile$")
	cmd.Env = append(os.Environ(), "FILELOG_CHILD_PATH="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := l.Append(t.Context(), logtest.Sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out.String())
	}
	logtest.WantIntact(t, l, 60)
}

func TestClosed(t *testing.T) {
	l, err := filelog.Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if _, err := l.Append(t.Context(), logtest.Sample(0)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	if _, err := l.Query(t.Context(), audit.Filter{}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Query after Close: %v", err)
	}
}

// lines reads the file as lines without their newlines.
func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func write(t *testing.T, path string, ls []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(ls, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// editField rewrites one JSON field of a line, keeping the others.
func editField(t *testing.T, line, field string, value any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	m[field] = value
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, ls []string)
		seq    int64
		reason audit.Reason
		detail string
	}{
		{"edit a field", func(t *testing.T, path string, ls []string) {
			ls[4] = editField(t, ls[4], "user", "mallory")
			write(t, path, ls)
		}, 5, audit.Edited, "record 5 was edited after it was written"},
		{"edit a parameter", func(t *testing.T, path string, ls []string) {
			ls[4] = strings.Replace(ls[4], `"app":"checkout"`, `"app":"checkout-v2"`, 1)
			write(t, path, ls)
		}, 5, audit.Edited, "contents no longer match its hash"},
		{"edit and rehash", func(t *testing.T, path string, ls []string) {
			r, err := audit.UnmarshalLine([]byte(ls[4]))
			if err != nil {
				t.Fatal(err)
			}
			r.Result = "nothing to see"
			r.Hash = r.ComputeHash()
			b, _ := audit.MarshalLine(r)
			ls[4] = strings.TrimSuffix(string(b), "\n")
			write(t, path, ls)
		}, 6, audit.Unlinked, "record 6 does not follow record 5"},
		{"change a sequence number", func(t *testing.T, path string, ls []string) {
			ls[4] = editField(t, ls[4], "seq", 6)
			write(t, path, ls)
		}, 5, audit.Edited, "its sequence number was changed to 6"},
		{"delete a record", func(t *testing.T, path string, ls []string) {
			write(t, path, append(ls[:4:4], ls[5:]...))
		}, 5, audit.Missing, "record 5 is missing: record 4 is followed by record 6"},
		{"delete three records", func(t *testing.T, path string, ls []string) {
			write(t, path, append(ls[:4:4], ls[7:]...))
		}, 5, audit.Missing, "records 5 to 7 are missing"},
		{"delete the first record", func(t *testing.T, path string, ls []string) {
			write(t, path, ls[1:])
		}, 1, audit.Missing, "record 1 is missing: the log starts at record 2"},
		{"swap two records", func(t *testing.T, path string, ls []string) {
			ls[4], ls[5] = ls[5], ls[4]
			write(t, path, ls)
		}, 5, audit.Reordered, "record 5 is out of order: it comes after record 6"},
		{"swap distant records", func(t *testing.T, path string, ls []string) {
			ls[4], ls[7] = ls[7], ls[4]
			write(t, path, ls)
		}, 5, audit.Reordered, "out of order"},
		{"repeat a record", func(t *testing.T, path string, ls []string) {
			write(t, path, append(ls[:5:5], ls[4:]...))
		}, 6, audit.Reordered, "record 5 appears again after record 5"},
		{"truncate the last record", func(t *testing.T, path string, ls []string) {
			data := strings.Join(ls, "\n") + "\n"
			if err := os.WriteFile(path, []byte(data[:len(data)-40]), 0o600); err != nil {
				t.Fatal(err)
			}
		}, 10, audit.Truncated, "record 10 is incomplete"},
		{"cut only the last newline", func(t *testing.T, path string, ls []string) {
			if err := os.WriteFile(path, []byte(strings.Join(ls, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
		}, 10, audit.Truncated, "line 10 has no newline"},
		{"insert a line that is not a record", func(t *testing.T, path string, ls []string) {
			write(t, path, append(ls[:4:4], append([]string{`{"note":"hello"}`}, ls[4:]...)...))
		}, 5, audit.Unreadable, "line 5, where record 5 belongs, is not an audit record"},
		{"insert a forged record", func(t *testing.T, path string, ls []string) {
			r, _ := audit.UnmarshalLine([]byte(ls[3]))
			forged, _ := audit.Seal(logtest.Sample(0), 5, r.Hash, logtest.Base)
			b, _ := audit.MarshalLine(forged)
			write(t, path, append(ls[:4:4], append([]string{strings.TrimSuffix(string(b), "\n")}, ls[4:]...)...))
		}, 6, audit.Reordered, "record 5 appears again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l := open(t, path)
			logtest.Fill(t, l, 10)
			l.Close()
			tt.tamper(t, path, lines(t, path))
			ro := open(t, path, filelog.ReadOnly())
			v := logtest.WantBroken(t, ro, tt.seq, tt.reason)
			if !strings.Contains(v.Broken.Detail, tt.detail) {
				t.Errorf("detail %q, want it to say %q", v.Broken.Detail, tt.detail)
			}
			// Complete records: lines with their newline that decode.
			data, _ := os.ReadFile(path)
			records := 0
			for _, line := range strings.SplitAfter(string(data), "\n") {
				if _, err := audit.UnmarshalLine([]byte(line)); err == nil && strings.HasSuffix(line, "\n") {
					records++
				}
			}
			if v.Records != records {
				t.Errorf("Records = %d, want all %d in the file: reading stopped at the break", v.Records, records)
			}
		})
	}
}

func TestTornFileIsNotAppendedTo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := open(t, path)
	logtest.Fill(t, l, 3)
	l.Close()
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)-10], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := filelog.Open(path); !errors.Is(err, audit.ErrTorn) || !strings.Contains(err.Error(), "parley audit verify") {
		t.Fatalf("Open of a torn file: %v, want ErrTorn and advice", err)
	}
	// Read-only, the complete records are still there.
	ro := open(t, path, filelog.ReadOnly())
	recs, err := ro.Query(t.Context(), audit.Filter{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("Query of a torn file = %d records, %v", len(recs), err)
	}
}

func TestDeletingTheTailNeedsAnAnchor(t *testing.T) {
	// The one change the chain alone cannot show: whole records cut from
	// the end. An earlier Head tells.
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := open(t, path)
	logtest.Fill(t, l, 10)
	before := logtest.WantIntact(t, l, 10)
	l.Close()
	ls := lines(t, path)
	write(t, path, ls[:9])
	after := logtest.WantIntact(t, open(t, path, filelog.ReadOnly()), 9)
	if after.Head == before.Head {
		t.Error("Head did not change when the last record was deleted")
	}
}

func TestQueryReportsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := open(t, path)
	logtest.Fill(t, l, 3)
	l.Close()
	ls := lines(t, path)
	ls[1] = "garbage"
	write(t, path, ls)
	_, err := open(t, path, filelog.ReadOnly()).Query(t.Context(), audit.Filter{})
	var le *audit.LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("Query of a damaged file: %v, want a LineError for line 2", err)
	}
}

func TestWriteFailureStopsTheLog(t *testing.T) {
	// /dev/full fails every write with ENOSPC, and a device cannot be cut
	// back: the Log must refuse to go on rather than risk a bad line.
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	l, err := filelog.Open("/dev/full")
	if err != nil {
		t.Skipf("opening /dev/full: %v", err)
	}
	defer l.Close()
	if _, err := l.Append(t.Context(), logtest.Sample(0)); err == nil || !strings.Contains(err.Error(), "writing record 1") {
		t.Fatalf("Append to a full disk: %v", err)
	}
	if _, err := l.Append(t.Context(), logtest.Sample(0)); err == nil || !strings.Contains(err.Error(), "refuses more records") {
		t.Fatalf("Append after a write that could not be cut off: %v", err)
	}
}
