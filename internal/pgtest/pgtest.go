// Package pgtest connects tests to the real PostgreSQL server that Parley's
// integration tests run against, at 127.0.0.1:5432, database test, with
// trust authentication.
//
// DSN hands back the server's address after checking that it answers,
// Table a table name that no other test uses, dropped with every table that
// starts with it when the test ends, and SchemaDSN an address whose tables
// go to a schema of the test's own, so tests of several packages can share
// the database. When the server cannot be reached the test is
// skipped with a message that says so, unless the environment variable
// REQUIRE_POSTGRES is 1, as in CI, where the test fails instead.
//
// Only tests may import this package.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// Addr is where the test server listens.
	Addr = "127.0.0.1:5432"
	// DefaultDSN reaches the test database as the postgres superuser.
	DefaultDSN = "postgres://postgres@" + Addr + "/test?sslmode=disable&connect_timeout=5"
	// RequireEnv names the environment variable that, set to 1, turns an
	// unreachable server into a failure instead of a skip.
	RequireEnv = "REQUIRE_POSTGRES"
)

// DSN returns the connection string of the test database. An unreachable
// server skips the test, or fails it when REQUIRE_POSTGRES=1.
func DSN(t testing.TB) string {
	t.Helper()
	if err := probe(t.Context()); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("PostgreSQL at %s unreachable and %s=1: %v", Addr, RequireEnv, err)
		}
		msg := fmt.Sprintf("SKIP: PostgreSQL at %s unreachable: %v (set %s=1 to fail instead)", Addr, err, RequireEnv)
		if _, ok := t.(*testing.B); ok {
			// go test -bench shows a skipped benchmark only with -v.
			fmt.Fprintf(os.Stderr, "%s: %s\n", t.Name(), msg)
		}
		t.Skip(msg)
	}
	return DefaultDSN
}

func probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, DefaultDSN)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return c.Ping(ctx)
}

// Conn returns a connection to the test database, closed when the test
// ends.
func Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	dsn := DSN(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connecting: %v", err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Table returns a name of the form "parleytest_<random>" that no other
// test uses. When the test ends, the table of that name and every table
// whose name starts with it and "_" are dropped.
func Table(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	name := "parleytest_" + strings.ToLower(rand.Text()[:12])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := drop(ctx, dsn, name); err != nil {
			t.Errorf("pgtest: dropping %s: %v", name, err)
		}
	})
	return name
}

// SchemaDSN returns the connection string of the test database with its
// search_path set to a new schema of the form "parleytest_<random>", for
// code that uses fixed table names. The schema is dropped, with everything
// in it, when the test ends.
func SchemaDSN(t testing.TB) string {
	t.Helper()
	c := Conn(t)
	name := "parleytest_" + strings.ToLower(rand.Text()[:12])
	if _, err := c.Exec(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: creating schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", name, err)
		}
	})
	return DefaultDSN + "&search_path=" + name
}

func drop(ctx context.Context, dsn, name string) error {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	rows, err := c.Query(ctx,
		`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND (tablename = $1 OR starts_with(tablename, $1 || '_'))`, name)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, tb := range tables {
		if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{tb}.Sanitize()+" CASCADE"); err != nil {
			return err
		}
	}
	return nil
}
