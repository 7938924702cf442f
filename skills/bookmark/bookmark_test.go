package bookmark

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	state      *memState
	clock      *clock
	save, find *skills.Skill
}

func newFixture() *fixture {
	f := &fixture{state: newMemState(), clock: &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}}
	svc := New(f.state, f.clock.now)
	f.save = &skills.Skill{Name: "bookmark_save", Executor: svc.Save(), Params: []skills.Param{
		{Name: "url", Type: skills.MustType(skills.TypeSpec{Name: "url"}), Required: true, Question: "Which link?"},
		{Name: "name", Type: skills.MustType(skills.TypeSpec{Name: "text", MaxLen: 80})},
	}}
	f.find = &skills.Skill{Name: "bookmark_find", Executor: svc.Find(), Params: []skills.Param{
		{Name: "query", Type: skills.MustType(skills.TypeSpec{Name: "text"})},
	}}
	return f
}

func (f *fixture) run(t *testing.T, sk *skills.Skill, raw map[string]string) (string, error) {
	t.Helper()
	caller := skills.Caller{User: "alice"}
	args, err := sk.Bind(raw, caller)
	if err != nil {
		t.Fatalf("%s: Bind(%v): %v", sk.Name, raw, err)
	}
	res, err := sk.Executor.Execute(context.Background(), skills.Call{Skill: sk, Args: args, Caller: caller})
	return res.Text, err
}

func (f *fixture) must(t *testing.T, sk *skills.Skill, raw map[string]string) string {
	t.Helper()
	text, err := f.run(t, sk, raw)
	if err != nil {
		t.Fatalf("%s %v: %v", sk.Name, raw, err)
	}
	return text
}

func (f *fixture) lookup(t *testing.T, query string) string {
	t.Helper()
	if query == "" {
		return f.must(t, f.find, nil)
	}
	return f.must(t, f.find, map[string]string{"query": query})
}

// canon is a URL as the url parameter type hands it to the executor.
func canon(t *testing.T, f *fixture, raw string) string {
	t.Helper()
	args, err := f.save.Bind(map[string]string{"url": raw}, skills.Caller{})
	if err != nil {
		t.Fatal(err)
	}
	return args.String("url")
}

func TestSave(t *testing.T) {
	f := newFixture()
	rb := canon(t, f, "https://wiki.example.com/runbooks/payments")
	upper := canon(t, f, "https://WIKI.example.com/runbooks/payments")
	status := canon(t, f, "https://status.example.com")
	statusSlash := canon(t, f, "https://status.example.com/")
	steps := []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"url": rb, "name": "runbook"}, "Saved “runbook” → " + rb},
		{map[string]string{"url": rb}, "Already saved as “runbook” → " + rb},
		{map[string]string{"url": rb, "name": "runbook"}, "Already saved as “runbook” → " + rb},
		{map[string]string{"url": rb, "name": "payments runbook"}, "Renamed “runbook” to “payments runbook” → " + rb},
		{map[string]string{"url": upper, "name": "pay"}, "Renamed “payments runbook” to “pay” → " + upper},
		{map[string]string{"url": "https://grafana.example.com/d/abc"}, "Saved “grafana.example.com/d/abc” → https://grafana.example.com/d/abc"},
		{map[string]string{"url": statusSlash}, "Saved “status.example.com” → " + statusSlash},
		{map[string]string{"url": status, "name": "status page"}, "Renamed “status.example.com” to “status page” → " + status},
	}
	for _, s := range steps {
		f.clock.advance(time.Minute)
		if got := f.must(t, f.save, s.raw); got != s.want {
			t.Errorf("save %v:\n got %q\nwant %q", s.raw, got, s.want)
		}
	}
	want := "Recent bookmarks:\n" +
		"• status page → " + status + "\n" +
		"• grafana.example.com/d/abc → https://grafana.example.com/d/abc\n" +
		"• pay → " + upper
	if got := f.lookup(t, ""); got != want {
		t.Errorf("after saving the same links again:\n got %q\nwant %q", got, want)
	}
}

func TestFind(t *testing.T) {
	f := newFixture()
	if got := f.lookup(t, ""); got != "No bookmarks saved yet." {
		t.Errorf("empty: got %q", got)
	}
	links := []struct{ url, name string }{
		{"https://wiki.example.com/runbooks/payments", "Payments runbook"},
		{"https://wiki.example.com/runbooks/search", "Search runbook"},
		{"https://grafana.example.com/d/payments-latency", "latency dashboard"},
		{"https://docs.example.com/oncall", "On-call guide"},
	}
	for _, l := range links {
		f.clock.advance(time.Minute)
		f.must(t, f.save, map[string]string{"url": l.url, "name": l.name})
	}
	tests := []struct {
		query string
		want  []string // names, in order
	}{
		{"runbook", []string{"Search runbook", "Payments runbook"}},
		{"PAYMENTS", []string{"latency dashboard", "Payments runbook"}},
		{"payments runbook", []string{"Payments runbook"}},
		{"grafana latency", []string{"latency dashboard"}},
		{"wiki search", []string{"Search runbook"}},
		{"runbook grafana", nil},
		{"on-call", []string{"On-call guide"}},
		{"the runbook", []string{"Search runbook", "Payments runbook"}},
		{"my payments links", []string{"latency dashboard", "Payments runbook"}},
		{"the dashboard for latency", []string{"latency dashboard"}},
		{"the search wiki links", []string{"Search runbook"}},
		{"the missing page", nil},
	}
	for _, q := range []string{"my bookmarks", "the links"} {
		if got := f.lookup(t, q); !strings.HasPrefix(got, "Recent bookmarks:\n• On-call guide") {
			t.Errorf("%q (fillers only): got %q, want the recent ones", q, got)
		}
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := f.lookup(t, tt.query)
			if tt.want == nil {
				if want := fmt.Sprintf("No bookmarks match “%s”.", tt.query); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
				return
			}
			lines := strings.Split(got, "\n")
			if lines[0] != fmt.Sprintf("Bookmarks matching “%s”:", tt.query) || len(lines) != len(tt.want)+1 {
				t.Fatalf("got %q, want a heading and %d bookmarks", got, len(tt.want))
			}
			for i, name := range tt.want {
				if !strings.HasPrefix(lines[i+1], "• "+name+" → ") {
					t.Errorf("line %d = %q, want %s", i+1, lines[i+1], name)
				}
			}
		})
	}
}

