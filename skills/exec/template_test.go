package exec

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/skills"
)

// bind validates raw values for a throwaway skill whose parameters are all
// free text, and returns the typed arguments.
func bind(t *testing.T, names []string, raw map[string]string) skills.Args {
	t.Helper()
	s := &skills.Skill{Name: "test"}
	for _, n := range names {
		s.Params = append(s.Params, skills.Param{Name: n, Type: skills.MustType(skills.TypeSpec{Name: "text"})})
	}
	args, err := s.Bind(raw, skills.Caller{User: "alice"})
	if err != nil {
		t.Fatalf("Bind(%v): %v", raw, err)
	}
	return args
}

func TestNewValidatesTemplate(t *testing.T) {
	params := []string{"host", "service", "port"}
	tests := []struct {
		name    string
		argv    []string
		wantErr string // empty: valid
	}{
		{"placeholders", []string{"ssh", "{host}", "sudo", "systemctl", "restart", "{service}"}, ""},
		{"mixed element", []string{"curl", "-fsS", "https://{host}:{port}/health"}, ""},
		{"option with value", []string{"tool", "--host={host}"}, ""},
		{"escaped braces", []string{"echo", "{{literal}}", "{{{host}}}"}, ""},
		{"absolute command", []string{"/usr/bin/env"}, ""},
		{"empty later element", []string{"ssh-keygen", "-N", ""}, ""},
		{"unused parameter", []string{"uptime"}, ""},
		{"empty argv", nil, "empty"},
		{"empty command", []string{"", "{host}"}, "argv[0] is empty"},
		{"placeholder command", []string{"{host}", "x"}, "must be fixed text"},
		{"command with placeholder part", []string{"run-{service}"}, "must be fixed text"},
		{"relative path command", []string{"./deploy.sh"}, "absolute path"},
		{"unknown placeholder", []string{"ssh", "{hots}"}, "{hots} is not a parameter"},
		{"empty placeholder", []string{"echo", "{}"}, "empty placeholder"},
		{"unclosed brace", []string{"echo", "{host"}, "unclosed '{'"},
		{"nested brace", []string{"echo", "{ho{st}}"}, "unclosed '{'"},
		{"stray closing brace", []string{"echo", "host}"}, "unbalanced '}'"},
		{"stray after placeholder", []string{"echo", "{host}}"}, "unbalanced '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Spec{Argv: tt.argv}, params)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New(%q) = %v, want success", tt.argv, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("New(%q) succeeded, want error containing %q", tt.argv, tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("New(%q) = %v, want error containing %q", tt.argv, err, tt.wantErr)
			}
		})
	}
}

func TestNewValidatesSettings(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{"negative timeout", Spec{Argv: []string{"true"}, Timeout: -1}},
		{"negative output", Spec{Argv: []string{"true"}, MaxOutput: -1}},
		{"env without equals", Spec{Argv: []string{"true"}, Env: []string{"FOO"}}},
		{"env without key", Spec{Argv: []string{"true"}, Env: []string{"=x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.spec, nil); err == nil {
				t.Fatalf("New(%+v) succeeded, want an error", tt.spec)
			}
		})
	}
}

func TestArgv(t *testing.T) {
	params := []string{"host", "service", "since"}
	tests := []struct {
		name    string
		argv    []string
		raw     map[string]string
		want    []string
		wantErr bool
	}{
		{
			name: "one element per placeholder",
			argv: []string{"ssh", "{host}", "sudo", "systemctl", "restart", "{service}"},
			raw:  map[string]string{"host": "web-1", "service": "nginx"},
			want: []string{"ssh", "web-1", "sudo", "systemctl", "restart", "nginx"},
		},
		{
			name: "mixed and escaped",
			argv: []string{"curl", "https://{host}/health", "--data={{\"svc\":\"{service}\"}}"},
			raw:  map[string]string{"host": "api.example.com", "service": "a b"},
			want: []string{"curl", "https://api.example.com/health", `--data={"svc":"a b"}`},
		},
		{
			name: "absent optional placeholder is dropped",
			argv: []string{"journalctl", "-u", "{service}", "{since}"},
			raw:  map[string]string{"service": "nginx"},
			want: []string{"journalctl", "-u", "nginx"},
		},
		{
			name:    "absent optional inside text is an error",
			argv:    []string{"journalctl", "--since={since}"},
			raw:     map[string]string{},
			wantErr: true,
		},
		{
			name: "empty literal element is kept",
			argv: []string{"ssh-keygen", "-N", ""},
			raw:  map[string]string{},
			want: []string{"ssh-keygen", "-N", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Spec{Argv: tt.argv}, params)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Argv(bind(t, params, tt.raw))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Argv = %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Argv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"ssh", "web-1.example.com", "sudo", "systemctl", "restart", "nginx"}, "ssh web-1.example.com sudo systemctl restart nginx"},
		{[]string{"curl", "https://x/health?a=1&b=2"}, "curl 'https://x/health?a=1&b=2'"},
		{[]string{"echo", ""}, "echo ''"},
		{[]string{"echo", "it's"}, `echo 'it'\''s'`},
		{[]string{"echo", "a b", "$(id)", "*", "~"}, `echo 'a b' '$(id)' '*' '~'`},
		{[]string{"user@host:/p,q", "--x=+1%"}, "user@host:/p,q --x=+1%"},
		{[]string{"héllo"}, "'héllo'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.argv); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}
