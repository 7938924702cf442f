package notify_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/notify"
)

// alert is one alert of an Alertmanager webhook, as tests build it.
type alert struct {
	status      string
	fingerprint string
	summary     string
	severity    string
	labels      map[string]string
	startsAt    time.Time
	endsAt      time.Time
}

// amBody renders a version 4 Alertmanager webhook.
func amBody(t *testing.T, alerts ...alert) []byte {
	t.Helper()
	type amAlert struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	var out []amAlert
	status := "resolved"
	for _, a := range alerts {
		labels := map[string]string{"alertname": "DiskFull", "instance": "db-1"}
		if a.severity != "" {
			labels["severity"] = a.severity
		}
		for k, v := range a.labels {
			labels[k] = v
		}
		ann := map[string]string{"description": "/var is 98% full"}
		if a.summary != "" {
			ann["summary"] = a.summary
		}
		if a.status == "firing" {
			status = "firing"
		}
		out = append(out, amAlert{
			Status: a.status, Labels: labels, Annotations: ann, StartsAt: a.startsAt, EndsAt: a.endsAt,
			GeneratorURL: "http://prometheus:9090/graph?g0.expr=disk", Fingerprint: a.fingerprint,
		})
	}
	body, err := json.Marshal(map[string]any{
		"version": "4", "status": status, "receiver": "parley", "groupKey": `{}:{alertname="DiskFull"}`,
		"alerts": out, "groupLabels": map[string]string{"alertname": "DiskFull"},
		"commonLabels": map[string]string{"alertname": "DiskFull"}, "externalURL": "http://alertmanager:9093",
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestAlertmanagerGroupingAndResolve(t *testing.T) {
	h := newHarness(t, notify.Config{
		Default: "#ops",
		Routes:  []notify.Rule{{Source: notify.SourceAlertmanager, Labels: map[string]string{"team": "db"}, Channels: []string{"#db"}}},
	}, notify.Secrets{})
	firing := func(fp string, startsAt time.Time) []byte {
		return amBody(t, alert{status: "firing", fingerprint: fp, summary: "Disk full on db-1", severity: "critical",
			labels: map[string]string{"team": "db"}, startsAt: startsAt})
	}

	// A firing alert posts once, offering to open an incident.
	h.post("alertmanager", firing("a1", t0), nil, http.StatusAccepted)
	h.flush()
	posts := h.posts("#db")
	if len(posts) != 1 {
		t.Fatalf("posted:\n%s", texts(h.sink.Calls("", "")))
	}
	first := posts[0]
	if first.Message.Severity != notify.Critical || !strings.HasPrefix(first.Message.Text, "Disk full on db-1\n/var is 98% full") {
		t.Errorf("posted %s %q", first.Message.Severity, first.Message.Text)
	}
	if want := []notify.Action{{Label: "Open an incident", Command: "open an incident: Disk full on db-1"}}; fmt.Sprint(first.Message.Actions) != fmt.Sprint(want) {
		t.Errorf("actions %v, want %v", first.Message.Actions, want)
	}

	// It fires 12 more times within the window (it flaps: each firing has
	// its own startsAt), 20 s apart.
	for i := 1; i <= 12; i++ {
		h.clock.Advance(20 * time.Second)
		h.post("alertmanager", firing("a1", t0.Add(time.Duration(i)*20*time.Second)), nil, http.StatusAccepted)
	}
	// Alertmanager resends the last firing with the group: not a new one.
	h.post("alertmanager", firing("a1", t0.Add(12*20*time.Second)), nil, http.StatusAccepted)
	h.flush()
	if posts := h.posts(""); len(posts) != 1 {
		t.Fatalf("repeats posted new messages:\n%s", texts(posts))
	}
	updates := h.updates("#db")
	if len(updates) < 1 || len(updates) > 240/30+1 {
		t.Fatalf("%d updates for 12 repeats over 4 min; want between 1 and %d (at most one per 30 s)", len(updates), 240/30+1)
	}
	m := h.current(first)
	if !strings.Contains(m.Text, "(fired 13 times in 4 min)") {
		t.Errorf("after 13 firings the message shows %q", m.Text)
	}
	if len(m.Actions) != 1 {
		t.Errorf("an open alert lost its actions: %v", m.Actions)
	}

	// Another fingerprint is another message.
	h.post("alertmanager", firing("b2", h.clock.Now()), nil, http.StatusAccepted)
	h.flush()
	if posts := h.posts("#db"); len(posts) != 2 || posts[1].Ref == first.Ref {
		t.Fatalf("a new fingerprint did not post separately:\n%s", texts(posts))
	}

	// The first resolves 14 min after it started: its message says so.
	h.clock.Advance(10 * time.Minute)
	resolved := amBody(t, alert{status: "resolved", fingerprint: "a1", summary: "Disk full on db-1", severity: "critical",
		labels: map[string]string{"team": "db"}, startsAt: t0, endsAt: t0.Add(14 * time.Minute)})
	h.post("alertmanager", resolved, nil, http.StatusAccepted)
	h.flush()
	if posts := h.posts(""); len(posts) != 2 {
		t.Fatalf("the resolution posted a new message:\n%s", texts(posts))
	}
	m = h.current(first)
	if !strings.Contains(m.Text, "✅ resolved after 14 min") || len(m.Actions) != 0 {
		t.Errorf("resolved message shows %q with actions %v", m.Text, m.Actions)
	}
	// Resent, the resolution changes nothing.
	n := len(h.sink.Calls("", ""))
	h.post("alertmanager", resolved, nil, http.StatusAccepted)
	h.flush()
	if got := h.sink.Calls("", ""); len(got) != n {
		t.Errorf("a resent resolution made calls:\n%s", texts(got[n:]))
	}
}

// After the window a new firing of the same alert is a new message, and a
// resolution nobody saw fire is posted on its own.
func TestAlertmanagerAfterWindow(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops", Window: 5 * time.Minute}, notify.Secrets{})
	h.post("alertmanager", amBody(t, alert{status: "firing", fingerprint: "a1", startsAt: t0}), nil, http.StatusAccepted)
	h.clock.Advance(6 * time.Minute)
	h.post("alertmanager", amBody(t, alert{status: "firing", fingerprint: "a1", startsAt: t0.Add(6 * time.Minute)}), nil, http.StatusAccepted)
	h.post("alertmanager", amBody(t, alert{status: "resolved", fingerprint: "zz", startsAt: t0, endsAt: t0.Add(time.Minute)}), nil, http.StatusAccepted)
	h.flush()
	posts := h.posts("#ops")
	if len(posts) != 3 {
		t.Fatalf("posted:\n%s", texts(posts))
	}
	if got := posts[0].Message.Text; !strings.HasPrefix(got, "DiskFull on db-1\n") {
		t.Errorf("without a summary the title is %q", got)
	}
	if got := posts[2].Message; !strings.HasPrefix(got.Text, "✅ Resolved: DiskFull on db-1") || got.Severity != notify.Info {
		t.Errorf("lone resolution posted as %s %q", got.Severity, got.Text)
	}
}

func TestParseAlertmanager(t *testing.T) {
	ns, err := notify.ParseAlertmanager(amBody(t,
		alert{status: "firing", fingerprint: "f1", summary: "API down", severity: "page", startsAt: t0},
		alert{status: "firing", summary: "Latency high", severity: "warning", labels: map[string]string{"incident": "INC-42"}, startsAt: t0},
		alert{status: "firing", summary: "Backup done", severity: "info", startsAt: t0},
		alert{status: "firing", summary: "Odd", severity: "bogus", startsAt: t0},
		alert{status: "resolved", summary: "Gone", startsAt: t0, endsAt: t0.Add(time.Hour)},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		title    string
		severity notify.Severity
		actions  string
	}{
		{"API down", notify.Critical, "[{Open an incident open an incident: API down}]"},
		{"Latency high", notify.Warning, "[{Acknowledge #42 ack #42}]"},
		{"Backup done", notify.Info, "[]"},
		{"Odd", notify.Warning, "[{Open an incident open an incident: Odd}]"},
		{"Resolved: Gone", notify.Warning, "[]"},
	}
	if len(ns) != len(want) {
		t.Fatalf("got %d notifications", len(ns))
	}
	for i, w := range want {
		n := ns[i]
		if n.Title != w.title || n.Severity != w.severity || fmt.Sprint(n.Actions) != w.actions {
			t.Errorf("alert %d: got %q %s %v, want %q %s %s", i, n.Title, n.Severity, n.Actions, w.title, w.severity, w.actions)
		}
	}
	if ns[0].Key != "f1" || ns[1].Key == "" || ns[1].Key == ns[2].Key {
		t.Errorf("keys %q %q %q: want the fingerprint, else distinct label hashes", ns[0].Key, ns[1].Key, ns[2].Key)
	}
	if !ns[4].Time.Equal(t0.Add(time.Hour)) || ns[4].Status != notify.Resolved {
		t.Errorf("resolved alert: time %v status %s, want endsAt and resolved", ns[4].Time, ns[4].Status)
	}

	// The label hash does not depend on the order labels come in.
	a, _ := notify.ParseAlertmanager([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"X","b":"2","a":"1"}}]}`))
	b, _ := notify.ParseAlertmanager([]byte(`{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"a":"1","alertname":"X","b":"2"}}]}`))
	if len(a) != 1 || len(b) != 1 || a[0].Key != b[0].Key {
		t.Errorf("label order changed the key: %v %v", a, b)
	}
}

func TestParseAlertmanagerErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"not JSON", `{`, "malformed JSON"},
		{"version 3", `{"version":"3","alerts":[{"status":"firing","labels":{"alertname":"X"}}]}`, `version "4"`},
		{"no alerts", `{"version":"4","status":"firing","alerts":[]}`, "no alerts"},
		{"no title", `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"job":"x"}}]}`, "alert 0: neither"},
		{"bad status", `{"version":"4","status":"firing","alerts":[{"status":"burning","labels":{"alertname":"X"}}]}`, "unknown status"},
		{"bad time", `{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":"yesterday"}]}`, "JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.ParseAlertmanager([]byte(tc.body))
			if !errors.Is(err, notify.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
}

func TestAlertmanagerBearerToken(t *testing.T) {
	h := newHarness(t, notify.Config{Default: "#ops"}, notify.Secrets{Tokens: map[string]string{"alertmanager": "s3cret"}})
	body := amBody(t, alert{status: "firing", fingerprint: "a1", startsAt: t0})
	cases := []struct {
		name, auth string
		code       int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", "Bearer s3cres", http.StatusUnauthorized},
		{"prefix", "Bearer s3cre", http.StatusUnauthorized},
		{"basic", "Basic czNjcmV0", http.StatusUnauthorized},
		{"right", "Bearer s3cret", http.StatusAccepted},
		{"scheme case", "bearer s3cret", http.StatusAccepted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := http.Header{}
			if tc.auth != "" {
				header.Set("Authorization", tc.auth)
			}
			h.with(t).post("alertmanager", body, header, tc.code)
		})
	}
	// The generic source has no token: it stays open.
	h.generic(map[string]any{"title": "hello"})
}
