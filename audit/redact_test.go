package audit

import (
	"reflect"
	"testing"
)

func TestRedact(t *testing.T) {
	marked := func(name string) bool { return name == "pin" }
	tests := []struct {
		name   string
		params map[string]string
		secret func(string) bool
		want   map[string]string
	}{
		{"nil", nil, marked, nil},
		{"empty", map[string]string{}, marked, nil},
		{"nothing secret", map[string]string{"app": "checkout"}, marked, map[string]string{"app": "checkout"}},
		{"marked secret", map[string]string{"app": "checkout", "pin": "1234"}, marked,
			map[string]string{"app": "checkout", "pin": Mask}},
		{"secret by name", map[string]string{"db_password": "hunter2", "GitHub-Token": "ghp_x", "api_key": "k", "apikey": "k", "client_secret": "s"}, nil,
			map[string]string{"db_password": Mask, "GitHub-Token": Mask, "api_key": Mask, "apikey": Mask, "client_secret": Mask}},
		{"empty secret stays empty", map[string]string{"password": ""}, nil, map[string]string{"password": ""}},
		{"nil func", map[string]string{"host": "web-1"}, nil, map[string]string{"host": "web-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before map[string]string
			if tt.params != nil {
				before = map[string]string{}
				for k, v := range tt.params {
					before[k] = v
				}
			}
			got := Redact(tt.params, tt.secret)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Redact = %v, want %v", got, tt.want)
			}
			if tt.params != nil && !reflect.DeepEqual(tt.params, before) {
				t.Errorf("Redact changed its argument: %v", tt.params)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct {
		text    string
		secrets []string
		want    string
	}{
		{"deploy with token abc123 please", []string{"abc123"}, "deploy with token •••• please"},
		{"abc123 and again abc123", []string{"abc123"}, "•••• and again ••••"},
		{"nothing here", []string{"abc123", ""}, "nothing here"},
		{"empty secret is ignored", []string{""}, "empty secret is ignored"},
		{"longest first: hunter2hunter2", []string{"hunter2", "hunter2hunter2"}, "longest first: ••••"},
		{"two: s3cr3t and p4ss", []string{"p4ss", "s3cr3t"}, "two: •••• and ••••"},
		{"no secrets", nil, "no secrets"},
	}
	for _, tt := range tests {
		if got := RedactText(tt.text, tt.secrets); got != tt.want {
			t.Errorf("RedactText(%q, %q) = %q, want %q", tt.text, tt.secrets, got, tt.want)
		}
	}
}

func TestLooksSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "DB_PASSWORD": true, "passwd": true, "token": true, "github-token": true,
		"secret": true, "api_key": true, "private_key": true, "credentials": true,
		"app": false, "host": false, "environment": false, "key": false, "version": false,
	} {
		if got := LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}
