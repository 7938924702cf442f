package llm

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package a leaf the engine calls: it must not
// import the dialog engine, a store, the chat adapters or the bot.
func TestImports(t *testing.T) {
	forbidden := []string{
		"github.com/parleybot/parley/dialog",
		"github.com/parleybot/parley/chat",
		"github.com/parleybot/parley/bot",
		"github.com/parleybot/parley/audit",
		"github.com/parleybot/parley/training",
		"github.com/redis/",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.HasPrefix(path, bad) {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
}
