package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/convtest"
	"github.com/parleybot/parley/llm"
	trainmem "github.com/parleybot/parley/training/memstore"
)

func testCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	run := fs.String("run", "", "only cases whose name contains this")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(e.stderr, "usage: parley test [--json] [--config FILE] FILE|DIR...")
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	var cases []convtest.Case
	for _, arg := range files {
		files, err := conversationFiles(arg)
		if err != nil {
			return err
		}
		for _, f := range files {
			cs, err := parseCaseFile(f)
			if err != nil {
				return err
			}
			cases = append(cases, cs...)
		}
	}
	if *run != "" {
		cases = slices.DeleteFunc(cases, func(c convtest.Case) bool { return !containsFold(c.Name, *run) })
	}
	assist, err := newAssistant(e, cfg, nil)
	if err != nil {
		return err
	}
	factory, err := caseFactory(ctx, cfg, assist)
	if err != nil {
		return err
	}
	results := make([]convtest.Result, 0, len(cases))
	for _, c := range cases {
		results = append(results, convtest.RunCase(ctx, c, factory))
	}
	failed := 0
	if *asJSON {
		passed := 0
		for _, r := range results {
			if r.Passed {
				passed++
			} else {
				failed++
			}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"passed": passed, "failed": failed, "results": results}); err != nil {
			return err
		}
	} else {
		_, failed = convtest.Report(e.stdout, results)
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

// caseFactory trains the model once and builds a fresh in-memory bot per
// case, so cases never share state.
func caseFactory(ctx context.Context, cfg *config.Config, assist *llm.Assistant) (convtest.Factory, error) {
	probe, err := bot.New(ctx, memoryOnly(cfg), bot.Options{})
	if err != nil {
		return nil, err
	}
	model := probe.NLU.Model()
	probe.Close()
	return func(now func() time.Time, run dialog.Runner) (convtest.Env, error) {
		b, err := bot.New(ctx, memoryOnly(cfg), bot.Options{Model: model, Now: now, Run: run, Learned: trainmem.New(now), Assistant: assist})
		if err != nil {
			return convtest.Env{}, err
		}
		return convtest.Env{Engine: b.Engine, Catalog: b.Skills, Roles: b.Config.RolesOf}, nil
	}, nil
}

// memoryOnly keeps conversation tests off shared stores.
func memoryOnly(cfg *config.Config) *config.Config {
	c := *cfg
	c.Store.Backend = "memory"
	return &c
}

func conversationFiles(arg string) ([]string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{arg}, nil
	}
	var out []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(arg, pat))
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	slices.Sort(out)
	return out, nil
}

func parseCaseFile(path string) ([]convtest.Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return convtest.Parse(path, f)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// parseInterspersed parses flags wherever they stand among the arguments
// ("parley test DIR --json") and returns the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
