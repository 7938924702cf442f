package sqlexec

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestSQLiteDSNs(t *testing.T) {
	tests := []struct {
		dsn, rw, ro string
	}{
		{
			"/var/lib/parley/app.db",
			"file:/var/lib/parley/app.db?_busy_timeout=5000",
			"file:/var/lib/parley/app.db?_busy_timeout=5000&_query_only=1&mode=ro",
		},
		{
			"data/my app#1.db",
			"file:data/my%20app%231.db?_busy_timeout=5000",
			"file:data/my%20app%231.db?_busy_timeout=5000&_query_only=1&mode=ro",
		},
		{
			"/tmp/x.db?_busy_timeout=100",
			"file:/tmp/x.db?_busy_timeout=100",
			"file:/tmp/x.db?_busy_timeout=100&_query_only=1&mode=ro",
		},
		{
			"file:/tmp/x.db?mode=rwc&_pragma=busy_timeout(50)",
			"file:/tmp/x.db?_pragma=busy_timeout%2850%29&mode=rwc",
			"file:/tmp/x.db?_pragma=busy_timeout%2850%29&_query_only=1&mode=ro",
		},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			rw, ro, err := sqliteDSNs(tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if rw != tt.rw || ro != tt.ro {
				t.Errorf("sqliteDSNs(%q) =\n  %s\n  %s\nwant\n  %s\n  %s", tt.dsn, rw, ro, tt.rw, tt.ro)
			}
		})
	}
	for _, dsn := range []string{":memory:", "file::memory:", "file:x?mode=memory", "file:/x?vfs=memdb", ""} {
		if rw, ro, err := sqliteDSNs(dsn); err == nil {
			t.Errorf("sqliteDSNs(%q) = %q, %q; want an error", dsn, rw, ro)
		}
	}
}

// TestSQLiteReadOnlyHandle checks that the read-only handle does not rely
// on query_only alone: a read skill that turns it off still cannot write.
func TestSQLiteReadOnlyHandle(t *testing.T) {
	t.Parallel()
	d := newSQLiteDriver(t)
	// One connection, so that the write runs where the pragma ran.
	d.pool = newPool(t, Conn{Name: "db", Driver: "sqlite", DSN: d.dsn, MaxOpen: 1})
	off := d.runner(t, Spec{Query: "PRAGMA query_only = 0"}, nil)
	if _, err := off.run(context.Background(), nil); err != nil {
		t.Fatalf("PRAGMA query_only = 0: %v", err)
	}
	write := d.runner(t, Spec{Query: "UPDATE accounts SET plan = 'hacked'"}, nil)
	for range 3 {
		_, err := write.run(context.Background(), nil)
		if msg := userError(t, err); msg != "this skill may only read" {
			t.Errorf("write after PRAGMA query_only = 0: %q", msg)
		}
	}
	equal(t, "table", d.state(t), seed)
}

func TestSQLitePing(t *testing.T) {
	t.Parallel()
	good := newPool(t, Conn{Name: "ok", Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "ok.db")})
	if err := good.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	bad := newPool(t, Conn{Name: "missing", Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")})
	if err := bad.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("Ping of a database that cannot be created: %v", err)
	}
}
