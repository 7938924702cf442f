package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"time"
)

// DefaultMaxOpen bounds the connections a Conn opens when MaxOpen is zero.
const DefaultMaxOpen = 4

// ErrClosed is returned by a Pool, and by executors using it, once the Pool
// is closed.
var ErrClosed = errors.New("sqlexec: the connection pool is closed")

// Conn configures one named database connection.
type Conn struct {
	// Name is how skills refer to the connection.
	Name string
	// Driver is "postgres" or "sqlite".
	Driver string
	// DSN is a PostgreSQL connection string (URL or key=value), or an
	// SQLite database file: a path or a "file:" URI. It may hold a password
	// and never appears in errors or logs.
	DSN string
	// MaxOpen bounds the connections open at once (DefaultMaxOpen when
	// zero). An SQLite connection keeps up to MaxOpen of each of its
	// read-write and read-only handles.
	MaxOpen int
}

// String names the connection without its DSN.
func (c Conn) String() string { return c.Name + " (" + c.Driver + ")" }

// LogValue logs the connection without its DSN.
func (c Conn) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.String("driver", c.Driver))
}

// connNameRE is what a connection name may look like.
var connNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// backend runs statements on one connection's database. Implementations are
// safe for concurrent use.
type backend interface {
	dialect() dialect
	// read runs st in a read-only transaction and returns at most limit
	// rows, with more set when there were others.
	read(ctx context.Context, st statement, args []any, timeout time.Duration, limit int) (table, error)
	// write runs st in a read-write transaction, commits when it changed
	// at least one row, and returns how many it changed.
	write(ctx context.Context, st statement, args []any, timeout time.Duration) (int64, error)
	ping(ctx context.Context) error
	close() error
}

// Pool holds named database connections. Nothing is dialled or opened
// until a statement runs or Ping is called; from then on each connection
// keeps up to MaxOpen open handles for reuse. A Pool is safe for
// concurrent use.
type Pool struct {
	names []string
	conns map[string]backend

	mu     sync.Mutex
	closed bool
}

// NewPool checks the connections (unique names, a known driver, a DSN that
// parses) and returns a Pool of them. It does not connect.
func NewPool(conns []Conn) (*Pool, error) {
	p := &Pool{conns: make(map[string]backend, len(conns))}
	for _, c := range conns {
		if !connNameRE.MatchString(c.Name) {
			return nil, fmt.Errorf("sqlexec: connection name %q: use lower-case letters, digits, '_' and '-'", c.Name)
		}
		if _, dup := p.conns[c.Name]; dup {
			return nil, fmt.Errorf("sqlexec: connection %q is declared twice", c.Name)
		}
		switch {
		case c.MaxOpen < 0:
			return nil, fmt.Errorf("sqlexec: connection %q: negative max_open %d", c.Name, c.MaxOpen)
		case c.MaxOpen == 0:
			c.MaxOpen = DefaultMaxOpen
		}
		if c.DSN == "" {
			return nil, fmt.Errorf("sqlexec: connection %q: the DSN is empty", c.Name)
		}
		var (
			b   backend
			err error
		)
		switch c.Driver {
		case "postgres":
			b, err = newPostgres(c)
		case "sqlite":
			b, err = newSQLite(c)
		default:
			err = fmt.Errorf("unknown driver %q (want postgres or sqlite)", c.Driver)
		}
		if err != nil {
			for _, b := range p.conns {
				_ = b.close()
			}
			return nil, fmt.Errorf("sqlexec: connection %q: %w", c.Name, err)
		}
		p.conns[c.Name] = b
		p.names = append(p.names, c.Name)
	}
	return p, nil
}

// Names lists the connections in declaration order.
func (p *Pool) Names() []string { return slices.Clone(p.names) }

// backend returns the named connection's backend, or an error when there
// is none or the pool is closed.
func (p *Pool) backend(name string) (backend, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	b, ok := p.conns[name]
	if !ok {
		return nil, fmt.Errorf("sqlexec: no connection named %q", name)
	}
	return b, nil
}

// Ping connects to every database and checks it answers. The error names
// each connection that failed.
func (p *Pool) Ping(ctx context.Context) error {
	var errs []error
	for _, name := range p.names {
		b, err := p.backend(name)
		if err != nil {
			return err
		}
		if err := b.ping(ctx); err != nil {
			errs = append(errs, fmt.Errorf("sqlexec: connection %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Close closes every idle connection and makes the pool refuse new work;
// connections in use are closed as their statements finish. Closing twice
// is harmless.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	var errs []error
	for _, name := range p.names {
		if err := p.conns[name].close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlexec: closing %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
