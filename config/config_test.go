package config

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() of the default: %v", err)
	}
	if c.Bot.Name != "parley" || c.Bot.MaxMessageBytes != 4096 || c.Bot.ExecTimeout != time.Minute || c.Bot.ConfirmTTL != 5*time.Minute {
		t.Errorf("Bot = %+v", c.Bot)
	}
	if c.Store.Backend != "memory" || c.Store.TTL != 15*time.Minute || c.Store.Redis.Prefix != "parley:" {
		t.Errorf("Store = %+v", c.Store)
	}
	if len(c.OnCall.Rotations) != 3 {
		t.Errorf("%d rotations, want 3", len(c.OnCall.Rotations))
	}
	want := []string{
		"restart_service", "service_status", "deploy", "rollback", "oncall_who", "oncall_next",
		"incident_create", "incident_list", "incident_ack", "incident_resolve", "dns_lookup",
		"http_check", "extend_trial", "bookmark_save", "bookmark_find", "help", "whoami",
	}
	var got []string
	for _, s := range c.Skills {
		got = append(got, s.Name)
		if s.Executor.Kind == "exec" && !s.Executor.DryRun {
			t.Errorf("skill %s runs commands for real in the demo configuration", s.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("skills = %v, want %v", got, want)
	}
}

func TestDefaultYAMLIsACopy(t *testing.T) {
	y := DefaultYAML()
	if !bytes.HasPrefix(bytes.TrimLeft(y, "# \n"), []byte("Parley")) {
		t.Fatalf("DefaultYAML does not look like the default file: %.40q", y)
	}
	for i := range y {
		y[i] = 'x'
	}
	if DefaultConfig().Bot.Name != "parley" {
		t.Error("changing DefaultYAML's result changed the embedded default")
	}
}

// load loads a YAML snippet under the name test.yaml.
func load(t *testing.T, src string) (*Config, error) {
	t.Helper()
	return Load(strings.NewReader(src), "test.yaml")
}

// loadWithSkill loads a snippet that declares no skills of its own, adding
// one so that only the snippet is judged.
func loadWithSkill(t *testing.T, src string) (*Config, error) {
	t.Helper()
	if !strings.Contains(src, "skills:") {
		src += "\n" + minimal
	}
	return load(t, src)
}

// minimal is the smallest useful configuration: one skill.
const minimal = "skills: [{name: who, description: Who is on call., risk: read, executor: {kind: builtin, builtin: oncall_who}}]\n"

func TestLoadFillsDefaults(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"one skill", minimal},
		{"comments around", "# demo\n\n" + minimal + "# end\n"},
		{"empty sections", "bot: {}\nnlu: {}\nstore: {redis: {}}\noperator: {}\n" + minimal},
		{"zero values", "bot: {name: '', max_message_bytes: 0, max_tries: 0}\nstore: {backend: '', ttl: 0s}\n" + minimal},
	}
	want := Config{
		Bot:      Bot{Name: "parley", MaxMessageBytes: 4096, ConfirmTTL: 5 * time.Minute, ExecTimeout: time.Minute, MaxTries: 3},
		NLU:      NLU{Threshold: 0.45, Seed: 1},
		Store:    Store{Backend: "memory", TTL: 15 * time.Minute, Redis: Redis{Addr: "127.0.0.1:6379", Prefix: "parley:"}},
		Operator: Operator{User: "operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Bot != want.Bot || c.NLU.Threshold != want.NLU.Threshold || c.NLU.Margin == nil || *c.NLU.Margin != 0.1 ||
				c.NLU.Seed != want.NLU.Seed || c.Store != want.Store || c.Operator.User != want.Operator.User {
				t.Errorf("Load(%q) = %+v, want the defaults %+v", tt.src, *c, want)
			}
			if len(c.Skills) != 1 || c.Skills[0].Name != "who" {
				t.Errorf("skills = %+v", c.Skills)
			}
		})
	}
}

