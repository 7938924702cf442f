package exec

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parleybot/parley/skills"
)

// Defaults for the zero fields of a Spec.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxOutput = 4096
)

const (
	// waitDelay bounds the wait for the output pipe to close once the
	// command has exited or been killed, in case a process that escaped
	// its group still holds it open.
	waitDelay = 2 * time.Second
	// errorLines is how many lines of output a failure message shows.
	errorLines = 10
	// fallbackPath is the command search path when Parley itself has none.
	fallbackPath = "/usr/local/bin:/usr/bin:/bin"
)

// Spec configures a command skill.
type Spec struct {
	// Argv is the command template, e.g.
	// ["ssh", "{host}", "sudo", "systemctl", "restart", "{service}"].
	// Argv[0] is a fixed command name looked up on PATH, or an absolute
	// path. An element may mix text and placeholders ("--host={host}");
	// "{{" and "}}" stand for literal braces.
	Argv []string
	// Timeout bounds each run (DefaultTimeout when zero). A caller's
	// earlier deadline wins.
	Timeout time.Duration
	// MaxOutput is how many bytes of combined stdout and stderr are kept
	// (DefaultMaxOutput when zero); the rest is dropped with a note.
	MaxOutput int
	// DryRun shows the command that would run instead of running it.
	DryRun bool
	// Dir is the working directory; empty means Parley's own.
	Dir string
	// Env holds extra "KEY=value" variables. The command sees only PATH,
	// HOME and LANG from Parley's environment, plus these, which win.
	Env []string
}

// Executor runs one configured command with a skill's arguments. It is
// immutable after New and safe for concurrent use.
type Executor struct {
	src     []string // the template as configured, for messages
	tmpl    []element
	timeout time.Duration
	limit   int
	dryRun  bool
	dir     string
	env     []string
	path    string // the command search path the child sees
}

var _ skills.Executor = (*Executor)(nil)

// New checks spec against the names of the skill's parameters and returns
// its executor. Every placeholder must name a parameter, braces must
// balance, and Argv[0] must be a fixed, non-empty command.
//
// New reads PATH, HOME and LANG from the process environment, once: they
// are the only variables the command inherits.
func New(spec Spec, params []string) (*Executor, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("exec: the command template is empty")
	}
	declared := make(map[string]bool, len(params))
	for _, p := range params {
		declared[p] = true
	}
	e := &Executor{
		src:     slices.Clone(spec.Argv),
		tmpl:    make([]element, len(spec.Argv)),
		timeout: spec.Timeout,
		limit:   spec.MaxOutput,
		dryRun:  spec.DryRun,
		dir:     spec.Dir,
	}
	for i, s := range spec.Argv {
		el, err := parseElement(s, declared)
		if err != nil {
			return nil, fmt.Errorf("exec: argv[%d] %q: %w", i, s, err)
		}
		e.tmpl[i] = el
	}
	name, fixed := e.tmpl[0].literal()
	switch {
	case !fixed:
		return nil, fmt.Errorf("exec: argv[0] %q: the command must be fixed text, not a placeholder", spec.Argv[0])
	case name == "":
		return nil, errors.New("exec: argv[0] is empty")
	case strings.ContainsRune(name, '/') && !filepath.IsAbs(name):
		return nil, fmt.Errorf("exec: argv[0] %q: give a command name found on PATH or an absolute path", name)
	}
	switch {
	case spec.Timeout < 0:
		return nil, fmt.Errorf("exec: negative timeout %v", spec.Timeout)
	case spec.Timeout == 0:
		e.timeout = DefaultTimeout
	}
	switch {
	case spec.MaxOutput < 0:
		return nil, fmt.Errorf("exec: negative output limit %d", spec.MaxOutput)
	case spec.MaxOutput == 0:
		e.limit = DefaultMaxOutput
	}
	var err error
	if e.env, e.path, err = childEnv(spec.Env); err != nil {
		return nil, err
	}
	return e, nil
}

