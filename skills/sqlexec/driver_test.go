package sqlexec

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/internal/pgtest"
	"github.com/parleybot/parley/skills"
)

// driver is one database the shared tests run against. Each test gets its
// own accounts table, seeded with three rows, and reaches it both through a
// Pool (connection "db") and directly, to check what really happened.
type driver struct {
	name  string
	dsn   string
	pool  *Pool
	table string
	// slow is a read that runs far longer than any test's timeout.
	slow string
	// extend adds :days days to the trial of :account.
	extend string
	// exec and rows run SQL directly, bypassing the package.
	exec func(t *testing.T, query string)
	rows func(t *testing.T, query string) []string
}

// seed is the content of every test's table, as state() renders it.
var seed = []string{"1|acme|pro|2030-01-01", "2|globex|trial|2030-01-15", "3|initech|∅|∅"}

// forEachDriver runs test against SQLite and against PostgreSQL; the
// PostgreSQL run is skipped, loudly, when the server is unreachable.
func forEachDriver(t *testing.T, test func(t *testing.T, d *driver)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		test(t, newSQLiteDriver(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, newPostgresDriver(t))
	})
}

func newSQLiteDriver(t *testing.T) *driver {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d := &driver{
		name:   "sqlite",
		dsn:    path,
		table:  "accounts",
		slow:   "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
		extend: "UPDATE accounts SET trial_ends = date(trial_ends, '+' || :days || ' days') WHERE name = :account",
		exec: func(t *testing.T, query string) {
			t.Helper()
			if _, err := db.Exec(query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		rows: func(t *testing.T, query string) []string {
			t.Helper()
			return collect(t, query, func() (*sql.Rows, error) { return db.Query(query) })
		},
	}
	d.exec(t, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, plan TEXT, trial_ends TEXT)")
	d.exec(t, "INSERT INTO accounts (name, plan, trial_ends) VALUES ('acme', 'pro', '2030-01-01'), ('globex', 'trial', '2030-01-15'), ('initech', NULL, NULL)")
	d.pool = newPool(t, Conn{Name: "db", Driver: "sqlite", DSN: path})
	return d
}

func newPostgresDriver(t *testing.T) *driver {
	t.Helper()
	dsn := pgtest.DSN(t)
	conn := pgtest.Conn(t)
	table := "accounts_" + strings.ToLower(rand.Text()[:12])
	d := &driver{
		name:   "postgres",
		dsn:    dsn,
		table:  table,
		slow:   "SELECT pg_sleep(10)",
		extend: "UPDATE " + table + " SET trial_ends = trial_ends + make_interval(days => :days) WHERE name = :account",
		exec: func(t *testing.T, query string) {
			t.Helper()
			if _, err := conn.Exec(context.Background(), query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
		rows: func(t *testing.T, query string) []string {
			t.Helper()
			rows, err := conn.Query(context.Background(), query)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, join(vals))
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return out
		},
	}
	d.exec(t, "CREATE TABLE "+table+" (id serial PRIMARY KEY, name text NOT NULL UNIQUE, plan text, trial_ends date)")
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	d.exec(t, "INSERT INTO "+table+" (name, plan, trial_ends) VALUES ('acme', 'pro', '2030-01-01'), ('globex', 'trial', '2030-01-15'), ('initech', NULL, NULL)")
	d.pool = newPool(t, Conn{Name: "db", Driver: "postgres", DSN: dsn, MaxOpen: 2})
	return d
}

func collect(t *testing.T, query string, open func() (*sql.Rows, error)) []string {
	t.Helper()
	rows, err := open()
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, join(vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// join renders a row as "a|b|c", NULL as ∅ and dates as YYYY-MM-DD.
func join(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			parts[i] = "∅"
		case time.Time:
			parts[i] = v.Format(time.DateOnly)
		case []byte:
			parts[i] = string(v)
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|")
}

// state is the whole table, in id order.
func (d *driver) state(t *testing.T) []string {
	t.Helper()
	return d.rows(t, "SELECT id, name, plan, trial_ends FROM "+d.table+" ORDER BY id")
}

// sql replaces the word accounts in a query with the test's table.
func (d *driver) sql(query string) string {
	return strings.ReplaceAll(query, "accounts", d.table)
}

func newPool(t *testing.T, conns ...Conn) *Pool {
	t.Helper()
	p, err := NewPool(conns)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Pool.Close: %v", err)
		}
	})
	return p
}

// Parameter types the tests use.
var (
	textType = skills.MustType(skills.TypeSpec{Name: "text"})
	daysType = skills.MustType(skills.TypeSpec{Name: "int", Min: 1, Max: 90, Days: true})
	nameType = skills.MustType(skills.TypeSpec{Name: "name"})
)

// testSkill declares a skill with parameters of the given types, keyed by
// name.
func testSkill(types map[string]skills.Type) *skills.Skill {
	s := &skills.Skill{Name: "test"}
	for _, n := range slices.Sorted(maps.Keys(types)) {
		s.Params = append(s.Params, skills.Param{Name: n, Type: types[n]})
	}
	return s
}

// runner builds an executor for spec on the driver's pool and runs it.
type runner struct {
	t     *testing.T
	skill *skills.Skill
	exec  *Executor
}

func (d *driver) runner(t *testing.T, spec Spec, types map[string]skills.Type) *runner {
	t.Helper()
	spec.Conn = "db"
	s := testSkill(types)
	var names []string
	for _, p := range s.Params {
		names = append(names, p.Name)
	}
	e, err := New(d.pool, spec, names)
	if err != nil {
		t.Fatalf("New(%q): %v", spec.Query, err)
	}
	return &runner{t: t, skill: s, exec: e}
}

func (r *runner) run(ctx context.Context, raw map[string]string) (skills.Result, error) {
	r.t.Helper()
	args, err := r.skill.Bind(raw, skills.Caller{User: "alice"})
	if err != nil {
		r.t.Fatalf("Bind(%v): %v", raw, err)
	}
	return r.exec.Execute(ctx, skills.Call{Skill: r.skill, Args: args, Caller: skills.Caller{User: "alice"}, Time: time.Now()})
}

// text runs the executor and returns its text, failing on any error.
func (r *runner) text(raw map[string]string) string {
	r.t.Helper()
	res, err := r.run(context.Background(), raw)
	if err != nil {
		r.t.Fatalf("Execute(%v): %v", raw, err)
	}
	return res.Text
}

// userError returns the message of a *skills.UserError, failing otherwise.
func userError(t *testing.T, err error) string {
	t.Helper()
	var ue *skills.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want a *skills.UserError", err, err)
	}
	return ue.Msg
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