// TestLoadWithoutSkills checks that a file declaring no skills is refused
// with a field error. Such a file loads as a bot that can do nothing, and
// bot.New then fails on the first catalog intent with no skill
// ("data/catalog.yml:4: unknown intent ..."), which names neither the
// configuration file nor the field.
func TestLoadWithoutSkills(t *testing.T) {
	for _, src := range []string{"", "# nothing yet\n", "{}\n", "bot: {name: lonely}\n", "skills: []\n"} {
		t.Run(src, func(t *testing.T) {
			c, err := load(t, src)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "skills" {
				t.Fatalf("Load(%q) = %v, %v; want a field error on skills", src, c, err)
			}
		})
	}
}

func TestLoadKeepsGivenValues(t *testing.T) {
	c, err := loadWithSkill(t, `
bot: {name: ops-bot, max_message_bytes: 64, confirm_ttl: 1s, exec_timeout: 2m, max_tries: 10}
nlu: {threshold: 0.7, margin: 0.2, seed: 9}
store: {backend: redis, ttl: 1h, redis: {addr: "redis:6380", db: 15, prefix: "p:"}}
operator: {user: root, roles: [ops]}
`)
	if err != nil {
		t.Fatal(err)
	}
	want := Bot{Name: "ops-bot", MaxMessageBytes: 64, ConfirmTTL: time.Second, ExecTimeout: 2 * time.Minute, MaxTries: 10}
	if c.Bot != want {
		t.Errorf("Bot = %+v, want %+v", c.Bot, want)
	}
	if c.NLU.Threshold != 0.7 || c.NLU.Margin == nil || *c.NLU.Margin != 0.2 || c.NLU.Seed != 9 {
		t.Errorf("NLU = %+v", c.NLU)
	}
	if c.Store.Backend != "redis" || c.Store.TTL != time.Hour || c.Store.Redis != (Redis{Addr: "redis:6380", DB: 15, Prefix: "p:"}) {
		t.Errorf("Store = %+v", c.Store)
	}
	if c.Operator.User != "root" || !slices.Equal(c.Operator.Roles, []string{"ops"}) {
		t.Errorf("Operator = %+v", c.Operator)
	}
}

// skill is a valid skill to build broken ones from, at YAML indent 2.
const skill = `
  - name: restart
    description: Restart a service.
    risk: dangerous
    roles: [ops]
    confirm: "Restart {service} on {host}?"
    running: "Restarting {service}"
    params:
      - {name: service, type: name, values_from: service, required: true, question: "Which service?"}
      - {name: host, type: host, default: localhost}
    executor: {kind: exec, argv: [ssh, "{host}", systemctl, restart, "{service}"], dry_run: true}
`

const entities = `
entities:
  service: {values: [apache, nginx], synonyms: {apache: [httpd]}}
`

