package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
)

func shellCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("shell", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	user := fs.String("user", "", "who you are (default: the configured operator)")
	roles := fs.String("roles", "", "comma-separated roles (default: the user's configured roles)")
	channel := fs.String("channel", "shell", "channel name")
	trace := fs.Bool("trace", false, "show what the bot understood and did after each reply (on by default on a terminal)")
	logLevel := fs.String("log-level", "", "log level: debug, info, warn, error")
	dryRun := fs.Bool("dry-run", false, "show the exact command of every exec skill instead of running it")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	logger, err := newLogger(e.stderr, *logLevel)
	if err != nil {
		return err
	}
	if *dryRun {
		forceDryRun(cfg)
	}
	start := time.Now()
	opts, err := actingOptions(ctx, e, cfg)
	if err != nil {
		return err
	}
	opts.Logger = logger
	b, err := bot.New(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer b.Close()
	learnCtx, stopLearning := context.WithCancel(ctx)
	defer stopLearning()
	go b.Learner.Run(learnCtx)

	sh := &shell{bot: b, out: e.stdout, channel: *channel}
	sh.user = *user
	if sh.user == "" {
		sh.user = cfg.Operator.User
	}
	sh.setRoles(*roles)
	interactive := isTerminal(e.stdin) && isTerminal(e.stdout)
	sh.trace = *trace || interactive
	sh.echo = !isTerminal(e.stdin)
	if interactive {
		fmt.Fprintf(e.stdout, "Parley %s — ready in %s. You are %s (roles: %s). Type /help for shell commands, Ctrl-D to quit.\n",
			versionString(), time.Since(start).Round(time.Millisecond), sh.user, strings.Join(sh.roles, ", "))
	}
	return sh.loop(ctx, e.stdin, interactive)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type shell struct {
	bot         *bot.Bot
	out         io.Writer
	user        string
	roles       []string
	rolesSet    bool
	channel     string
	trace, echo bool
	history     []string
}

func (s *shell) setRoles(list string) {
	s.roles, s.rolesSet = nil, list != ""
	if list != "" {
		for _, r := range strings.Split(list, ",") {
			if r = strings.TrimSpace(r); r != "" {
				s.roles = append(s.roles, r)
			}
		}
		return
	}
	if s.user == s.bot.Config.Operator.User {
		s.roles = s.bot.Config.Operator.Roles
		return
	}
	s.roles = s.bot.Config.RolesOf(s.user)
}

func (s *shell) loop(ctx context.Context, in io.Reader, prompt bool) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for {
		if prompt {
			fmt.Fprint(s.out, "you> ")
		}
		if !sc.Scan() {
			if prompt {
				fmt.Fprintln(s.out)
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("reading input: %w", err)
			}
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		line := sc.Text()
		if s.echo {
			fmt.Fprintf(s.out, "you> %s\n", line)
		}
		if strings.HasPrefix(strings.TrimSpace(line), "/") {
			if quit := s.command(strings.TrimSpace(line)); quit {
				return nil
			}
			continue
		}
		switch strings.ToLower(strings.Trim(line, " \t.!")) {
		case "exit", "quit":
			return nil // what people type to leave a terminal program
		}
		s.history = append(s.history, line)
		out := s.bot.Engine.Handle(ctx, dialog.Message{User: s.user, Channel: s.channel, Roles: s.roles, Text: line, Via: "shell"})
		s.print(out)
	}
}

func (s *shell) print(out dialog.Outcome) {
	for _, r := range out.Replies {
		fmt.Fprintf(s.out, "parley> %s\n", strings.ReplaceAll(r, "\n", "\n        "))
	}
	if !s.trace {
		return
	}
	parts := []string{}
	if out.Intent != "" {
		parts = append(parts, fmt.Sprintf("understood %s (%.0f%%)", out.Intent, 100*out.Confidence))
	}
	if out.Executed != nil {
		status := "ok"
		if out.Executed.Err != nil {
			status = "failed"
		} else if out.Executed.Result.DryRun {
			status = "dry run"
		}
		parts = append(parts, strings.Join(strings.Fields(fmt.Sprintf("ran %s %s", out.Executed.Skill, formatKV(out.Executed.Params))), " ")+
			fmt.Sprintf(": %s in %s", status, out.Executed.Duration.Round(time.Microsecond)))
	}
	if out.Denied {
		parts = append(parts, "denied")
	}
	if out.Asks != "" {
		parts = append(parts, "asking for "+out.Asks)
	}
	if out.Confirm != "" {
		parts = append(parts, "awaiting yes/no for "+out.Confirm+" "+formatKV(out.Params))
	}
	parts = append(parts, "state "+out.State.String())
	fmt.Fprintf(s.out, "        · %s\n", strings.Join(parts, " · "))
}

func formatKV(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

// command runs a shell command line ("/user bob"); it reports a quit.
func (s *shell) command(line string) bool {
	name, arg, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case "quit", "exit", "q":
		return true
	case "user":
		if arg == "" {
			fmt.Fprintf(s.out, "        · you are %s (roles: %s)\n", s.user, strings.Join(s.roles, ", "))
			return false
		}
		s.user = arg
		s.setRoles("")
		fmt.Fprintf(s.out, "        · you are now %s (roles: %s)\n", s.user, strings.Join(s.roles, ", "))
	case "roles":
		s.setRoles(arg)
		fmt.Fprintf(s.out, "        · roles: %s\n", strings.Join(s.roles, ", "))
	case "history":
		for i, h := range s.history {
			fmt.Fprintf(s.out, "%4d  %s\n", i+1, h)
		}
	case "trace":
		s.trace = !s.trace
		fmt.Fprintf(s.out, "        · trace %v\n", map[bool]string{true: "on", false: "off"}[s.trace])
	default:
		fmt.Fprint(s.out, `shell commands:
  /user [NAME]    show or change who you are
  /roles a,b      set your roles
  /history        what you said this session
  /trace          show or hide what the bot understood and did
  /quit           leave (or exit, quit, Ctrl-D)
`)
	}
	return false
}

// forceDryRun makes every exec skill show its command instead of running it.
func forceDryRun(cfg *config.Config) {
	for i := range cfg.Skills {
		if cfg.Skills[i].Executor.Kind == "exec" {
			cfg.Skills[i].Executor.DryRun = true
		}
	}
}
