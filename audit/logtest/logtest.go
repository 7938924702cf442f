package logtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/audit"
)

// Option configures Test.
type Option func(*config)

type config struct {
	reopen func(t *testing.T, l audit.Log) audit.Log
}

// WithReopen gives Test a way to open a log again on the same data (the
// same file, the same table through new connections), so that it checks
// that the chain goes on where it stopped. reopen may close l.
func WithReopen(reopen func(t *testing.T, l audit.Log) audit.Log) Option {
	return func(c *config) { c.reopen = reopen }
}

// Test runs the audit.Log conformance tests, each as a subtest of t on a
// log made by newLog for that subtest, which must start out empty.
func Test(t *testing.T, newLog func(t *testing.T) audit.Log, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, l audit.Log)
	}{
		{"Empty", testEmpty},
		{"AppendFillsChain", testAppendFillsChain},
		{"AppendIgnoresGivenChain", testAppendIgnoresGivenChain},
		{"AppendStampsTime", testAppendStampsTime},
		{"AppendCleansText", testAppendCleansText},
		{"AppendRejectsBadKind", testAppendRejectsBadKind},
		{"ConcurrentAppends", testConcurrentAppends},
		{"ReadWhileAppending", testReadWhileAppending},
		{"QueryFilters", testQueryFilters},
		{"Export", testExport},
		{"CopiesOut", testCopiesOut},
		{"CanceledContext", testCanceledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newLog(t))
		})
	}
	t.Run("Reopen", func(t *testing.T) {
		if cfg.reopen == nil {
			t.Skip("no WithReopen option")
		}
		testReopen(t, newLog(t), cfg.reopen)
	})
}

// Base is the time of the first record Fill appends.
var Base = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Sample returns the i-th record Fill appends (from 0): one minute after
// the one before, by alice, bob or carol in turn, deploying, restarting or
// being refused.
func Sample(i int) audit.Record {
	users := []string{"alice", "bob", "carol"}
	r := audit.Record{
		Time:     Base.Add(time.Duration(i) * time.Minute),
		Kind:     audit.Executed,
		User:     users[i%len(users)],
		Channel:  "#ops",
		Via:      "chat",
		Duration: time.Duration(i+1) * 100 * time.Millisecond,
	}
	switch i % 4 {
	case 0:
		r.Skill = "deploy"
		r.Params = map[string]string{"app": "checkout", "environment": "production", "version": fmt.Sprintf("1.%d.0", i)}
		r.Result = "done"
		r.Message = fmt.Sprintf("deploy checkout 1.%d.0 to production", i)
	case 1:
		r.Skill = "restart_service"
		r.Params = map[string]string{"service": "nginx", "host": "web-1"}
		r.Result = "restarted"
		r.Message = "restart nginx on web-1"
	case 2:
		r.Kind = audit.Refused
		r.Skill = "deploy"
		r.Params = map[string]string{"app": "billing", "environment": "production"}
		r.Error = "needs the deployer role"
		r.Duration = 0
		r.Message = "deploy billing to production"
	case 3:
		r.Kind = audit.Failed
		r.Channel = "#dev"
		r.Skill = "restart_service"
		r.Params = map[string]string{"service": "redis", "host": "db-1"}
		r.Error = "exit status 1"
		r.Message = "restart redis on db-1"
	}
	return r
}

// Fill appends Sample(0) to Sample(n-1) and returns them as stored.
func Fill(t testing.TB, l audit.Log, n int) []audit.Record {
	t.Helper()
	out := make([]audit.Record, n)
	for i := range n {
		r, err := l.Append(t.Context(), Sample(i))
		if err != nil {
			t.Fatalf("Append #%d: %v", i+1, err)
		}
		out[i] = r
	}
	return out
}

// WantIntact fails t unless l verifies with n records.
func WantIntact(t testing.TB, l audit.Log, n int) audit.Verification {
	t.Helper()
	v, err := l.Verify(t.Context())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !v.OK() || v.Records != n || v.LastSeq != int64(n) {
		t.Fatalf("Verify = %s (records %d, last %d), want %d records intact", v, v.Records, v.LastSeq, n)
	}
	return v
}

