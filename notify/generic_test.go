package notify_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleybot/parley/notify"
)

func TestGenericValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	cases := []struct {
		name, body string
		code       int
		want       string // in the error
	}{
		{"empty body", ``, http.StatusBadRequest, "body is empty"},
		{"not JSON", `{"title":`, http.StatusBadRequest, "JSON"},
		{"trailing data", `{"title":"a"} {"title":"b"}`, http.StatusBadRequest, "after the JSON value"},
		{"no title", `{"text":"hi"}`, http.StatusBadRequest, "title is empty"},
		{"blank title", `{"title":"   "}`, http.StatusBadRequest, "title is empty"},
		{"title of control characters", `{"title":"\u0000\u0007"}`, http.StatusBadRequest, "title is empty"},
		{"title 301", `{"title":"` + long(301) + `"}`, http.StatusBadRequest, "title is 301 characters, the limit is 300"},
		{"text 3001", `{"title":"t","text":"` + long(3001) + `"}`, http.StatusBadRequest, "text is 3001 characters, the limit is 3000"},
		{"unknown severity", `{"title":"t","severity":"urgent"}`, http.StatusBadRequest, `unknown severity "urgent"`},
		{"unknown status", `{"title":"t","status":"ok"}`, http.StatusBadRequest, `unknown status "ok"`},
		{"unknown field", `{"title":"t","seververity":"info"}`, http.StatusBadRequest, `unknown field "seververity"`},
		{"wrong type", `{"title":"t","labels":["a"]}`, http.StatusBadRequest, `field "labels" has the wrong type`},
		{"relative url", `{"title":"t","url":"/runbooks/disk"}`, http.StatusBadRequest, "not an absolute http or https URL"},
		{"javascript url", `{"title":"t","url":"javascript:alert(1)"}`, http.StatusBadRequest, "not an absolute http or https URL"},
		{"channel with space", `{"title":"t","channel":"#a b"}`, http.StatusBadRequest, "white space"},
		{"empty array", `[]`, http.StatusBadRequest, "no notifications"},
		{"one bad in an array", `[{"title":"ok"},{"title":"t","severity":"loud"}]`, http.StatusBadRequest, "notification 1: unknown severity"},
		{"too large", `{"title":"t","text":"` + strings.Repeat("a", notify.MaxBody) + `"}`, http.StatusRequestEntityTooLarge, "over the limit"},
		{"title 300 is fine", `{"title":"` + long(300) + `"}`, http.StatusAccepted, ""},
		{"text 3000 is fine", `{"title":"t","text":"` + long(3000) + `"}`, http.StatusAccepted, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{})
			r := h.post("generic", []byte(tc.body), nil, tc.code)
			h.flush()
			if tc.code != http.StatusAccepted {
				if !strings.Contains(r.Error, tc.want) {
					t.Errorf("error %q, want it to say %q", r.Error, tc.want)
				}
				if calls := h.sink.Calls("", ""); len(calls) != 0 {
					t.Errorf("a rejected request posted:\n%s", texts(calls))
				}
				return
			}
			if len(h.posts("#ops")) != 1 {
				t.Errorf("accepted but posted:\n%s", texts(h.sink.Calls("", "")))
			}
		})
	}
}