func TestFindLimit(t *testing.T) {
	f := newFixture()
	for i := range 13 {
		f.clock.advance(time.Minute)
		f.must(t, f.save, map[string]string{"url": fmt.Sprintf("https://example.com/page/%d", i+1), "name": fmt.Sprintf("page %d", i+1)})
	}
	// Renaming makes a bookmark recent again.
	f.clock.advance(time.Minute)
	f.must(t, f.save, map[string]string{"url": "https://example.com/page/1", "name": "first page"})

	got := strings.Split(f.lookup(t, ""), "\n")
	if len(got) != 1+findLimit || got[1] != "• first page → https://example.com/page/1" || got[2] != "• page 13 → https://example.com/page/13" || got[findLimit] != "• page 5 → https://example.com/page/5" {
		t.Errorf("recent:\n%s", strings.Join(got, "\n"))
	}
	got = strings.Split(f.lookup(t, "page"), "\n")
	if len(got) != 1+findLimit+1 || got[findLimit+1] != "…and 3 more" {
		t.Errorf("matching:\n%s", strings.Join(got, "\n"))
	}
}

func TestDefaultName(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://www.example.com/", "example.com"},
		{"https://Example.com:8443/status", "example.com/status"},
		{"https://wiki.example.com/runbooks/payments/", "wiki.example.com/runbooks/payments"},
		{"https://wiki.example.com/spaces/ops/pages/12345/database-failover", "wiki.example.com/…/database-failover"},
		{"https://wiki.example.com/a/" + strings.Repeat("x", 60), "wiki.example.com/…/" + strings.Repeat("x", 20) + "…"},
		{"https://example.com/search?q=payments#top", "example.com/search"},
	}
	for _, tt := range tests {
		got := defaultName(tt.url)
		if got != tt.want {
			t.Errorf("defaultName(%q) = %q, want %q", tt.url, got, tt.want)
		}
		if n := len([]rune(got)); n > nameLen {
			t.Errorf("defaultName(%q) has %d runes, more than %d", tt.url, n, nameLen)
		}
	}
}

func TestStateErrors(t *testing.T) {
	boom := errors.New("connection refused")
	calls := []struct {
		name, op string // op is the failing State method; "" fails them all
		save     bool
		raw      map[string]string
	}{
		{"save new", "Get", true, map[string]string{"url": "https://example.com/new"}},
		{"save new", "Put", true, map[string]string{"url": "https://example.com/new"}},
		{"save new", "Append", true, map[string]string{"url": "https://example.com/new"}},
		{"save known", "Put", true, map[string]string{"url": "https://example.com/known", "name": "again"}},
		{"find all", "", false, nil},
		{"find some", "Get", false, map[string]string{"query": "known"}},
	}
	for _, c := range calls {
		t.Run(c.name+"/"+c.op, func(t *testing.T) {
			f := newFixture()
			f.must(t, f.save, map[string]string{"url": "https://example.com/known"})
			f.state.setFail(c.op, boom)
			sk := f.find
			if c.save {
				sk = f.save
			}
			_, err := f.run(t, sk, c.raw)
			var ue *skills.UserError
			if !errors.Is(err, boom) || errors.As(err, &ue) {
				t.Errorf("got %v, want a wrapped store error that is not for the user", err)
			}
		})
	}
}

func TestIndexDuplicates(t *testing.T) {
	f := newFixture()
	f.must(t, f.save, map[string]string{"url": "https://example.com/a", "name": "a"})
	// Two first saves racing can both append to the index.
	if err := f.state.Append(context.Background(), indexKey, []byte(canonical("https://example.com/a"))); err != nil {
		t.Fatal(err)
	}
	if got := f.lookup(t, ""); got != "Recent bookmarks:\n• a → https://example.com/a" {
		t.Errorf("got %q", got)
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ a, b string }{
		{"https://WIKI.Example.com/Runbooks", "https://wiki.example.com/Runbooks"},
		{"HTTPS://example.com/", "https://example.com"},
	}
	for _, tt := range tests {
		if canonical(tt.a) != canonical(tt.b) {
			t.Errorf("canonical(%q) = %q, canonical(%q) = %q; want the same", tt.a, canonical(tt.a), tt.b, canonical(tt.b))
		}
	}
	if canonical("https://example.com/a") == canonical("https://example.com/A") {
		t.Error("paths are case-sensitive")
	}
}
