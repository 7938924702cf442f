package sqlexec

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parleybot/parley/internal/pgtest"
	"github.com/parleybot/parley/skills"
)

// sample is the part of testdata/extend_trial.yaml the test reads.
type sample struct {
	Connections []struct {
		Name    string `yaml:"name"`
		Driver  string `yaml:"driver"`
		DSNEnv  string `yaml:"dsn_env"`
		MaxOpen int    `yaml:"max_open"`
	} `yaml:"connections"`
	Skills []struct {
		Name   string `yaml:"name"`
		Params []struct {
			Name     string `yaml:"name"`
			Type     string `yaml:"type"`
			Unit     string `yaml:"unit"`
			Min      int64  `yaml:"min"`
			Max      int64  `yaml:"max"`
			Required bool   `yaml:"required"`
			Question string `yaml:"question"`
		} `yaml:"params"`
		Executor struct {
			Kind    string        `yaml:"kind"`
			Conn    string        `yaml:"conn"`
			Write   bool          `yaml:"write"`
			Timeout time.Duration `yaml:"timeout"`
			Query   string        `yaml:"query"`
			Result  string        `yaml:"result"`
		} `yaml:"executor"`
	} `yaml:"skills"`
}

// TestExtendTrialSample runs the documented extend_trial skill, as written
// in testdata/extend_trial.yaml, against the real PostgreSQL server, on a
// table of its own instead of accounts.
func TestExtendTrialSample(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/extend_trial.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg sample
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("extend_trial.yaml: %v", err)
	}
	if len(cfg.Connections) != 1 || len(cfg.Skills) != 1 {
		t.Fatalf("extend_trial.yaml: want one connection and one skill, got %+v", cfg)
	}
	c, sk := cfg.Connections[0], cfg.Skills[0]
	if sk.Name != "extend_trial" || sk.Executor.Kind != "sql" || sk.Executor.Conn != c.Name || c.Driver != "postgres" || c.DSNEnv == "" {
		t.Fatalf("extend_trial.yaml does not declare a postgres sql skill on its connection: %+v", cfg)
	}

	d := newPostgresDriver(t)
	pool := newPool(t, Conn{Name: c.Name, Driver: c.Driver, DSN: pgtest.DSN(t), MaxOpen: c.MaxOpen})
	skill := &skills.Skill{Name: sk.Name, Risk: skills.Dangerous}
	var names []string
	for _, p := range sk.Params {
		typ, err := skills.NewType(skills.TypeSpec{Name: p.Type, Min: p.Min, Max: p.Max, Days: p.Unit == "days"})
		if err != nil {
			t.Fatal(err)
		}
		skill.Params = append(skill.Params, skills.Param{Name: p.Name, Type: typ, Required: p.Required, Question: p.Question})
		names = append(names, p.Name)
	}
	if !strings.Contains(sk.Executor.Query, "UPDATE accounts ") {
		t.Fatalf("the sample query no longer updates accounts: %q", sk.Executor.Query)
	}
	spec := Spec{
		Conn:    sk.Executor.Conn,
		Query:   strings.Replace(sk.Executor.Query, "UPDATE accounts ", "UPDATE "+d.table+" ", 1),
		Write:   sk.Executor.Write,
		Timeout: sk.Executor.Timeout,
		Result:  sk.Executor.Result,
	}
	e, err := New(pool, spec, names)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	skill.Executor = e
	if _, err := skills.NewRegistry(skill); err != nil {
		t.Fatalf("the sample skill does not register: %v", err)
	}
	run := func(raw map[string]string) (skills.Result, error) {
		t.Helper()
		args, err := skill.Bind(raw, skills.Caller{User: "alice", Roles: []string{"support"}})
		if err != nil {
			t.Fatalf("Bind(%v): %v", raw, err)
		}
		return e.Execute(context.Background(), skills.Call{Skill: skill, Args: args, Time: time.Now()})
	}

	res, err := run(map[string]string{"account": "globex", "days": "30"})
	if err != nil {
		t.Fatalf("extend_trial globex 30: %v", err)
	}
	if want := "Extended the trial of globex by 30 days (1 account updated)."; res.Text != want {
		t.Errorf("reply = %q, want %q", res.Text, want)
	}
	_, err = run(map[string]string{"account": "umbrella", "days": "7"})
	if msg := userError(t, err); msg != "nothing matched" {
		t.Errorf("extend_trial of an unknown account: %q", msg)
	}
	want := append([]string(nil), seed...)
	want[1] = "2|globex|trial|2030-02-14"
	equal(t, "accounts after extend_trial", d.state(t), want)

	if _, err := skill.Bind(map[string]string{"account": "globex", "days": "91"}, skills.Caller{}); err == nil {
		t.Error("days=91 binds; the sample allows 1 to 90")
	}
}

