package dialog

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

func TestSplitRequests(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"restart apache on web-1; deploy checkout to staging", []string{"restart apache on web-1", "deploy checkout to staging"}},
		{"restart apache on web-1 && restart nginx on web-2", []string{"restart apache on web-1", "restart nginx on web-2"}},
		{"check nginx, then check apache", []string{"check nginx", "check apache"}},
		{"check nginx and then check apache.", []string{"check nginx", "check apache"}},
		{"check nginx, and then check apache", []string{"check nginx", "check apache"}},
		{"Check nginx THEN check apache", []string{"Check nginx", "check apache"}},
		{"status of redis\nstatus of kafka;\n", []string{"status of redis", "status of kafka"}},
		{"a; b; c; d", []string{"a", "b", "c", "d"}},
		// Shell syntax glued to a value is not a separator.
		{"restart apache on web-1;reboot", []string{"restart apache on web-1;reboot"}},
		{"restart apache on web-1&&reboot", []string{"restart apache on web-1&&reboot"}},
		// "and" alone joins values.
		{"restart apache on web-1 and web-2", []string{"restart apache on web-1 and web-2"}},
		{"; ;", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitRequests(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("splitRequests(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestCoordinated(t *testing.T) {
	ent := func(text, value string) nlu.Entity {
		i := strings.Index(text, value)
		return nlu.Entity{Start: len([]rune(text[:i])), End: len([]rune(text[:i])) + len([]rune(value))}
	}
	tests := []struct {
		text, a, b string
		want       bool
	}{
		{"restart apache on web-1 and web-2", "web-1", "web-2", true},
		{"restart apache on web-1, web-2", "web-1", "web-2", true},
		{"is nginx up on web-1 or web-2?", "web-1", "web-2", true},
		{"deploy checkout to staging and then prod", "staging", "prod", true},
		{"is checkout healthy in prod", "checkout", "prod", false},
		{"restart apache on web-1 then nginx on web-2", "web-1", "web-2", false},
	}
	for _, tt := range tests {
		if got := coordinated(tt.text, ent(tt.text, tt.a), ent(tt.text, tt.b)); got != tt.want {
			t.Errorf("coordinated(%q, %s, %s) = %v, want %v", tt.text, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAsksWhat(t *testing.T) {
	for text, want := range map[string]bool{
		"what's deployed in staging?":              true,
		"Which version is live":                    true,
		"is checkout healthy in prod":              true,
		"hey parley, what is on web-1":             true,
		"can you restart nginx on web-3?":          false,
		"do a restart of apache on web-2":          false,
		"deploy checkout to qa":                    false,
		"how about restarting nginx on web-1":      false,
		"why don't you deploy checkout to qa":      false,
		"is it possible to restart nginx on web-1": false,
		"are you able to roll back billing in qa":  false,
		"when you get a chance, restart nginx":     false,
		"how is nginx on web-1":                    true,
		"is it up?":                                true,
		"list the deploys to qa":                   true,
		"show errors of checkout":                  true,
		"what about web-2":                         false,
		"":                                         false,
	} {
		if got := asksWhat(text); got != want {
			t.Errorf("asksWhat(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestTooMany(t *testing.T) {
	for _, tt := range []struct {
		over []string
		want string
	}{
		{[]string{"a"}, "(I take at most 3 requests from one message; ask again for “a”.)"},
		{[]string{"a", "b", "c", "d", "e"}, "(I take at most 3 requests from one message; ask again for “a”, “b”, “c” and 2 more.)"},
	} {
		if got := tooMany(tt.over); got != tt.want {
			t.Errorf("tooMany(%q) = %q, want %q", tt.over, got, tt.want)
		}
	}
}

// checkedExec is an executor with a check before the yes.
type checkedExec struct {
	skills.Executor
	check func(skills.Call) error
}

func (c checkedExec) Check(_ context.Context, call skills.Call) error { return c.check(call) }

// A value a check finds wrong is asked for again before any yes, also
// after a correction; a check that fails for another reason leaves the
// request to be confirmed.
func TestCheckBeforeTheYes(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["restart apache on web-9"] = intent("restart_service", ent("service", "apache"), ent("host", "web-9"))
	p["actually web-9"] = nlu.Result{Intent: nlu.OutOfScope, Entities: []nlu.Entity{ent("host", "web-9")}}
	h.eng.cfg.Parser = p
	s, _ := h.eng.cfg.Catalog.Lookup("restart_service")
	s.Executor = checkedExec{Executor: s.Executor, check: func(call skills.Call) error {
		switch call.Args.String("host") {
		case "web-9":
			return &skills.ParamError{Param: "host", Err: errors.New("web-9 is not in the inventory")}
		case "10.0.0.5":
			return errors.New("inventory unreachable")
		}
		return nil
	}}
	o := h.say("jason", "restart apache on web-9", "ops")
	if o.State != Collecting || o.Asks != "host" || replyOf(o) != "Web-9 is not in the inventory. On which host would you like to restart apache?" {
		t.Fatalf("a wrong host: %+v", o)
	}
	o = h.say("jason", "web-1", "ops")
	if o.Confirm != "restart_service" || o.Params["host"] != "web-1" {
		t.Fatalf("a right host: %+v", o)
	}
	o = h.say("jason", "actually web-9", "ops")
	if o.State != Collecting || o.Asks != "host" || !strings.Contains(replyOf(o), "Web-9 is not in the inventory.") || strings.Contains(replyOf(o), "(yes / no)") {
		t.Fatalf("a wrong host by correction: %+v", o)
	}
	o = h.say("jason", "10.0.0.5", "ops")
	if o.Confirm != "restart_service" || o.Params["host"] != "10.0.0.5" {
		t.Fatalf("a check that could not be made: %+v", o)
	}
	o = h.say("jason", "yes", "ops")
	if o.Executed == nil || h.log.count() != 1 {
		t.Fatalf("the yes: %+v", o)
	}
	// Wrong values found by the check count as wrong answers.
	h.say("jason", "restart apache on web-9", "ops")
	if o = h.say("jason", "web-9", "ops"); o.State != Collecting {
		t.Fatalf("the second wrong host: %+v", o)
	}
	o = h.say("jason", "web-9", "ops")
	if o.State != Idle || !strings.Contains(replyOf(o), "I've asked 3 times") {
		t.Fatalf("the third wrong host: %+v", o)
	}
}

// The requests that wait for one that expires expire with it.
func TestWaitingRequestsExpire(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["restart apache on web-1; status of nginx"] = intent("restart_service", ent("service", "apache"), ent("host", "web-1"))
	p["restart apache on web-1"] = intent("restart_service", ent("service", "apache"), ent("host", "web-1"))
	h.eng.cfg.Parser = p
	o := h.say("jason", "restart apache on web-1; status of nginx", "ops")
	if o.Confirm != "restart_service" || !strings.HasPrefix(replyOf(o), "One request at a time: first this one, then “status of nginx”.") {
		t.Fatalf("the first request: %+v", o)
	}
	h.now = h.now.Add(time.Hour)
	o = h.say("jason", "status of nginx", "ops")
	if o.Executed == nil || o.Executed.Skill != "service_status" || h.log.count() != 1 ||
		!strings.HasSuffix(replyOf(o), "(What you asked for after your earlier request expired with it: “status of nginx”.)") {
		t.Fatalf("after expiry: %+v (runs %d)", o, h.log.count())
	}
}

// Splitting never panics, and every request is a piece of the message.
func FuzzSplitRequests(f *testing.F) {
	for _, seed := range []string{"restart apache; deploy checkout", "İİİ; x THEN y", "a && b\nc", "\xff; \xfe then \xfd"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, part := range splitRequests(text) {
			if part == "" || !strings.Contains(text, part) {
				t.Fatalf("splitRequests(%q) gave %q", text, part)
			}
		}
	})
}

func TestUnitAfter(t *testing.T) {
	for _, tt := range []struct {
		text string
		end  int
		want string
	}{
		{"extend acme by 2 weeks", 16, "weeks"},
		{"extend acme by 2  Months please", 16, "months"},
		{"give acme 10 more days", 12, ""},
		{"extend acme by 2", 16, ""},
		{"extend acme by 2 weekly", 16, ""},
		{"ünïcödé 2 days", 9, "days"},
		{"x", 5, ""},
		{"x", -1, ""},
	} {
		if got := unitAfter(tt.text, tt.end); got != tt.want {
			t.Errorf("unitAfter(%q, %d) = %q, want %q", tt.text, tt.end, got, tt.want)
		}
	}
}

// toks gives a fake result the tokens of its text, as the real parser does.
func toks(r nlu.Result, text string) nlu.Result {
	r.Text = text
	at := 0
	for _, w := range strings.Fields(text) {
		i := strings.Index(text[at:], w) + at
		r.Tokens = append(r.Tokens, nlu.Token{Text: w, Start: len([]rune(text[:i])), End: len([]rune(text[:i+len(w)]))})
		at = i + len(w)
	}
	return r
}

// Short answers are read by the dialog, not by a classifier that leans
// elsewhere: a correction of values only stays a correction, and a wrong
// answer with a stray word does not become another request with an
// effect unless the classifier is sure of it.
func TestShortAnswersDoNotHangOnTheClassifier(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["actually web_1"] = toks(intent("service_status"), "actually web_1")
	unsure := toks(intent("deploy"), "web_1 again")
	unsure.Confidence = 0.7
	p["web_1 again"] = unsure
	h.eng.cfg.Parser = p

	h.say("jason", "restart apache on web-1", "ops")
	o := h.say("jason", "actually web_1", "ops")
	if o.Confirm != "restart_service" || !strings.Contains(replyOf(o), "“web_1” isn't a valid value for host") || h.log.count() != 0 {
		t.Fatalf("a value-only correction: %+v", o)
	}
	h.say("jason", "no", "ops")

	h.say("jason", "restart apache", "ops")
	o = h.say("jason", "web_1 again", "ops")
	if o.State != Collecting || o.Asks != "host" || strings.Contains(replyOf(o), "dropped") {
		t.Fatalf("a wrong answer the classifier half takes for a deploy: %+v", o)
	}
}

func TestLinkLike(t *testing.T) {
	for text, want := range map[string][]string{
		"check ftp://example.com":                 {"ftp://example.com"},
		"check javascript:alert(1)":               {"javascript:alert(1)"},
		"is http://user:pw@example.com/x up?":     {"http://user:pw@example.com/x"},
		"check (https://example.com/health).":     {"https://example.com/health"},
		"open an incident: db down":               nil,
		"who is on call at 10:30":                 nil,
		"save file:///etc/passwd as secrets":      {"file:///etc/passwd"},
		"mailto:ops@example.com is our list":      nil,
		"Data:text/html,<script> and HTTP://x.io": {"Data:text/html,<script>", "HTTP://x.io"},
	} {
		if got := linkLike(text); !slices.Equal(got, want) {
			t.Errorf("linkLike(%q) = %q, want %q", text, got, want)
		}
	}
}

// Requests taken after a yes are done with: a later request that finishes
// does not bring them back.
func TestWaitingRequestsRunOnce(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["restart apache on web-1; status of nginx"] = intent("restart_service", ent("service", "apache"), ent("host", "web-1"))
	h.eng.cfg.Parser = p
	h.say("jason", "restart apache on web-1; status of nginx", "ops")
	o := h.say("jason", "yes", "ops")
	if h.log.count() != 2 || !strings.Contains(replyOf(o), "Restarting apache on web-1") {
		t.Fatalf("the yes and the request after it: %+v (runs %d)", o, h.log.count())
	}
	h.say("jason", "restart apache on web-1", "ops")
	o = h.say("jason", "no", "ops")
	if h.log.count() != 2 || o.State != Idle {
		t.Fatalf("a later request brought an old one back: %+v (runs %d)", o, h.log.count())
	}
	o = h.say("jason", "status of nginx", "ops")
	if h.log.count() != 3 || o.Executed == nil {
		t.Fatalf("a request of its own: %+v (runs %d)", o, h.log.count())
	}
}

func TestMeansNothing(t *testing.T) {
	oos := nlu.Result{Intent: nlu.OutOfScope}
	prod := oos
	prod.Entities = []nlu.Entity{{Type: "environment", Text: "prod", Value: "production", Start: 0, End: 4}}
	twoClose := oos
	twoClose.Ambiguous = true
	tests := []struct {
		text string
		r    nlu.Result
		want bool
	}{
		{"rm -rf /", oos, true},
		{"it has been flaky since monday", oos, true},
		{"thanks", oos, false},         // small talk is answered, not named back
		{"prod", prod, false},          // a value belongs to the request before
		{"it", oos, false},             // fillers say nothing
		{"blah bleh", twoClose, false}, // two close intents are understood, if not well
		{"reboot web-1", intent("restart_service"), false},
	}
	for _, tt := range tests {
		if got := meansNothing(toks(tt.r, tt.text), tt.text); got != tt.want {
			t.Errorf("meansNothing(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// A part of a message the model does not understand is named back, and
// the parts it does are taken as usual.
func TestPartNotUnderstoodIsNamed(t *testing.T) {
	h := newHarness(t)
	p := testParser()
	p["rm -rf /"] = toks(nlu.Result{Intent: nlu.OutOfScope}, "rm -rf /")
	h.eng.cfg.Parser = p
	o := h.say("jason", "restart apache on web-1; rm -rf /", "ops")
	if o.Confirm != "restart_service" || len(o.Replies) != 2 || o.Replies[0] != "(I didn't understand “rm -rf /”, so I've left it out.)" {
		t.Fatalf("got %+v", o)
	}
	if o = h.say("jason", "yes", "ops"); o.Executed == nil || o.Executed.Params["host"] != "web-1" || h.log.count() != 1 {
		t.Fatalf("the yes: %+v", o)
	}
	// Nothing is named back from a message that is no list of requests.
	o = h.say("jason", "rm -rf /; rm -rf /", "ops")
	if o.Executed != nil || strings.Contains(replyOf(o), "left it out") {
		t.Fatalf("no request: %+v", o)
	}
}

// The guesses for a message that names values offer the skills that take
// them first, from the whole catalog if the model did not rank them.
func TestGuessesPreferSkillsTakingTheValues(t *testing.T) {
	h := newHarness(t)
	oos := func(ents []nlu.Entity, alts ...nlu.Scored) nlu.Result {
		return nlu.Result{Intent: nlu.OutOfScope, Entities: ents, Alternatives: alts}
	}
	staging := []nlu.Entity{{Type: "environment", Text: "staging", Value: "staging"}}
	ops := Message{User: "jason", Roles: []string{"ops"}}
	tests := []struct {
		name string
		r    nlu.Result
		msg  Message
		want []string
	}{
		{"no values: the model's two best", oos(nil, nlu.Scored{Intent: "oncall_who", Confidence: 0.5}, nlu.Scored{Intent: "service_status", Confidence: 0.3}, nlu.Scored{Intent: "deploy", Confidence: 0.05}),
			ops, []string{"oncall_who", "service_status"}},
		{"no values, unlikely guesses dropped", oos(nil, nlu.Scored{Intent: "oncall_who", Confidence: 0.5}, nlu.Scored{Intent: "deploy", Confidence: 0.05}),
			ops, []string{"oncall_who"}},
		{"a value the model's first guess takes no part in", oos(staging, nlu.Scored{Intent: "service_status", Confidence: 0.6}, nlu.Scored{Intent: "deploy", Confidence: 0.02}),
			ops, []string{"deploy", "service_status"}},
		{"only what the person may run", oos(staging, nlu.Scored{Intent: "service_status", Confidence: 0.6}, nlu.Scored{Intent: "deploy", Confidence: 0.02}),
			Message{User: "carol", Roles: []string{"support"}}, []string{"service_status"}},
		{"only what may run in the channel", oos(nil, nlu.Scored{Intent: "purge_cache", Confidence: 0.6}, nlu.Scored{Intent: "oncall_who", Confidence: 0.3}),
			Message{User: "jason", Roles: []string{"ops"}, Channel: "general"}, []string{"oncall_who"}},
		{"a value no ranked skill takes", oos(staging, nlu.Scored{Intent: "oncall_who", Confidence: 0.6}),
			ops, []string{"deploy", "oncall_who"}},
		{"a value no skill takes", oos([]nlu.Entity{{Type: "colour", Text: "red"}}, nlu.Scored{Intent: "oncall_who", Confidence: 0.6}),
			ops, []string{"oncall_who"}},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range h.eng.guesses(tt.r, tt.msg) {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: guesses = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWordsAround(t *testing.T) {
	tests := []struct {
		text, marked, want string
	}{
		{"restart $(reboot) on web-1", "$", "$(reboot)"},
		{"restart apache on web-1;reboot", "web-1", "web-1;reboot"},
		{"restart apache on web_1, please", "web_1", "web_1"},
		{"restart apache on web_1?!", "web_1", "web_1"},
		{"restart apache on `web-1`.", "web-1", "`web-1`"},
		{"restart apache on web-1", "web-1", "web-1"},
		{"héllo wörld:x", "wörld", "wörld:x"},
	}
	for _, tt := range tests {
		i := strings.Index(tt.text, tt.marked)
		start := len([]rune(tt.text[:i]))
		ent := nlu.Entity{Text: tt.marked, Start: start, End: start + len([]rune(tt.marked))}
		if got := wordsAround(tt.text, ent); got != tt.want {
			t.Errorf("wordsAround(%q, %q) = %q, want %q", tt.text, tt.marked, got, tt.want)
		}
	}
	if got := wordsAround("short", nlu.Entity{Text: "x", Start: 3, End: 99}); got != "x" {
		t.Errorf("an entity past the text: got %q", got)
	}
}

func TestShellWord(t *testing.T) {
	tests := []struct {
		text   string
		marked []string // entity texts
		params map[string]string
		want   string
	}{
		{"check nginx on `hostname`", []string{"nginx"}, nil, "`hostname`"},
		{"check nginx on `hostname`", []string{"nginx", "`hostname`"}, nil, ""},
		{"restart apache on web-1;reboot", []string{"apache", "web-1;reboot"}, nil, ""},
		{"restart apache on web-1; please", []string{"apache", "web-1"}, nil, ""},
		{"restart apache on $(hostname)", []string{"apache"}, nil, "$(hostname)"},
		{"restart apache on ${HOST}.", []string{"apache"}, nil, "${HOST}"},
		{"status of nginx | grep up", []string{"nginx"}, nil, "|"},
		{"status of nginx >/tmp/x", []string{"nginx"}, nil, ">/tmp/x"},
		{"status of nginx&&reboot", nil, nil, "nginx&&reboot"},
		{"open an incident: `make` fails | tee log", nil, map[string]string{"summary": "`make` fails | tee log"}, ""},
		{"tom & jerry", nil, nil, ""},
		{"costs $5", nil, nil, ""},
		{"", nil, nil, ""},
	}
	for _, tt := range tests {
		r := nlu.Result{Text: tt.text}
		for _, m := range tt.marked {
			i := strings.Index(tt.text, m)
			start := len([]rune(tt.text[:i]))
			r.Entities = append(r.Entities, nlu.Entity{Text: m, Start: start, End: start + len([]rune(m))})
		}
		if got := shellWord(r, tt.params); got != tt.want {
			t.Errorf("shellWord(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSpokenCounts(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"extend acme by a month", []string{"a month"}},
		{"give acme another fortnight, please", []string{"a fortnight"}},
		{"Extend ACME by Two Weeks", []string{"two weeks"}},
		{"extend acme by 2 weeks", []string{"2 weeks"}},
		{"by weeks", []string{"by weeks"}}, // the parameter's type judges the count
		{"days", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := spokenCounts(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("spokenCounts(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestFollowUpValues(t *testing.T) {
	s := deploySkillForTest()
	tests := []struct {
		rest   string
		ents   []nlu.Entity
		marked []string
		listed map[string]string
		fits   bool
	}{
		{"prod", nil, nil, map[string]string{"environment": "production"}, true},
		{"on staging please", nil, nil, map[string]string{"environment": "staging"}, true},
		{"billing", []nlu.Entity{{Type: "app", Text: "billing", Value: "billing"}}, []string{"app"}, map[string]string{}, true},
		{"the weather", nil, nil, nil, false},
		{"and", nil, nil, nil, false},
		{"prod tomorrow", nil, nil, nil, false},
	}
	for _, tt := range tests {
		r := toks(nlu.Result{}, tt.rest)
		for _, ent := range tt.ents {
			i := strings.Index(tt.rest, ent.Text)
			ent.Start, ent.End = i, i+len(ent.Text)
			r.Entities = append(r.Entities, ent)
		}
		marked, listed, fits := followUpValues(s, r, tt.rest)
		var names []string
		for name := range marked {
			names = append(names, name)
		}
		if fits != tt.fits || !slices.Equal(names, tt.marked) || (tt.fits && !maps.Equal(listed, tt.listed)) {
			t.Errorf("followUpValues(%q) = %v %v %v, want %v %v %v", tt.rest, marked, listed, fits, tt.marked, tt.listed, tt.fits)
		}
	}
}

// deploySkillForTest is a deploy skill with an app entity and a listed
// environment.
func deploySkillForTest() *skills.Skill {
	return &skills.Skill{
		Name: "deploy", Risk: skills.Dangerous, Roles: []string{"ops"},
		Params: []skills.Param{
			{Name: "app", Type: skills.MustType(skills.TypeSpec{Name: "name"}), Required: true},
			{Name: "environment", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"production", "staging"},
				Synonyms: map[string][]string{"production": {"prod"}}}), Required: true},
		},
	}
}

func TestCorrection(t *testing.T) {
	tests := []struct {
		text, want string
		ok         bool
	}{
		{"actually web-2", "web-2", true},
		{"actually make that nginx", "nginx", true},
		{"no wait, make it prod", "prod", true},
		{"Sorry, I meant web-3", "web-3", true},
		{"make it", "", false},
		{"web-2", "", false},
		{"actually", "", false},
	}
	for _, tt := range tests {
		if got, ok := correction(tt.text); got != tt.want || ok != tt.ok {
			t.Errorf("correction(%q) = %q %v, want %q %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}
