package sqlexec

import (
	"slices"
	"strings"
	"testing"
)

var declared = map[string]bool{"account": true, "days": true, "team": true}

func TestCompile(t *testing.T) {
	tests := []struct {
		name       string
		d          dialect
		src        string
		wantText   string
		wantParams []string
	}{
		{
			"sample", pgDialect,
			"UPDATE accounts SET trial_ends = trial_ends + make_interval(days => :days) WHERE name = :account",
			"UPDATE accounts SET trial_ends = trial_ends + make_interval(days => $1) WHERE name = $2",
			[]string{"days", "account"},
		},
		{
			"sqlite numbers its parameters", sqliteDialect,
			"SELECT * FROM t WHERE a = :account AND b = :days",
			"SELECT * FROM t WHERE a = ?1 AND b = ?2",
			[]string{"account", "days"},
		},
		{
			"a name used twice binds once", pgDialect,
			"SELECT * FROM t WHERE (:team IS NULL OR team = :team) AND n < :days",
			"SELECT * FROM t WHERE ($1 IS NULL OR team = $1) AND n < $2",
			[]string{"team", "days"},
		},
		{
			"casts stay casts", pgDialect,
			"SELECT :days::int + '1'::int, x::text, :account::text",
			"SELECT $1::int + '1'::int, x::text, $2::text",
			[]string{"days", "account"},
		},
		{
			"a colon before no name is literal", pgDialect,
			"SELECT a[1:2], b[ lo : hi ], 'x' WHERE :days > 0",
			"SELECT a[1:2], b[ lo : hi ], 'x' WHERE $1 > 0",
			[]string{"days"},
		},
		{
			"literals, identifiers and comments are left alone", pgDialect,
			"SELECT ':account', \":days\", 'it''s :team' -- :account\n/* :days /* nested :team */ */ FROM t WHERE x = :team",
			"SELECT ':account', \":days\", 'it''s :team' -- :account\n/* :days /* nested :team */ */ FROM t WHERE x = $1",
			[]string{"team"},
		},
		{
			"escape strings", pgDialect,
			`SELECT E'\' :account', e'\\', :days`,
			`SELECT E'\' :account', e'\\', $1`,
			[]string{"days"},
		},
		{
			"a backslash ends an ordinary string", pgDialect,
			`SELECT 'C:\', :days`,
			`SELECT 'C:\', $1`,
			[]string{"days"},
		},
		{
			"dollar quoting", pgDialect,
			"SELECT $$ :account $$, $tag$ it's :days $tag$, :team",
			"SELECT $$ :account $$, $tag$ it's :days $tag$, $1",
			[]string{"team"},
		},
		{
			"a dollar inside a word", pgDialect,
			"SELECT a$b FROM t WHERE c = :days",
			"SELECT a$b FROM t WHERE c = $1",
			[]string{"days"},
		},
		{
			"postgres keeps ? for jsonb", pgDialect,
			"SELECT doc ? 'key' FROM t WHERE id = :days",
			"SELECT doc ? 'key' FROM t WHERE id = $1",
			[]string{"days"},
		},
		{
			"sqlite quoting", sqliteDialect,
			"SELECT [:account], `:days`, ':team' FROM t WHERE x = :days /* :team */",
			"SELECT [:account], `:days`, ':team' FROM t WHERE x = ?1 /* :team */",
			[]string{"days"},
		},
		{
			"sqlite comments do not nest", sqliteDialect,
			"SELECT 1 /* /* */ WHERE x = :days",
			"SELECT 1 /* /* */ WHERE x = ?1",
			[]string{"days"},
		},
		{
			"trailing semicolon and comment", pgDialect,
			"  SELECT 1 ; -- done\n",
			"SELECT 1",
			nil,
		},
		{
			"unicode around placeholders", sqliteDialect,
			"SELECT 'café', :account||'日本'",
			"SELECT 'café', ?1||'日本'",
			[]string{"account"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := compile(tt.src, tt.d, declared)
			if err != nil {
				t.Fatalf("compile(%q): %v", tt.src, err)
			}
			if st.text != tt.wantText {
				t.Errorf("text = %q\n        want %q", st.text, tt.wantText)
			}
			if !slices.Equal(st.params, tt.wantParams) {
				t.Errorf("params = %q, want %q", st.params, tt.wantParams)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		d    dialect
		src  string
		want string
	}{
		{"unknown parameter", pgDialect, "SELECT * FROM t WHERE a = :acount", "placeholder :acount is not a parameter"},
		{"empty", pgDialect, "  ", "the query is empty"},
		{"only a comment", sqliteDialect, "-- nothing", "the query is empty"},
		{"two statements", pgDialect, "UPDATE t SET a = 1; DROP TABLE t", "more than one statement"},
		{"two statements after a literal", sqliteDialect, "SELECT ';'; DELETE FROM t", "more than one statement"},
		{"positional parameter", pgDialect, "SELECT $1", "positional parameter at byte 7: write :name instead"},
		{"sqlite question mark", sqliteDialect, "SELECT * FROM t WHERE a = ?", "SQLite parameter '?'"},
		{"sqlite numbered", sqliteDialect, "SELECT ?1", "SQLite parameter '?'"},
		{"sqlite at-name", sqliteDialect, "SELECT @account", "SQLite parameter '@'"},
		{"sqlite dollar-name", sqliteDialect, "SELECT $account", "SQLite parameter '$'"},
		{"unclosed string", pgDialect, "SELECT 'abc", "unclosed '"},
		{"unclosed identifier", pgDialect, `SELECT "abc`, `unclosed "`},
		{"unclosed comment", pgDialect, "SELECT 1 /* /* */", "unclosed /* comment"},
		{"unclosed dollar string", pgDialect, "SELECT $x$ abc", "unclosed $x$ string"},
		{"unclosed bracket", sqliteDialect, "SELECT [abc", "unclosed [identifier]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := compile(tt.src, tt.d, declared)
			if err == nil {
				t.Fatalf("compile(%q) = %q, want an error saying %q", tt.src, st.text, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compile(%q) error %q, want it to say %q", tt.src, err, tt.want)
			}
		})
	}
}

// FuzzCompile checks that compiling never panics, that every bind
// parameter it writes is one it reports, and that a query without any
// ':' comes out as it went in.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"SELECT :account", "SELECT $$:days$$", "SELECT E'\\':team'", "a::b:c", "'", "/*", "$a$", "?", ";;", "[:x]",
		"SELECT :days::int -- :team", "x$1", "::::", ":a:b:c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, d := range []dialect{pgDialect, sqliteDialect} {
			st, err := compile(src, d, declared)
			if err != nil {
				continue
			}
			for _, p := range st.params {
				if !declared[p] {
					t.Fatalf("%v: compile(%q) binds undeclared %q", d, src, p)
				}
			}
			if !strings.Contains(src, ":") && len(st.params) > 0 {
				t.Fatalf("%v: compile(%q) found placeholders %q without a colon", d, src, st.params)
			}
		}
	})
}
