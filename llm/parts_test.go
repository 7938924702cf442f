package llm

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

func TestBreakerHalfOpenLetsOneTrialThrough(t *testing.T) {
	clk := newClock()
	b := &breaker{threshold: 2, cooldown: time.Minute}
	for range 2 {
		tk, ok := b.allow(clk.Now())
		if !ok {
			t.Fatal("closed breaker refused")
		}
		b.record(tk, failure, clk.Now())
	}
	if _, ok := b.allow(clk.Now()); ok {
		t.Fatal("open breaker allowed a call")
	}
	clk.Advance(time.Minute)
	trial, ok := b.allow(clk.Now())
	if !ok {
		t.Fatal("no trial after the cooldown")
	}
	if _, ok := b.allow(clk.Now()); ok {
		t.Fatal("a second call during the trial")
	}
	// A neutral outcome frees the trial without deciding.
	b.record(trial, neutral, clk.Now())
	if st, _ := b.snapshot(clk.Now()); st != HalfOpen {
		t.Fatalf("after a neutral trial: %v", st)
	}
	trial, ok = b.allow(clk.Now())
	if !ok {
		t.Fatal("no new trial after a neutral one")
	}
	if from, to := b.record(trial, success, clk.Now()); from != HalfOpen || to != Closed {
		t.Fatalf("success: %v -> %v", from, to)
	}
}

func TestBreakerIgnoresLateAnswers(t *testing.T) {
	clk := newClock()
	b := &breaker{threshold: 1, cooldown: time.Minute}
	late, _ := b.allow(clk.Now()) // still waiting while another call fails
	tk, _ := b.allow(clk.Now())
	b.record(tk, failure, clk.Now())
	clk.Advance(time.Minute)
	trial, ok := b.allow(clk.Now())
	if !ok {
		t.Fatal("no trial")
	}
	if from, to := b.record(late, success, clk.Now()); from != HalfOpen || to != HalfOpen {
		t.Fatalf("a late answer from before the breaker opened changed it: %v -> %v", from, to)
	}
	if _, ok := b.allow(clk.Now()); ok {
		t.Fatal("the late answer freed the trial")
	}
	b.record(trial, failure, clk.Now())
	if st, opened := b.snapshot(clk.Now()); st != Open || opened != 2 {
		t.Fatalf("after a failed trial: %v, opened %d", st, opened)
	}
}

func TestBreakerSuccessResetsFailures(t *testing.T) {
	now := newClock().Now()
	b := &breaker{threshold: 3, cooldown: time.Minute}
	for _, o := range []outcome{failure, failure, success, failure, failure, neutral} {
		tk, ok := b.allow(now)
		if !ok {
			t.Fatal("refused")
		}
		b.record(tk, o, now)
	}
	if st, _ := b.snapshot(now); st != Closed {
		t.Fatalf("state = %v, want closed: failures are counted consecutively", st)
	}
}

func TestBreakerStateString(t *testing.T) {
	for st, want := range map[BreakerState]string{Closed: "closed", Open: "open", HalfOpen: "half-open", 9: "unknown"} {
		if st.String() != want {
			t.Errorf("%d: %q", int(st), st.String())
		}
	}
}

func TestReplyCache(t *testing.T) {
	clk := newClock()
	c := newReplyCache(2, time.Minute)
	c.put("a", reply{content: "A"}, clk.Now())
	c.put("b", reply{content: "B"}, clk.Now())
	if r, ok := c.get("a", clk.Now()); !ok || r.content != "A" {
		t.Fatal("a")
	}
	c.put("c", reply{content: "C"}, clk.Now()) // evicts b, the least recently used
	if _, ok := c.get("b", clk.Now()); ok {
		t.Error("b was not evicted")
	}
	if _, ok := c.get("a", clk.Now()); !ok {
		t.Error("a was evicted")
	}
	clk.Advance(30 * time.Second)
	c.put("c", reply{content: "C2"}, clk.Now()) // refreshes c
	clk.Advance(30 * time.Second)
	if _, ok := c.get("a", clk.Now()); ok {
		t.Error("a outlived its TTL")
	}
	if r, ok := c.get("c", clk.Now()); !ok || r.content != "C2" {
		t.Error("c was not refreshed")
	}
	if c.len() != 1 {
		t.Errorf("len = %d", c.len())
	}
}

