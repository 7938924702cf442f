package sqlexec

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/skills"
)

// Defaults for the zero fields of a Spec.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultRowLimit = 50
)

// MaxRowLimit bounds Spec.RowLimit: a longer table is no answer in chat.
const MaxRowLimit = 1000

// serverFirst is how much longer than a PostgreSQL statement_timeout the
// client waits: the server's own cancellation ends a slow statement cleanly
// and leaves the connection reusable, the client's deadline is the backstop.
const serverFirst = time.Second

// Spec configures an SQL skill.
type Spec struct {
	// Conn names a connection of the Pool.
	Conn string
	// Query is one SQL statement whose :name placeholders name the
	// skill's parameters, e.g.
	//	UPDATE accounts SET trial_ends = trial_ends + make_interval(days => :days)
	//	WHERE name = :account
	// Values are always bound, never spliced into the text. "::" is left
	// as it is (a PostgreSQL cast), and so is a ':' not followed by a
	// letter or '_'. An optional parameter that is not given binds NULL;
	// where PostgreSQL cannot infer a parameter's type from its use
	// (":team IS NULL"), cast it: CAST(:team AS text).
	Query string
	// Write lets the statement change data. Without it the statement runs
	// in a read-only transaction and its rows are shown as a table.
	Write bool
	// Timeout bounds each run (DefaultTimeout when zero); on PostgreSQL it
	// is also the statement_timeout. A caller's earlier deadline wins.
	Timeout time.Duration
	// RowLimit is how many rows a read shows (DefaultRowLimit when zero);
	// "…and more" says that there were others.
	RowLimit int
	// Result is the reply of a write skill, a template over the skill's
	// parameters and {rows}, the number of rows changed, e.g.
	// "Extended {account}: {rows} row(s) updated". "{{" and "}}" stand for
	// literal braces. Empty means "{rows} row(s) changed".
	Result string
}

// Executor runs one configured statement with a skill's arguments. It is
// immutable after New and safe for concurrent use.
type Executor struct {
	pool    *Pool
	conn    string
	st      statement
	write   bool
	timeout time.Duration
	grace   time.Duration
	limit   int
	result  []piece
}

var _ skills.Executor = (*Executor)(nil)

// New checks spec against the pool and the names of the skill's
// parameters and returns its executor: the connection must exist, every
// placeholder must name a parameter, and the query must be one statement
// without the driver's own parameter syntax.
func New(pool *Pool, spec Spec, params []string) (*Executor, error) {
	if pool == nil {
		return nil, errors.New("sqlexec: no connection pool")
	}
	if spec.Conn == "" {
		return nil, errors.New("sqlexec: conn is empty: name one of the pool's connections")
	}
	b, err := pool.backend(spec.Conn)
	if err != nil {
		return nil, err
	}
	declared := make(map[string]bool, len(params))
	for _, p := range params {
		declared[p] = true
	}
	st, err := compile(spec.Query, b.dialect(), declared)
	if err != nil {
		return nil, fmt.Errorf("sqlexec: query: %w", err)
	}
	e := &Executor{pool: pool, conn: spec.Conn, st: st, write: spec.Write, timeout: spec.Timeout, limit: spec.RowLimit}
	switch {
	case spec.Timeout < 0:
		return nil, fmt.Errorf("sqlexec: negative timeout %v", spec.Timeout)
	case spec.Timeout == 0:
		e.timeout = DefaultTimeout
	}
	if b.dialect() == pgDialect {
		e.grace = serverFirst
	}
	switch {
	case spec.RowLimit < 0 || spec.RowLimit > MaxRowLimit:
		return nil, fmt.Errorf("sqlexec: row limit %d is not between 1 and %d", spec.RowLimit, MaxRowLimit)
	case spec.RowLimit == 0:
		e.limit = DefaultRowLimit
	}
	switch {
	case spec.Result != "" && !spec.Write:
		return nil, errors.New("sqlexec: a result template is for write skills; a read shows its rows")
	case spec.Result != "" && declared["rows"]:
		return nil, errors.New(`sqlexec: a parameter named "rows" would hide {rows} in the result template`)
	case spec.Write:
		tmpl := spec.Result
		if tmpl == "" {
			tmpl = "{rows} row(s) changed"
		}
		declared["rows"] = true
		if e.result, err = parseTemplate(tmpl, declared); err != nil {
			return nil, fmt.Errorf("sqlexec: result %q: %w", spec.Result, err)
		}
	}
	return e, nil
}

