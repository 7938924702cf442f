package training

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ParseFile adds the examples of the file at path to set, in the format its
// name says: .yml or .yaml in the training format, .jsonl or .json with
// one example per line.
func ParseFile(set *Set, path string) error {
	var parse func(*Set, string, io.Reader) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		parse = Parse
	case ".jsonl", ".json":
		parse = ParseJSONL
	default:
		return fmt.Errorf("%s: unknown format: name it .yml or .yaml (training format) or .jsonl or .json (one example per line)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return parse(set, path, f)
}
