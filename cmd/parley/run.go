package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/dialog"
)

// runCmd is "parley run SKILL key=value ...": a skill from the command line,
// with the same validation, roles, confirmation, code and audit as in chat.
func runCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	as := fs.String("as", "", "who is running it (default: the configured operator)")
	channel := fs.String("channel", "cli", "channel to run in, for skills limited to channels")
	yes := fs.Bool("yes", false, "answer yes to the confirmation (a one-time code is still asked for)")
	dryRun := fs.Bool("dry-run", false, "show the exact command of exec skills instead of running it")
	rest, err := parseInterspersed(fs, args)
	if err != nil || len(rest) == 0 {
		fmt.Fprintln(e.stderr, "usage: parley run [--as USER] [--yes] [--channel C] SKILL key=value ...")
		return errUsage
	}
	params, err := dialog.ParseAssignments(rest[1:])
	if err != nil {
		fmt.Fprintln(e.stderr, "parley run:", err)
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *dryRun {
		forceDryRun(cfg)
	}
	opts, err := actingOptions(ctx, e, cfg)
	if err != nil {
		return err
	}
	b, err := bot.New(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer b.Close()
	user := operator(cfg, *as)
	roles := cfg.RolesOf(user)
	if *as == "" || *as == cfg.Operator.User {
		roles = cfg.Operator.Roles
	}
	req := dialog.DirectRequest{User: user, Roles: roles, Channel: *channel, Via: "cli", Skill: rest[0], Params: params, Confirmed: *yes}
	in := bufio.NewScanner(e.stdin)
	ask := func(prompt string) (string, bool) {
		fmt.Fprint(e.stdout, prompt)
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			return "", false
		}
		return strings.TrimSpace(in.Text()), true
	}
	for range 3 {
		out := b.Engine.Direct(ctx, req)
		switch {
		case out.Executed != nil:
			printReplies(e, out.Replies)
			if out.Executed.Err != nil {
				return errFailed
			}
			return nil
		case out.Confirm != "" && !req.Confirmed:
			answer, ok := ask(strings.Join(out.Replies, " ") + " [y/N] ")
			if !ok || !strings.HasPrefix(strings.ToLower(answer), "y") {
				fmt.Fprintln(e.stdout, "Not run.")
				return errFailed
			}
			req.Confirmed = true
		case out.Confirm != "":
			code, ok := ask(strings.Join(out.Replies, " ") + " ")
			if !ok || code == "" {
				fmt.Fprintln(e.stdout, "Not run.")
				return errFailed
			}
			req.Code = code
		default:
			printReplies(e, out.Replies)
			return errFailed
		}
	}
	return errFailed
}

func printReplies(e env, replies []string) {
	for _, r := range replies {
		fmt.Fprintln(e.stdout, r)
	}
}

// skillsCmd is "parley skills": what can be run, with its parameters.
func skillsCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("skills", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	asJSON := fs.Bool("json", false, "print the catalog as JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	b, err := bot.New(ctx, memoryOnly(cfg), bot.Options{})
	if err != nil {
		return err
	}
	defer b.Close()
	if *asJSON {
		type param struct {
			Name     string   `json:"name"`
			Type     string   `json:"type"`
			Required bool     `json:"required"`
			Default  string   `json:"default,omitempty"`
			Values   []string `json:"values,omitempty"`
		}
		type skill struct {
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Risk        string   `json:"risk"`
			Roles       []string `json:"roles,omitempty"`
			Channels    []string `json:"channels,omitempty"`
			Require2FA  bool     `json:"require_2fa,omitempty"`
			Approvals   int      `json:"approvals,omitempty"`
			Params      []param  `json:"params"`
		}
		var list []skill
		for _, s := range b.Skills.All() {
			sk := skill{Name: s.Name, Description: s.Description, Risk: s.Risk.String(), Roles: s.Roles, Channels: s.Channels, Require2FA: s.Require2FA, Approvals: s.Approvals, Params: []param{}}
			for _, p := range s.Params {
				sk.Params = append(sk.Params, param{Name: p.Name, Type: p.Type.Name(), Required: p.Required, Default: p.Default, Values: p.Type.Values()})
			}
			list = append(list, sk)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	for _, s := range b.Skills.All() {
		fmt.Fprintln(e.stdout, dialog.Describe(s))
	}
	fmt.Fprintln(e.stdout, "\nRun one with: parley run SKILL key=value ...")
	return nil
}
