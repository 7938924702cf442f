package sqlexec

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeoutMS is how long an SQLite handle waits for another's lock.
const busyTimeoutMS = "5000"

// liteDB is an SQLite database file with two handles: rw for write skills
// and ro, opened read-only and with query_only set, for everything else.
type liteDB struct {
	rw, ro *sql.DB
}

func newSQLite(c Conn) (*liteDB, error) {
	rwDSN, roDSN, err := sqliteDSNs(c.DSN)
	if err != nil {
		return nil, err
	}
	// sql.Open only records the DSN; files are opened on first use.
	rw, err := sql.Open("sqlite", rwDSN)
	if err != nil {
		return nil, err
	}
	ro, err := sql.Open("sqlite", roDSN)
	if err != nil {
		_ = rw.Close()
		return nil, err
	}
	for _, db := range []*sql.DB{rw, ro} {
		db.SetMaxOpenConns(c.MaxOpen)
		db.SetMaxIdleConns(c.MaxOpen)
	}
	return &liteDB{rw: rw, ro: ro}, nil
}

// sqliteDSNs turns a path or "file:" URI into the DSNs of the read-write
// and the read-only handle. Both are "file:" URIs so that SQLite reads
// their mode; both get a busy timeout unless one is given. An in-memory
// database is refused: a second handle would see another database.
func sqliteDSNs(dsn string) (rw, ro string, err error) {
	var u *url.URL
	if strings.HasPrefix(dsn, "file:") {
		if u, err = url.Parse(dsn); err != nil {
			return "", "", errors.New("the SQLite URI does not parse")
		}
	} else {
		path, query, _ := strings.Cut(dsn, "?")
		u = &url.URL{Path: path, RawQuery: query}
	}
	q := u.Query()
	path := u.Path
	if path == "" {
		path = u.Opaque
	}
	if path == "" || path == ":memory:" || q.Get("mode") == "memory" || strings.Contains(u.RawQuery, "vfs=memdb") {
		return "", "", errors.New("an SQLite connection needs a database file, not an in-memory database")
	}
	if q.Get("_busy_timeout") == "" && q.Get("_timeout") == "" && !strings.Contains(u.RawQuery, "busy_timeout") {
		q.Set("_busy_timeout", busyTimeoutMS)
	}
	base := u.String()
	if u.Scheme == "" {
		// A plain path: url.URL would write a relative one as an
		// authority ("file://data/x.db").
		base = "file:" + u.EscapedPath()
	}
	base, _, _ = strings.Cut(base, "?")
	rw = base + "?" + q.Encode()
	q.Set("mode", "ro")
	q.Set("_query_only", "1")
	return rw, base + "?" + q.Encode(), nil
}

func (l *liteDB) dialect() dialect { return sqliteDialect }

// read and write rely on ctx's deadline alone: the driver interrupts a
// statement when its context ends.
func (l *liteDB) read(ctx context.Context, st statement, args []any, _ time.Duration, limit int) (table, error) {
	tx, err := l.ro.BeginTx(ctx, nil)
	if err != nil {
		return table{}, err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, st.text, args...)
	if err != nil {
		return table{}, err
	}
	defer func() { _ = rows.Close() }()
	var t table
	if t.cols, err = rows.Columns(); err != nil {
		return table{}, err
	}
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(t.rows) == limit {
			t.more = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return table{}, err
		}
		row := make([]cell, len(vals))
		for i, v := range vals {
			row[i] = liteCell(v)
		}
		t.rows = append(t.rows, row)
	}
	if err := rows.Err(); err != nil {
		return table{}, err
	}
	return t, nil
}

// liteCell renders a value the SQLite driver scanned.
func liteCell(v any) cell {
	switch v := v.(type) {
	case nil:
		return cell{}
	case int64:
		return cell{text: strconv.FormatInt(v, 10), valid: true}
	case float64:
		return cell{text: strconv.FormatFloat(v, 'g', -1, 64), valid: true}
	case string:
		return cell{text: v, valid: true}
	case []byte:
		if utf8.Valid(v) {
			return cell{text: string(v), valid: true}
		}
		return cell{text: `\x` + hex.EncodeToString(v), valid: true}
	case time.Time:
		return cell{text: v.Format("2006-01-02 15:04:05Z07:00"), valid: true}
	case bool:
		return cell{text: strconv.FormatBool(v), valid: true}
	}
	return cell{text: fmt.Sprint(v), valid: true}
}

func (l *liteDB) write(ctx context.Context, st statement, args []any, _ time.Duration) (int64, error) {
	tx, err := l.rw.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, st.text, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

func (l *liteDB) ping(ctx context.Context) error {
	if err := l.rw.PingContext(ctx); err != nil {
		return err
	}
	return l.ro.PingContext(ctx)
}

func (l *liteDB) close() error {
	return errors.Join(l.rw.Close(), l.ro.Close())
}

// liteReadOnly reports whether err is SQLite refusing a write on a
// read-only handle.
func liteReadOnly(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY
}

// liteInterrupted reports whether err is a statement SQLite interrupted.
func liteInterrupted(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_INTERRUPT
}
