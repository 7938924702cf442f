package audit

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func golden() Record {
	return Record{
		Seq:      1,
		Time:     time.Date(2026, 3, 2, 10, 42, 7, 123456000, time.UTC),
		Kind:     Executed,
		User:     "alice",
		Channel:  "#ops",
		Via:      "chat",
		Skill:    "deploy",
		Params:   map[string]string{"environment": "production", "app": "checkout"},
		Result:   "done",
		Duration: 1200 * time.Millisecond,
		Message:  "deploy checkout to production",
	}
}

// The encoding is a format others implement: it must not change by
// accident. A deliberate change is a new Version.
func TestCanonicalGolden(t *testing.T) {
	want := "parley-audit-v1\n" +
		"seq:1:1\n" +
		"time:27:2026-03-02T10:42:07.123456Z\n" +
		"kind:8:executed\n" +
		"user:5:alice\n" +
		"channel:4:#ops\n" +
		"via:4:chat\n" +
		"skill:6:deploy\n" +
		"params:1:2\n" +
		"key:3:app\n" +
		"value:8:checkout\n" +
		"key:11:environment\n" +
		"value:10:production\n" +
		"result:4:done\n" +
		"error:0:\n" +
		"duration_ns:10:1200000000\n" +
		"message:29:deploy checkout to production\n" +
		"approver:0:\n" +
		"prev:0:\n"
	r := golden()
	if got := string(r.Canonical()); got != want {
		t.Errorf("Canonical:\n%s\nwant:\n%s", got, want)
	}
	const hash = "74544297640cfa2eb1ad7f418a1b7418424290798ea8115d8345cb173e73ac2e"
	if got := r.ComputeHash(); got != hash {
		t.Errorf("ComputeHash = %s, want %s", got, hash)
	}
}