func TestGenericRouting(t *testing.T) {
	cfg := notify.Config{
		Default: "#general",
		Routes: []notify.Rule{
			{Source: notify.SourceGeneric, Severity: notify.Critical, Channels: []string{"#oncall", "#ops"}},
			{Labels: map[string]string{"team": "payments"}, Channels: []string{"#payments"}, AllowExplicit: true},
			{Repository: "acme/*", Severity: notify.Warning, Channels: []string{"#dev"}},
		},
	}
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"critical goes to two channels", map[string]any{"title": "a", "severity": "critical", "labels": map[string]string{"team": "payments"}}, []string{"#oncall", "#ops"}},
		{"labels", map[string]any{"title": "b", "severity": "warning", "labels": map[string]string{"team": "payments", "env": "prod"}}, []string{"#payments"}},
		{"labels must all match", map[string]any{"title": "c", "labels": map[string]string{"team": "billing"}}, []string{"#general"}},
		{"repository and severity", map[string]any{"title": "d", "severity": "warning", "repository": "acme/api"}, []string{"#dev"}},
		{"repository below the severity", map[string]any{"title": "e", "severity": "info", "repository": "acme/api"}, []string{"#general"}},
		{"glob stops at a slash", map[string]any{"title": "f", "severity": "warning", "repository": "acme/api/sub"}, []string{"#general"}},
		{"other repository", map[string]any{"title": "g", "severity": "warning", "repository": "other/api"}, []string{"#general"}},
		{"explicit channel allowed", map[string]any{"title": "h", "channel": "#payments-noise", "labels": map[string]string{"team": "payments"}}, []string{"#payments-noise"}},
		{"explicit channel ignored", map[string]any{"title": "i", "channel": "#ceo", "repository": "acme/api", "severity": "warning"}, []string{"#dev"}},
		{"explicit channel ignored by default", map[string]any{"title": "j", "channel": "#ceo"}, []string{"#general"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, cfg, notify.Secrets{})
			h.generic(tc.body)
			h.flush()
			var got []string
			for _, c := range h.posts("") {
				got = append(got, c.Channel)
			}
			slices.Sort(got) // channels are served by different workers
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("posted to %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGenericBatchAndActions(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{})
	r := h.post("generic", []byte(`[
		{"title":"Checkout errors above 5%","severity":"critical","labels":{"incident":"#42"}},
		{"title":"Queue backlog growing","severity":"warning","text":"12k messages"},
		{"title":"Nightly report ready"}
	]`), nil, http.StatusAccepted)
	if r.Accepted != 3 {
		t.Fatalf("accepted %d, want 3", r.Accepted)
	}
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 3 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	want := []string{"ack #42", "open an incident: Queue backlog growing", ""}
	for i, p := range posts {
		got := ""
		if len(p.Message.Actions) > 0 {
			got = p.Message.Actions[0].Command
		}
		if got != want[i] {
			t.Errorf("%q offers %q, want %q", p.Message.Text, got, want[i])
		}
	}
}

func TestHandlerMethodsAndSources(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{})
	cases := []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/hooks/generic", http.StatusMethodNotAllowed},
		{http.MethodPut, "/hooks/github", http.StatusMethodNotAllowed},
		{http.MethodPost, "/hooks/jenkins", http.StatusNotFound},
		{http.MethodGet, "/hooks/jenkins", http.StatusNotFound},
		{http.MethodPost, "/hooks/", http.StatusNotFound},
		{http.MethodPost, "/elsewhere", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			code, _ := h.with(t).do(tc.method, tc.path, []byte(`{"title":"t"}`), nil)
			if code != tc.code {
				t.Errorf("got %d, want %d", code, tc.code)
			}
		})
	}
	if calls := h.sink.Calls("", ""); len(calls) != 0 {
		t.Errorf("posted:\n%s", texts(calls))
	}
}

func TestHandlerAfterClose(t *testing.T) {
	hub, err := notify.NewHub(notify.Config{Default: "#ops"}, &notify.RecordingSink{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := hub.Deliver(t.Context(), notify.Notification{Title: "late"}); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Deliver after Run = %v, want ErrClosed", err)
	}
	if err := hub.Flush(t.Context()); !errors.Is(err, notify.ErrClosed) {
		t.Errorf("Flush after Run = %v, want ErrClosed", err)
	}
	rec := httptest.NewRecorder()
	notify.Handler(hub, notify.Secrets{}, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hooks/generic", strings.NewReader(`{"title":"late"}`)))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("hook after Run = %d %s, want 503", rec.Code, rec.Body)
	}
}

func FuzzParseGeneric(f *testing.F) {
	for _, s := range []string{
		`{"title":"a"}`,
		`[{"title":"a","severity":"critical","labels":{"incident":"42"}},{"title":"b","status":"resolved"}]`,
		`{"title":"a\u0000b\nc","text":"x","url":"https://example.com","channel":"#x","key":"k","repository":"a/b"}`,
		`{"title":"` + strings.Repeat("ü", 300) + `"}`,
		`[]`, `{}`, `null`, `"title"`, `[null]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ns, err := notify.ParseGeneric(body)
		if err != nil {
			if !errors.Is(err, notify.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if len(ns) == 0 {
			t.Fatal("no error and no notification")
		}
		for _, n := range ns {
			switch {
			case n.Title == "" || utf8.RuneCountInString(n.Title) > notify.MaxTitle || strings.ContainsAny(n.Title, "\n\r"):
				t.Fatalf("title %q", n.Title)
			case utf8.RuneCountInString(n.Text) > notify.MaxText:
				t.Fatalf("text of %d characters", utf8.RuneCountInString(n.Text))
			case n.Severity != notify.Info && n.Severity != notify.Warning && n.Severity != notify.Critical:
				t.Fatalf("severity %q", n.Severity)
			case n.Status != notify.Firing && n.Status != notify.Resolved:
				t.Fatalf("status %q", n.Status)
			case n.Key == "" || n.Source != notify.SourceGeneric:
				t.Fatalf("key %q source %q", n.Key, n.Source)
			}
			for _, a := range n.Actions {
				if strings.ContainsAny(a.Command, "\n\r") || utf8.RuneCountInString(a.Command) > 160 {
					t.Fatalf("action command %q", a.Command)
				}
			}
		}
	})
}

func FuzzParseAlertmanager(f *testing.F) {
	f.Add([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"X","severity":"critical","incident":"INC-7"},"annotations":{"summary":"s"},"fingerprint":"f"}]}`))
	f.Add([]byte(`{"version":"4","alerts":[{"labels":{"alertname":"X"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ns, err := notify.ParseAlertmanager(body)
		if err != nil {
			if !errors.Is(err, notify.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, n := range ns {
			if n.Title == "" || utf8.RuneCountInString(n.Title) > notify.MaxTitle || n.Key == "" || bytes.ContainsAny([]byte(n.Title), "\n") {
				t.Fatalf("notification %+v", n)
			}
		}
	})
}
