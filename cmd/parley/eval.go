package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/nlu/eval"
	"github.com/parleybot/parley/training"
)

const evalUsage = "usage: parley eval --data FILE [--train FILE | --cv K] [--json] [--report FILE.html] [--seed N] [--config FILE]"

// evalFiles is a flag that may be given several times.
type evalFiles []string

func (l *evalFiles) String() string { return strings.Join(*l, ",") }

func (l *evalFiles) Set(s string) error {
	if s == "" {
		return fmt.Errorf("empty file name")
	}
	*l = append(*l, s)
	return nil
}

func evalCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var data, trainFiles evalFiles
	fs.Var(&data, "data", "a `FILE` of labelled examples to score (repeatable): .yml/.yaml in the training format, or .jsonl/.json with one example per line")
	fs.Var(&trainFiles, "train", "train a fresh model on the examples in `FILE` (repeatable) instead of scoring the configured one")
	cv := fs.Int("cv", 0, "cross-validate on --data alone with `K` folds")
	withModel := fs.Bool("assist", false, "also ask the configured language model about each example the local model gets wrong, and count what it recovers")
	var tune evalFiles
	fs.Var(&tune, "tune", "with --train: choose the out-of-scope threshold and ambiguity margin on this validation `FILE`: the best in-scope accuracy that keeps out-of-scope recall at 60 % or more there")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	reportPath := fs.String("report", "", "also write the report as an HTML page to `FILE`")
	seed := fs.Uint64("seed", 0, "`N` seeds training and the folds, with --train or --cv (default: the configuration's nlu.seed)")
	cfgPath := fs.String("config", "", "configuration `FILE` (default: the embedded demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), evalUsage)
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	switch {
	case len(rest) > 0:
		fmt.Fprintf(e.stderr, "parley eval: unexpected argument %q (name files with --data or --train)\n%s\n", rest[0], evalUsage)
		return errUsage
	case len(data) == 0:
		fmt.Fprintln(e.stderr, "parley eval: --data is required\n"+evalUsage)
		return errUsage
	case *cv != 0 && len(trainFiles) > 0:
		fmt.Fprintln(e.stderr, "parley eval: --cv cross-validates on --data alone; drop --train\n"+evalUsage)
		return errUsage
	case *cv < 0 || *cv == 1:
		fmt.Fprintln(e.stderr, "parley eval: --cv needs at least 2 folds\n"+evalUsage)
		return errUsage
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })

	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	test, err := loadLabelled(data)
	if err != nil {
		return err
	}
	var trainSet *training.Set
	if len(trainFiles) > 0 {
		if trainSet, err = loadLabelled(trainFiles); err != nil {
			return err
		}
	}

	prog := newEvalProgress(e.stderr)
	opts := bot.ModelOptions(cfg, prog.report)
	if seedSet {
		opts.Seed = *seed
	}
	var report *eval.Report
	switch {
	case *cv > 0:
		report, err = evalCrossValidate(ctx, test, data, *cv, opts, prog)
	case trainSet != nil:
		var valid *training.Set
		if len(tune) > 0 {
			if valid, err = loadLabelled(tune); err != nil {
				return err
			}
		}
		report, err = evalTrained(ctx, e.stderr, test, data, trainSet, trainFiles, valid, opts, prog)
	default:
		var assist *llm.Assistant
		if *withModel {
			if assist, err = newAssistant(e, cfg, nil); err != nil {
				return err
			}
			if assist == nil {
				return fmt.Errorf("--assist needs a language model: set PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL")
			}
		}
		report, err = evalConfigured(ctx, e.stderr, cfg, test, data, assist, prog)
	}
	if err != nil {
		return err
	}

	if *reportPath != "" {
		if err := writeEvalHTML(*reportPath, report); err != nil {
			return err
		}
	}
	if *asJSON {
		err = report.WriteJSON(e.stdout)
	} else {
		err = report.WriteText(e.stdout)
	}
	if err != nil {
		return err
	}
	switch {
	case *reportPath != "" && *asJSON:
		fmt.Fprintf(e.stderr, "HTML report: %s\n", *reportPath)
	case *reportPath != "":
		fmt.Fprintf(e.stdout, "\nHTML report: %s\n", *reportPath)
	}
	return nil
}

// evalCrossValidate trains k models on the test data. Like evalTrained, it
// trains on the given data alone: benchmark data has its own entity
// types, and the configuration's lists would add matches the data never
// marks. The data's own lists and regexes count.
func evalCrossValidate(ctx context.Context, test *training.Set, names []string, k int, opts nlu.Options, prog *evalProgress) (*eval.Report, error) {
	opts.Lists, opts.Regexes = test.Lists, test.Regexes
	fold := 0
	train := func(ctx context.Context, examples []nlu.Example) (eval.Parser, error) {
		fold++
		prog.stage = fmt.Sprintf("fold %d of %d: ", fold, k)
		defer prog.done()
		return nlu.Train(ctx, examples, opts)
	}
	r, err := eval.CrossValidate(ctx, test.Examples, k, opts.Seed, train)
	if err != nil {
		return nil, err
	}
	r.Name = strings.Join(names, ", ")
	return r, nil
}

