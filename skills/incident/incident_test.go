package incident

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/skills"
)

// clock is a settable time source.
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
	state *memState
	clock *clock
	svc   *Service
	skill map[string]*skills.Skill
}

func newFixture() *fixture {
	f := &fixture{state: newMemState(), clock: &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}}
	f.svc = New(f.state, f.clock.now)
	incidentParam := skills.Param{Name: "incident", Type: skills.MustType(skills.TypeSpec{Name: "incident"}), Required: true, Question: "Which incident?"}
	f.skill = map[string]*skills.Skill{
		"incident_create": {Name: "incident_create", Executor: f.svc.Create(), Params: []skills.Param{
			{Name: "summary", Type: skills.MustType(skills.TypeSpec{Name: "text"}), Required: true, Question: "What is wrong?"},
			{Name: "severity", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"sev1", "sev2", "sev3", "sev4"}}), Default: "sev3"},
		}},
		"incident_list": {Name: "incident_list", Executor: f.svc.List(), Params: []skills.Param{
			{Name: "status", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{StatusOpen, StatusAcknowledged, StatusResolved}})},
		}},
		"incident_ack":     {Name: "incident_ack", Executor: f.svc.Ack(), Params: []skills.Param{incidentParam}},
		"incident_resolve": {Name: "incident_resolve", Executor: f.svc.Resolve(), Params: []skills.Param{incidentParam}},
	}
	return f
}

// run executes a skill for user with raw arguments.
func (f *fixture) run(t *testing.T, skill, user string, raw map[string]string) (string, error) {
	t.Helper()
	sk := f.skill[skill]
	caller := skills.Caller{User: user}
	args, err := sk.Bind(raw, caller)
	if err != nil {
		t.Fatalf("%s: Bind(%v): %v", skill, raw, err)
	}
	res, err := sk.Executor.Execute(context.Background(), skills.Call{Skill: sk, Args: args, Caller: caller, Time: f.clock.now()})
	return res.Text, err
}

// must is run for calls expected to succeed.
func (f *fixture) must(t *testing.T, skill, user string, raw map[string]string) string {
	t.Helper()
	text, err := f.run(t, skill, user, raw)
	if err != nil {
		t.Fatalf("%s %v: %v", skill, raw, err)
	}
	return text
}