// childEnv builds the command's environment: PATH, HOME and LANG from this
// process, then extra, later entries replacing earlier ones with the same
// key. It also returns the PATH the command is looked up on.
func childEnv(extra []string) (env []string, path string, err error) {
	keys := map[string]int{}
	set := func(kv string) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := keys[k]; ok {
			env[i] = kv
			return
		}
		keys[k] = len(env)
		env = append(env, kv)
	}
	path = fallbackPath
	if v, ok := os.LookupEnv("PATH"); ok {
		path = v
	}
	set("PATH=" + path)
	for _, k := range []string{"HOME", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			set(k + "=" + v)
		}
	}
	for _, kv := range extra {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsRune(kv, 0) {
			return nil, "", fmt.Errorf("exec: environment entry %q: want KEY=value", kv)
		}
		if k == "PATH" {
			path = v
		}
		set(kv)
	}
	return env, path, nil
}

// Execute runs the command with the call's arguments, or shows it in dry-run
// mode. A command that fails, times out or cannot be found is reported as a
// *skills.UserError carrying the exit status and the last lines of output;
// Result.Argv, Result.ExitCode and Result.Text are filled as far as the run
// got. If ctx is cancelled, the error wraps ctx.Err(). However it ends,
// nothing left in the command's process group survives the call.
func (e *Executor) Execute(ctx context.Context, call skills.Call) (skills.Result, error) {
	argv, err := e.Argv(call.Args)
	if err != nil {
		return skills.Result{}, err
	}
	res := skills.Result{Argv: argv}
	if e.dryRun {
		res.DryRun = true
		res.Text = "dry run: would run " + Quote(argv)
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("exec: %s: %w", argv[0], err)
	}
	bin, err := lookPath(argv[0], e.path)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return res, skills.Errorf("command is not executable: %s", argv[0])
	case err != nil:
		return res, skills.Errorf("command not found: %s", argv[0])
	}

	// A failed chdir in the child looks like a missing command, so the
	// working directory is checked first: it is a configuration error.
	if e.dir != "" {
		fi, err := os.Stat(e.dir)
		if err != nil {
			return res, fmt.Errorf("exec: working directory: %w", err)
		}
		if !fi.IsDir() {
			return res, fmt.Errorf("exec: working directory %s is not a directory", e.dir)
		}
	}

	limit := e.timeout
	if dl, ok := ctx.Deadline(); ok {
		limit = min(limit, time.Until(dl))
	}
	runCtx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()

	out := newOutput(e.limit)
	cmd := osexec.CommandContext(runCtx, bin, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = e.env
	cmd.Dir = e.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.WaitDelay = waitDelay
	isolate(cmd)

	if err := cmd.Start(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return res, skills.Errorf("command not found: %s", argv[0])
		}
		return res, fmt.Errorf("exec: start %s: %w", argv[0], err)
	}
	waitErr := cmd.Wait()
	killLeftovers(cmd)

	res.Text = out.text()
	ps := cmd.ProcessState
	switch {
	case ps != nil && ps.Success():
		if res.Text == "" {
			res.Text = "done."
		}
		return res, nil
	case runCtx.Err() != nil:
		res.ExitCode = ps.ExitCode()
		if err := ctx.Err(); errors.Is(err, context.Canceled) {
			return res, fmt.Errorf("exec: %s: %w", argv[0], err)
		}
		return res, skills.Errorf("%s", withOutput(fmt.Sprintf("%s timed out after %s", argv[0], roundLimit(limit)), out))
	case ps != nil && ps.Exited():
		res.ExitCode = ps.ExitCode()
		return res, skills.Errorf("%s", withOutput(fmt.Sprintf("%s exited with status %d", argv[0], res.ExitCode), out))
	case ps != nil:
		res.ExitCode = ps.ExitCode()
		return res, skills.Errorf("%s", withOutput(fmt.Sprintf("%s was terminated (%s)", argv[0], ps), out))
	}
	return res, fmt.Errorf("exec: wait for %s: %w", argv[0], waitErr)
}

// withOutput appends the last lines of output, if any, to a failure.
func withOutput(msg string, out *output) string {
	if tail := out.lastLines(errorLines); tail != "" {
		return msg + ":\n" + tail
	}
	return msg
}

// roundLimit renders a time limit for people: whole seconds from a second
// up, milliseconds below.
func roundLimit(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return max(d.Round(time.Millisecond), 0)
}

// lookPath finds the command the way execvp would, but on the child's
// search path, and skipping relative directories in it: a command is never
// taken from the current directory.
func lookPath(name, searchPath string) (string, error) {
	if filepath.IsAbs(name) {
		return name, executable(name)
	}
	for _, dir := range filepath.SplitList(searchPath) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fs.ErrNotExist
}

func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fs.ErrPermission
	}
	return nil
}
