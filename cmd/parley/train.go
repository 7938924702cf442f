package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/training"
)

// trainCmd is "parley train", "parley train add" and "parley train review".
func trainCmd(ctx context.Context, args []string, e env) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return trainAddCmd(ctx, args[1:], e)
		case "review":
			return trainReviewCmd(ctx, args[1:], e)
		case "suggest":
			return trainSuggestCmd(ctx, args[1:], e)
		}
	}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	out := fs.String("out", "parley.model", "model file to write")
	seed := fs.Uint64("seed", 0, "training seed (default: the configuration's)")
	var data multiFlag
	fs.Var(&data, "data", "extra training file, YAML or JSONL (repeatable)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: parley train [--out FILE] [--seed N] [--data FILE]... | train add | train review")
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	cfg = memoryOnly(cfg)
	cfg.NLU.Model = "" // always train here
	if *seed != 0 {
		cfg.NLU.Seed = *seed
	}
	cfg.NLU.Training = append(cfg.NLU.Training, data...)
	bar := newProgress(e.stderr, isTerminal(e.stderr))
	start := time.Now()
	b, err := bot.New(ctx, cfg, bot.Options{Progress: bar.update, LearnedDir: learnedDir(e)})
	bar.done()
	if err != nil {
		return err
	}
	defer b.Close()
	took := time.Since(start)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := b.NLU.Model().Save(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	examples, _ := b.Learner.Examples(ctx)
	fmt.Fprintf(e.stdout, "Trained on %d examples in %s: %s\nWrote %s (load it with nlu.model in the configuration).\n",
		len(examples), took.Round(time.Millisecond), b.NLU.Model(), *out)
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// learnedDir is where taught examples and the review queue live when the
// configuration names no folder: the per-user data folder.
func learnedDir(e env) string {
	if d := e.getenv("PARLEY_DATA_DIR"); d != "" {
		return d
	}
	if d := e.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "parley")
	}
	if h := e.getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "parley")
	}
	return ""
}

// learnerBot builds a bot for teaching and review from the command line.
func learnerBot(ctx context.Context, cfgPath string, e env) (*bot.Bot, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	key, err := twoFactorKey(e)
	if err != nil {
		return nil, err
	}
	return bot.New(ctx, cfg, botOptions(e, cfg, key))
}

func operator(cfg *config.Config, as string) string {
	if as != "" {
		return as
	}
	return cfg.Operator.User
}

func trainAddCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("train add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	intent := fs.String("intent", "", "the skill (intent) the phrasing means")
	as := fs.String("as", "", "who is teaching (default: the configured operator)")
	rest, err := parseInterspersed(fs, args)
	if err != nil || *intent == "" || len(rest) != 1 {
		fmt.Fprintln(e.stderr, `usage: parley train add --intent NAME "phrasing"`)
		return errUsage
	}
	b, err := learnerBot(ctx, *cfgPath, e)
	if err != nil {
		return err
	}
	defer b.Close()
	t, err := b.Learner.Teach(ctx, rest[0], *intent, operator(b.Config, *as), "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Learned: “%s” means %s (taught by %s at %s). A running bot on the same store retrains on it.\n",
		t.Text, t.Intent, t.By, t.At.Format(time.RFC3339))
	return nil
}

func trainReviewCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("train review", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	approve := fs.String("approve", "", "approve the candidate with this id")
	reject := fs.String("reject", "", "reject the candidate with this id")
	intent := fs.String("intent", "", "with --approve: the skill it means (required when the candidate has none)")
	as := fs.String("as", "", "who is reviewing (default: the configured operator)")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *approve != "" && *reject != "" {
		fmt.Fprintln(e.stderr, "usage: parley train review [--approve ID [--intent NAME] | --reject ID]")
		return errUsage
	}
	b, err := learnerBot(ctx, *cfgPath, e)
	if err != nil {
		return err
	}
	defer b.Close()
	who := operator(b.Config, *as)
	switch {
	case *approve != "":
		c, err := b.Learner.Resolve(ctx, *approve, training.Decision{Approve: true, Intent: *intent, By: who})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Approved #%s “%s”.\n", c.ID, c.Text)
		return nil
	case *reject != "":
		c, err := b.Learner.Resolve(ctx, *reject, training.Decision{By: who})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Rejected #%s “%s”.\n", c.ID, c.Text)
		return nil
	}
	cs, err := b.Learner.Candidates(ctx)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		fmt.Fprintln(e.stdout, "The review queue is empty.")
		return nil
	}
	if !isTerminal(e.stdin) {
		for _, c := range cs {
			fmt.Fprintln(e.stdout, candidateLine(c))
		}
		return nil
	}
	return reviewInteractively(ctx, b, cs, who, e)
}

func candidateLine(c training.Candidate) string {
	what := c.Intent
	if what == "" {
		what = "(not understood"
		if len(c.Guesses) > 0 {
			what += "; guessed " + strings.Join(c.Guesses, ", ")
		}
		what += ")"
	}
	return fmt.Sprintf("#%s  “%s” → %s  [%s by %s, %d×, %s]", c.ID, c.Text, what, c.Source, c.By, c.Count, c.At.Format("2006-01-02 15:04"))
}

// reviewInteractively walks through the queue at a terminal.
func reviewInteractively(ctx context.Context, b *bot.Bot, cs []training.Candidate, who string, e env) error {
	in := bufio.NewScanner(e.stdin)
	for i, c := range cs {
		fmt.Fprintf(e.stdout, "\n[%d/%d] %s\n", i+1, len(cs), candidateLine(c))
		for {
			fmt.Fprint(e.stdout, "  (a)pprove, approve as (i)ntent…, (r)eject, (s)kip, (q)uit? ")
			if !in.Scan() {
				fmt.Fprintln(e.stdout)
				return in.Err()
			}
			answer := strings.TrimSpace(strings.ToLower(in.Text()))
			d := training.Decision{By: who}
			switch {
			case answer == "q":
				return nil
			case answer == "s" || answer == "":
			case answer == "r":
			case answer == "a" && c.Intent != "":
				d.Approve = true
			case answer == "i" || strings.HasPrefix(answer, "i ") || answer == "a":
				name := strings.TrimSpace(strings.TrimPrefix(answer, "i"))
				if name == "" || name == "a" {
					fmt.Fprint(e.stdout, "  skill: ")
					if !in.Scan() {
						return in.Err()
					}
					name = strings.TrimSpace(in.Text())
				}
				d.Approve, d.Intent = true, name
			default:
				continue
			}
			if answer == "s" || answer == "" {
				break
			}
			if _, err := b.Learner.Resolve(ctx, c.ID, d); err != nil {
				fmt.Fprintln(e.stdout, "  ", err)
				if errors.Is(err, training.ErrUnknown) {
					break
				}
				continue
			}
			fmt.Fprintln(e.stdout, "  done.")
			break
		}
	}
	return nil
}

// progress shows training progress: a bar on a terminal, plain lines
// elsewhere.
type progress struct {
	w     io.Writer
	tty   bool
	stage string
	shown bool
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) update(stage string, done, total int) {
	if !p.tty {
		if stage != p.stage || done == total {
			fmt.Fprintf(p.w, "training: %s %d/%d\n", stage, done, total)
		}
		p.stage = stage
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = width * done / total
	}
	fmt.Fprintf(p.w, "\r%-10s [%s%s] %d/%d", stage, strings.Repeat("█", filled), strings.Repeat("·", width-filled), done, total)
	p.stage, p.shown = stage, true
}

func (p *progress) done() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