func TestReservoir(t *testing.T) {
	var r reservoir
	if p50, p99, n := r.percentiles(); p50 != 0 || p99 != 0 || n != 0 {
		t.Fatal("empty reservoir")
	}
	for i := 1000; i >= 1; i-- {
		r.observe(time.Duration(i) * time.Millisecond)
	}
	// Only the last 256 (256 ms down to 1 ms) count.
	p50, p99, n := r.percentiles()
	if n != reservoirSize || p50 != 128*time.Millisecond || p99 != 253*time.Millisecond {
		t.Errorf("p50 = %v, p99 = %v, n = %d", p50, p99, n)
	}
}

func TestScalar(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`"web-1"`, "web-1", true},
		{`3`, "3", true},
		{`3.0`, "3", true},
		{`-2`, "-2", true},
		{`2.5`, "2.5", true},
		{`1e3`, "1000", true},
		{`1e400`, "", false},
		{`true`, "true", true},
		{`null`, "", true},
		{`[1]`, "", false},
		{`{"a":1}`, "", false},
	}
	for _, tt := range tests {
		args, err := decodeArguments(`{"x":` + tt.in + `}`)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		got, ok := scalar(args[0].value)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: (%q, %v), want (%q, %v)", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestToolName(t *testing.T) {
	taken := map[string]bool{"a_b": true}
	is := func(n string) bool { return taken[n] }
	for in, want := range map[string]string{"deploy": "deploy", "a.b": "a_b_2", "a_b": "a_b_2", "dns.lookup": "dns_lookup", "": "skill"} {
		if got := toolName(in, is); got != want {
			t.Errorf("toolName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSchemaOfEveryTestSkillIsValidJSON(t *testing.T) {
	for _, s := range testCatalog(t).All() {
		raw, err := Schema(s)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil || v["type"] != "object" {
			t.Errorf("%s: %v %s", s.Name, err, raw)
		}
		if fmt.Sprint(v["properties"]) == "<nil>" {
			t.Errorf("%s: no properties: %s", s.Name, raw)
		}
	}
}

// TestSchemaDescribesValues checks that each parameter's description says
// what its values look like: an open list by its examples, a closed one
// only through the enum.
func TestSchemaDescribesValues(t *testing.T) {
	typ := func(spec skills.TypeSpec) skills.Type { return skills.MustType(spec) }
	s := &skills.Skill{Name: "x", Params: []skills.Param{
		{Name: "app", Type: typ(skills.TypeSpec{Name: "name", Values: []string{"checkout", "billing"}, Open: true}), Question: "Which app?"},
		{Name: "env", Type: typ(skills.TypeSpec{Name: "enum", Values: []string{"prod", "qa"}}), Question: "Where?"},
		{Name: "days", Type: typ(skills.TypeSpec{Name: "int", Min: 1, Max: 90, Days: true})},
	}}
	raw, err := Schema(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties map[string]struct {
			Description string   `json:"description"`
			Enum        []string `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"app":  "Which app? (a name such as checkout, billing)",
		"env":  "Where?",
		"days": "The days. (a number of days from 1 to 90, like 14 or “2 weeks”)",
	} {
		if got := doc.Properties[name].Description; got != want {
			t.Errorf("%s: description %q, want %q", name, got, want)
		}
	}
	if got := doc.Properties["env"].Enum; len(got) != 2 {
		t.Errorf("env: enum %v, want the two values", got)
	}
	if got := doc.Properties["app"].Enum; got != nil {
		t.Errorf("app: an open list must not be an enum: %v", got)
	}
}
