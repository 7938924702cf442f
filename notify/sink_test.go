package notify_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/parleybot/parley/notify"
)

func TestTextSink(t *testing.T) {
	var out bytes.Buffer
	s := notify.NewTextSink(&out)
	ref, err := s.Post(t.Context(), "ops", notify.Message{
		Text:     "disk full\x1b[2J on db-1\nsee \x07https://grafana/d/1",
		Severity: notify.Warning,
		Actions:  []notify.Action{{Label: "Open", Command: "open an incident: disk full"}},
	})
	if err != nil || ref != "1" {
		t.Fatalf("Post = %q, %v", ref, err)
	}
	if err := s.Update(t.Context(), "#ops", ref, notify.Message{Text: "fixed", Severity: notify.Info}); err != nil {
		t.Fatal(err)
	}
	const want = "[#ops] ⚠️ WARNING: disk full[2J on db-1\n" +
		"  see https://grafana/d/1\n" +
		"  Say: open an incident: disk full\n" +
		"[#ops] (updated) ℹ️ INFO: fixed\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestSecretsDoNotPrint(t *testing.T) {
	s := notify.Secrets{GitHub: []byte("gh-hunter2"), Tokens: map[string]string{"generic": "tok-hunter2", "alertmanager": ""}}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "secrets", s)
	for _, out := range []string{logged.String(), fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%v", &s), fmt.Sprintf("%#v", s)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("a secret printed: %s", out)
		}
	}
	if !strings.Contains(logged.String(), `"tokens":["generic"]`) {
		t.Errorf("log does not say which sources have tokens: %s", logged.String())
	}
}
