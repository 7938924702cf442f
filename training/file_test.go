package training

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ParseFile picks the format from the file name.
func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yml":   "intents:\n  - intent: greet\n    examples:\n      - \"hello [bob](person)\"\n",
		"b.JSONL": `{"text": "hi alice", "intent": "greet", "entities": [{"entity": "person", "value": "alice", "start": 3, "end": 8}]}` + "\n",
		"c.jsonl": `{"text": "hi"` + "\n",
		"d.yml":   "{\"text\": \"hi\", \"intent\": \"greet\"}\n{\"text\": \"yo\", \"intent\": \"greet\"}\n",
		"e.txt":   "hello\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file, text, entity, wantErr string
	}{
		{file: "a.yml", text: "hello bob", entity: "bob"},
		{file: "b.JSONL", text: "hi alice", entity: "alice"},
		{file: "c.jsonl", wantErr: "c.jsonl:1"},
		{file: "d.yml", wantErr: "d.yml"},
		{file: "e.txt", wantErr: "unknown format"},
		{file: "missing.yml", wantErr: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			set := &Set{}
			err := ParseFile(set, filepath.Join(dir, tc.file))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Examples) != 1 || set.Examples[0].Text != tc.text || len(set.Examples[0].Entities) != 1 || set.Examples[0].Entities[0].Text != tc.entity {
				t.Fatalf("got %+v", set.Examples)
			}
		})
	}
}
