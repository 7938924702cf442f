package audit

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the audit packages apart from the rest of Parley:
// they import audit and nothing else of it (tests may use internal/pgtest).
func TestImports(t *testing.T) {
	const module = "github.com/parleybot/parley/"
	allowed := map[string]bool{module + "audit": true, module + "audit/logtest": true}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		test := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) || allowed[p] || test && strings.HasPrefix(p, module+"audit/") {
				continue
			}
			if test && p == module+"internal/pgtest" {
				continue
			}
			t.Errorf("%s imports %s", path, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