// Execute runs the statement with the call's arguments bound to its
// placeholders: integers as int64, everything else as its canonical text.
//
// A read returns its rows as a table. A write commits and reports the rows
// it changed; one that changed none is rolled back and reported as a
// *skills.UserError ("nothing matched"). A write attempted by a read skill
// and a run that outlives its timeout are *skills.UserErrors too. If ctx is
// cancelled, the error wraps ctx.Err(); any other failure is an internal
// error that names the connection but is not meant for the person.
func (e *Executor) Execute(ctx context.Context, call skills.Call) (skills.Result, error) {
	b, err := e.pool.backend(e.conn)
	if err != nil {
		return skills.Result{}, err
	}
	args := make([]any, len(e.st.params))
	for i, name := range e.st.params {
		if v, ok := call.Args.Get(name); ok {
			args[i] = bindValue(v)
		}
	}
	// A caller's earlier deadline shortens the statement_timeout as well,
	// so that the server stops working when the caller stops waiting.
	limit := e.timeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	runCtx, cancel := context.WithTimeout(ctx, limit+e.grace)
	defer cancel()

	if !e.write {
		t, err := b.read(runCtx, e.st, args, limit, e.limit)
		if err != nil {
			return skills.Result{}, e.failure(ctx, runCtx, err, limit)
		}
		return skills.Result{Text: t.String()}, nil
	}
	n, err := b.write(runCtx, e.st, args, limit)
	if err != nil {
		return skills.Result{}, e.failure(ctx, runCtx, err, limit)
	}
	if n == 0 {
		return skills.Result{}, skills.Errorf("nothing matched")
	}
	text := render(e.result, func(name string) string {
		if name == "rows" {
			return strconv.FormatInt(n, 10)
		}
		if v, ok := call.Args.Get(name); ok {
			return v.Display()
		}
		return "?"
	})
	return skills.Result{Text: text}, nil
}

// bindValue is the driver argument of a validated value.
func bindValue(v skills.Value) any {
	switch v.Type() {
	case "int", "incident":
		return v.Int()
	}
	return v.String()
}

// failure turns a database error into what Execute returns.
func (e *Executor) failure(ctx, runCtx context.Context, err error, limit time.Duration) error {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("sqlexec: %s: %w", e.conn, ctx.Err())
	case pgReadOnly(err) || liteReadOnly(err):
		return skills.Errorf("this skill may only read")
	case runCtx.Err() != nil || pgTimeout(err) || liteInterrupted(err):
		return skills.Errorf("timed out after %s", roundLimit(limit))
	}
	return fmt.Errorf("sqlexec: %s: %w", e.conn, err)
}

// roundLimit renders a time limit for people: whole seconds from a second
// up, milliseconds below.
func roundLimit(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return max(d.Round(time.Millisecond), 0)
}

// piece is literal text, or a placeholder when name is set.
type piece struct {
	lit  string
	name string
}

// parseTemplate splits a result template into text and {name}
// placeholders, each of which must be declared; "{{" and "}}" are literal
// braces.
func parseTemplate(s string, declared map[string]bool) ([]piece, error) {
	var (
		out []piece
		lit strings.Builder
	)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			lit.WriteByte('{')
			i += 2
		case strings.HasPrefix(s[i:], "}}"):
			lit.WriteByte('}')
			i += 2
		case s[i] == '}':
			return nil, fmt.Errorf("unbalanced '}' at byte %d (write '}}' for a literal brace)", i)
		case s[i] == '{':
			j := strings.IndexAny(s[i+1:], "{}")
			if j < 0 || s[i+1+j] != '}' {
				return nil, fmt.Errorf("unclosed '{' at byte %d (write '{{' for a literal brace)", i)
			}
			name := s[i+1 : i+1+j]
			if !declared[name] {
				return nil, fmt.Errorf("placeholder {%s} is neither a parameter of the skill nor {rows}", name)
			}
			if lit.Len() > 0 {
				out = append(out, piece{lit: lit.String()})
				lit.Reset()
			}
			out = append(out, piece{name: name})
			i += j + 2
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	if lit.Len() > 0 {
		out = append(out, piece{lit: lit.String()})
	}
	return out, nil
}

func render(tmpl []piece, value func(name string) string) string {
	var b strings.Builder
	for _, p := range tmpl {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(value(p.name))
		}
	}
	return b.String()
}
