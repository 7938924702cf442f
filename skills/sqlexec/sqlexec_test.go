package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

func TestHostileValuesAreOnlyValues(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		hostile := []string{
			"'; DROP TABLE " + d.table + "; --",
			"a' OR '1'='1",
			`Robert"); DELETE FROM ` + d.table + `; --`,
			`\'; SELECT pg_sleep(5); --`,
			"$1 :name ?1 ::text %s %%",
			"日本語 ünïcödé ✓ 🚀 \u200d",
		}
		text := map[string]skills.Type{"name": textType}
		insert := d.runner(t, Spec{Query: d.sql("INSERT INTO accounts (name, plan) VALUES (:name, 'trial')"), Write: true}, text)
		lookup := d.runner(t, Spec{Query: d.sql("SELECT name, plan FROM accounts WHERE name = :name")}, text)
		upgrade := d.runner(t, Spec{Query: d.sql("UPDATE accounts SET plan = 'pro' WHERE name = :name"), Write: true}, text)

		want := append([]string(nil), seed...)
		for i, v := range hostile {
			if got := insert.text(map[string]string{"name": v}); got != "1 row(s) changed" {
				t.Errorf("insert %q = %q", v, got)
			}
			want = append(want, fmt.Sprintf("%d|%s|trial|∅", len(seed)+i+1, strings.TrimSpace(v)))
		}
		for _, v := range hostile {
			got := lookup.text(map[string]string{"name": v})
			lines := strings.Split(got, "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[2], strings.TrimSpace(v)+" ") {
				t.Errorf("lookup %q found:\n%s\nwant exactly its own row", v, got)
			}
		}
		for _, v := range []string{"x' OR '1'='1", "' OR 1=1 --", "acme' --"} {
			if got := lookup.text(map[string]string{"name": v}); got != "no rows" {
				t.Errorf("lookup %q = %q, want no rows", v, got)
			}
		}
		if got := upgrade.text(map[string]string{"name": "a' OR '1'='1"}); got != "1 row(s) changed" {
			t.Errorf("upgrade = %q, want one row changed", got)
		}
		want[len(seed)+1] = strings.Replace(want[len(seed)+1], "|trial|", "|pro|", 1)
		_, err := upgrade.run(context.Background(), map[string]string{"name": "nobody' OR 'x'='x"})
		if msg := userError(t, err); msg != "nothing matched" {
			t.Errorf("upgrade of no row: %q, want nothing matched", msg)
		}
		equal(t, "table after hostile values", d.state(t), want)
	})
}

func TestReadSkillsCannotWrite(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		for _, q := range []string{
			"UPDATE accounts SET plan = 'hacked'",
			"DELETE FROM accounts",
			"INSERT INTO accounts (name) VALUES ('intruder')",
			"DROP TABLE accounts",
			"CREATE TABLE accounts_copy (id int)",
		} {
			t.Run(q, func(t *testing.T) {
				r := d.runner(t, Spec{Query: d.sql(q)}, nil)
				res, err := r.run(context.Background(), nil)
				if msg := userError(t, err); msg != "this skill may only read" {
					t.Errorf("Execute = %q, %q; want this skill may only read", res.Text, msg)
				}
			})
		}
		equal(t, "table after attempted writes", d.state(t), seed)
		// The connection still serves reads afterwards.
		r := d.runner(t, Spec{Query: d.sql("SELECT count(*) AS n FROM accounts")}, nil)
		if got := r.text(nil); got != "n\n-\n3" {
			t.Errorf("count after attempted writes = %q", got)
		}
	})
}

func TestTableRendering(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		r := d.runner(t, Spec{Query: d.sql("SELECT id, name, plan, trial_ends FROM accounts ORDER BY id")}, nil)
		want := "" +
			"id  name     plan   trial_ends\n" +
			"--  -------  -----  ----------\n" +
			"1   acme     pro    2030-01-01\n" +
			"2   globex   trial  2030-01-15\n" +
			"3   initech  ∅      ∅"
		if got := r.text(nil); got != want {
			t.Errorf("table:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestRowLimit(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		tests := []struct {
			limit int
			want  string
		}{
			{1, "name\n----\nacme\n…and more"},
			{2, "name\n------\nacme\nglobex\n…and more"},
			{3, "name\n-------\nacme\nglobex\ninitech"},
			{0, "name\n-------\nacme\nglobex\ninitech"},
		}
		for _, tt := range tests {
			r := d.runner(t, Spec{Query: d.sql("SELECT name FROM accounts ORDER BY id"), RowLimit: tt.limit}, nil)
			if got := r.text(nil); got != tt.want {
				t.Errorf("limit %d:\n%s\nwant:\n%s", tt.limit, got, tt.want)
			}
		}
		// The connection a cut read used is not handed out half-read.
		r := d.runner(t, Spec{Query: "SELECT 1 AS one"}, nil)
		for range 5 {
			if got := r.text(nil); got != "one\n---\n1" {
				t.Fatalf("read after a cut read = %q", got)
			}
		}
	})
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		r := d.runner(t, Spec{Query: d.slow, Timeout: 200 * time.Millisecond}, nil)
		start := time.Now()
		_, err := r.run(context.Background(), nil)
		took := time.Since(start)
		if msg := userError(t, err); msg != "timed out after 200ms" {
			t.Errorf("slow read: %q, want timed out after 200ms", msg)
		}
		if took > 3*time.Second {
			t.Errorf("slow read took %v to time out", took)
		}

		// A caller's earlier deadline wins, and names its own limit.
		r = d.runner(t, Spec{Query: d.slow, Timeout: time.Minute}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err = r.run(ctx, nil)
		if msg := userError(t, err); !strings.HasPrefix(msg, "timed out after ") || strings.HasSuffix(msg, "1m0s") {
			t.Errorf("slow read under a caller's deadline: %q", msg)
		}

		// The pool recovers: the next statement runs.
		ok := d.runner(t, Spec{Query: "SELECT 2 AS two"}, nil)
		if got := ok.text(nil); got != "two\n---\n2" {
			t.Errorf("read after timeouts = %q", got)
		}
	})
}

