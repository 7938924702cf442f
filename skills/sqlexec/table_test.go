package sqlexec

import (
	"strings"
	"testing"
)

func TestTableString(t *testing.T) {
	long := strings.Repeat("x", 70)
	tests := []struct {
		name string
		t    table
		want string
	}{
		{
			name: "aligned, with NULL and unicode",
			t: table{
				cols: []string{"id", "name", "plan"},
				rows: [][]cell{
					{{"1", true}, {"acme", true}, {"pro", true}},
					{{"22", true}, {"café ✓", true}, {}},
				},
			},
			want: "" +
				"id  name    plan\n" +
				"--  ------  ----\n" +
				"1   acme    pro\n" +
				"22  café ✓  ∅",
		},
		{
			name: "cut at the limit",
			t: table{
				cols: []string{"n"},
				rows: [][]cell{{{"1", true}}, {{"2", true}}},
				more: true,
			},
			want: "n\n-\n1\n2\n…and more",
		},
		{
			name: "long, multi-line and control characters",
			t: table{
				cols: []string{"note", "?column?"},
				rows: [][]cell{
					{{long, true}, {"a\nb\tc\x1b[31md\u202e", true}},
				},
			},
			want: "" +
				"note" + strings.Repeat(" ", 56) + "  ?column?\n" +
				strings.Repeat("-", 60) + "  ----------\n" +
				strings.Repeat("x", 59) + "…  a b c[31md",
		},
		{
			name: "empty column name",
			t:    table{cols: []string{""}, rows: [][]cell{{{"1", true}}}},
			want: "\n-\n1",
		},
		{
			name: "no rows",
			t:    table{cols: []string{"id"}},
			want: "no rows",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.String(); got != tt.want {
				t.Errorf("table:\n%s\nwant:\n%s\n(%q)", got, tt.want, got)
			}
		})
	}
}
