package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// staleAfter is how long a PostgreSQL connection may sit idle before it
	// is pinged on reuse: a server restart or a firewall may have dropped it.
	staleAfter = 30 * time.Second
	// cleanupTimeout bounds a rollback or close after a run has ended.
	cleanupTimeout = 2 * time.Second
)

// SQLSTATE codes the executor turns into messages for people.
const (
	codeReadOnly = "25006" // read_only_sql_transaction
	codeCanceled = "57014" // query_canceled, which statement_timeout raises
)

// pgPool is a small pool of pgx connections: pgxpool would need a module
// this program does not carry. At most cap(slots) connections exist at
// once; idle ones are reused last-in first-out.
type pgPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{}

	mu     sync.Mutex
	idle   []idleConn
	closed bool
}

type idleConn struct {
	conn  *pgx.Conn
	since time.Time
}

func newPostgres(c Conn) (*pgPool, error) {
	cfg, err := pgx.ParseConfig(c.DSN)
	if err != nil {
		// The parse error quotes the DSN, password and all if it cannot
		// find it; say nothing of the DSN but that it is wrong.
		return nil, errors.New("the PostgreSQL DSN does not parse")
	}
	return &pgPool{cfg: cfg, slots: make(chan struct{}, c.MaxOpen)}, nil
}

func (p *pgPool) dialect() dialect { return pgDialect }

// acquire returns a connection for the caller's sole use until release:
// an idle one, checked if it has idled long, or a new one.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slots
			return nil, ErrClosed
		}
		var ic idleConn
		if n := len(p.idle); n > 0 {
			ic = p.idle[n-1]
			p.idle = p.idle[:n-1]
		}
		p.mu.Unlock()
		if ic.conn == nil {
			break
		}
		if time.Since(ic.since) < staleAfter || ic.conn.Ping(ctx) == nil {
			return ic.conn, nil
		}
		closeConn(ic.conn)
	}
	conn, err := pgx.ConnectConfig(ctx, p.cfg.Copy())
	if err != nil {
		<-p.slots
		return nil, err
	}
	return conn, nil
}

// release returns a connection to the pool, or closes it when it is broken,
// still inside a transaction, or the pool is closed.
func (p *pgPool) release(conn *pgx.Conn) {
	reuse := !conn.IsClosed() && conn.PgConn().TxStatus() == 'I'
	p.mu.Lock()
	if reuse && !p.closed {
		p.idle = append(p.idle, idleConn{conn: conn, since: time.Now()})
		conn = nil
	}
	p.mu.Unlock()
	if conn != nil {
		closeConn(conn)
	}
	<-p.slots
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_ = conn.Close(ctx)
}

// begin acquires a connection and starts a transaction on it whose every
// statement the server stops after timeout.
func (p *pgPool) begin(ctx context.Context, mode pgx.TxAccessMode, timeout time.Duration) (*pgx.Conn, pgx.Tx, error) {
	conn, err := p.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: mode})
	if err != nil {
		p.release(conn)
		return nil, nil, err
	}
	ms := max(timeout.Milliseconds(), 1)
	set := "SET LOCAL statement_timeout = " + strconv.FormatInt(ms, 10)
	if _, err := tx.Exec(ctx, set, pgx.QueryExecModeSimpleProtocol); err != nil {
		rollback(tx)
		p.release(conn)
		return nil, nil, err
	}
	return conn, tx, nil
}

func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_ = tx.Rollback(ctx)
}

func (p *pgPool) read(ctx context.Context, st statement, args []any, timeout time.Duration, limit int) (table, error) {
	conn, tx, err := p.begin(ctx, pgx.ReadOnly, timeout)
	if err != nil {
		return table{}, err
	}
	defer p.release(conn)
	defer rollback(tx)

	// Text results are what psql shows, for every type pgx knows or not.
	qargs := append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)
	rows, err := tx.Query(ctx, st.text, qargs...)
	if err != nil {
		return table{}, err
	}
	var t table
	for _, fd := range rows.FieldDescriptions() {
		t.cols = append(t.cols, fd.Name)
	}
	for rows.Next() {
		if len(t.rows) == limit {
			t.more = true
			break
		}
		raw := rows.RawValues()
		row := make([]cell, len(raw))
		for i, v := range raw {
			if v != nil {
				row[i] = cell{text: string(v), valid: true}
			}
		}
		t.rows = append(t.rows, row)
	}
	if t.more {
		// Closing the rows would read the rest of the result, however
		// large; dropping the connection stops the server sending it and
		// aborts the transaction.
		_ = conn.PgConn().Conn().Close()
		rows.Close()
		return t, nil
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return table{}, err
	}
	return t, nil
}

func (p *pgPool) write(ctx context.Context, st statement, args []any, timeout time.Duration) (int64, error) {
	conn, tx, err := p.begin(ctx, pgx.ReadWrite, timeout)
	if err != nil {
		return 0, err
	}
	defer p.release(conn)
	defer rollback(tx)
	tag, err := tx.Exec(ctx, st.text, args...)
	if err != nil {
		return 0, err
	}
	n := tag.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

func (p *pgPool) ping(ctx context.Context) error {
	conn, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(conn)
	return conn.Ping(ctx)
}

func (p *pgPool) close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, ic := range idle {
		closeConn(ic.conn)
	}
	return nil
}

// pgReadOnly reports whether err is PostgreSQL refusing a write in a
// read-only transaction.
func pgReadOnly(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == codeReadOnly
}

// pgTimeout reports whether err is a statement the server cancelled, or a
// deadline pgx gave up at.
func pgTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == codeCanceled || pgconn.Timeout(err)
}