func TestWrite(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		types := map[string]skills.Type{"account": nameType, "days": daysType}
		r := d.runner(t, Spec{Query: d.extend, Write: true, Result: "Extended {account} by {days} days: {rows} row(s) updated {{ok}}"}, types)
		if got := r.text(map[string]string{"account": "acme", "days": "2 weeks"}); got != "Extended acme by 14 days: 1 row(s) updated {ok}" {
			t.Errorf("extend = %q", got)
		}
		_, err := r.run(context.Background(), map[string]string{"account": "nobody", "days": "3"})
		if msg := userError(t, err); msg != "nothing matched" {
			t.Errorf("extend of an unknown account: %q, want nothing matched", msg)
		}
		want := append([]string(nil), seed...)
		want[0] = "1|acme|pro|2030-01-15"
		equal(t, "table after extending", d.state(t), want)

		def := d.runner(t, Spec{Query: d.sql("UPDATE accounts SET plan = 'pro'"), Write: true}, nil)
		if got := def.text(nil); got != "3 row(s) changed" {
			t.Errorf("default write result = %q", got)
		}
	})
}

func TestAbsentOptionalParameterBindsNull(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		r := d.runner(t, Spec{Query: d.sql("SELECT count(*) AS n FROM accounts WHERE (CAST(:plan AS text) IS NULL OR plan = :plan)")}, map[string]skills.Type{"plan": textType})
		if got := r.text(nil); got != "n\n-\n3" {
			t.Errorf("without plan: %q", got)
		}
		if got := r.text(map[string]string{"plan": "pro"}); got != "n\n-\n1" {
			t.Errorf("with plan: %q", got)
		}
	})
}

func TestCancelledCall(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		r := d.runner(t, Spec{Query: d.slow}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := r.run(ctx, nil)
		var ue *skills.UserError
		if !errors.Is(err, context.Canceled) || errors.As(err, &ue) {
			t.Errorf("cancelled call: %v (%T), want an internal error wrapping context.Canceled", err, err)
		}
	})
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	forEachDriver(t, func(t *testing.T, d *driver) {
		read := d.runner(t, Spec{Query: d.sql("SELECT plan FROM accounts WHERE name = :account")}, map[string]skills.Type{"account": nameType})
		touch := d.runner(t, Spec{Query: d.sql("UPDATE accounts SET plan = plan WHERE name = :account"), Write: true}, map[string]skills.Type{"account": nameType})
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 16 {
			wg.Go(func() {
				for range 4 {
					res, err := read.run(context.Background(), map[string]string{"account": "globex"})
					if err != nil || res.Text != "plan\n-----\ntrial" {
						errs <- fmt.Errorf("read %d: %q, %v", i, res.Text, err)
						return
					}
					if i%4 == 0 {
						if _, err := touch.run(context.Background(), map[string]string{"account": "acme"}); err != nil {
							errs <- fmt.Errorf("write %d: %v", i, err)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		equal(t, "table after concurrent calls", d.state(t), seed)
	})
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	pool := newPool(t, Conn{Name: "db", Driver: "sqlite", DSN: t.TempDir() + "/x.db"})
	params := []string{"account", "days"}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"unknown placeholder", Spec{Conn: "db", Query: "SELECT * FROM t WHERE name = :acount"}, "placeholder :acount is not a parameter of the skill"},
		{"missing connection", Spec{Conn: "billing", Query: "SELECT 1"}, `no connection named "billing"`},
		{"no connection", Spec{Query: "SELECT 1"}, "conn is empty"},
		{"empty query", Spec{Conn: "db"}, "the query is empty"},
		{"two statements", Spec{Conn: "db", Query: "SELECT 1; SELECT 2"}, "more than one statement"},
		{"driver parameters", Spec{Conn: "db", Query: "SELECT ?"}, "write :name instead"},
		{"negative timeout", Spec{Conn: "db", Query: "SELECT 1", Timeout: -time.Second}, "negative timeout"},
		{"negative row limit", Spec{Conn: "db", Query: "SELECT 1", RowLimit: -1}, "row limit -1"},
		{"huge row limit", Spec{Conn: "db", Query: "SELECT 1", RowLimit: MaxRowLimit + 1}, "row limit 1001"},
		{"result on a read", Spec{Conn: "db", Query: "SELECT 1", Result: "{rows}"}, "a result template is for write skills"},
		{"unknown result placeholder", Spec{Conn: "db", Query: "UPDATE t SET a = 1", Write: true, Result: "Did {acount}"}, "placeholder {acount} is neither"},
		{"unbalanced result", Spec{Conn: "db", Query: "UPDATE t SET a = 1", Write: true, Result: "Did {account"}, "unclosed '{'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(pool, tt.spec, params)
			if err == nil {
				t.Fatalf("New(%+v) = %v, want an error saying %q", tt.spec, e, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) error %q, want it to say %q", tt.spec, err, tt.want)
			}
		})
	}
	if _, err := New(pool, Spec{Conn: "db", Query: "UPDATE t SET a = :rows", Write: true, Result: "{rows}"}, []string{"rows"}); err == nil {
		t.Error("New accepted a parameter named rows beside {rows}")
	}
	if _, err := New(nil, Spec{Conn: "db", Query: "SELECT 1"}, nil); err == nil {
		t.Error("New accepted a nil pool")
	}
}
