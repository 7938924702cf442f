package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
	"github.com/parleybot/parley/audit/pglog"
	"github.com/parleybot/parley/internal/pgtest"
)

// runWith runs the CLI with the given environment variables only.
func runWith(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errb.String()
}

// auditRecords are appended by seedAudit, at these ages.
func auditRecords(now time.Time) []audit.Record {
	return []audit.Record{
		{Time: now.Add(-30 * time.Hour), Kind: audit.Refused, User: "carol", Skill: "deploy", Via: "chat",
			Params: map[string]string{"app": "billing", "environment": "production"}, Error: "needs the deployer role"},
		{Time: now.Add(-2 * time.Hour), Kind: audit.Executed, User: "alice", Skill: "deploy", Via: "chat",
			Params: map[string]string{"app": "checkout", "environment": "production"}, Result: "done", Duration: 1200 * time.Millisecond,
			Message: "deploy checkout to production"},
		{Time: now.Add(-time.Hour), Kind: audit.Failed, User: "bob", Skill: "restart_service", Via: "cli",
			Params: map[string]string{"service": "nginx", "host": "web-1"}, Error: "exit status 1\nssh: connect refused"},
	}
}

func seedAudit(t *testing.T, l audit.Log) {
	t.Helper()
	for _, r := range auditRecords(time.Now()) {
		if _, err := l.Append(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// fileAudit makes a data folder with the three records in its audit.jsonl.
func fileAudit(t *testing.T) (vars map[string]string, path string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "audit.jsonl")
	l, err := filelog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	seedAudit(t, l)
	l.Close()
	return map[string]string{"PARLEY_DATA_DIR": dir}, path
}

func TestAuditTable(t *testing.T) {
	vars, _ := fileAudit(t)
	code, out, errs := runWith(t, vars, "audit")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and the two records of the last 24h:\n%s", out)
	}
	for _, w := range []string{"TIME", "USER", "KIND", "SKILL", "PARAMS", "RESULT"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("header %q lacks %s", lines[0], w)
		}
	}
	for i, want := range [][]string{
		{"alice", "executed", "deploy", "app=checkout environment=production", "done"},
		{"bob", "failed", "restart_service", "host=web-1 service=nginx", "failed: exit status 1"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("line %q lacks %q", lines[i+1], w)
			}
		}
	}
	if strings.Contains(out, "ssh: connect refused") {
		t.Error("a multi-line error spills into the table")
	}
}

func TestAuditFilters(t *testing.T) {
	vars, _ := fileAudit(t)
	tests := []struct {
		args []string
		want []string // users, in order
	}{
		{[]string{"--since", "all"}, []string{"carol", "alice", "bob"}},
		{[]string{"--since", "2d", "--user", "alice"}, []string{"alice"}},
		{[]string{"--since", "all", "--skill", "deploy"}, []string{"carol", "alice"}},
		{[]string{"--since", "all", "--kind", "refused,failed"}, []string{"carol", "bob"}},
		{[]string{"--since", "all", "--kind", "refused", "--kind", "executed"}, []string{"carol", "alice"}},
		{[]string{"--since", "all", "--limit", "1"}, []string{"bob"}},
		{[]string{"--since", "3h", "--until", "90m"}, []string{"alice"}},
		{[]string{"--since", time.Now().Add(-3 * time.Hour).Format(time.RFC3339)}, []string{"alice", "bob"}},
		{[]string{"--user", "carol"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := runWith(t, vars, append([]string{"audit", "--json"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var users []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" {
					continue
				}
				var r audit.Record
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("%v: %s", err, line)
				}
				users = append(users, r.User)
			}
			if strings.Join(users, ",") != strings.Join(tt.want, ",") {
				t.Errorf("users %v, want %v", users, tt.want)
			}
		})
	}
	code, out, _ := runWith(t, vars, "audit", "--user", "carol")
	if code != 0 || !strings.Contains(out, "No audit records match") {
		t.Errorf("no matches: exit %d, %q", code, out)
	}
}

func TestAuditExport(t *testing.T) {
	vars, _ := fileAudit(t)
	dest := filepath.Join(t.TempDir(), "trail.jsonl")
	code, out, errs := runWith(t, vars, "audit", "--since", "all", "--export", dest)
	if code != 0 || out != "Exported 3 records to "+dest+".\n" {
		t.Fatalf("exit %d: %q %s", code, out, errs)
	}
	st, err := os.Stat(dest)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, %v", st, err)
	}
	f, _ := os.Open(dest)
	defer f.Close()
	v, err := audit.VerifyJSONL(f)
	if err != nil || !v.OK() || v.Records != 3 {
		t.Errorf("the export does not verify: %v, %v", v, err)
	}
}

