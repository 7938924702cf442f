package bot_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/convtest"
	"github.com/parleybot/parley/nlu"
)

// conversationsDir holds the conversation tests that `parley test
// testdata/conversations` replays; only its top-level files are read, as
// there.
const conversationsDir = "../testdata/conversations"

// conversationConfig is the embedded demo configuration with conversation
// state kept in memory, so cases never share a store.
func conversationConfig() *config.Config {
	cfg := *config.DefaultConfig()
	cfg.Store.Backend = "memory"
	return &cfg
}

// conversationFactory builds a fresh in-memory bot per case, as `parley
// test` does: the model trained once per test binary (sharedModel), the
// case's clock and its recording runner. Bots are closed when t ends.
func conversationFactory(t *testing.T, model *nlu.Model) convtest.Factory {
	cfg := conversationConfig()
	return func(now func() time.Time, run dialog.Runner) (convtest.Env, error) {
		b, err := bot.New(t.Context(), cfg, bot.Options{Model: model, Now: now, Run: run})
		if err != nil {
			return convtest.Env{}, err
		}
		t.Cleanup(func() { b.Close() })
		return convtest.Env{Engine: b.Engine, Catalog: b.Skills, Roles: b.Config.RolesOf}, nil
	}
}

// conversationCases parses every *.yml and *.yaml file of dir.
func conversationCases(t *testing.T, dir string) []convtest.Case {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	var cases []convtest.Case
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := convtest.Parse(filepath.ToSlash(path), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	if len(cases) == 0 {
		t.Fatalf("no conversations found in %s", dir)
	}
	return cases
}

// TestConversations replays testdata/conversations, one subtest per case.
func TestConversations(t *testing.T) {
	cases := conversationCases(t, conversationsDir)
	seen := map[string]string{}
	for _, c := range cases {
		where := fmt.Sprintf("%s:%d", c.File, c.Line)
		if prev, dup := seen[c.Name]; dup {
			t.Errorf("conversation %q at %s has the same name as the one at %s", c.Name, where, prev)
		}
		seen[c.Name] = where
	}
	model := sharedModel(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res := convtest.RunCase(t.Context(), c, conversationFactory(t, model))
			if res.Passed {
				return
			}
			var buf bytes.Buffer
			convtest.Report(&buf, []convtest.Result{res})
			// Drop the closing "0 passed, 1 failed" line.
			report := strings.TrimRight(buf.String(), "\n")
			if i := strings.LastIndexByte(report, '\n'); i >= 0 {
				report = report[:i]
			}
			t.Error("\n" + report)
		})
	}
}