func TestValidSnippets(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"the base skill", entities + "skills:" + skill},
		{"smallest message size", "bot: {max_message_bytes: 64}"},
		{"largest message size", "bot: {max_message_bytes: 1048576}"},
		{"one-digit handoff hour", "oncall: {rotations: [{team: a, members: [x], shift: 1h, handoff: '9:00', timezone: UTC, start: '2026-01-05'}]}"},
		{"builtin executor", "skills: [{name: who, description: Who., risk: read, executor: {kind: builtin, builtin: oncall_who}}]"},
		{"template without placeholders", "skills: [{name: who, description: Who., risk: read, confirm: 'Sure?', executor: {kind: builtin, builtin: x}}]"},
		{"redis database 0", "store: {backend: redis, redis: {db: 0}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadWithSkill(t, tt.src); err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

func TestDecodeErrorsHaveLines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown top-level key", "bot:\n  name: x\ncolour: blue\n", []string{"test.yaml: ", "line 3: field colour not found"}},
		{"unknown nested key", "bot:\n  name: x\n  nmae: y\n", []string{"line 3: field nmae not found"}},
		{"unknown skill key", "skills:\n  - name: a\n    descripton: x\n", []string{"line 3: field descripton not found"}},
		{"wrong type", "bot:\n  max_tries: many\n", []string{"line 2: cannot unmarshal", "many"}},
		{"bad duration", "store:\n  ttl: forever\n", []string{"line 2", "forever"}},
		{"list for a mapping", "users: [alice]\n", []string{"line 1", "cannot unmarshal"}},
		{"not YAML", "bot: {name: x\n", []string{"test.yaml: ", "line 1"}},
		{"tab indentation", "bot:\n\tname: x\n", []string{"test.yaml: ", "line 2"}},
		{"duplicate key", "bot: {name: a}\nstore: {}\nbot: {name: b}\n", []string{"line 3", `"bot" already defined at line 1`}},
		// For syntax errors the YAML library names the line where the
		// enclosing block starts, which may be a line or two early; what
		// matters is that there is a line to look at.
		{"unclosed flow mapping", "# demo\n\nskills: [{name: who, confirm: Sure?, risk: read}]\n", []string{"test.yaml: line "}},
		{"unclosed flow mapping on the first line", "skills: [{name: who, confirm: Sure?, risk: read}]\n", []string{"test.yaml: line 1: "}},
		{"bad indentation", "bot:\n  name: x\n  max_tries: 3\n max_message_bytes: 64\n", []string{"test.yaml: line "}},
		{"second document", "bot: {name: a}\n---\nbot: {name: b}\n", []string{"test.yaml: ", "line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.src)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "yaml: yaml:") {
				t.Errorf("error %q repeats the yaml prefix", err)
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := strings.Repeat("#", MaxFileSize+1)
	_, err := load(t, big)
	if err == nil || !strings.Contains(err.Error(), "test.yaml: file is larger than 4 MB") {
		t.Errorf("Load of %d bytes: %v", len(big), err)
	}
	skill := "skills: [{name: a, description: A., risk: read, executor: {kind: builtin, builtin: help}}]\n"
	atLimit := skill + strings.Repeat("#", MaxFileSize-len(skill))
	if _, err := load(t, atLimit); err != nil {
		t.Errorf("Load of exactly MaxFileSize bytes: %.200v", err)
	}
}

func TestValidationErrors(t *testing.T) {
	rotation := func(fields string) string {
		return "oncall:\n  rotations:\n    - {team: platform, members: [alice], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05'}\n    - " + fields + "\n"
	}
	tests := []struct {
		name      string
		src       string
		wantField string
		wantWhy   string
	}{
		{"message size too small", "bot: {max_message_bytes: 63}", "bot.max_message_bytes", "must be between 64 and 1048576, not 63"},
		{"message size too large", "bot: {max_message_bytes: 1048577}", "bot.max_message_bytes", "not 1048577"},
		{"negative message size", "bot: {max_message_bytes: -1}", "bot.max_message_bytes", "not -1"},
		{"confirm ttl too short", "bot: {confirm_ttl: 500ms}", "bot.confirm_ttl", "at least 1s"},
		{"exec timeout too short", "bot: {exec_timeout: 10ms}", "bot.exec_timeout", "at least 1s"},
		{"too many tries", "bot: {max_tries: 11}", "bot.max_tries", "between 1 and 10"},
		{"negative tries", "bot: {max_tries: -1}", "bot.max_tries", "between 1 and 10"},
		{"threshold of 1", "nlu: {threshold: 1}", "nlu.threshold", "between 0 and 1"},
		{"negative threshold", "nlu: {threshold: -0.5}", "nlu.threshold", "between 0 and 1"},
		{"negative margin", "nlu: {margin: -0.1}", "nlu.margin", "between 0 and 1"},
		{"store ttl too short", "store: {ttl: 30s}", "store.ttl", "at least 1m"},
		{"bad store backend", "store: {backend: etcd}", "store.backend", `must be memory or redis, not "etcd"`},
		{"store backend in capitals", "store: {backend: Redis}", "store.backend", `not "Redis"`},
		{"redis database too high", "store: {backend: redis, redis: {db: 16}}", "store.redis.db", "between 0 and 15"},
		{"netcheck network that is a name", "netcheck: {allow_networks: [10.0.0.0/8, intranet]}", "netcheck.allow_networks[1]", `want a network like 10.0.0.0/8 or an address, not "intranet"`},
		{"netcheck network with a bad mask", "netcheck: {deny_networks: [10.0.0.0/33]}", "netcheck.deny_networks[0]", `not "10.0.0.0/33"`},
		{"negative redis database", "store: {backend: redis, redis: {db: -1}}", "store.redis.db", "between 0 and 15"},

		{"user name with a space", "users: {'al ice': {name: Alice}}", "users.al ice", "a user name is letters"},
		{"user role with a semicolon", "users: {alice: {roles: ['ops;rm']}}", "users.alice.roles", `role "ops;rm"`},
		{"group without members", "groups: {sre: {roles: [ops]}}", "groups.sre.members", "a group needs members"},
		{"group role that is empty", "groups: {sre: {members: [a], roles: ['']}}", "groups.sre.roles", `role ""`},
		{"entity list without values", "entities: {service: {synonyms: {}}}", "entities.service.values", "needs values"},
		{"synonyms of a missing value", "entities: {service: {values: [apache], synonyms: {nginx: [engine-x]}}}", "entities.service.synonyms.nginx", "a value the list does not have"},

		{"rotation without team", rotation("{members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].team", "is required"},
		{"duplicate team", rotation("{team: platform, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].team", `"platform" has two rotations`},
		{"rotation without members", rotation("{team: b, shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].members", "needs members"},
		{"shift too short", rotation("{team: b, members: [a], shift: 30m, handoff: '09:00', timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].shift", "at least 1h"},
		{"bad timezone", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: Mars/Olympus_Mons, start: '2026-01-05'}"), "oncall.rotations[1].timezone", `unknown time zone "Mars/Olympus_Mons"`},
		{"missing timezone", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', start: '2026-01-05'}"), "oncall.rotations[1].timezone", `unknown time zone ""`},
		{"bad start", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '05/01/2026'}"), "oncall.rotations[1].start", `not "05/01/2026"`},
		{"impossible start", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-02-30'}"), "oncall.rotations[1].start", `not "2026-02-30"`},
		{"bad handoff", rotation("{team: b, members: [a], shift: 24h, handoff: 9am, timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].handoff", `want a time like 09:00, not "9am"`},
		{"handoff past midnight", rotation("{team: b, members: [a], shift: 24h, handoff: '24:00', timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].handoff", `not "24:00"`},
		{"missing handoff", rotation("{team: b, members: [a], shift: 24h, timezone: UTC, start: '2026-01-05'}"), "oncall.rotations[1].handoff", `not ""`},
		{"override for nobody", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05', overrides: [{from: '2026-12-24 10:00', to: '2026-12-27 10:00'}]}"), "oncall.rotations[1].overrides[0].person", "is required"},
		{"override with a bad start", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05', overrides: [{person: a, from: 'christmas', to: '2026-12-27 10:00'}]}"), "oncall.rotations[1].overrides[0].from", `not "christmas"`},
		{"override without an end", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05', overrides: [{person: a, from: '2026-12-24 10:00'}]}"), "oncall.rotations[1].overrides[0].to", `not ""`},
		{"override ending before it starts", rotation("{team: b, members: [a], shift: 24h, handoff: '09:00', timezone: UTC, start: '2026-01-05', overrides: [{person: a, from: '2026-12-27 10:00', to: '2026-12-24T10:00:00Z'}]}"), "oncall.rotations[1].overrides[0].to", "ends before it starts"},

		{"skill name in capitals", "skills: [{name: Restart, description: x, risk: read, executor: {kind: builtin, builtin: x}}]", "skills[0] (Restart).name", "lower-case letters, digits and underscores"},
		{"skill without name", "skills: [{description: x, risk: read, executor: {kind: builtin, builtin: x}}]", "skills[0].name", "lower-case letters"},
		{"missing description", "skills: [{name: a, risk: read, executor: {kind: builtin, builtin: x}}]", "skills[0] (a).description", "is required"},
		{"bad risk", "skills: [{name: a, description: x, risk: risky, executor: {kind: builtin, builtin: x}}]", "skills[0] (a).risk", `must be read, write or dangerous, not "risky"`},
		{"missing risk", "skills: [{name: a, description: x, executor: {kind: builtin, builtin: x}}]", "skills[0] (a).risk", `not ""`},
		{"bad skill role", "skills: [{name: a, description: x, risk: read, roles: ['o ps'], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).roles", `role "o ps"`},
		{"param name with a dash", "skills: [{name: a, description: x, risk: read, params: [{name: my-host, type: host}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].name", "lower-case letters"},
		{"param declared twice", "skills: [{name: a, description: x, risk: read, params: [{name: h, type: host}, {name: h, type: host}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[1].name", `"h" is declared twice`},
		{"param without type", "skills: [{name: a, description: x, risk: read, params: [{name: h}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].type", "is required"},
		{"required param without question", "skills: [{name: a, description: x, risk: read, params: [{name: h, type: host, required: true}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].question", "needs the question"},
		{"values_from an unknown list", entities + "skills: [{name: a, description: x, risk: read, params: [{name: s, type: name, values_from: services}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].values_from", `no entity list "services"`},
		{"rule naming an unknown parameter", "skills: [{name: a, description: x, risk: read, params: [{name: env, type: name}], rules: [{when: {environment: production}, roles: [deployer]}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).rules[0].when", `no parameter "environment"`},
		{"rule with two conditions", "skills: [{name: a, description: x, risk: read, params: [{name: env, type: name}, {name: app, type: name}], rules: [{when: {env: production, app: billing}, roles: [deployer]}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).rules[0].when", "exactly one parameter"},
		{"rule with no condition", "skills: [{name: a, description: x, risk: read, rules: [{roles: [deployer]}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).rules[0].when", "exactly one parameter"},
		{"rule without roles", "skills: [{name: a, description: x, risk: read, params: [{name: env, type: name}], rules: [{when: {env: production}}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).rules[0].roles", "is required"},
		{"confirm naming no parameter", "skills: [{name: a, description: x, risk: write, confirm: 'Do {x}?', executor: {kind: builtin, builtin: x}}]", "skills[0] (a).confirm", "names {x}, which is not a parameter"},
		{"running naming no parameter", "skills: [{name: a, description: x, risk: write, params: [{name: h, type: host}], running: 'On {h} and {y}', executor: {kind: builtin, builtin: x}}]", "skills[0] (a).running", "names {y}"},
		{"empty placeholder", "skills: [{name: a, description: x, risk: write, confirm: 'Do {}?', executor: {kind: builtin, builtin: x}}]", "skills[0] (a).confirm", "names {}"},
		{"question naming no parameter", "skills: [{name: a, description: x, risk: read, params: [{name: h, type: host, required: true, question: 'Which host for {service}?'}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].question", "names {service}, which is not a parameter"},
		{"exec without argv", "skills: [{name: a, description: x, risk: read, executor: {kind: exec}}]", "skills[0] (a).executor.argv", "is required for an exec executor"},
		{"exec with empty argv", "skills: [{name: a, description: x, risk: read, executor: {kind: exec, argv: []}}]", "skills[0] (a).executor.argv", "is required"},
		{"builtin without name", "skills: [{name: a, description: x, risk: read, executor: {kind: builtin}}]", "skills[0] (a).executor.builtin", "is required for a builtin executor"},
		{"unknown executor kind", "skills: [{name: a, description: x, risk: read, executor: {kind: shell, argv: [sh, -c, x]}}]", "skills[0] (a).executor.kind", `must be builtin, exec, http or sql, not "shell"`},
		{"missing executor", "skills: [{name: a, description: x, risk: read}]", "skills[0] (a).executor.kind", `not ""`},
		{"unknown parameter type", "skills: [{name: a, description: x, risk: read, params: [{name: h, type: colour}], executor: {kind: builtin, builtin: x}}]", "skills[0] (a).params[0].type", "colour"},
		{"duplicate skill", entities + "skills:" + skill + skill, "skills[1] (restart).name", `skill "restart" is declared twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadWithSkill(t, tt.src)
			if err == nil {
				t.Fatalf("Load succeeded (%d skills), want an error at %s", len(c.Skills), tt.wantField)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q (%T) is not a *FieldError", err, err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (error %q)", fe.Field, tt.wantField, err)
			}
			if !strings.Contains(fe.Reason, tt.wantWhy) {
				t.Errorf("Reason = %q, want it to contain %q", fe.Reason, tt.wantWhy)
			}
			if want := "test.yaml: " + tt.wantField + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestValidateReportsTheFirstSkillProblem(t *testing.T) {
	c := DefaultConfig()
	c.Skills[3].Risk = "risky"
	c.Skills[5].Description = ""
	err := c.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "skills[3] (rollback).risk" {
		t.Errorf("Validate() = %v, want the problem of skills[3]", err)
	}
}

func TestRolesOf(t *testing.T) {
	c, err := loadWithSkill(t, `
users:
  alice: {roles: [ops, deployer]}
  bob: {roles: [engineer]}
  erin: {roles: [ops]}
  zoe: {}
groups:
  sre: {members: [alice, erin, ghost], roles: [oncall, ops]}
  dba: {members: [erin], roles: [dba]}
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user string
		want []string
	}{
		{"alice", []string{"deployer", "oncall", "ops"}},
		{"erin", []string{"dba", "oncall", "ops"}},
		{"bob", []string{"engineer"}},
		{"zoe", nil},
		{"ghost", []string{"oncall", "ops"}}, // only in a group
		{"nobody", nil},
		{"Alice", nil}, // names are exact
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			if got := c.RolesOf(tt.user); !slices.Equal(got, tt.want) {
				t.Errorf("RolesOf(%q) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
}

func TestHolders(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		role string
		want []string
	}{
		{"ops", []string{"alice", "erin", "jason"}},
		{"deployer", []string{"alice"}},
		{"oncall", []string{"alice", "erin"}},
		{"engineer", []string{"bob", "dave"}},
		{"support", []string{"carol"}},
		{"trainer", nil}, // only the operator has it, and the operator is no user
		{"root", nil},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			if got := c.Holders(tt.role); !slices.Equal(got, tt.want) {
				t.Errorf("Holders(%q) = %v, want %v", tt.role, got, tt.want)
			}
		})
	}
	c.Groups["night"] = Group{Members: []string{"zed", "bob"}, Roles: []string{"ops"}}
	if got, want := c.Holders("ops"), []string{"alice", "bob", "erin", "jason", "zed"}; !slices.Equal(got, want) {
		t.Errorf("Holders(ops) with a group of non-users = %v, want %v", got, want)
	}
}

func TestNetcheckNetworks(t *testing.T) {
	tests := []struct {
		src         string
		allow, deny string // fmt of the parsed prefixes
	}{
		{"", "[]", "[]"},
		{"netcheck: {deny_networks: []}", "[]", "[]"},
		{"netcheck: {allow_networks: [10.1.2.3/8, 192.0.2.7, '2001:db8::1']}", "[10.0.0.0/8 192.0.2.7/32 2001:db8::1/128]", "[]"},
		{"netcheck: {deny_networks: [127.0.0.0/8, 169.254.0.0/16]}", "[]", "[127.0.0.0/8 169.254.0.0/16]"},
	}
	for _, tt := range tests {
		c, err := loadWithSkill(t, tt.src)
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		allow, deny, err := c.Netcheck.Networks()
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if got := fmt.Sprint(allow); got != tt.allow {
			t.Errorf("%q: allow %s, want %s", tt.src, got, tt.allow)
		}
		if got := fmt.Sprint(deny); got != tt.deny {
			t.Errorf("%q: deny %s, want %s", tt.src, got, tt.deny)
		}
	}
	// Unset, the deny list is nil (the check's default); given empty, it
	// is an empty list that denies nothing.
	unset, _ := loadWithSkill(t, "")
	if _, deny, _ := unset.Netcheck.Networks(); deny != nil {
		t.Errorf("unset deny_networks = %v, want nil", deny)
	}
	empty, _ := loadWithSkill(t, "netcheck: {deny_networks: []}")
	if _, deny, _ := empty.Netcheck.Networks(); deny == nil {
		t.Error("deny_networks: [] = nil, want an empty list")
	}
}