// WantBroken fails t unless Verify reports the chain broken at record seq
// for reason.
func WantBroken(t testing.TB, l audit.Log, seq int64, reason audit.Reason) audit.Verification {
	t.Helper()
	v, err := l.Verify(t.Context())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if v.OK() {
		t.Fatalf("Verify = %s, want broken at record %d (%s)", v, seq, reason)
	}
	if v.Broken.Seq != seq || v.Broken.Reason != reason {
		t.Fatalf("Verify = %s [%s], want broken at record %d (%s)", v, v.Broken.Reason, seq, reason)
	}
	if !strings.Contains(v.Broken.Detail, fmt.Sprint(seq)) {
		t.Errorf("detail %q does not name record %d", v.Broken.Detail, seq)
	}
	return v
}

func query(t *testing.T, l audit.Log, f audit.Filter) []audit.Record {
	t.Helper()
	recs, err := l.Query(t.Context(), f)
	if err != nil {
		t.Fatalf("Query(%+v): %v", f, err)
	}
	return recs
}

func testEmpty(t *testing.T, l audit.Log) {
	if recs := query(t, l, audit.Filter{}); len(recs) != 0 {
		t.Errorf("Query on an empty log = %d records", len(recs))
	}
	WantIntact(t, l, 0)
	var b bytes.Buffer
	if err := l.Export(t.Context(), &b, audit.Filter{}); err != nil || b.Len() != 0 {
		t.Errorf("Export = %q, %v; want nothing", b.String(), err)
	}
}

func testAppendFillsChain(t *testing.T, l audit.Log) {
	got := Fill(t, l, 3)
	prev := ""
	for i, r := range got {
		want := Sample(i)
		if r.Seq != int64(i+1) {
			t.Errorf("record %d: Seq = %d", i+1, r.Seq)
		}
		if r.Prev != prev {
			t.Errorf("record %d: Prev = %q, want %q", i+1, r.Prev, prev)
		}
		if len(r.Hash) != 64 || r.Hash != r.ComputeHash() {
			t.Errorf("record %d: Hash = %q, want %q", i+1, r.Hash, r.ComputeHash())
		}
		if !r.Time.Equal(want.Time) || r.Time.Location() != time.UTC {
			t.Errorf("record %d: Time = %v, want %v in UTC", i+1, r.Time, want.Time)
		}
		want.Seq, want.Prev, want.Hash = r.Seq, r.Prev, r.Hash
		if !reflect.DeepEqual(r, want) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i+1, r, want)
		}
		prev = r.Hash
	}
	stored := query(t, l, audit.Filter{})
	if !reflect.DeepEqual(stored, got) {
		t.Errorf("Query:\n got %+v\nwant %+v", stored, got)
	}
	WantIntact(t, l, 3)
}

func testAppendIgnoresGivenChain(t *testing.T, l audit.Log) {
	r := Sample(0)
	r.Seq, r.Prev, r.Hash = 42, "feed", "beef"
	got, err := l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 1 || got.Prev != "" || got.Hash != got.ComputeHash() {
		t.Errorf("Append = seq %d prev %q hash %q; want 1, \"\", its own hash", got.Seq, got.Prev, got.Hash)
	}
	WantIntact(t, l, 1)
}

func testAppendStampsTime(t *testing.T, l audit.Log) {
	r := Sample(0)
	r.Time = time.Time{}
	before := time.Now().Add(-time.Second)
	got, err := l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(time.Second)
	if got.Time.Before(before) || got.Time.After(after) || got.Time.Location() != time.UTC || got.Time.Nanosecond()%1000 != 0 {
		t.Errorf("Time = %v, want now in UTC to the microsecond", got.Time)
	}
	// A time with nanoseconds in another zone is kept to the microsecond.
	r.Time = time.Date(2026, 3, 2, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	got, err = l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 2, 11, 0, 0, 123456000, time.UTC); got.Time != want {
		t.Errorf("Time = %v, want %v", got.Time, want)
	}
	stored := query(t, l, audit.Filter{})
	if len(stored) != 2 || stored[1].Time != got.Time {
		t.Errorf("stored time = %v, want %v", stored, got.Time)
	}
}

