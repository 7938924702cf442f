package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// run builds an executor for spec over free-text parameters and executes
// it once with raw.
func run(t *testing.T, ctx context.Context, spec Spec, raw map[string]string) (skills.Result, error) {
	t.Helper()
	var names []string
	for n := range raw {
		names = append(names, n)
	}
	slices.Sort(names)
	e, err := New(spec, names)
	if err != nil {
		t.Fatalf("New(%q): %v", spec.Argv, err)
	}
	return e.Execute(ctx, skills.Call{Args: bind(t, names, raw), Time: time.Now()})
}

// userError returns the message of a *skills.UserError, failing otherwise.
func userError(t *testing.T, err error) string {
	t.Helper()
	var ue *skills.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want a *skills.UserError", err, err)
	}
	return ue.Msg
}

func TestHostileValuesArriveAsOneArgument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Files a shell glob would expand to.
	for _, name := range []string{"a", "b", "x1"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	values := []string{
		"a b; rm -rf / $(id) `id` *",
		"*",
		"x?",
		"[ab]",
		"~",
		"$HOME ${PATH}",
		`'single' "double" \back\slash \n`,
		"%s %d %%",
		"| cat /etc/passwd > pwned && echo hi &",
		"x -n --help",
		"{host}",
		"héllo ✓ 日本",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			spec := Spec{Argv: []string{"printf", `<%s>\n`, "{text}", "pre-{text}-post"}, Dir: dir}
			res, err := run(t, context.Background(), spec, map[string]string{"text": v})
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"printf", `<%s>\n`, v, "pre-" + v + "-post"}; !slices.Equal(res.Argv, want) {
				t.Errorf("Argv = %q, want %q", res.Argv, want)
			}
			if want := "<" + v + ">\n<pre-" + v + "-post>"; res.Text != want {
				t.Errorf("output = %q, want %q", res.Text, want)
			}
		})
	}
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Error("a redirection in a value created a file")
		}
	})
}

func TestSuccessWithoutOutput(t *testing.T) {
	t.Parallel()
	res, err := run(t, context.Background(), Spec{Argv: []string{"true"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "done." || res.ExitCode != 0 || res.DryRun {
		t.Fatalf("result = %+v, want done. with status 0", res)
	}
}

func TestOutputIsCleaned(t *testing.T) {
	t.Parallel()
	spec := Spec{Argv: []string{"printf", `\033[1;31mred\033[0m\001bad\377\tok\r\nnext\n`}}
	res, err := run(t, context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "redbad\tok\nnext"; res.Text != want {
		t.Fatalf("Text = %q, want %q", res.Text, want)
	}
}

func TestOutputIsTruncated(t *testing.T) {
	t.Parallel()
	const size = 10 << 20
	spec := Spec{
		Argv:      []string{"sh", "-c", "yes aaaaaaaaaaaaaaa | head -c " + strconv.Itoa(size)},
		MaxOutput: 4096,
	}
	res, err := run(t, context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("…(truncated, %d bytes more)", size-4096)
	if !strings.HasSuffix(res.Text, "\n"+note) {
		t.Errorf("Text ends %q, want the note %q", res.Text[max(0, len(res.Text)-80):], note)
	}
	if max := 4096 + len(note) + 1; len(res.Text) > max {
		t.Errorf("len(Text) = %d, want at most %d", len(res.Text), max)
	}
	if !strings.HasPrefix(res.Text, "aaaaaaaaaaaaaaa\naaaa") {
		t.Errorf("Text starts %q, want the head of the output", res.Text[:min(40, len(res.Text))])
	}
}

func TestFailureShowsLastLines(t *testing.T) {
	t.Parallel()
	spec := Spec{
		Argv:      []string{"sh", "-c", "yes filler | head -c 700000; echo 'fatal: disk full' >&2; exit 4"},
		MaxOutput: 4096,
	}
	res, err := run(t, context.Background(), spec, nil)
	msg := userError(t, err)
	if res.ExitCode != 4 {
		t.Errorf("ExitCode = %d, want 4", res.ExitCode)
	}
	if !strings.HasPrefix(msg, "sh exited with status 4:\n…\n") || !strings.HasSuffix(msg, "filler\nfatal: disk full") {
		t.Errorf("message = %q, want the status, a cut mark and the last lines", msg)
	}
	if n := strings.Count(msg, "\n"); n > errorLines+2 {
		t.Errorf("message has %d lines, want at most %d", n+1, errorLines+2)
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		argv     []string
		wantCode int
		wantMsg  string
	}{
		{"false", []string{"false"}, 1, "false exited with status 1"},
		{"with output", []string{"sh", "-c", "echo starting; echo 'oops: no such unit' >&2; exit 3"}, 3, "sh exited with status 3:\nstarting\noops: no such unit"},
		{"killed by a signal", []string{"sh", "-c", "kill -9 $$"}, -1, "sh was terminated (signal: killed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, context.Background(), Spec{Argv: tt.argv}, nil)
			if msg := userError(t, err); msg != tt.wantMsg {
				t.Errorf("message = %q, want %q", msg, tt.wantMsg)
			}
			if res.ExitCode != tt.wantCode {
				t.Errorf("ExitCode = %d, want %d", res.ExitCode, tt.wantCode)
			}
			if !slices.Equal(res.Argv, tt.argv) {
				t.Errorf("Argv = %q, want %q", res.Argv, tt.argv)
			}
		})
	}
}

func TestCommandNotFound(t *testing.T) {
	t.Parallel()
	plain := filepath.Join(t.TempDir(), "not-executable")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{Argv: []string{"parley-no-such-command"}}, "command not found: parley-no-such-command"},
		{Spec{Argv: []string{"/nonexistent/parley"}}, "command not found: /nonexistent/parley"},
		{Spec{Argv: []string{plain}}, "command is not executable: " + plain},
		// The command is looked up on the PATH the child gets.
		{Spec{Argv: []string{"env"}, Env: []string{"PATH=/nonexistent"}}, "command not found: env"},
	}
	for _, tt := range tests {
		_, err := run(t, context.Background(), tt.spec, nil)
		if msg := userError(t, err); msg != tt.want {
			t.Errorf("%q: message = %q, want %q", tt.spec.Argv, msg, tt.want)
		}
	}
}

func TestMissingDirIsNotAMissingCommand(t *testing.T) {
	t.Parallel()
	_, err := run(t, context.Background(), Spec{Argv: []string{"true"}, Dir: "/nonexistent/parley"}, nil)
	if err == nil {
		t.Fatal("ran in a missing directory")
	}
	if _, ok := errors.AsType[*skills.UserError](err); ok {
		t.Fatalf("error = %v, want a configuration error, not one for the person", err)
	}
}

func TestEnvironmentIsMinimal(t *testing.T) {
	t.Setenv("PARLEY_SECRET_TEST", "x")
	spec := Spec{Argv: []string{"env"}, Env: []string{"PARLEY_EXTRA=1", "LANG=C", "PARLEY_EXTRA=2"}}
	res, err := run(t, context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(res.Text, "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	for k := range got {
		switch k {
		case "PATH", "HOME", "LANG", "PARLEY_EXTRA":
		default:
			t.Errorf("the command saw %s", k)
		}
	}
	if got["PARLEY_EXTRA"] != "2" || got["LANG"] != "C" || got["PATH"] == "" {
		t.Errorf("environment = %v, want PARLEY_EXTRA=2, LANG=C and a PATH", got)
	}
}

func TestDryRunRunsNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	spec := Spec{Argv: []string{"touch", dir + "/{name}"}, DryRun: true}
	res, err := run(t, context.Background(), spec, map[string]string{"name": "made by parley"})
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "made by parley")
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dry run touched %s (stat: %v)", target, err)
	}
	if want := "dry run: would run touch '" + target + "'"; res.Text != want {
		t.Errorf("Text = %q, want %q", res.Text, want)
	}
	if !res.DryRun || res.ExitCode != 0 || !slices.Equal(res.Argv, []string{"touch", target}) {
		t.Errorf("result = %+v, want a dry run of touch %s", res, target)
	}
}

func TestTimeoutKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	// The shell ignores SIGTERM, starts a grandchild, prints its pid and
	// waits: only killing the whole group stops both.
	spec := Spec{
		Argv:    []string{"sh", "-c", `trap "" TERM; sleep 30 & echo $!; wait; sleep 30`},
		Timeout: 300 * time.Millisecond,
	}
	start := time.Now()
	res, err := run(t, context.Background(), spec, nil)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Execute took %v after a 300ms timeout", took)
	}
	msg := userError(t, err)
	if !strings.HasPrefix(msg, "sh timed out after 300ms") {
		t.Errorf("message = %q, want a timeout after 300ms", msg)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(res.Text))
	if err != nil {
		t.Fatalf("no grandchild pid in output %q", res.Text)
	}
	waitGone(t, pid)
}

func TestCallerDeadlineWins(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := run(t, ctx, Spec{Argv: []string{"sleep", "30"}}, nil)
	if msg := userError(t, err); msg != "sleep timed out after 200ms" {
		t.Errorf("message = %q, want a timeout after 200ms", msg)
	}
}

func TestCallerCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := run(t, ctx, Spec{Argv: []string{"sleep", "30"}}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want one wrapping context.Canceled", err)
	}
	var ue *skills.UserError
	if errors.As(err, &ue) {
		t.Errorf("a cancelled call is reported to the person: %q", ue.Msg)
	}
}

func TestOutputHeldOpenDoesNotHang(t *testing.T) {
	t.Parallel()
	// The command exits at once but leaves a grandchild holding its
	// output open.
	spec := Spec{Argv: []string{"sh", "-c", "sleep 30 & echo $!"}}
	start := time.Now()
	res, err := run(t, context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > waitDelay+3*time.Second {
		t.Errorf("Execute took %v", took)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(res.Text))
	if err != nil {
		t.Fatalf("no grandchild pid in output %q", res.Text)
	}
	waitGone(t, pid)
}

// waitGone fails unless process pid ends (or is a zombie) within seconds.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc to check processes with")
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the parenthesised command name.
		if f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])); len(f) > 0 && (f[0] == "Z" || f[0] == "X") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
