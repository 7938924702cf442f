package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/parleybot/parley/dialog"
)

// TestStore runs the dialog.Store conformance tests, each as a subtest of t
// on a store made by newStore for that subtest. Stores made for different
// subtests may share their backing data, as long as they share no keys with
// other tests.
func TestStore(t *testing.T, newStore func(t *testing.T) dialog.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s dialog.Store)
	}{
		{"LoadMissing", testLoadMissing},
		{"CreateThenLoad", testCreateThenLoad},
		{"EmptyRecord", testEmptyRecord},
		{"Update", testUpdate},
		{"StaleVersion", testStaleVersion},
		{"Delete", testDelete},
		{"RecreateAfterDelete", testRecreateAfterDelete},
		{"KeysIsolated", testKeysIsolated},
		{"CopiesIn", testCopiesIn},
		{"CopiesOut", testCopiesOut},
		{"LargeRecord", testLargeRecord},
		{"BinaryData", testBinaryData},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentSwap", testConcurrentSwap},
		{"ConcurrentCounter", testConcurrentCounter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func load(t *testing.T, s dialog.Store, key string) ([]byte, int64) {
	t.Helper()
	data, v, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load(%q): %v", key, err)
	}
	return data, v
}

func swap(t *testing.T, s dialog.Store, key string, version int64, data []byte) int64 {
	t.Helper()
	v, err := s.Swap(t.Context(), key, version, data)
	if err != nil {
		t.Fatalf("Swap(%q, %d): %v", key, version, err)
	}
	if data != nil && v == 0 {
		t.Fatalf("Swap(%q, %d) wrote a record and returned version 0, which means absent", key, version)
	}
	if data == nil && v != 0 {
		t.Fatalf("Swap(%q, %d, nil) deleted and returned version %d, want 0", key, version, v)
	}
	return v
}

func wantConflict(t *testing.T, s dialog.Store, key string, version int64, data []byte) {
	t.Helper()
	v, err := s.Swap(t.Context(), key, version, data)
	if !errors.Is(err, dialog.ErrConflict) {
		t.Fatalf("Swap(%q, %d) = %d, %v; want ErrConflict", key, version, v, err)
	}
}

func wantRecord(t *testing.T, s dialog.Store, key string, data []byte, version int64) {
	t.Helper()
	got, v := load(t, s, key)
	if got == nil || !bytes.Equal(got, data) || v != version {
		t.Fatalf("Load(%q) = %s, %d; want %s, %d", key, show(got), v, show(data), version)
	}
}

func wantAbsent(t *testing.T, s dialog.Store, key string) {
	t.Helper()
	got, v := load(t, s, key)
	if got != nil || v != 0 {
		t.Fatalf("Load(%q) = %s, %d; want nil, 0", key, show(got), v)
	}
}

// show prints short data in full and long data by its size.
func show(b []byte) string {
	switch {
	case b == nil:
		return "nil"
	case len(b) > 64:
		return fmt.Sprintf("[%d bytes]", len(b))
	}
	return strconv.Quote(string(b))
}

func testLoadMissing(t *testing.T, s dialog.Store) {
	wantAbsent(t, s, "nobody")
}

func testCreateThenLoad(t *testing.T, s dialog.Store) {
	v := swap(t, s, "k", 0, []byte(`{"state":"asking"}`))
	wantRecord(t, s, "k", []byte(`{"state":"asking"}`), v)
}

func testEmptyRecord(t *testing.T, s dialog.Store) {
	// Only nil deletes: an empty slice is a record.
	v := swap(t, s, "k", 0, []byte{})
	wantRecord(t, s, "k", []byte{}, v)
}

func testUpdate(t *testing.T, s dialog.Store) {
	v1 := swap(t, s, "k", 0, []byte("one"))
	v2 := swap(t, s, "k", v1, []byte("two"))
	if v2 == v1 {
		t.Fatalf("update kept version %d", v1)
	}
	wantRecord(t, s, "k", []byte("two"), v2)
}

func testStaleVersion(t *testing.T, s dialog.Store) {
	v1 := swap(t, s, "k", 0, []byte("one"))
	v2 := swap(t, s, "k", v1, []byte("two"))

	wantConflict(t, s, "k", v1, []byte("stale"))
	wantConflict(t, s, "k", v1, nil)
	wantConflict(t, s, "k", 0, []byte("create over existing"))
	wantConflict(t, s, "k", v2+1, []byte("future"))
	wantConflict(t, s, "k", -1, []byte("negative"))
	wantRecord(t, s, "k", []byte("two"), v2)

	wantConflict(t, s, "missing", 1, []byte("update of nothing"))
	wantConflict(t, s, "missing", v2, nil)
	wantAbsent(t, s, "missing")
}

func testDelete(t *testing.T, s dialog.Store) {
	v := swap(t, s, "k", 0, []byte("x"))
	swap(t, s, "k", v, nil)
	wantAbsent(t, s, "k")
	// Deleting what is absent, knowing it is absent, is a no-op.
	swap(t, s, "k", 0, nil)
	wantAbsent(t, s, "k")
}

// testRecreateAfterDelete guards against the ABA problem: a writer that
// still holds a version from before a delete must never match the
// recreated record, however many times it is written.
func testRecreateAfterDelete(t *testing.T, s dialog.Store) {
	seen := map[int64]bool{}
	var v int64
	for round := range 3 {
		for i := range 5 {
			v = swap(t, s, "k", v, fmt.Appendf(nil, "round %d write %d", round, i))
			if seen[v] {
				t.Fatalf("round %d write %d: version %d was used before for this key", round, i, v)
			}
			seen[v] = true
		}
		v = swap(t, s, "k", v, nil)
	}
	v = swap(t, s, "k", 0, []byte("last"))
	for old := range seen {
		wantConflict(t, s, "k", old, []byte("from before the delete"))
	}
	wantRecord(t, s, "k", []byte("last"), v)
}

func testKeysIsolated(t *testing.T, s dialog.Store) {
	keys := []string{"a", "b", "A", "a:b", "a:", ":a", "slack:T1:C2:U3", "ünïcode 🙂", "with space"}
	versions := make([]int64, len(keys))
	for i, k := range keys {
		versions[i] = swap(t, s, k, 0, []byte("value of "+k))
	}
	for i, k := range keys {
		wantRecord(t, s, k, []byte("value of "+k), versions[i])
	}
	swap(t, s, "a", versions[0], nil)
	wantAbsent(t, s, "a")
	for i, k := range keys[1:] {
		wantRecord(t, s, k, []byte("value of "+k), versions[i+1])
	}
}

func testCopiesIn(t *testing.T, s dialog.Store) {
	buf := []byte("original")
	v := swap(t, s, "k", 0, buf)
	copy(buf, "XXXXXXXX")
	wantRecord(t, s, "k", []byte("original"), v)

	buf = append(buf[:0], "second"...)
	v = swap(t, s, "k", v, buf)
	buf[0] = 'X'
	wantRecord(t, s, "k", []byte("second"), v)
}

func testCopiesOut(t *testing.T, s dialog.Store) {
	v := swap(t, s, "k", 0, []byte("original"))
	got, _ := load(t, s, "k")
	copy(got, "XXXXXXXX")
	_ = append(got[:1], "appended"...)
	wantRecord(t, s, "k", []byte("original"), v)
}

func testLargeRecord(t *testing.T, s dialog.Store) {
	r := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	v := swap(t, s, "k", 0, big)
	wantRecord(t, s, "k", big, v)
	bigger := append(bytes.Clone(big), big...)
	v = swap(t, s, "k", v, bigger)
	wantRecord(t, s, "k", bigger, v)
}

func testBinaryData(t *testing.T, s dialog.Store) {
	all := make([]byte, 0, 256*2)
	for i := range 256 {
		all = append(all, byte(i))
	}
	all = append(all, all...)
	for name, data := range map[string][]byte{
		"nul":                 {0},
		"nuls":                {0, 0, 0, 0},
		"every byte":          all,
		"separators":          []byte("1:2:3\r\n\r\n$5\r\n*1\r\n"),
		"invalid utf8":        {0xff, 0xfe, 0xc3, 0x28},
		"looks like a header": []byte("17:"),
	} {
		t.Run(name, func(t *testing.T) {
			key := "bin/" + name
			v := swap(t, s, key, 0, data)
			wantRecord(t, s, key, data, v)
		})
	}
}

func testCanceledContext(t *testing.T, s dialog.Store) {
	v := swap(t, s, "k", 0, []byte("kept"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := s.Load(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := s.Swap(ctx, "k", v, []byte("changed")); !errors.Is(err, context.Canceled) {
		t.Errorf("Swap with a canceled context: %v, want context.Canceled", err)
	}
	wantRecord(t, s, "k", []byte("kept"), v)
}

// testConcurrentSwap lets many writers load the same version and then race
// to swap from it: exactly one may win each round.
func testConcurrentSwap(t *testing.T, s dialog.Store) {
	const writers, rounds = 16, 6
	for round := range rounds {
		var loaded, swapped sync.WaitGroup
		start := make(chan struct{})
		versions := make([]int64, writers)
		results := make([]int64, writers)
		errs := make([]error, writers)
		for w := range writers {
			loaded.Add(1)
			swapped.Add(1)
			go func() {
				defer swapped.Done()
				_, versions[w], errs[w] = s.Load(t.Context(), "hot")
				loaded.Done()
				if errs[w] != nil {
					return
				}
				<-start
				results[w], errs[w] = s.Swap(t.Context(), "hot", versions[w], fmt.Appendf(nil, "round %d writer %d", round, w))
			}()
		}
		loaded.Wait()
		close(start)
		swapped.Wait()

		winner := -1
		for w, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: writers %d and %d both won from version %d", round, winner, w, versions[w])
			case err == nil:
				winner = w
			case !errors.Is(err, dialog.ErrConflict):
				t.Fatalf("round %d writer %d: %v", round, w, err)
			}
			if versions[w] != versions[0] {
				t.Fatalf("round %d: writers loaded versions %d and %d before anyone swapped", round, versions[0], versions[w])
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer won", round)
		}
		wantRecord(t, s, "hot", fmt.Appendf(nil, "round %d writer %d", round, winner), results[winner])
	}
}

// testConcurrentCounter increments a decimal counter record with
// load-and-swap retry loops: no increment may be lost.
func testConcurrentCounter(t *testing.T, s dialog.Store) {
	const workers, increments = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range increments {
				if err := increment(t.Context(), s, "counter"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, _ := load(t, s, "counter")
	if want := strconv.Itoa(workers * increments); string(got) != want {
		t.Fatalf("counter = %s, want %s", show(got), want)
	}
}

func increment(ctx context.Context, s dialog.Store, key string) error {
	for {
		data, v, err := s.Load(ctx, key)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		n := 0
		if data != nil {
			if n, err = strconv.Atoi(string(data)); err != nil {
				return fmt.Errorf("counter record %s: %w", show(data), err)
			}
		}
		_, err = s.Swap(ctx, key, v, strconv.AppendInt(nil, int64(n+1), 10))
		if errors.Is(err, dialog.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("swap: %w", err)
		}
		return nil
	}
}