// evalTrained trains a model on the training set and scores it on the
// test set.
func evalTrained(ctx context.Context, stderr io.Writer, test *training.Set, testNames []string, train *training.Set, trainNames []string, valid *training.Set, opts nlu.Options, prog *evalProgress) (*eval.Report, error) {
	opts.Lists, opts.Regexes = train.Lists, train.Regexes
	start := time.Now()
	model, err := nlu.Train(ctx, train.Examples, opts)
	prog.done()
	if err != nil {
		return nil, fmt.Errorf("training on %s: %w", strings.Join(trainNames, ", "), err)
	}
	secs := time.Since(start).Seconds()
	if valid != nil {
		th, margin, err := tuneDecision(ctx, model, valid.Examples)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "chosen on the validation data: out-of-scope threshold %.2f, ambiguity margin %.2f\n", th, margin)
		model = model.WithDecision(th, margin)
	}
	warnUntaught(stderr, test, model.Intents(), "the training data")
	// Training leaves gigabytes of garbage behind: collect it now, so the
	// timings measure classifying and not a collector cleaning up after
	// training.
	runtime.GC()
	r, err := eval.Score(ctx, model, test.Examples)
	if err != nil {
		return nil, err
	}
	r.TrainSeconds = &secs
	r.Name = fmt.Sprintf("%s, trained on %s", strings.Join(testNames, ", "), strings.Join(trainNames, ", "))
	return r, nil
}

// evalConfigured scores the model the bot would serve.
func evalConfigured(ctx context.Context, stderr io.Writer, cfg *config.Config, test *training.Set, names []string, assist *llm.Assistant, prog *evalProgress) (*eval.Report, error) {
	b, err := bot.New(ctx, memoryOnly(cfg), bot.Options{Progress: prog.report})
	prog.done()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	warnUntaught(stderr, test, b.NLU.Model().Intents(), "the configured model")
	r, err := eval.Score(ctx, b.NLU, test.Examples)
	if err != nil {
		return nil, err
	}
	r.Name = strings.Join(names, ", ") + ", configured model"
	if assist != nil {
		if r.Assisted, err = measureAssist(ctx, assist, b, test.Examples); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// measureAssist asks the language model about every example the local
// model gets wrong, offering the whole catalog, and counts how many it
// recovers.
func measureAssist(ctx context.Context, a *llm.Assistant, b *bot.Bot, examples []nlu.Example) (*eval.Assisted, error) {
	var m eval.Assisted
	for _, ex := range examples {
		res, err := b.NLU.Parse(ctx, ex.Text)
		if err != nil {
			return nil, err
		}
		if res.Intent == ex.Intent || ex.Intent == nlu.OutOfScope {
			continue
		}
		if _, ok := b.Skills.Lookup(ex.Intent); !ok {
			continue // affirm, deny, cancel: the model is not asked about those
		}
		m.Misses++
		p, err := a.Propose(ctx, llm.Request{Text: ex.Text, Skills: b.Skills.All(), Local: res})
		switch {
		case errors.Is(err, llm.ErrNoProposal):
			m.Declined++
		case err != nil:
			m.Failed++
		case p.Skill == ex.Intent:
			m.Recovered++
		default:
			m.Wrong++
		}
	}
	return &m, nil
}

// loadLabelled reads labelled examples, each file in the format its name
// says.
func loadLabelled(paths []string) (*training.Set, error) {
	set := &training.Set{}
	for _, path := range paths {
		if err := training.ParseFile(set, path); err != nil {
			return nil, err
		}
	}
	if len(set.Examples) == 0 {
		return nil, fmt.Errorf("%s: no examples", strings.Join(paths, ", "))
	}
	return set, nil
}

// warnUntaught names the intents of the test data a model was never taught:
// their examples cannot be right.
func warnUntaught(w io.Writer, test *training.Set, known []string, source string) {
	var unknown []string
	for _, intent := range test.Intents() {
		if !eval.IsOutOfScope(intent) && !slices.Contains(known, intent) {
			unknown = append(unknown, intent)
		}
	}
	if len(unknown) == 0 {
		return
	}
	const most = 5
	list := strings.Join(unknown[:min(len(unknown), most)], ", ")
	if len(unknown) > most {
		list += fmt.Sprintf(" and %d more", len(unknown)-most)
	}
	fmt.Fprintf(w, "parley eval: warning: %s has no examples of %s\n", source, list)
}

func writeEvalHTML(path string, r *eval.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteHTML(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// evalProgress shows training progress on one line of a terminal, and
// nothing elsewhere.
type evalProgress struct {
	w     io.Writer
	on    bool
	shown bool
	// stage prefixes the line (the fold of a cross-validation).
	stage string
}

func newEvalProgress(w io.Writer) *evalProgress { return &evalProgress{w: w, on: isTerminal(w)} }

func (p *evalProgress) report(stage string, done, total int) {
	if !p.on {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[Ktraining %s%s %d/%d", p.stage, stage, done, total)
}

// done clears the progress line.
func (p *evalProgress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// tuneDecision picks the out-of-scope threshold and ambiguity margin with
// the best in-scope accuracy on validation examples among those keeping
// out-of-scope recall at 60 % or more there: the target is 50 % on unseen
// data, and a validation split is small (the model's own when the data has
// no out-of-scope examples).
func tuneDecision(ctx context.Context, m *nlu.Model, valid []nlu.Example) (float64, float64, error) {
	bestTh, bestMargin := m.Decision()
	bestAcc := -1.0
	for _, margin := range []float64{-1, 0.02, 0.05, 0.1} {
		for th := 0.05; th < 0.951; th += 0.05 {
			r, err := eval.Score(ctx, m.WithDecision(th, margin), valid)
			if err != nil {
				return 0, 0, err
			}
			if r.InScopeAccuracy == nil || r.OOSRecall == nil {
				t, mg := m.Decision()
				return t, mg, nil
			}
			if *r.OOSRecall >= 0.6 && *r.InScopeAccuracy > bestAcc {
				bestTh, bestMargin, bestAcc = th, margin, *r.InScopeAccuracy
			}
		}
	}
	return bestTh, bestMargin, nil
}
