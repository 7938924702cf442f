package pglog

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/audit"
)

// DefaultTable is the table records are kept in unless WithTable says
// otherwise.
const DefaultTable = "parley_audit"

// Log is an audit.Log in a PostgreSQL table. It is safe for concurrent use,
// and several processes may append to the same table.
type Log struct {
	pool    *pool
	table   string // quoted
	tip     string // quoted
	lockKey int64
	now     func() time.Time
	name    string
}

var _ audit.Log = (*Log)(nil)

type options struct {
	table    string
	now      func() time.Time
	maxConns int
}

// Option configures Open.
type Option func(*options)

// WithTable keeps the records in the named table, and the note of the
// last record in the table of that name with "_tip" added. The name must
// be a lowercase SQL identifier of at most 48 characters.
func WithTable(name string) Option { return func(o *options) { o.table = name } }

// WithClock stamps records given without a time with now instead of
// time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMaxConns limits the connections the Log opens; the default is 4.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

var tableRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// Open connects to the database at dsn, a PostgreSQL URL or key=value
// string, and creates the tables and indexes when missing.
func Open(ctx context.Context, dsn string, opts ...Option) (*Log, error) {
	o := options{table: DefaultTable, now: time.Now, maxConns: 4}
	for _, opt := range opts {
		opt(&o)
	}
	if !tableRE.MatchString(o.table) {
		return nil, fmt.Errorf("pglog: table name %q: want a lowercase SQL identifier of at most 48 characters", o.table)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pglog: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	h := fnv.New64a()
	h.Write([]byte("parley audit " + o.table))
	l := &Log{
		pool:    newPool(cfg, max(1, o.maxConns)),
		table:   pgx.Identifier{o.table}.Sanitize(),
		tip:     pgx.Identifier{o.table + "_tip"}.Sanitize(),
		lockKey: int64(h.Sum64()),
		now:     o.now,
		name:    o.table,
	}
	if err := l.create(ctx); err != nil {
		l.pool.close()
		return nil, fmt.Errorf("pglog: creating %s: %w", o.table, err)
	}
	return l, nil
}

// Table returns the name of the table the records are kept in.
func (l *Log) Table() string { return l.name }

// Close closes the connections.
func (l *Log) Close() error {
	l.pool.close()
	return nil
}

// create makes the tables and indexes, under the append lock so that two
// processes starting at once do not trip over each other.
func (l *Log) create(ctx context.Context) error {
	idx := func(suffix string) string { return pgx.Identifier{l.name + "_" + suffix}.Sanitize() }
	return l.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.lockKey); err != nil {
			return err
		}
		stmts := []string{
			`CREATE TABLE IF NOT EXISTS ` + l.table + ` (
				seq         bigint PRIMARY KEY,
				time        timestamptz NOT NULL,
				kind        text NOT NULL,
				user_name   text NOT NULL,
				channel     text NOT NULL DEFAULT '',
				via         text NOT NULL DEFAULT '',
				skill       text NOT NULL DEFAULT '',
				params      jsonb,
				result      text NOT NULL DEFAULT '',
				error       text NOT NULL DEFAULT '',
				duration_ns bigint NOT NULL DEFAULT 0,
				message     text NOT NULL DEFAULT '',
				approver    text NOT NULL DEFAULT '',
				prev        text NOT NULL,
				hash        text NOT NULL
			)`,
			`CREATE INDEX IF NOT EXISTS ` + idx("time_idx") + ` ON ` + l.table + ` (time)`,
			`CREATE INDEX IF NOT EXISTS ` + idx("user_idx") + ` ON ` + l.table + ` (lower(user_name))`,
			`CREATE INDEX IF NOT EXISTS ` + idx("skill_idx") + ` ON ` + l.table + ` (skill)`,
			`CREATE TABLE IF NOT EXISTS ` + l.tip + ` (
				one  boolean PRIMARY KEY DEFAULT true CHECK (one),
				seq  bigint NOT NULL,
				hash text NOT NULL
			)`,
			// A new tip starts from the records already there.
			`INSERT INTO ` + l.tip + ` (one, seq, hash)
				SELECT true, coalesce(max(seq), 0), coalesce((SELECT hash FROM ` + l.table + ` ORDER BY seq DESC LIMIT 1), '')
				FROM ` + l.table + `
				ON CONFLICT DO NOTHING`,
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs fn in a transaction on a pooled connection and commits when it
// returns nil.
func (l *Log) inTx(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	c, err := l.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer l.pool.release(c)
	tx, err := c.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	// After Commit, Rollback does nothing.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

const columns = `seq, time, kind, user_name, channel, via, skill, params, result, error, duration_ns, message, approver, prev, hash`

// Append adds r in a transaction that holds a transaction-scoped advisory
// lock of the table, so that appends of several processes form one chain.
// The new record continues from the tip, the note of the last record
// written, not from the last row found, so that a row deleted from the end
// stays missing.
func (l *Log) Append(ctx context.Context, r audit.Record) (audit.Record, error) {
	var rec audit.Record
	err := l.inTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.lockKey); err != nil {
			return err
		}
		var seq int64
		var prev string
		err := tx.QueryRow(ctx, `SELECT seq, hash FROM `+l.tip).Scan(&seq, &prev)
		if errors.Is(err, pgx.ErrNoRows) {
			err = tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0), coalesce((SELECT hash FROM `+l.table+` ORDER BY seq DESC LIMIT 1), '') FROM `+l.table).Scan(&seq, &prev)
			if err == nil {
				_, err = tx.Exec(ctx, `INSERT INTO `+l.tip+` (one, seq, hash) VALUES (true, $1, $2)`, seq, prev)
			}
		}
		if err != nil {
			return err
		}
		rec, err = audit.Seal(r, seq+1, prev, l.now())
		if err != nil {
			return err
		}
		var params any
		if len(rec.Params) > 0 {
			params = rec.Params
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+l.table+` (`+columns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			rec.Seq, rec.Time, string(rec.Kind), rec.User, rec.Channel, rec.Via, rec.Skill, params,
			rec.Result, rec.Error, int64(rec.Duration), rec.Message, rec.Approver, rec.Prev, rec.Hash)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE `+l.tip+` SET seq = $1, hash = $2`, rec.Seq, rec.Hash)
		return err
	})
	if err != nil {
		return audit.Record{}, fmt.Errorf("pglog: appending: %w", err)
	}
	return rec, nil
}