func testAppendCleansText(t *testing.T, l audit.Log) {
	r := Sample(0)
	r.Result = strings.Repeat("é", audit.MaxText+10)
	r.Message = "bad \xff byte and a \x00 NUL"
	r.Params = map[string]string{"note": "tab\tquote\"newline\n<html>&", "empty": "", "ünï": "∂"}
	got, err := l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(got.Result)); n != audit.MaxText || !strings.HasSuffix(got.Result, "…") {
		t.Errorf("Result has %d characters, want %d ending in …", n, audit.MaxText)
	}
	if got.Message != "bad \uFFFD byte and a \uFFFD NUL" {
		t.Errorf("Message = %q", got.Message)
	}
	stored := query(t, l, audit.Filter{})
	if len(stored) != 1 || !reflect.DeepEqual(stored[0], got) {
		t.Errorf("stored:\n got %+v\nwant %+v", stored, got)
	}
	WantIntact(t, l, 1)
}

func testAppendRejectsBadKind(t *testing.T, l audit.Log) {
	for _, k := range []audit.Kind{"", "deleted"} {
		r := Sample(0)
		r.Kind = k
		if _, err := l.Append(t.Context(), r); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("Append with kind %q: %v, want ErrInvalid", k, err)
		}
	}
	// Nothing was written, and the next record is still number 1.
	got, err := l.Append(t.Context(), Sample(0))
	if err != nil || got.Seq != 1 {
		t.Fatalf("Append after refusals = seq %d, %v", got.Seq, err)
	}
}

func testConcurrentAppends(t *testing.T, l audit.Log) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r := Sample(i)
				r.User = fmt.Sprintf("worker%d", w)
				r.Time = time.Time{}
				if _, err := l.Append(t.Context(), r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	recs := query(t, l, audit.Filter{})
	if len(recs) != workers*each {
		t.Fatalf("%d records, want %d", len(recs), workers*each)
	}
	perWorker := map[string]int{}
	prev := ""
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.Prev != prev || r.Hash != r.ComputeHash() {
			t.Fatalf("record %d: seq %d, prev %.8s (want %.8s)", i+1, r.Seq, r.Prev, prev)
		}
		if i > 0 && r.Time.Before(recs[i-1].Time) {
			t.Errorf("record %d is older than record %d", i+1, i)
		}
		prev = r.Hash
		perWorker[r.User]++
	}
	for w := range workers {
		if n := perWorker[fmt.Sprintf("worker%d", w)]; n != each {
			t.Errorf("worker%d has %d records, want %d", w, n, each)
		}
	}
	WantIntact(t, l, workers*each)
}

func testReadWhileAppending(t *testing.T, l audit.Log) {
	const writers, each = 4, 15
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := l.Append(t.Context(), Sample(i)); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				// Whatever a reader sees is a whole chain from record 1.
				recs, err := l.Query(t.Context(), audit.Filter{})
				if err != nil {
					t.Errorf("Query: %v", err)
					return
				}
				for i, r := range recs {
					if r.Seq != int64(i+1) {
						t.Errorf("Query while appending: record %d has seq %d", i+1, r.Seq)
						return
					}
				}
				v, err := l.Verify(t.Context())
				if err != nil || !v.OK() {
					t.Errorf("Verify while appending: %v, %v", v, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	WantIntact(t, l, writers*each)
}

func seqs(recs []audit.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

func testQueryFilters(t *testing.T, l audit.Log) {
	all := Fill(t, l, 12) // 10:00 … 10:11
	at := func(min int) time.Time { return Base.Add(time.Duration(min) * time.Minute) }
	match := func(f audit.Filter) []int64 {
		var out []int64
		for _, r := range all {
			if f.Match(r) {
				out = append(out, r.Seq)
			}
		}
		return out
	}
	tests := []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"all", audit.Filter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"since", audit.Filter{Since: at(9)}, []int64{10, 11, 12}},
		{"since between microseconds", audit.Filter{Since: at(9).Add(-time.Nanosecond)}, []int64{10, 11, 12}},
		{"until", audit.Filter{Until: at(2)}, []int64{1, 2}},
		{"until between microseconds", audit.Filter{Until: at(2).Add(time.Nanosecond)}, []int64{1, 2, 3}},
		{"since and until", audit.Filter{Since: at(3), Until: at(5)}, []int64{4, 5}},
		{"user", audit.Filter{User: "bob"}, []int64{2, 5, 8, 11}},
		{"user in any case", audit.Filter{User: "BOB"}, []int64{2, 5, 8, 11}},
		{"skill", audit.Filter{Skill: "deploy"}, []int64{1, 3, 5, 7, 9, 11}},
		{"channel", audit.Filter{Channel: "#dev"}, []int64{4, 8, 12}},
		{"kind", audit.Filter{Kinds: []audit.Kind{audit.Refused}}, []int64{3, 7, 11}},
		{"kinds", audit.Filter{Kinds: []audit.Kind{audit.Refused, audit.Failed}}, []int64{3, 4, 7, 8, 11, 12}},
		{"value", audit.Filter{Value: "Nginx"}, []int64{2, 6, 10}},
		{"limit", audit.Filter{Limit: 3}, []int64{10, 11, 12}},
		{"limit above count", audit.Filter{Limit: 50}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"skill and limit", audit.Filter{Skill: "deploy", Limit: 2}, []int64{9, 11}},
		{"user, skill and kind", audit.Filter{User: "alice", Skill: "deploy", Kinds: []audit.Kind{audit.Executed}}, []int64{1}},
		{"user and since", audit.Filter{User: "carol", Since: at(5)}, []int64{6, 9, 12}},
		{"nothing", audit.Filter{User: "mallory"}, nil},
		{"unknown kind", audit.Filter{Kinds: []audit.Kind{audit.Taught}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seqs(query(t, l, tt.f))
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Query = %v, want %v", got, tt.want)
			}
			if tt.f.Limit == 0 {
				if m := match(tt.f); !reflect.DeepEqual(m, tt.want) {
					t.Errorf("Filter.Match selects %v, want %v", m, tt.want)
				}
			}
		})
	}
	recs := query(t, l, audit.Filter{Skill: "restart_service", Limit: 1})
	if len(recs) != 1 || !reflect.DeepEqual(recs[0], all[11]) {
		t.Errorf("newest restart = %+v, want %+v", recs, all[11])
	}
}