func TestPostgresCasts(t *testing.T) {
	t.Parallel()
	d := newPostgresDriver(t)
	r := d.runner(t, Spec{Query: "SELECT :days::int + 1 AS n, '2030-01-01'::date AS d, :account::text AS a"}, map[string]skills.Type{"days": daysType, "account": textType})
	want := "n   d           a\n--  ----------  ---------\n15  2030-01-01  it's ok::"
	if got := r.text(map[string]string{"days": "14", "account": "it's ok::"}); got != want {
		t.Errorf("casts:\n%s\nwant:\n%s", got, want)
	}
}

// TestPostgresLargeResultIsCut checks that a read cut at its row limit
// does not wait for the rest of a huge result, and leaves the pool usable.
// The set-returning function sits in the select list, where the server
// streams its rows instead of materialising them all first.
func TestPostgresLargeResultIsCut(t *testing.T) {
	t.Parallel()
	d := newPostgresDriver(t)
	r := d.runner(t, Spec{Query: "SELECT generate_series(1, 50000000) AS g", RowLimit: 3, Timeout: 60 * time.Second}, nil)
	start := time.Now()
	if got := r.text(nil); got != "g\n-\n1\n2\n3\n…and more" {
		t.Errorf("cut read = %q", got)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a read cut at 3 rows took %v", took)
	}
	ok := d.runner(t, Spec{Query: "SELECT 1 AS one"}, nil)
	for range 4 {
		if got := ok.text(nil); got != "one\n---\n1" {
			t.Fatalf("read after a cut read = %q", got)
		}
	}
}

func TestPostgresPing(t *testing.T) {
	t.Parallel()
	d := newPostgresDriver(t)
	if err := d.pool.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// TestPostgresPasswordStaysOut checks that neither a DSN that does not
// parse nor a failed connection puts the password in an error.
func TestPostgresPasswordStaysOut(t *testing.T) {
	t.Parallel()
	const password = "hunter2-s3cret"
	_, err := NewPool([]Conn{{Name: "billing", Driver: "postgres", DSN: "postgres://parley:" + password + "@db:notaport/billing"}})
	if err == nil || strings.Contains(err.Error(), password) {
		t.Errorf("NewPool with a bad DSN: %v", err)
	}
	pool := newPool(t, Conn{Name: "billing", Driver: "postgres", DSN: "postgres://parley:" + password + "@127.0.0.1:1/billing?connect_timeout=2&sslmode=disable"})
	e, err := New(pool, Spec{Conn: "billing", Query: "SELECT 1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Execute(context.Background(), skills.Call{})
	if err == nil || strings.Contains(err.Error(), password) {
		t.Errorf("Execute on an unreachable server: %v", err)
	}
	if !strings.Contains(err.Error(), "billing") {
		t.Errorf("Execute error %q does not name the connection", err)
	}
	if err := pool.Ping(context.Background()); err == nil || strings.Contains(err.Error(), password) || !strings.Contains(err.Error(), `"billing"`) {
		t.Errorf("Ping on an unreachable server: %v", err)
	}
}