// scan reads one row of columns.
func scan(row pgx.Row) (audit.Record, error) {
	var r audit.Record
	var kind string
	var dur int64
	err := row.Scan(&r.Seq, &r.Time, &kind, &r.User, &r.Channel, &r.Via, &r.Skill, &r.Params,
		&r.Result, &r.Error, &dur, &r.Message, &r.Approver, &r.Prev, &r.Hash)
	r.Time = r.Time.UTC()
	r.Kind, r.Duration = audit.Kind(kind), time.Duration(dur)
	if len(r.Params) == 0 {
		r.Params = nil
	}
	return r, err
}

// ceilMicro rounds t up to a whole microsecond: for times stored to the
// microsecond, t' >= ceilMicro(t) exactly when t' >= t, and the same for <.
func ceilMicro(t time.Time) time.Time {
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
}

// where turns f into a WHERE clause and its arguments.
func where(f audit.Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if !f.Since.IsZero() {
		add(`time >= $?`, ceilMicro(f.Since))
	}
	if !f.Until.IsZero() {
		add(`time < $?`, ceilMicro(f.Until))
	}
	if f.User != "" {
		add(`lower(user_name) = lower($?)`, f.User)
	}
	if f.Skill != "" {
		add(`skill = $?`, f.Skill)
	}
	if f.Channel != "" {
		add(`channel = $?`, f.Channel)
	}
	if f.Value != "" {
		add(`EXISTS (SELECT 1 FROM jsonb_each_text(params) p WHERE lower(p.value) = lower($?))`, f.Value)
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		add(`kind = ANY($?)`, kinds)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Query returns the records that match f, using the indexes on time,
// lower(user_name) and skill.
func (l *Log) Query(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	w, args := where(f)
	q := `SELECT ` + columns + ` FROM ` + l.table + w + ` ORDER BY seq`
	if f.Limit > 0 {
		q += ` DESC LIMIT ` + strconv.Itoa(f.Limit)
	}
	var out []audit.Record
	err := l.inTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scan(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pglog: querying %s: %w", l.name, err)
	}
	if f.Limit > 0 {
		slices.Reverse(out)
	}
	return out, nil
}

// Verify reads every row in order of seq, and the tip, from one snapshot
// of the database, and checks the chain. Because the tip is kept apart
// from the rows, rows deleted from the end are caught too.
func (l *Log) Verify(ctx context.Context) (audit.Verification, error) {
	var c audit.Checker
	err := l.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var tipSeq int64
		var tipHash string
		err := tx.QueryRow(ctx, `SELECT seq, hash FROM `+l.tip).Scan(&tipSeq, &tipHash)
		haveTip := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM `+l.table+` ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scan(rows)
			if err != nil {
				return err
			}
			c.Add(r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if haveTip {
			c.Tip(tipSeq, tipHash)
		} else {
			c.Damaged(audit.Missing, fmt.Sprintf("the note of the last record written (table %s_tip) is gone, so records deleted from the end cannot be ruled out", l.name))
		}
		return nil
	})
	if err != nil {
		return audit.Verification{}, fmt.Errorf("pglog: verifying %s: %w", l.name, err)
	}
	return c.Result(), nil
}

// Export writes the records that match f to w as JSON Lines.
func (l *Log) Export(ctx context.Context, w io.Writer, f audit.Filter) error {
	recs, err := l.Query(ctx, f)
	if err != nil {
		return err
	}
	return audit.WriteJSONL(w, recs)
}