func testExport(t *testing.T, l audit.Log) {
	all := Fill(t, l, 10)
	var b bytes.Buffer
	if err := l.Export(t.Context(), &b, audit.Filter{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 10 {
		t.Fatalf("export has %d lines, want 10:\n%s", len(lines), b.String())
	}
	for i, line := range lines {
		r, err := audit.UnmarshalLine([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !reflect.DeepEqual(r, all[i]) {
			t.Errorf("line %d:\n got %+v\nwant %+v", i+1, r, all[i])
		}
	}
	v, err := audit.VerifyJSONL(bytes.NewReader(b.Bytes()))
	if err != nil || !v.OK() || v.Records != 10 {
		t.Errorf("VerifyJSONL(export) = %v, %v", v, err)
	}
	b.Reset()
	if err := l.Export(t.Context(), &b, audit.Filter{User: "bob"}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 3 || strings.Contains(b.String(), `"user":"alice"`) {
		t.Errorf("export for bob:\n%s", b.String())
	}
}

func testCopiesOut(t *testing.T, l audit.Log) {
	r := Sample(0)
	params := r.Params
	got, err := l.Append(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	params["app"] = "changed"
	got.Params["environment"] = "changed"
	recs := query(t, l, audit.Filter{})
	recs[0].Params["version"] = "changed"
	again := query(t, l, audit.Filter{})
	if p := again[0].Params; p["app"] != "checkout" || p["environment"] != "production" || p["version"] != "1.0.0" {
		t.Errorf("stored params changed through a map: %v", p)
	}
	WantIntact(t, l, 1)
}

func testCanceledContext(t *testing.T, l audit.Log) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.Append(ctx, Sample(0)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append: %v, want context.Canceled", err)
	}
	if _, err := l.Query(ctx, audit.Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Query: %v, want context.Canceled", err)
	}
	if _, err := l.Verify(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify: %v, want context.Canceled", err)
	}
	WantIntact(t, l, 0)
}

func testReopen(t *testing.T, l audit.Log, reopen func(*testing.T, audit.Log) audit.Log) {
	first := Fill(t, l, 3)
	l = reopen(t, l)
	r, err := l.Append(t.Context(), Sample(3))
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 4 || r.Prev != first[2].Hash {
		t.Errorf("after reopening, Append = seq %d prev %.8s; want 4, %.8s", r.Seq, r.Prev, first[2].Hash)
	}
	recs := query(t, l, audit.Filter{})
	if !reflect.DeepEqual(recs[:3], first) {
		t.Errorf("records changed by reopening:\n got %+v\nwant %+v", recs[:3], first)
	}
	WantIntact(t, l, 4)
}
