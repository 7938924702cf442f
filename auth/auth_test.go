package auth_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleybot/parley/auth"
	"github.com/parleybot/parley/dialog/memstore"
)

// RFC 6238 appendix B (SHA-1), the last six digits of its eight.
func TestRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		if got := auth.CodeAt(secret, time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("code at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestURI(t *testing.T) {
	uri := auth.URI("Parley", "alice smith", []byte("12345678901234567890"))
	for _, want := range []string{"otpauth://totp/Parley:alice%20smith?", "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "issuer=Parley", "digits=6", "period=30"} {
		if !strings.Contains(uri, want) {
			t.Errorf("%s lacks %s", uri, want)
		}
	}
}

type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()) }
func (c *clock) set(t time.Time)     { c.t.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
func newClock(t time.Time) *clock    { c := &clock{}; c.set(t); return c }
func key() []byte                    { return bytes.Repeat([]byte{7}, 32) }
func newService(t *testing.T, st auth.Store, c *clock) *auth.Service {
	t.Helper()
	s, err := auth.New(st, key(), c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2026, 11, 24, 10, 0, 5, 0, time.UTC))
	st := memstore.New(memstore.Options{}).State()
	s := newService(t, st, c)
	if err := s.Verify(ctx, "alice", "deploy", "123456"); !errors.Is(err, auth.ErrNotEnrolled) {
		t.Fatalf("not enrolled: %v", err)
	}
	secret, uri, err := s.Enroll(ctx, "alice")
	if err != nil || !strings.HasPrefix(uri, "otpauth://totp/Parley:alice?") {
		t.Fatal(uri, err)
	}
	if raw, _ := st.Get(ctx, "2fa:secret:alice"); bytes.Contains(raw, secret) {
		t.Fatal("the secret is stored in the clear")
	}
	// The previous step's code is accepted (clock skew), once.
	prev := auth.CodeAt(secret, c.now().Add(-auth.Step))
	if err := s.Verify(ctx, "alice", "deploy", prev); err != nil {
		t.Fatalf("code one step old: %v", err)
	}
	if err := s.Verify(ctx, "alice", "deploy", prev); !errors.Is(err, auth.ErrReused) {
		t.Fatalf("replay: %v", err)
	}
	if err := s.Verify(ctx, "alice", "deploy", auth.CodeAt(secret, c.now().Add(auth.Step))); err != nil {
		t.Fatalf("code one step ahead: %v", err)
	}
	var bad *auth.BadCodeError
	if err := s.Verify(ctx, "alice", "deploy", auth.CodeAt(secret, c.now().Add(-2*auth.Step))); !errors.As(err, &bad) || bad.Left != 4 {
		t.Fatalf("code two steps old: %v", err)
	}
	for i := 0; i < 3; i++ {
		s.Verify(ctx, "alice", "deploy", "000000")
	}
	var locked *auth.LockedError
	if err := s.Verify(ctx, "alice", "deploy", "000001"); !errors.As(err, &locked) || !locked.Until.Equal(c.now().Add(auth.LockFor)) {
		t.Fatalf("fifth wrong code: %v", err)
	}
	if err := s.Verify(ctx, "alice", "deploy", auth.CodeAt(secret, c.now())); !errors.As(err, &locked) {
		t.Fatalf("a right code while locked: %v", err)
	}
	if err := s.Verify(ctx, "alice", "restart", auth.CodeAt(secret, c.now())); err != nil {
		t.Fatalf("the lock is per skill: %v", err)
	}
	c.add(auth.LockFor + time.Second)
	if err := s.Verify(ctx, "alice", "deploy", auth.CodeAt(secret, c.now())); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Another key cannot read the secret.
	other, _ := auth.New(st, bytes.Repeat([]byte{8}, 32), c.now)
	if err := other.Verify(ctx, "alice", "deploy", auth.CodeAt(secret, c.now())); err == nil || errors.Is(err, auth.ErrNotEnrolled) {
		t.Fatalf("another key: %v", err)
	}
}

func TestConcurrentUseOfOneCode(t *testing.T) {
	ctx := context.Background()
	c := newClock(time.Date(2026, 11, 24, 10, 0, 5, 0, time.UTC))
	s := newService(t, memstore.New(memstore.Options{}).State(), c)
	secret, _, _ := s.Enroll(ctx, "bob")
	code := auth.CodeAt(secret, c.now())
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.Verify(ctx, "bob", "deploy", code) == nil {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d uses of one code succeeded", ok.Load())
	}
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{strings.Repeat("ab", 32), true},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},
		{"short", false},
		{strings.Repeat("ab", 16), false},
	} {
		if _, err := auth.ParseKey(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q): %v", tc.in, err)
		}
	}
}

func TestFileStoreSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/2fa.json"
	fs, err := auth.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock(time.Date(2026, 11, 24, 10, 0, 5, 0, time.UTC))
	s := newService(t, fs, c)
	secret, _, _ := s.Enroll(ctx, "carol")
	if err := s.Verify(ctx, "carol", "x", auth.CodeAt(secret, c.now())); err != nil {
		t.Fatal(err)
	}
	again, err := auth.OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s2 := newService(t, again, c)
	if err := s2.Verify(ctx, "carol", "x", auth.CodeAt(secret, c.now())); !errors.Is(err, auth.ErrReused) {
		t.Fatalf("a used code after reopening: %v", err)
	}
	c.add(auth.Step)
	if err := s2.Verify(ctx, "carol", "x", auth.CodeAt(secret, c.now())); err != nil {
		t.Fatalf("enrolment lost on reopen: %v", err)
	}
}

func TestQR(t *testing.T) {
	q, err := auth.QR("otpauth://totp/Parley:alice?secret=ABC")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(q), "\n")
	if len(lines) < 10 || !strings.ContainsAny(q, "▀▄") {
		t.Fatalf("not a QR code:\n%s", q)
	}
}
