package main

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/auth"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "PARLEY_DATA_DIR" {
			return dir
		}
		return ""
	}
	code = run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv})
	return code, out.String(), errb.String()
}

func TestShellScriptedThroughAPipe(t *testing.T) {
	code, out, errs := runCLI(t, "restart apache\n192.168.0.24\nyes\n/history\n", "shell")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := []string{
		"you> restart apache",
		"parley> On which host would you like to restart apache?",
		"you> 192.168.0.24",
		"parley> Restart apache on 192.168.0.24? (yes / no)",
		"you> yes",
		"parley> Restarting apache on 192.168.0.24 ... done. (dry run: would run ssh 192.168.0.24 sudo systemctl restart apache; nothing was touched)",
		"   1  restart apache",
	}
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("missing line %q in:\n%s", w, out)
		}
	}
}

func TestShellExitLeaves(t *testing.T) {
	for _, leave := range []string{"exit", "quit", "  Quit!", "/quit"} {
		code, out, errs := runCLI(t, "who is on call\n"+leave+"\nwho is on call for payments\n", "shell")
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", leave, code, errs)
		}
		if !strings.Contains(out, "is on call for platform") || strings.Contains(out, "you> who is on call for payments") {
			t.Errorf("%q did not leave the shell:\n%s", leave, out)
		}
	}
	// "exit" inside a sentence is an ordinary message.
	_, out, _ := runCLI(t, "how do i exit\nwho is on call for payments\n", "shell")
	if !strings.Contains(out, "is on call for payments") {
		t.Errorf("a sentence with exit in it left the shell:\n%s", out)
	}
}

func TestShellIdentityFlags(t *testing.T) {
	_, out, _ := runCLI(t, "restart apache on web-1\n", "shell", "--user", "bob")
	if !strings.Contains(out, "Sorry bob, you need the ops role to restart a service on a host. It can be run by alice, erin, jason.") {
		t.Fatalf("bob has no ops role:\n%s", out)
	}
	_, out, _ = runCLI(t, "restart apache on web-1\n", "shell", "--user", "bob", "--roles", "ops")
	if !strings.Contains(out, "Restart apache on web-1? (yes / no)") {
		t.Fatalf("--roles ops:\n%s", out)
	}
	_, out, _ = runCLI(t, "/user alice\n/user\n", "shell")
	if !strings.Contains(out, "you are now alice (roles: deployer, oncall, ops)") {
		t.Fatalf("/user:\n%s", out)
	}
}

func TestBadConfigFailsStartup(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("store:\n  backend: etcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "", "shell", "--config", bad)
	if code != 1 || !strings.Contains(errs, "store.backend") || !strings.Contains(errs, "etcd") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "", "shell", "--config", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errs, "missing.yaml") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errs)
	}
}

func TestUsage(t *testing.T) {
	if code, _, errs := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, out, _ := runCLI(t, "", "version"); code != 0 || !strings.HasPrefix(out, "parley ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, _ := runCLI(t, "", "test"); code != 2 {
		t.Fatalf("test without files: exit %d", code)
	}
}

func TestTestCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	os.WriteFile(good, []byte(`
- name: restart asks for the missing host
  user: jason
  roles: [ops]
  turns:
    - say: "restart apache"
      expect: {intent: restart_service, asks: host}
    - say: "192.168.0.24"
      expect: {confirm: restart_service, params: {service: apache, host: 192.168.0.24}}
    - say: "yes"
      expect: {executes: restart_service, params: {service: apache, host: 192.168.0.24}}
`), 0o600)
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte(`
- name: expects the wrong thing
  user: jason
  roles: [ops]
  turns:
    - say: "restart apache on web-1"
      expect: {executes: restart_service}
`), 0o600)

	code, out, errs := runCLI(t, "", "test", good)
	if code != 0 || !strings.HasSuffix(out, "1 passed, 0 failed\n") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "", "test", good, bad)
	if code != 1 || !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, w := range []string{"FAIL expects the wrong thing", "turn 1 (line 6)", "executes: expected restart_service, got nothing", "bot said: Restart apache on web-1? (yes / no)"} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = runCLI(t, "", "test", "--json", dir)
	var res struct {
		Passed, Failed int
		Results        []struct {
			Name   string
			Passed bool
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || res.Passed != 1 || res.Failed != 1 || len(res.Results) != 2 {
		t.Fatalf("json: exit %d, %v, %+v\n%s", code, err, res, out)
	}
	broken := filepath.Join(dir, "broken.yml")
	os.WriteFile(broken, []byte("- name: x\n  turns:\n    - say: hi\n      expect: {intnet: help}\n"), 0o600)
	if code, _, errs := runCLI(t, "", "test", broken); code != 1 || !strings.Contains(errs, "broken.yml:1") || !strings.Contains(errs, "intnet") {
		t.Fatalf("malformed file: exit %d, %q", code, errs)
	}
}

func TestDryRunFlagAndASmallCatalog(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "touched")
	cfg := filepath.Join(dir, "parley.yaml")
	os.WriteFile(cfg, []byte(`
operator: {user: op, roles: [ops]}
skills:
  - name: restart_service
    description: Restart a service on a host.
    risk: dangerous
    roles: [ops]
    confirm: "Restart {service} on {host}?"
    running: "Restarting {service} on {host}"
    params:
      - {name: service, type: name, required: true, question: "Which service?"}
      - {name: host, type: host, required: true, question: "Which host?"}
    executor: {kind: exec, argv: [touch, "`+marker+`"]}
`), 0o600)
	code, out, errs := runCLI(t, "restart apache on web-1\nyes\ndeploy checkout to prod\n", "shell", "--config", cfg, "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Restarting apache on web-1 ... done. (dry run: would run touch "+marker) {
		t.Fatalf("dry run not shown:\n%s", out)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("--dry-run ran the command")
	}
	// deploy is not in this catalog: it must not be taken for a restart.
	if strings.Contains(out, "Restart checkout") || !strings.Contains(out, "parley> ") {
		t.Fatalf("a request outside the catalog was misread:\n%s", out)
	}
}

