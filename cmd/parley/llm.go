package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/training"
)

// newAssistant builds the language model client when one is configured:
// PARLEY_LLM_BASE_URL, PARLEY_LLM_MODEL and PARLEY_LLM_API_KEY override the
// configuration's llm section. It is nil when no base URL is set.
func newAssistant(e env, cfg *config.Config, logger *slog.Logger) (*llm.Assistant, error) {
	base := firstOf(e.getenv("PARLEY_LLM_BASE_URL"), cfg.LLM.BaseURL)
	if base == "" {
		return nil, nil
	}
	key := e.getenv("PARLEY_LLM_API_KEY")
	if key == "" && cfg.LLM.APIKeyEnv != "" {
		key = e.getenv(cfg.LLM.APIKeyEnv)
	}
	a, err := llm.New(llm.Config{
		BaseURL: base, Model: firstOf(e.getenv("PARLEY_LLM_MODEL"), cfg.LLM.Model),
		APIKey: llm.Secret(key), Timeout: cfg.LLM.Timeout, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("language model: %w", err)
	}
	return a, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// trainSuggestCmd is "parley train suggest SKILL -n 20": paraphrases from
// the language model, queued for review; nothing is learned without a
// person's approval.
func trainSuggestCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("train suggest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	n := fs.Int("n", 20, "how many paraphrases to ask for")
	queue := fs.Bool("queue", true, "put them in the review queue")
	rest, err := parseInterspersed(fs, args)
	if err != nil || len(rest) != 1 || *n < 1 || *n > 200 {
		fmt.Fprintln(e.stderr, "usage: parley train suggest SKILL [-n 20]")
		return errUsage
	}
	b, err := learnerBot(ctx, *cfgPath, e)
	if err != nil {
		return err
	}
	defer b.Close()
	a, err := newAssistant(e, b.Config, nil)
	if err != nil {
		return err
	}
	if a == nil {
		return fmt.Errorf("no language model configured: set PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL (and PARLEY_LLM_API_KEY when the server needs one)")
	}
	skill, ok := b.Skills.Lookup(rest[0])
	if !ok {
		return fmt.Errorf("there is no skill %q; “parley skills” lists them", rest[0])
	}
	var examples []string
	for _, ex := range b.Training.Examples {
		if ex.Intent == skill.Name && len(examples) < 30 {
			examples = append(examples, ex.Text)
		}
	}
	lines, err := a.Suggest(ctx, skill, examples, *n)
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(e.stdout, l)
		if *queue {
			if _, err := b.Learner.Propose(ctx, candidate(l, skill.Name, operator(b.Config, ""))); err != nil {
				return err
			}
		}
	}
	if *queue {
		fmt.Fprintf(e.stdout, "%d phrasings are in the review queue (parley train review); nothing is learned until someone approves them.\n", len(lines))
	}
	return nil
}

// candidate is a suggested phrasing for the review queue.
func candidate(text, intent, by string) training.Candidate {
	return training.Candidate{Text: text, Intent: intent, By: by, Source: "llm-suggest"}
}
