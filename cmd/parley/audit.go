package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
	"github.com/parleybot/parley/audit/pglog"
)

// auditDSNEnv names the environment variable that puts the audit trail in
// PostgreSQL; without it the trail is a file in the per-user data folder.
const auditDSNEnv = "PARLEY_AUDIT_DSN"

// auditFile is the trail's file name in the data folder.
const auditFile = "audit.jsonl"

// auditLog opens the audit trail for reading: PostgreSQL when
// PARLEY_AUDIT_DSN is set, else audit.jsonl in the data folder. where
// names it for people, without the DSN's password.
func auditLog(ctx context.Context, e env) (l audit.Log, where string, closeLog func() error, err error) {
	return openAudit(ctx, e, true)
}

// openAudit opens the trail, for appending unless readOnly.
func openAudit(ctx context.Context, e env, readOnly bool) (l audit.Log, where string, closeLog func() error, err error) {
	if dsn := e.getenv(auditDSNEnv); dsn != "" {
		pl, err := pglog.Open(ctx, dsn)
		if err != nil {
			return nil, "", nil, err
		}
		return pl, "PostgreSQL table " + pl.Table(), pl.Close, nil
	}
	dir := learnedDir(e)
	if dir == "" {
		return nil, "", nil, fmt.Errorf("no data folder for the audit trail: set PARLEY_DATA_DIR, or %s for PostgreSQL", auditDSNEnv)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", nil, err
	}
	path := filepath.Join(dir, auditFile)
	var opts []filelog.Option
	if readOnly {
		opts = append(opts, filelog.ReadOnly())
	}
	fl, err := filelog.Open(path, opts...)
	if err != nil {
		return nil, "", nil, err
	}
	return fl, path, fl.Close, nil
}

// kindsFlag collects --kind, repeatable and comma-separated.
type kindsFlag []audit.Kind

func (k *kindsFlag) String() string {
	s := make([]string, len(*k))
	for i, kind := range *k {
		s[i] = string(kind)
	}
	return strings.Join(s, ",")
}

func (k *kindsFlag) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		kind, err := audit.ParseKind(name)
		if err != nil {
			return err
		}
		*k = append(*k, kind)
	}
	return nil
}

const auditUsage = `usage: parley audit [--since 24h] [--until T] [--user U] [--skill S] [--kind K] [--limit N] [--json | --export FILE.jsonl]
       parley audit verify`

// auditCmd is "parley audit" and "parley audit verify".
func auditCmd(ctx context.Context, args []string, e env) error {
	if len(args) > 0 && args[0] == "verify" {
		return auditVerifyCmd(ctx, args[1:], e)
	}
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	since := fs.String("since", "24h", `records from this long ago (90m, 24h, 7d, 2w) or this time (2026-03-02, "2026-03-02 15:04", RFC 3339); "all" for every record`)
	until := fs.String("until", "", "records before this long ago or this time")
	user := fs.String("user", "", "only this person's records")
	skill := fs.String("skill", "", "only this skill's records")
	var kinds kindsFlag
	fs.Var(&kinds, "kind", "only records of this kind: executed, failed, refused, confirmed, cancelled, taught, approved, rejected, expired (repeatable, or comma-separated)")
	limit := fs.Int("limit", 0, "only the newest N records")
	asJSON := fs.Bool("json", false, "write JSON Lines to standard output")
	export := fs.String("export", "", "write JSON Lines to this file (created 0600)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *asJSON && *export != "" || *limit < 0 {
		if err == nil {
			fmt.Fprintln(e.stderr, auditUsage)
		}
		return errUsage
	}
	if _, err := loadConfig(*cfgPath); err != nil {
		return err
	}
	now := time.Now()
	f := audit.Filter{User: *user, Skill: *skill, Kinds: kinds, Limit: *limit}
	var err error
	if f.Since, err = parseWhen(*since, now); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if f.Until, err = parseWhen(*until, now); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	l, where, closeLog, err := auditLog(ctx, e)
	if err != nil {
		return err
	}
	defer closeLog()
	switch {
	case *asJSON:
		return l.Export(ctx, e.stdout, f)
	case *export != "":
		return exportAudit(ctx, l, f, *export, e)
	}
	recs, err := l.Query(ctx, f)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintf(e.stdout, "No audit records match in %s.\n", where)
		return nil
	}
	return auditTable(e.stdout, recs)
}

func exportAudit(ctx context.Context, l audit.Log, f audit.Filter, path string, e env) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	lines := &lineCounter{w: out}
	if err := l.Export(ctx, lines, f); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Exported %d records to %s.\n", lines.n, path)
	return nil
}

// lineCounter counts the lines written through it.
type lineCounter struct {
	w io.Writer
	n int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	for _, b := range p[:n] {
		if b == '\n' {
			c.n++
		}
	}
	return n, err
}

// auditTable writes records as a table, times in the local zone.
func auditTable(w io.Writer, recs []audit.Record) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tUSER\tKIND\tSKILL\tPARAMS\tRESULT")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Time.Local().Format(time.DateTime), cell(r.User, 20), r.Kind, cell(r.Skill, 24),
			cell(audit.ParamsText(r.Params), 60), cell(audit.Outcome(r), 60))
	}
	return tw.Flush()
}

// cell keeps a table cell on one line and at most n characters.
func cell(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// parseWhen reads a point in time: "" or "all" is none; a length of time
// (90m, 24h, 7d, 2w) is that long before now; otherwise a date, a date and
// time in the local zone, or RFC 3339.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "all":
		return time.Time{}, nil
	}
	if d, err := parseAgo(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a length of time (24h, 7d) nor a time (2026-03-02, 2026-03-02 15:04, RFC 3339)", s)
}

// parseAgo reads a length of time: Go's (90m, 1h30m) or whole days and
// weeks (7d, 2w).
func parseAgo(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, errors.New("negative")
		}
		return d, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if unit == 0 || err != nil || n < 0 {
		return 0, errors.New("not a length of time")
	}
	return time.Duration(n) * unit, nil
}

// auditVerifyCmd is "parley audit verify".
func auditVerifyCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if err == nil {
			fmt.Fprintln(e.stderr, "usage: parley audit verify")
		}
		return errUsage
	}
	if _, err := loadConfig(*cfgPath); err != nil {
		return err
	}
	l, where, closeLog, err := auditLog(ctx, e)
	if err != nil {
		return err
	}
	defer closeLog()
	v, err := l.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, v)
	if !v.OK() {
		fmt.Fprintf(e.stdout, "The audit trail in %s has been changed or damaged.\n", where)
		return errFailed
	}
	if v.Records > 0 {
		fmt.Fprintf(e.stdout, "Last record %d has hash %s.\n", v.LastSeq, v.Head)
	}
	return nil
}
