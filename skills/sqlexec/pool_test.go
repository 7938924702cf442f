package sqlexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

func TestNewPoolErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name  string
		conns []Conn
		want  string
	}{
		{"empty name", []Conn{{Driver: "sqlite", DSN: file}}, `connection name ""`},
		{"name with a space", []Conn{{Name: "my db", Driver: "sqlite", DSN: file}}, `connection name "my db"`},
		{"twice", []Conn{{Name: "a", Driver: "sqlite", DSN: file}, {Name: "a", Driver: "sqlite", DSN: file}}, `connection "a" is declared twice`},
		{"unknown driver", []Conn{{Name: "a", Driver: "mysql", DSN: "x"}}, `unknown driver "mysql" (want postgres or sqlite)`},
		{"no DSN", []Conn{{Name: "a", Driver: "postgres"}}, "the DSN is empty"},
		{"negative max open", []Conn{{Name: "a", Driver: "sqlite", DSN: file, MaxOpen: -1}}, "negative max_open"},
		{"bad postgres DSN", []Conn{{Name: "a", Driver: "postgres", DSN: "postgres://u:pw@h:port/db"}}, "the PostgreSQL DSN does not parse"},
		{"in-memory sqlite", []Conn{{Name: "a", Driver: "sqlite", DSN: ":memory:"}}, "not an in-memory database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPool(tt.conns)
			if err == nil {
				_ = p.Close()
				t.Fatalf("NewPool(%v) succeeded, want an error saying %q", tt.conns, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewPool error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestPoolClose(t *testing.T) {
	t.Parallel()
	d := newSQLiteDriver(t)
	if got := d.pool.Names(); !slices.Equal(got, []string{"db"}) {
		t.Errorf("Names() = %q", got)
	}
	r := d.runner(t, Spec{Query: "SELECT 1 AS one"}, nil)
	if err := d.pool.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.pool.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := r.run(context.Background(), nil)
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Execute after Close: %v, want ErrClosed", err)
	}
	var ue *skills.UserError
	if errors.As(err, &ue) {
		t.Errorf("Execute after Close is a user error: %v", err)
	}
	if _, err := New(d.pool, Spec{Conn: "db", Query: "SELECT 1"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("New after Close: %v, want ErrClosed", err)
	}
	if err := d.pool.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close: %v, want ErrClosed", err)
	}
}

func TestConnHidesDSN(t *testing.T) {
	c := Conn{Name: "billing", Driver: "postgres", DSN: "postgres://parley:s3cret@db/billing"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("opening", "conn", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%v", []Conn{c}), buf.String()} {
		if strings.Contains(s, "s3cret") || !strings.Contains(s, "billing") {
			t.Errorf("printed connection %q shows its DSN or hides its name", s)
		}
	}
}