func TestTwoFactorEndToEnd(t *testing.T) {
	dir := t.TempDir()
	key := strings.Repeat("ab", 32)
	getenv := func(k string) string {
		switch k {
		case "PARLEY_2FA_KEY":
			return key
		case "PARLEY_DATA_DIR":
			return dir
		}
		return ""
	}
	run2 := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv})
		return code, out.String(), errb.String()
	}
	code, out, errs := run2("", "2fa", "enroll", "op")
	if code != 0 || !strings.Contains(out, "otpauth://totp/Parley:op?") || !strings.Contains(out, "▀") {
		t.Fatalf("enroll: %d %s %s", code, out, errs)
	}
	secret := regexp.MustCompile(`type the secret: ([A-Z2-7]+)`).FindStringSubmatch(out)
	if secret == nil {
		t.Fatalf("no secret in %s", out)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret[1])
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "parley.yaml")
	os.WriteFile(cfg, []byte(`
operator: {user: op, roles: [ops]}
skills:
  - name: restart_service
    description: Restart a service on a host.
    risk: dangerous
    roles: [ops]
    require_2fa: true
    confirm: "Restart {service} on {host}?"
    running: "Restarting {service} on {host}"
    params:
      - {name: service, type: name, required: true, question: "Which service?"}
      - {name: host, type: host, required: true, question: "Which host?"}
    executor: {kind: exec, argv: [true], dry_run: true}
`), 0o600)
	code, out, errs = run2("restart apache on web-1\nyes\n000000\n"+auth.CodeAt(raw, time.Now())+"\n", "shell", "--config", cfg)
	if code != 0 {
		t.Fatalf("shell: %d %s", code, errs)
	}
	for _, want := range []string{"Enter the 6-digit code", "that code is wrong", "Restarting apache on web-1 ... done."} {
		if !strings.Contains(out, want) {
			t.Fatalf("shell output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run2("", "2fa", "enroll"); code != 2 {
		t.Fatalf("enroll without a user: %d %s", code, errs)
	}
}

func TestShellActionsReachTheAuditTrail(t *testing.T) {
	dir := t.TempDir()
	runIn := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		getenv := func(k string) string {
			if k == "PARLEY_DATA_DIR" {
				return dir
			}
			return ""
		}
		code := run(context.Background(), args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv})
		return code, out.String(), errb.String()
	}
	if code, _, errs := runIn("restart apache on web-1\nyes\n", "shell"); code != 0 {
		t.Fatalf("shell: %s", errs)
	}
	code, out, errs := runIn("", "audit", "--json")
	if code != 0 || !strings.Contains(out, `"kind":"executed"`) || !strings.Contains(out, `"skill":"restart_service"`) || !strings.Contains(out, `"via":"shell"`) {
		t.Fatalf("audit: %d %s %s", code, out, errs)
	}
	if code, out, _ := runIn("", "audit", "verify"); code != 0 || !strings.Contains(out, "chain intact") {
		t.Fatalf("verify: %d %s", code, out)
	}
}

func TestRunFromTheCommandLine(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"confirmed at the prompt", "y\n", []string{"run", "restart_service", "service=apache", "host=web-1"}, 0, "Restarting apache on web-1 ... done."},
		{"declined at the prompt", "n\n", []string{"run", "restart_service", "service=apache", "host=web-1"}, 1, "Not run."},
		{"--yes", "", []string{"run", "--yes", "restart_service", "service=apache", "host=web-1"}, 0, "Restarting apache on web-1 ... done."},
		{"hostile value", "", []string{"run", "--yes", "restart_service", "service=apache", "host=web-1;reboot"}, 1, "isn't a valid value for host"},
		{"missing parameter", "", []string{"run", "restart_service", "service=apache"}, 1, "restart_service needs host"},
		{"unknown parameter", "", []string{"run", "restart_service", "service=apache", "host=web-1", "colour=red"}, 1, "has no parameter"},
		{"roles of --as", "", []string{"run", "--as", "bob", "--yes", "restart_service", "service=apache", "host=web-1"}, 1, "you need the ops role"},
		{"read skill runs at once", "", []string{"run", "oncall_who", "team=payments"}, 0, "on call for payments"},
		{"unknown skill", "", []string{"run", "launch_rockets"}, 1, "no skill \"launch_rockets\""},
		{"not key=value", "", []string{"run", "oncall_who", "payments"}, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
		})
	}
}

func TestSkillsListing(t *testing.T) {
	code, out, _ := runCLI(t, "", "skills")
	if code != 0 || !strings.Contains(out, "restart_service — Restart a service on a host. [dangerous, confirmed] roles: ops") || !strings.Contains(out, "host=host (required)") {
		t.Fatalf("%d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "skills", "--json")
	var list []struct {
		Name   string
		Params []struct{ Name, Type string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) < 16 {
		t.Fatalf("%d %v %d", code, err, len(list))
	}
}