func TestCanonicalCoversEveryField(t *testing.T) {
	base := golden()
	base.Prev = "abc"
	edits := map[string]func(*Record){
		"seq":      func(r *Record) { r.Seq++ },
		"time":     func(r *Record) { r.Time = r.Time.Add(time.Microsecond) },
		"kind":     func(r *Record) { r.Kind = Failed },
		"user":     func(r *Record) { r.User = "bob" },
		"channel":  func(r *Record) { r.Channel = "#dev" },
		"via":      func(r *Record) { r.Via = "cli" },
		"skill":    func(r *Record) { r.Skill = "rollback" },
		"param":    func(r *Record) { r.Params = map[string]string{"app": "checkout", "environment": "staging"} },
		"key":      func(r *Record) { r.Params = map[string]string{"app": "checkout", "env": "production"} },
		"extra":    func(r *Record) { r.Params = map[string]string{"app": "checkout", "environment": "production", "x": ""} },
		"result":   func(r *Record) { r.Result = "done." },
		"error":    func(r *Record) { r.Error = "x" },
		"duration": func(r *Record) { r.Duration++ },
		"message":  func(r *Record) { r.Message += " " },
		"approver": func(r *Record) { r.Approver = "bob" },
		"prev":     func(r *Record) { r.Prev = "abd" },
		// Moving text from one field to the next must not hash alike.
		"shift": func(r *Record) { r.User, r.Channel = "alice#", "ops" },
	}
	for name, edit := range edits {
		r := base.Clone()
		edit(&r)
		if r.ComputeHash() == base.ComputeHash() {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
	// The hash field itself, the time's zone and map order do not count.
	r := base.Clone()
	r.Hash = "whatever"
	r.Time = r.Time.In(time.FixedZone("X", 7200))
	if r.ComputeHash() != base.ComputeHash() {
		t.Error("Hash or the time's zone changes the hash")
	}
	var noParams, emptyParams Record
	emptyParams.Params = map[string]string{}
	if noParams.ComputeHash() != emptyParams.ComputeHash() {
		t.Error("nil and empty params hash differently")
	}
}

func TestSeal(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 999, time.FixedZone("CET", 3600))
	in := Record{Kind: Taught, User: "bob\x00", Params: map[string]string{}, Seq: 99, Prev: "x", Hash: "y",
		Result: strings.Repeat("a", MaxText+1), Error: "bad\xffbyte", Message: strings.Repeat("ü", MaxText)}
	r, err := Seal(in, 3, "prevhash", now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 3 || r.Prev != "prevhash" || r.Hash != r.ComputeHash() {
		t.Errorf("chain fields: %d %q %q", r.Seq, r.Prev, r.Hash)
	}
	if want := time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC); r.Time != want {
		t.Errorf("Time = %v, want %v", r.Time, want)
	}
	if r.User != "bob\uFFFD" || r.Error != "bad\uFFFDbyte" {
		t.Errorf("cleaning: %q %q", r.User, r.Error)
	}
	if n := utf8.RuneCountInString(r.Result); n != MaxText || !strings.HasSuffix(r.Result, "aa…") {
		t.Errorf("Result shortened to %d characters: …%s", n, r.Result[len(r.Result)-6:])
	}
	if r.Message != in.Message {
		t.Error("a message of exactly MaxText characters was shortened")
	}
	if r.Params != nil {
		t.Errorf("empty Params = %#v, want nil", r.Params)
	}
	for _, bad := range []struct {
		k   Kind
		seq int64
	}{{"", 1}, {"Executed", 1}, {"deleted", 1}, {Executed, 0}} {
		if _, err := Seal(Record{Kind: bad.k}, bad.seq, "", now); !errors.Is(err, ErrInvalid) {
			t.Errorf("Seal(kind %q, seq %d): %v, want ErrInvalid", bad.k, bad.seq, err)
		}
	}
}

func TestSealCopiesParams(t *testing.T) {
	p := map[string]string{"a": "1"}
	r, _ := Seal(Record{Kind: Executed, Params: p}, 1, "", time.Now())
	p["a"] = "2"
	if r.Params["a"] != "1" || r.Hash != r.ComputeHash() {
		t.Error("Seal kept the caller's map")
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(" " + strings.ToUpper(string(k)))
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseKind("deleted"); err == nil || !strings.Contains(err.Error(), "executed, failed") {
		t.Errorf("ParseKind(deleted): %v", err)
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"äöüß", 3, "äö…"},
		{"a", 1, "a"},
		{"ab", 1, "…"},
	}
	for _, tt := range tests {
		if got := shorten(tt.in, tt.n); got != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	r := golden()
	tests := []struct {
		name string
		f    Filter
		want bool
	}{
		{"zero", Filter{}, true},
		{"since equal", Filter{Since: r.Time}, true},
		{"since after", Filter{Since: r.Time.Add(time.Nanosecond)}, false},
		{"until equal", Filter{Until: r.Time}, false},
		{"until after", Filter{Until: r.Time.Add(time.Nanosecond)}, true},
		{"user any case", Filter{User: "ALICE"}, true},
		{"other user", Filter{User: "bob"}, false},
		{"skill", Filter{Skill: "deploy"}, true},
		{"skill exact", Filter{Skill: "Deploy"}, false},
		{"channel", Filter{Channel: "#ops"}, true},
		{"value", Filter{Value: "PRODUCTION"}, true},
		{"other value", Filter{Value: "staging"}, false},
		{"kinds", Filter{Kinds: []Kind{Failed, Executed}}, true},
		{"other kinds", Filter{Kinds: []Kind{Failed}}, false},
		{"limit is not a match", Filter{Limit: 1, User: "alice"}, true},
	}
	for _, tt := range tests {
		if got := tt.f.Match(r); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r, err := Seal(golden(), 7, "abc", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.Params["html"] = "<b>&</b>"
	r.Hash = r.ComputeHash()
	line, err := MarshalLine(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"<b>&</b>"`) || !strings.Contains(string(line), `"duration_ns":1200000000`) {
		t.Errorf("line = %s", line)
	}
	back, err := UnmarshalLine(line)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, r)
	}
	for _, bad := range []string{`{"seq":1,"extra":true}`, `{"seq":1} {"seq":2}`, `[1]`, ``, `{"seq":"one"}`} {
		if _, err := UnmarshalLine([]byte(bad)); err == nil {
			t.Errorf("UnmarshalLine(%s) succeeded", bad)
		}
	}
}

// The worked example in the package documentation is this record.
func TestDocExample(t *testing.T) {
	r := Record{Seq: 1, Time: time.Date(2026, 3, 2, 10, 42, 7, 123456000, time.UTC), Kind: Executed, User: "alice", Via: "cli",
		Skill: "deploy", Params: map[string]string{"app": "checkout"}, Result: "done", Duration: 1200 * time.Millisecond}
	want := "parley-audit-v1\nseq:1:1\ntime:27:2026-03-02T10:42:07.123456Z\nkind:8:executed\nuser:5:alice\nchannel:0:\nvia:3:cli\n" +
		"skill:6:deploy\nparams:1:1\nkey:3:app\nvalue:8:checkout\nresult:4:done\nerror:0:\nduration_ns:10:1200000000\n" +
		"message:0:\napprover:0:\nprev:0:\n"
	if got := string(r.Canonical()); got != want {
		t.Errorf("Canonical:\n%s", got)
	}
}
