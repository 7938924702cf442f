package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/parleybot/parley/skills"
)

// TestState runs the skills.State conformance tests, each as a subtest of t
// on a state made by newState for that subtest.
func TestState(t *testing.T, newState func(t *testing.T) skills.State) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st skills.State)
	}{
		{"GetMissing", testGetMissing},
		{"PutGet", testPutGet},
		{"Copies", testStateCopies},
		{"IncrFromZero", testIncrFromZero},
		{"IncrConcurrent", testIncrConcurrent},
		{"IncrNotANumber", testIncrNotANumber},
		{"AppendList", testAppendList},
		{"ListMissing", testListMissing},
		{"KeysIsolated", testStateKeysIsolated},
		{"CanceledContext", testStateCanceledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newState(t))
		})
	}
}

func get(t *testing.T, st skills.State, key string) []byte {
	t.Helper()
	v, err := st.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v
}

func put(t *testing.T, st skills.State, key string, val []byte) {
	t.Helper()
	if err := st.Put(t.Context(), key, val); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func incr(t *testing.T, st skills.State, key string) int64 {
	t.Helper()
	n, err := st.Incr(t.Context(), key)
	if err != nil {
		t.Fatalf("Incr(%q): %v", key, err)
	}
	return n
}

func appendItem(t *testing.T, st skills.State, key string, val []byte) {
	t.Helper()
	if err := st.Append(t.Context(), key, val); err != nil {
		t.Fatalf("Append(%q): %v", key, err)
	}
}

func list(t *testing.T, st skills.State, key string) [][]byte {
	t.Helper()
	items, err := st.List(t.Context(), key)
	if err != nil {
		t.Fatalf("List(%q): %v", key, err)
	}
	return items
}

func wantValue(t *testing.T, st skills.State, key string, want []byte) {
	t.Helper()
	if got := get(t, st, key); !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %s, want %s", key, show(got), show(want))
	}
}

func wantList(t *testing.T, st skills.State, key string, want ...[]byte) {
	t.Helper()
	got := list(t, st, key)
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("List(%q) = %s, want %s", key, showList(got), showList(want))
	}
}

func showList(items [][]byte) string {
	var b []byte
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, show(it)...)
	}
	return "[" + string(b) + "]"
}

func testGetMissing(t *testing.T, st skills.State) {
	v, err := st.Get(t.Context(), "nothing")
	if !errors.Is(err, skills.ErrNotFound) {
		t.Fatalf("Get of a missing key = %s, %v; want ErrNotFound", show(v), err)
	}
}

func testPutGet(t *testing.T, st skills.State) {
	put(t, st, "k", []byte("one"))
	wantValue(t, st, "k", []byte("one"))
	put(t, st, "k", []byte("two\x00with nul"))
	wantValue(t, st, "k", []byte("two\x00with nul"))
	put(t, st, "empty", []byte{})
	wantValue(t, st, "empty", []byte{})
}

func testStateCopies(t *testing.T, st skills.State) {
	buf := []byte("original")
	put(t, st, "k", buf)
	appendItem(t, st, "l", buf)
	copy(buf, "XXXXXXXX")
	wantValue(t, st, "k", []byte("original"))
	wantList(t, st, "l", []byte("original"))

	got := get(t, st, "k")
	copy(got, "YYYYYYYY")
	items := list(t, st, "l")
	copy(items[0], "ZZZZZZZZ")
	wantValue(t, st, "k", []byte("original"))
	wantList(t, st, "l", []byte("original"))
}

func testIncrFromZero(t *testing.T, st skills.State) {
	for want := int64(1); want <= 3; want++ {
		if got := incr(t, st, "n"); got != want {
			t.Fatalf("Incr #%d = %d, want %d", want, got, want)
		}
	}
	wantValue(t, st, "n", []byte("3"))
	put(t, st, "m", []byte("41"))
	if got := incr(t, st, "m"); got != 42 {
		t.Fatalf("Incr after Put 41 = %d, want 42", got)
	}
}

func testIncrConcurrent(t *testing.T, st skills.State) {
	const workers, increments = 8, 50
	results := make([][]int64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range increments {
				n, err := st.Incr(t.Context(), "n")
				if err != nil {
					errs[w] = err
					return
				}
				results[w] = append(results[w], n)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	all := slices.Sorted(slices.Values(slices.Concat(results...)))
	for i, n := range all {
		if n != int64(i+1) {
			t.Fatalf("Incr results sorted: position %d holds %d; every value 1..%d must come back once", i, n, workers*increments)
		}
	}
	wantValue(t, st, "n", fmt.Appendf(nil, "%d", workers*increments))
}

func testIncrNotANumber(t *testing.T, st skills.State) {
	put(t, st, "k", []byte("not a number"))
	if n, err := st.Incr(t.Context(), "k"); err == nil {
		t.Fatalf("Incr of a non-numeric value = %d, want an error", n)
	}
	wantValue(t, st, "k", []byte("not a number"))
}

func testAppendList(t *testing.T, st skills.State) {
	want := [][]byte{[]byte("first"), []byte("second"), {0, 1, 2}, {}, []byte("first")}
	for _, it := range want {
		appendItem(t, st, "l", it)
	}
	wantList(t, st, "l", want...)
}

func testListMissing(t *testing.T, st skills.State) {
	if got := list(t, st, "nothing"); len(got) != 0 {
		t.Fatalf("List of a missing key = %s, want empty", showList(got))
	}
}

func testStateKeysIsolated(t *testing.T, st skills.State) {
	put(t, st, "a", []byte("A"))
	put(t, st, "a:b", []byte("AB"))
	incr(t, st, "c")
	appendItem(t, st, "d", []byte("D"))
	wantValue(t, st, "a", []byte("A"))
	wantValue(t, st, "a:b", []byte("AB"))
	wantValue(t, st, "c", []byte("1"))
	wantList(t, st, "d", []byte("D"))
	wantList(t, st, "e")
	if _, err := st.Get(t.Context(), "b"); !errors.Is(err, skills.ErrNotFound) {
		t.Fatalf("Get(%q) = %v, want ErrNotFound", "b", err)
	}
}

func testStateCanceledContext(t *testing.T, st skills.State) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	checks := map[string]error{}
	_, checks["Get"] = st.Get(ctx, "k")
	checks["Put"] = st.Put(ctx, "k", []byte("v"))
	_, checks["Incr"] = st.Incr(ctx, "n")
	checks["Append"] = st.Append(ctx, "l", []byte("v"))
	_, checks["List"] = st.List(ctx, "l")
	for op, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v, want context.Canceled", op, err)
		}
	}
	if _, err := st.Get(t.Context(), "k"); !errors.Is(err, skills.ErrNotFound) {
		t.Errorf("Put with a canceled context stored a value (Get: %v)", err)
	}
	wantList(t, st, "l")
}
