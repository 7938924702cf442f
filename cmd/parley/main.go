// Command parley is a natural-language ChatOps bot.
//
//	parley shell [--user U] [--roles a,b]   chat in the terminal (what make run starts)
//	parley test FILE...                     replay conversation tests
//	parley train [add|review]               train a model, teach, review
//	parley version                          print the version
//
// Every command takes --config FILE (default: the embedded demo
// configuration). Flags and environment variables are read here and
// nowhere else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/parleybot/parley/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// env is the process's world, passed in so commands can be tested.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// errUsage marks a command line that was wrong; usage has been printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, e env) int {
	cmd := "shell"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "shell":
		err = shellCmd(ctx, args, e)
	case "serve":
		err = serveCmd(ctx, args, e)
	case "test":
		err = testCmd(ctx, args, e)
	case "train":
		err = trainCmd(ctx, args, e)
	case "2fa":
		err = twoFACmd(ctx, args, e)
	case "run":
		err = runCmd(ctx, args, e)
	case "skills":
		err = skillsCmd(ctx, args, e)
	case "eval":
		err = evalCmd(ctx, args, e)
	case "audit":
		err = auditCmd(ctx, args, e)
	case "version":
		fmt.Fprintln(e.stdout, "parley", versionString())
		return 0
	case "help", "-h", "--help":
		usage(e.stdout)
		return 0
	default:
		fmt.Fprintf(e.stderr, "parley: unknown command %q\n", cmd)
		usage(e.stderr)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	case errors.Is(err, errFailed):
		return 1
	}
	fmt.Fprintln(e.stderr, "parley:", err)
	return 1
}

// errFailed marks a command that reported its own failure.
var errFailed = errors.New("failed")

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: parley <command> [flags]

commands:
  shell     chat with the bot in the terminal (default)
  serve     run Parley in Slack (Socket Mode or the Events API; see docs/slack.md)
  test      replay conversation tests: parley test FILE...
  run       run a skill from the command line: parley run SKILL key=value ...
  skills    list the skills and their parameters
  2fa       "2fa enroll USER" sets up one-time codes; "2fa keygen" makes the key
  train     train and write a model; "train add" teaches a phrasing,
            "train review" goes through the review queue
  eval      score the NLU on labelled data: parley eval --data FILE [--train FILE | --cv K]
  audit     search the audit trail; "audit verify" checks it was not changed
  version   print the version

Every command takes --config FILE; without it the embedded demo
configuration is used. Run "parley <command> -h" for its flags.
`)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// loadConfig reads --config or returns the embedded default.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.DefaultConfig(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return config.Load(f, path)
}

// newLogger logs to stderr at the given level ("" = warn).
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if level == "" {
		level = "warn"
	}
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