func TestCreate(t *testing.T) {
	f := newFixture()
	tests := []struct {
		raw  map[string]string
		want string
	}{
		{map[string]string{"summary": "database is slow", "severity": "sev2"}, "Opened incident #1 (sev2): database is slow."},
		{map[string]string{"summary": "checkout errors"}, "Opened incident #2 (sev3): checkout errors."},
		{map[string]string{"summary": "  disk full on db-3  ", "severity": "SEV1"}, "Opened incident #3 (sev1): disk full on db-3."},
	}
	for _, tt := range tests {
		if got := f.must(t, "incident_create", "alice", tt.raw); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	ids, _ := f.state.List(context.Background(), indexKey)
	if got := fmt.Sprintf("%s", ids); got != "[1 2 3]" {
		t.Errorf("index = %s, want [1 2 3]", got)
	}
	inc, err := f.svc.Get(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	opened := f.clock.now()
	want := Incident{ID: 2, Summary: "checkout errors", Severity: "sev3", Status: StatusOpen, Opener: "alice", Opened: opened,
		History: []Change{{Status: StatusOpen, By: "alice", At: opened}}}
	if !equal(inc, want) {
		t.Errorf("Get(2) = %+v, want %+v", inc, want)
	}
	if _, err := f.svc.Get(context.Background(), 4); !errors.Is(err, skills.ErrNotFound) {
		t.Errorf("Get(4) = %v, want ErrNotFound", err)
	}
}

func equal(a, b Incident) bool {
	return a.ID == b.ID && a.Summary == b.Summary && a.Severity == b.Severity && a.Status == b.Status &&
		a.Opener == b.Opener && a.Opened.Equal(b.Opened) &&
		slices.EqualFunc(a.History, b.History, func(x, y Change) bool { return x.Status == y.Status && x.By == y.By && x.At.Equal(y.At) })
}

func TestList(t *testing.T) {
	f := newFixture()
	if got := f.must(t, "incident_list", "bob", nil); got != "No open incidents." {
		t.Errorf("empty: got %q", got)
	}
	for _, s := range []string{"database is slow", "checkout errors", "cert expires", "disk full"} {
		f.must(t, "incident_create", "alice", map[string]string{"summary": s})
		f.clock.advance(10 * time.Minute)
	}
	f.must(t, "incident_ack", "bob", map[string]string{"incident": "2"})
	f.must(t, "incident_resolve", "bob", map[string]string{"incident": "3"})
	f.clock.advance(20 * time.Minute)

	tests := []struct {
		status string
		want   string
	}{
		{"", "Open and acknowledged incidents:\n" +
			"• #4 (sev3, open) disk full — alice, 30m ago\n" +
			"• #2 (sev3, acknowledged) checkout errors — alice, 50m ago\n" +
			"• #1 (sev3, open) database is slow — alice, 1h ago"},
		{"open", "Open incidents:\n" +
			"• #4 (sev3, open) disk full — alice, 30m ago\n" +
			"• #1 (sev3, open) database is slow — alice, 1h ago"},
		{"acknowledged", "Acknowledged incidents:\n• #2 (sev3, acknowledged) checkout errors — alice, 50m ago"},
		{"resolved", "Resolved incidents:\n• #3 (sev3, resolved) cert expires — alice, 40m ago"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			raw := map[string]string{}
			if tt.status != "" {
				raw["status"] = tt.status
			}
			if got := f.must(t, "incident_list", "bob", raw); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}

	f.must(t, "incident_resolve", "bob", map[string]string{"incident": "2"})
	if got := f.must(t, "incident_list", "bob", map[string]string{"status": "acknowledged"}); got != "No acknowledged incidents." {
		t.Errorf("none acknowledged: got %q", got)
	}
}

func TestListLimit(t *testing.T) {
	f := newFixture()
	for i := range 25 {
		f.must(t, "incident_create", "alice", map[string]string{"summary": fmt.Sprintf("problem %d", i+1)})
	}
	got := f.must(t, "incident_list", "bob", nil)
	lines := strings.Split(got, "\n")
	if len(lines) != 1+listLimit+1 {
		t.Fatalf("got %d lines, want a heading, %d incidents and a tail:\n%s", len(lines), listLimit, got)
	}
	if !strings.HasPrefix(lines[1], "• #25 ") || !strings.HasPrefix(lines[listLimit], "• #6 ") || lines[listLimit+1] != "…and 5 more" {
		t.Errorf("want #25 down to #6 and then “…and 5 more”, got:\n%s", got)
	}
}

func TestTransitions(t *testing.T) {
	f := newFixture()
	ctx := context.Background()
	f.must(t, "incident_create", "alice", map[string]string{"summary": "database is slow"})
	f.must(t, "incident_create", "alice", map[string]string{"summary": "checkout errors"})
	t0 := f.clock.now()

	steps := []struct {
		skill, user, id string
		advance         time.Duration
		want            string
		userErr         bool
	}{
		{"incident_ack", "bob", "1", 5 * time.Minute, "Acknowledged incident #1: database is slow.", false},
		{"incident_ack", "carol", "#1", 10 * time.Minute, "Incident #1 is already acknowledged by bob 10m ago.", false},
		{"incident_resolve", "carol", "1", 50 * time.Minute, "Resolved incident #1: database is slow (open for 1h 5m).", false},
		{"incident_resolve", "bob", "1", 5 * time.Minute, "Incident #1 is already resolved by carol 5m ago.", false},
		{"incident_ack", "bob", "1", time.Minute, "Incident #1 is already resolved by carol 6m ago; there is nothing to acknowledge.", true},
		{"incident_resolve", "dave", "2", 0, "Resolved incident #2: checkout errors (open for 1h 11m).", false},
		{"incident_ack", "bob", "42", 0, "There is no incident #42.", true},
		{"incident_resolve", "bob", "42", 0, "There is no incident #42.", true},
	}
	for _, s := range steps {
		f.clock.advance(s.advance)
		got, err := f.run(t, s.skill, s.user, map[string]string{"incident": s.id})
		var ue *skills.UserError
		switch {
		case s.userErr && (!errors.As(err, &ue) || ue.Msg != s.want):
			t.Errorf("%s %s: got %q, %v; want the user error %q", s.skill, s.id, got, err, s.want)
		case !s.userErr && (err != nil || got != s.want):
			t.Errorf("%s %s: got %q, %v; want %q", s.skill, s.id, got, err, s.want)
		}
	}

	inc, err := f.svc.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Incident{ID: 1, Summary: "database is slow", Severity: "sev3", Status: StatusResolved, Opener: "alice", Opened: t0,
		History: []Change{
			{Status: StatusOpen, By: "alice", At: t0},
			{Status: StatusAcknowledged, By: "bob", At: t0.Add(5 * time.Minute)},
			{Status: StatusResolved, By: "carol", At: t0.Add(65 * time.Minute)},
		}}
	if !equal(inc, want) {
		t.Errorf("incident #1 = %+v\nwant %+v", inc, want)
	}
	inc, err = f.svc.Get(ctx, 2)
	if err != nil || inc.Status != StatusResolved || len(inc.History) != 2 || inc.History[1].By != "dave" {
		t.Errorf("incident #2 = %+v, %v; want resolved straight from open by dave", inc, err)
	}
}

func TestStateErrors(t *testing.T) {
	boom := errors.New("connection refused")
	calls := []struct {
		skill, op string // op is the failing State method; "" fails them all
		raw       map[string]string
	}{
		{"incident_create", "", map[string]string{"summary": "database is slow"}},
		{"incident_create", "Put", map[string]string{"summary": "database is slow"}},
		{"incident_create", "Append", map[string]string{"summary": "database is slow"}},
		{"incident_list", "", nil},
		{"incident_list", "Get", map[string]string{"status": "open"}},
		{"incident_ack", "", map[string]string{"incident": "1"}},
		{"incident_ack", "Put", map[string]string{"incident": "1"}},
		{"incident_resolve", "Get", map[string]string{"incident": "1"}},
		{"incident_resolve", "Put", map[string]string{"incident": "1"}},
	}
	for _, c := range calls {
		t.Run(c.skill+"/"+c.op, func(t *testing.T) {
			f := newFixture()
			f.must(t, "incident_create", "alice", map[string]string{"summary": "checkout errors"})
			f.state.setFail(c.op, boom)
			_, err := f.run(t, c.skill, "bob", c.raw)
			var ue *skills.UserError
			if !errors.Is(err, boom) || errors.As(err, &ue) {
				t.Errorf("got %v, want a wrapped store error that is not for the user", err)
			}
		})
	}
}

// TestListSkipsDanglingIndex covers a create that stopped between the
// index and the record: List must not fail on it.
func TestListSkipsDanglingIndex(t *testing.T) {
	f := newFixture()
	f.must(t, "incident_create", "alice", map[string]string{"summary": "database is slow"})
	if err := f.state.Append(context.Background(), indexKey, []byte("9")); err != nil {
		t.Fatal(err)
	}
	if got := f.must(t, "incident_list", "bob", nil); !strings.Contains(got, "#1 ") || strings.Contains(got, "#9") {
		t.Errorf("got %q", got)
	}
}

func TestConcurrentCreate(t *testing.T) {
	f := newFixture()
	sk := f.skill["incident_create"]
	caller := skills.Caller{User: "alice"}
	var wg sync.WaitGroup
	for i := range 8 {
		args, err := sk.Bind(map[string]string{"summary": fmt.Sprintf("problem %d", i)}, caller)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if _, err := sk.Executor.Execute(context.Background(), skills.Call{Skill: sk, Args: args, Caller: caller}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	all, err := f.svc.all(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, inc := range all {
		ids = append(ids, inc.ID)
	}
	if want := []int64{8, 7, 6, 5, 4, 3, 2, 1}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
}

func TestLength(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "under a minute"},
		{59 * time.Minute, "59m"},
		{2 * time.Hour, "2h"},
		{2*time.Hour + 5*time.Minute + 30*time.Second, "2h 5m"},
		{48 * time.Hour, "2d"},
		{50*time.Hour + 59*time.Minute, "2d 2h"},
	}
	for _, tt := range tests {
		if got := length(tt.d); got != tt.want {
			t.Errorf("length(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestCreateNamesWhatItMade checks that an opened incident's number is
// handed back for later requests to refer to ("ack it").
func TestCreateNamesWhatItMade(t *testing.T) {
	f := newFixture()
	f.must(t, "incident_create", "alice", map[string]string{"summary": "first"})
	sk := f.skill["incident_create"]
	args, err := sk.Bind(map[string]string{"summary": "second"}, skills.Caller{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sk.Executor.Execute(context.Background(), skills.Call{Skill: sk, Args: args, Caller: skills.Caller{User: "alice"}, Time: f.clock.now()})
	if err != nil || res.Made["incident"] != "2" || len(res.Made) != 1 {
		t.Fatalf("made %v, %v; want incident 2", res.Made, err)
	}
}

// Before a yes is asked for, ack and resolve look their incident up: a
// number that names none, or a resolved one, is a value to ask for again,
// with the open ones named.
func TestCheckBeforeConfirming(t *testing.T) {
	f := newFixture()
	check := func(skill, id string) error {
		t.Helper()
		sk := f.skill[skill]
		args, err := sk.Bind(map[string]string{"incident": id}, skills.Caller{User: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		c, ok := sk.Executor.(skills.Checker)
		if !ok {
			t.Fatalf("%s cannot check", skill)
		}
		return c.Check(context.Background(), skills.Call{Skill: sk, Args: args})
	}
	if err := check("incident_resolve", "1"); !paramErr(err, "there is no incident #1 (none is open)") {
		t.Errorf("no incidents: %v", err)
	}
	f.must(t, "incident_create", "ann", map[string]string{"summary": "db down"})
	f.must(t, "incident_create", "ann", map[string]string{"summary": "api slow"})
	tests := []struct {
		skill, id string
		want      string // "" for no error
	}{
		{"incident_resolve", "1", ""},
		{"incident_ack", "2", ""},
		{"incident_resolve", "9", "there is no incident #9 (open: #1, #2)"},
		{"incident_ack", "9", "there is no incident #9 (open: #1, #2)"},
	}
	for _, tt := range tests {
		err := check(tt.skill, tt.id)
		if tt.want == "" && err != nil || tt.want != "" && !paramErr(err, tt.want) {
			t.Errorf("%s #%s: %v, want %q", tt.skill, tt.id, err, tt.want)
		}
	}
	f.must(t, "incident_resolve", "ann", map[string]string{"incident": "1"})
	if err := check("incident_resolve", "1"); !paramErr(err, "incident #1 is already resolved (open: #2)") {
		t.Errorf("a resolved incident: %v", err)
	}
	// Nothing was changed by checking.
	if got := f.must(t, "incident_list", "ann", nil); !strings.Contains(got, "#2") || strings.Contains(got, "#9") {
		t.Errorf("list after checks: %s", got)
	}
}

func paramErr(err error, msg string) bool {
	var pe *skills.ParamError
	return errors.As(err, &pe) && pe.Param == "incident" && pe.Err.Error() == msg
}