func TestAuditVerify(t *testing.T) {
	vars, path := fileAudit(t)
	code, out, errs := runWith(t, vars, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "3 records, chain intact\n") || !strings.Contains(out, "Last record 3 has hash ") {
		t.Fatalf("exit %d: %q %s", code, out, errs)
	}
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, bytes.Replace(data, []byte(`"user":"alice"`), []byte(`"user":"mallory"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runWith(t, vars, "audit", "verify")
	if code != 1 || !strings.Contains(out, "chain broken at record 2: record 2 was edited") || !strings.Contains(out, path) {
		t.Fatalf("tampered: exit %d: %q", code, out)
	}
	// Listing still works on a tampered trail: it is how one looks.
	if code, out, _ := runWith(t, vars, "audit"); code != 0 || !strings.Contains(out, "mallory") {
		t.Errorf("listing a tampered trail: exit %d: %q", code, out)
	}
}

func TestAuditVerifyEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := runWith(t, map[string]string{"PARLEY_DATA_DIR": dir}, "audit", "verify")
	if code != 0 || out != "0 records, chain intact\n" {
		t.Fatalf("exit %d: %q %s", code, out, errs)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data folder: %v, %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "audit.jsonl")); err == nil {
		t.Error("reading created the audit file")
	}
}

func TestAuditUsage(t *testing.T) {
	vars, _ := fileAudit(t)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"audit", "--json", "--export", "x.jsonl"}, 2, "usage: parley audit"},
		{[]string{"audit", "--kind", "deleted"}, 2, `unknown kind "deleted"`},
		{[]string{"audit", "--limit", "-1"}, 2, "usage: parley audit"},
		{[]string{"audit", "extra"}, 2, "usage: parley audit"},
		{[]string{"audit", "verify", "extra"}, 2, "usage: parley audit verify"},
		{[]string{"audit", "--since", "lately"}, 1, `--since: "lately" is neither`},
		{[]string{"audit", "--until", "-5h"}, 1, "--until:"},
	}
	for _, tt := range tests {
		code, _, errs := runWith(t, vars, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
	code, _, errs := runWith(t, nil, "audit")
	if code != 1 || !strings.Contains(errs, "PARLEY_DATA_DIR") {
		t.Errorf("no data folder: exit %d, %q", code, errs)
	}
	if code, out, _ := runWith(t, nil, "help"); code != 0 || !strings.Contains(out, "audit verify") {
		t.Errorf("help does not mention audit: %q", out)
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.Local)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"all", time.Time{}},
		{"24h", now.Add(-24 * time.Hour)},
		{"90m", now.Add(-90 * time.Minute)},
		{"7d", now.Add(-7 * 24 * time.Hour)},
		{"2w", now.Add(-14 * 24 * time.Hour)},
		{"2026-03-02", time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local)},
		{"2026-03-02 09:15", time.Date(2026, 3, 2, 9, 15, 0, 0, time.Local)},
		{"2026-03-02T09:15", time.Date(2026, 3, 2, 9, 15, 0, 0, time.Local)},
		{"2026-03-02T09:15:00Z", time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseWhen(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"yesterday-ish", "d", "-3d", "3x", "2026-13-01"} {
		if _, err := parseWhen(bad, now); err == nil {
			t.Errorf("parseWhen(%q) succeeded", bad)
		}
	}
}

func TestAuditPostgres(t *testing.T) {
	dsn := pgtest.SchemaDSN(t)
	l, err := pglog.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	seedAudit(t, l)
	// The data folder is there to show it is not used.
	vars := map[string]string{"PARLEY_AUDIT_DSN": dsn, "PARLEY_DATA_DIR": t.TempDir()}
	code, out, errs := runWith(t, vars, "audit", "--since", "all", "--user", "ALICE")
	if code != 0 || !strings.Contains(out, "app=checkout environment=production") || strings.Contains(out, "carol") {
		t.Fatalf("exit %d: %q %s", code, out, errs)
	}
	code, out, errs = runWith(t, vars, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "3 records, chain intact") {
		t.Fatalf("verify: exit %d: %q %s", code, out, errs)
	}
	c := pgtest.Conn(t)
	if _, err := c.Exec(t.Context(), `DELETE FROM `+strings.SplitN(dsn, "search_path=", 2)[1]+`.parley_audit WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runWith(t, vars, "audit", "verify")
	if code != 1 || !strings.Contains(out, "chain broken at record 3: record 3 is missing") || !strings.Contains(out, "PostgreSQL table parley_audit") {
		t.Fatalf("verify after a deletion: exit %d: %q", code, out)
	}
	if strings.Contains(out, "postgres://") {
		t.Error("the DSN is printed")
	}
}
