package pglog_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/logtest"
	"github.com/parleybot/parley/audit/pglog"
	"github.com/parleybot/parley/internal/pgtest"
)

func open(t *testing.T, table string, opts ...pglog.Option) *pglog.Log {
	t.Helper()
	l, err := pglog.Open(t.Context(), pgtest.DSN(t), append([]pglog.Option{pglog.WithTable(table)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestConformance(t *testing.T) {
	logtest.Test(t,
		func(t *testing.T) audit.Log { return open(t, pgtest.Table(t)) },
		logtest.WithReopen(func(t *testing.T, l audit.Log) audit.Log {
			pl := l.(*pglog.Log)
			if err := pl.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, pl.Table())
		}))
}

func TestSeveralProcesses(t *testing.T) {
	// Logs with pools of their own stand in for processes: the advisory
	// lock makes their appends one chain.
	table := pgtest.Table(t)
	logs := make([]*pglog.Log, 3)
	var wg sync.WaitGroup
	for i := range logs {
		wg.Go(func() {
			l, err := pglog.Open(t.Context(), pgtest.DSN(t), pglog.WithTable(table), pglog.WithMaxConns(2))
			if err != nil {
				t.Errorf("Open #%d: %v", i, err)
				return
			}
			t.Cleanup(func() { _ = l.Close() })
			logs[i] = l
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	const each = 20
	for i, l := range logs {
		for g := range 3 {
			wg.Go(func() {
				for n := range each {
					r := logtest.Sample(n)
					r.User = fmt.Sprintf("p%dg%d", i, g)
					if _, err := l.Append(t.Context(), r); err != nil {
						t.Errorf("Append: %v", err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	logtest.WantIntact(t, logs[0], len(logs)*3*each)
}

func TestTableName(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, name := range []string{"", "Audit", "audit; drop table x", "a-b", strings.Repeat("a", 49)} {
		if l, err := pglog.Open(t.Context(), dsn, pglog.WithTable(name)); err == nil {
			l.Close()
			t.Errorf("Open with table %q succeeded", name)
		}
	}
}

func TestSchema(t *testing.T) {
	table := pgtest.Table(t)
	l := open(t, table)
	logtest.Fill(t, l, 3)
	c := pgtest.Conn(t)
	rows, err := c.Query(t.Context(), `SELECT indexdef FROM pg_indexes WHERE tablename = $1`, table)
	if err != nil {
		t.Fatal(err)
	}
	defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(defs, "\n")
	for _, want := range []string{"(seq)", "(\"time\")", "(lower(user_name))", "(skill)"} {
		if !strings.Contains(all, want) {
			t.Errorf("no index on %s:\n%s", want, all)
		}
	}
	var params string
	var nulls int
	if err := c.QueryRow(t.Context(), `SELECT params::text FROM `+table+` WHERE seq = 2`).Scan(&params); err != nil {
		t.Fatal(err)
	}
	if params != `{"host": "web-1", "service": "nginx"}` {
		t.Errorf("params = %s", params)
	}
	if err := c.QueryRow(t.Context(), `SELECT count(*) FROM `+table+` WHERE channel IS NULL OR result IS NULL`).Scan(&nulls); err != nil || nulls != 0 {
		t.Errorf("NULL text columns: %d, %v", nulls, err)
	}
}

func exec(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, c *pgx.Conn, l *pglog.Log, table string)
		seq    int64
		reason audit.Reason
		detail string
	}{
		{"edit a field", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `UPDATE `+table+` SET user_name = 'mallory' WHERE seq = 5`)
		}, 5, audit.Edited, "record 5 was edited after it was written"},
		{"edit a parameter", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `UPDATE `+table+` SET params = jsonb_set(params, '{app}', '"checkout-v2"') WHERE seq = 5`)
		}, 5, audit.Edited, "contents no longer match its hash"},
		{"edit the time", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `UPDATE `+table+` SET time = time - interval '1 hour' WHERE seq = 5`)
		}, 5, audit.Edited, "record 5 was edited"},
		{"edit and rehash", func(t *testing.T, c *pgx.Conn, l *pglog.Log, table string) {
			recs, err := l.Query(t.Context(), audit.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			r := recs[4]
			r.Result = "nothing to see"
			exec(t, c, `UPDATE `+table+` SET result = $1, hash = $2 WHERE seq = 5`, r.Result, r.ComputeHash())
		}, 6, audit.Unlinked, "record 6 does not follow record 5"},
		{"delete a record", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `DELETE FROM `+table+` WHERE seq = 5`)
		}, 5, audit.Missing, "record 5 is missing: record 4 is followed by record 6"},
		{"swap two records", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `UPDATE `+table+` SET seq = -1 WHERE seq = 5`)
			exec(t, c, `UPDATE `+table+` SET seq = 5 WHERE seq = 6`)
			exec(t, c, `UPDATE `+table+` SET seq = 6 WHERE seq = -1`)
		}, 5, audit.Reordered, "record 5 holds what was written as record 6"},
		{"delete the last record", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `DELETE FROM `+table+` WHERE seq = 10`)
		}, 10, audit.Missing, "record 10 is missing: the log wrote 10 records and the last one left is record 9"},
		{"truncate the last record's text", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `UPDATE `+table+` SET message = left(message, 5) WHERE seq = 10`)
		}, 10, audit.Edited, "record 10 was edited"},
		{"delete everything", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `TRUNCATE `+table)
		}, 1, audit.Missing, "records 1 to 10 are missing: the log wrote 10 records and none are left"},
		{"append after deleting the last record", func(t *testing.T, c *pgx.Conn, l *pglog.Log, table string) {
			exec(t, c, `DELETE FROM `+table+` WHERE seq = 10`)
			r, err := l.Append(t.Context(), logtest.Sample(10))
			if err != nil || r.Seq != 11 {
				t.Fatalf("Append after the deletion = seq %d, %v; want 11", r.Seq, err)
			}
		}, 10, audit.Missing, "record 10 is missing: record 9 is followed by record 11"},
		{"add a record by hand", func(t *testing.T, c *pgx.Conn, l *pglog.Log, table string) {
			recs, _ := l.Query(t.Context(), audit.Filter{Limit: 1})
			r, _ := audit.Seal(audit.Record{Kind: audit.Executed, User: "mallory", Time: logtest.Base}, 11, recs[0].Hash, logtest.Base)
			exec(t, c, `INSERT INTO `+table+` (seq, time, kind, user_name, prev, hash) VALUES ($1, $2, $3, $4, $5, $6)`,
				r.Seq, r.Time, string(r.Kind), r.User, r.Prev, r.Hash)
		}, 11, audit.Unlinked, "records after 10 were added outside the log"},
		{"rewrite the last record and its tip", func(t *testing.T, c *pgx.Conn, l *pglog.Log, table string) {
			recs, _ := l.Query(t.Context(), audit.Filter{Limit: 1})
			r := recs[0]
			r.User = "mallory"
			exec(t, c, `UPDATE `+table+` SET user_name = $1, hash = $2 WHERE seq = 10`, r.User, r.ComputeHash())
		}, 10, audit.Edited, "record 10 was replaced"},
		{"lose the tip", func(t *testing.T, c *pgx.Conn, _ *pglog.Log, table string) {
			exec(t, c, `DELETE FROM `+table+`_tip`)
		}, 11, audit.Missing, "is gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := pgtest.Table(t)
			l := open(t, table)
			logtest.Fill(t, l, 10)
			logtest.WantIntact(t, l, 10)
			tt.tamper(t, pgtest.Conn(t), l, table)
			v, err := l.Verify(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if v.OK() || v.Broken.Seq != tt.seq || v.Broken.Reason != tt.reason || !strings.Contains(v.Broken.Detail, tt.detail) {
				t.Fatalf("Verify = %v, want broken at record %d (%s) saying %q", v, tt.seq, tt.reason, tt.detail)
			}
		})
	}
}
