package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parleybot/parley/skills"
)

// Config is the whole configuration.
type Config struct {
	Bot      Bot                   `yaml:"bot"`
	NLU      NLU                   `yaml:"nlu"`
	Store    Store                 `yaml:"store"`
	Operator Operator              `yaml:"operator"`
	Users    map[string]User       `yaml:"users"`
	Groups   map[string]Group      `yaml:"groups"`
	Entities map[string]EntityList `yaml:"entities"`
	OnCall   OnCall                `yaml:"oncall"`
	Audit    Audit                 `yaml:"audit"`
	API      API                   `yaml:"api"`
	LLM      LLM                   `yaml:"llm"`
	Slack    Slack                 `yaml:"slack"`
	Hooks    Hooks                 `yaml:"hooks"`
	Netcheck Netcheck              `yaml:"netcheck"`
	// Connections are the databases sql skills use.
	Connections []Connection `yaml:"connections"`
	Skills      []Skill      `yaml:"skills"`
	// SkillsFiles add skills from other files, watched and reloaded
	// while the bot runs.
	SkillsFiles []string `yaml:"skills_files"`
}

// Slack maps Slack identities to configured people and roles; tokens
// come from the environment (docs/slack.md).
type Slack struct {
	// Users maps Slack user ids to configured user names.
	Users map[string]string `yaml:"users"`
	// Groups gives the members of Slack user groups roles.
	Groups map[string][]string `yaml:"groups"`
}

// LLM configures the optional language model (off unless BaseURL is set
// here or in PARLEY_LLM_BASE_URL). The API key comes from the environment.
type LLM struct {
	BaseURL   string        `yaml:"base_url"`
	Model     string        `yaml:"model"`
	APIKeyEnv string        `yaml:"api_key_env"`
	Timeout   time.Duration `yaml:"timeout"`
}

// API configures the HTTP API's tokens; each secret comes from an
// environment variable.
type API struct {
	Tokens []APIToken `yaml:"tokens"`
}

// APIToken binds a bearer token to an identity.
type APIToken struct {
	Name     string   `yaml:"name"`
	TokenEnv string   `yaml:"token_env"`
	User     string   `yaml:"user"`
	Roles    []string `yaml:"roles"`
}

// Netcheck limits where the built-in http_check connects, whatever URL it
// is given; the check runs on the address about to be connected, redirects
// included. Entries are networks (10.0.0.0/8) or single addresses.
type Netcheck struct {
	// AllowNetworks, when set, are the only networks it connects to.
	AllowNetworks []string `yaml:"allow_networks"`
	// DenyNetworks are never connected to. Unset: the link-local networks,
	// where cloud metadata services hand out credentials; [] denies none.
	DenyNetworks []string `yaml:"deny_networks"`
}

// Networks parses the allowed and denied networks; deny is nil when
// DenyNetworks is unset.
func (n Netcheck) Networks() (allow, deny []netip.Prefix, err error) {
	parse := func(field string, entries []string) ([]netip.Prefix, error) {
		if entries == nil {
			return nil, nil
		}
		out := make([]netip.Prefix, 0, len(entries))
		for i, e := range entries {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				a, aerr := netip.ParseAddr(e)
				if aerr != nil || a.Zone() != "" {
					return nil, fieldErr(fmt.Sprintf("netcheck.%s[%d]", field, i), "want a network like 10.0.0.0/8 or an address, not %q", e)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			out = append(out, p.Masked())
		}
		return out, nil
	}
	if allow, err = parse("allow_networks", n.AllowNetworks); err != nil {
		return nil, nil, err
	}
	if deny, err = parse("deny_networks", n.DenyNetworks); err != nil {
		return nil, nil, err
	}
	return allow, deny, nil
}

// Hooks configures the notification hooks (POST /hooks/{source}).
type Hooks struct {
	// GitHubSecretEnv names the variable with GitHub's webhook secret.
	GitHubSecretEnv string `yaml:"github_secret_env"`
	// TokenEnv maps a source (alertmanager, generic) to the variable with
	// the bearer token it must send.
	TokenEnv map[string]string `yaml:"token_env"`
	Routes   []HookRoute       `yaml:"routes"`
	// Default is the channel of notifications no route names.
	Default string        `yaml:"default_channel"`
	Window  time.Duration `yaml:"group_window"`
	// RatePerMinute bounds posts per channel; more become a digest.
	RatePerMinute int              `yaml:"rate_per_minute"`
	QuietHours    map[string]Quiet `yaml:"quiet_hours"`
}

// HookRoute sends matching notifications to channels.
type HookRoute struct {
	Source        string            `yaml:"source"`
	Repository    string            `yaml:"repository"`
	Severity      string            `yaml:"severity"`
	Labels        map[string]string `yaml:"labels"`
	Channels      []string          `yaml:"channels"`
	AllowExplicit bool              `yaml:"allow_explicit"`
}

// Quiet holds non-critical notifications of a channel between From and To.
type Quiet struct {
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	TimeZone string `yaml:"timezone"`
}

// Audit says who may read the audit trail in chat. Where it is kept is
// chosen on the command line (PARLEY_AUDIT_DSN for PostgreSQL, else a file
// in the data folder).
type Audit struct {
	ViewerRoles []string `yaml:"viewer_roles"`
}

// Bot holds conversation settings.
type Bot struct {
	Name            string        `yaml:"name"`
	MaxMessageBytes int           `yaml:"max_message_bytes"`
	ConfirmTTL      time.Duration `yaml:"confirm_ttl"`
	ExecTimeout     time.Duration `yaml:"exec_timeout"`
	MaxTries        int           `yaml:"max_tries"`
}

// NLU holds model settings.
type NLU struct {
	// Model is a model file to load instead of training at start-up.
	Model string `yaml:"model"`
	// Training lists extra training files (YAML) added to the catalog's.
	Training  []string `yaml:"training"`
	Threshold float64  `yaml:"threshold"`
	// Margin is how close the two best intents may be before a message is
	// ambiguous (unset: 0.1; 0: never ambiguous).
	Margin *float64 `yaml:"margin"`
	Seed   uint64   `yaml:"seed"`
	// LearnedDir keeps what people teach and the review queue when the
	// store is memory (with Redis they live in Redis). Empty: the command
	// line picks a per-user data folder.
	LearnedDir string `yaml:"learned_dir"`
	// TrainerRole may teach directly and review (default trainer).
	TrainerRole string `yaml:"trainer_role"`
}

// Store selects where conversations and skill state live.
type Store struct {
	Backend string `yaml:"backend"` // memory or redis
	// TTL is how long an untouched conversation is kept (default 15m).
	TTL   time.Duration `yaml:"ttl"`
	Redis Redis         `yaml:"redis"`
}

// Redis connects the Redis store.
type Redis struct {
	Addr string `yaml:"addr"`
	DB   int    `yaml:"db"`
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string `yaml:"password_env"`
	Prefix      string `yaml:"prefix"`
	// PoolSize of connections (default 10 per CPU).
	PoolSize int `yaml:"pool_size"`
}

// Operator is the identity of the person at the terminal (shell, run).
type Operator struct {
	User  string   `yaml:"user"`
	Roles []string `yaml:"roles"`
}

// User is one person.
type User struct {
	Name  string   `yaml:"name"`
	Roles []string `yaml:"roles"`
}

// Group gives its members roles.
type Group struct {
	Members []string `yaml:"members"`
	Roles   []string `yaml:"roles"`
}

// EntityList is a vocabulary the NLU recognises (services, teams...).
type EntityList struct {
	Values   []string            `yaml:"values"`
	Synonyms map[string][]string `yaml:"synonyms"`
}

// OnCall holds rotations.
type OnCall struct {
	Rotations []Rotation `yaml:"rotations"`
}

// Rotation is one team's on-call schedule.
type Rotation struct {
	Team      string        `yaml:"team"`
	Members   []string      `yaml:"members"`
	Shift     time.Duration `yaml:"shift"`
	Handoff   string        `yaml:"handoff"`
	TimeZone  string        `yaml:"timezone"`
	Start     string        `yaml:"start"` // YYYY-MM-DD
	Overrides []Override    `yaml:"overrides"`
}

// Override puts someone on call for a while.
type Override struct {
	Person string `yaml:"person"`
	From   string `yaml:"from"` // RFC 3339 or "YYYY-MM-DD HH:MM" in the rotation's zone
	To     string `yaml:"to"`
}

// Start is when the override begins, with loc the rotation's zone.
func (o Override) Start(loc *time.Location) (time.Time, error) { return parseWhen(o.From, loc) }

// End is when the override ends, with loc the rotation's zone.
func (o Override) End(loc *time.Location) (time.Time, error) { return parseWhen(o.To, loc) }

// parseWhen reads RFC 3339, or "YYYY-MM-DD HH:MM" in loc.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02 15:04", s, loc)
}

// Skill declares one skill of the catalog.
type Skill struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Risk        string   `yaml:"risk"`
	NoConfirm   bool     `yaml:"no_confirm"`
	Roles       []string `yaml:"roles"`
	Rules       []Rule   `yaml:"rules"`
	Confirm     string   `yaml:"confirm"`
	Running     string   `yaml:"running"`
	Params      []Param  `yaml:"params"`
	Executor    Executor `yaml:"executor"`
	// Channels, when set, are the only channels the skill runs in.
	Channels []string `yaml:"channels"`
	// Require2FA asks the person confirming for a one-time code.
	Require2FA bool `yaml:"require_2fa"`
	// Approvals by other people before it runs (the two-person rule: 1).
	Approvals int `yaml:"approvals"`
	// Examples teach the NLU the skill: phrasings with entity marks,
	// "restart [apache](service) on [web-1](host)".
	Examples []string `yaml:"examples"`
}

// Rule needs roles when a parameter has a value.
type Rule struct {
	When  map[string]string `yaml:"when"`
	Roles []string          `yaml:"roles"`
}

// Param declares one parameter.
type Param struct {
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Default  string   `yaml:"default"`
	Question string   `yaml:"question"`
	Entities []string `yaml:"entities"`
	Secret   bool     `yaml:"secret"`
	// Values (with Synonyms) restrict a name or enum; ValuesFrom takes
	// them from an entity list; Open accepts other names too.
	Values     []string            `yaml:"values"`
	Synonyms   map[string][]string `yaml:"synonyms"`
	ValuesFrom string              `yaml:"values_from"`
	Open       bool                `yaml:"open"`
	Min        int64               `yaml:"min"`
	Max        int64               `yaml:"max"`
	// Unit "days" lets an int take "2 weeks" as 14.
	Unit   string `yaml:"unit"`
	MaxLen int    `yaml:"max_len"`
}

// Executor says how a skill runs.
type Executor struct {
	// Kind is builtin, exec, http or sql.
	Kind string `yaml:"kind"`
	// Builtin names a built-in executor (oncall_who, incident_create, ...).
	Builtin string `yaml:"builtin"`
	// Argv, Timeout, MaxOutput and DryRun configure exec.
	Argv      []string      `yaml:"argv"`
	Timeout   time.Duration `yaml:"timeout"`
	MaxOutput int           `yaml:"max_output"`
	DryRun    bool          `yaml:"dry_run"`
	// Method, URL, Headers, Body, BodyFormat, Secrets, AllowHosts,
	// InsecureSkipVerify, Response and MaxBody configure http. Secrets
	// maps a name used as ${NAME} in templates to the environment
	// variable holding its value.
	Method             string            `yaml:"method"`
	URL                string            `yaml:"url"`
	Headers            map[string]string `yaml:"headers"`
	Body               string            `yaml:"body"`
	BodyFormat         string            `yaml:"body_format"`
	Secrets            map[string]string `yaml:"secrets"`
	AllowHosts         []string          `yaml:"allow_hosts"`
	InsecureSkipVerify bool              `yaml:"insecure_skip_verify"`
	Response           string            `yaml:"response"`
	MaxBody            int               `yaml:"max_body"`
	// Conn, Query, Write, RowLimit and Result configure sql.
	Conn     string `yaml:"conn"`
	Query    string `yaml:"query"`
	Write    bool   `yaml:"write"`
	RowLimit int    `yaml:"row_limit"`
	Result   string `yaml:"result"`
}

// Connection is a named database for sql skills; the DSN comes from an
// environment variable, never from the file.
type Connection struct {
	Name    string `yaml:"name"`
	Driver  string `yaml:"driver"` // postgres or sqlite
	DSNEnv  string `yaml:"dsn_env"`
	MaxOpen int    `yaml:"max_open"`
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the embedded default configuration file.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// DefaultConfig returns the embedded default configuration: the demo team,
// rotation, inventory and catalog, with commands that would touch real
// machines in dry-run mode.
func DefaultConfig() *Config {
	c, err := Load(bytes.NewReader(defaultYAML), "default.yaml")
	if err != nil {
		panic("embedded default configuration is invalid: " + err.Error())
	}
	return c
}

// MaxFileSize bounds a configuration file.
const MaxFileSize = 4 << 20

// Load reads a configuration file strictly (unknown fields are errors),
// fills defaults and validates it. name is used in error messages.
func Load(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: file is larger than %d MB", name, MaxFileSize>>20)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if !strings.Contains(msg, "line ") {
			msg = "line 1: " + msg
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: line %d: only one YAML document is allowed", name, max(more.Line, 1))
	}
	c.fill()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &c, nil
}

func (c *Config) fill() {
	if c.Bot.Name == "" {
		c.Bot.Name = "parley"
	}
	if c.Bot.MaxMessageBytes == 0 {
		c.Bot.MaxMessageBytes = 4096
	}
	if c.Bot.ConfirmTTL == 0 {
		c.Bot.ConfirmTTL = 5 * time.Minute
	}
	if c.Bot.ExecTimeout == 0 {
		c.Bot.ExecTimeout = time.Minute
	}
	if c.Bot.MaxTries == 0 {
		c.Bot.MaxTries = 3
	}
	if c.NLU.Threshold == 0 {
		c.NLU.Threshold = 0.45
	}
	if c.NLU.Margin == nil {
		m := 0.1
		c.NLU.Margin = &m
	}
	if c.NLU.Seed == 0 {
		c.NLU.Seed = 1
	}
	if c.NLU.TrainerRole == "" {
		c.NLU.TrainerRole = "trainer"
	}
	if c.Store.Backend == "" {
		c.Store.Backend = "memory"
	}
	if c.Store.Redis.Addr == "" {
		c.Store.Redis.Addr = "127.0.0.1:6379"
	}
	if c.Store.Redis.Prefix == "" {
		c.Store.Redis.Prefix = "parley:"
	}
	if c.Store.TTL == 0 {
		c.Store.TTL = 15 * time.Minute
	}
	if c.Operator.User == "" {
		c.Operator.User = "operator"
	}
	if c.Audit.ViewerRoles == nil {
		c.Audit.ViewerRoles = []string{"ops"}
	}
}

// FieldError is a validation failure of one field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// Validate checks the configuration and returns the first problem with
// the field's path, e.g. "skills[2].params[0].type: unknown type".
func (c *Config) Validate() error {
	switch {
	case c.Bot.MaxMessageBytes < 64 || c.Bot.MaxMessageBytes > 1<<20:
		return fieldErr("bot.max_message_bytes", "must be between 64 and 1048576, not %d", c.Bot.MaxMessageBytes)
	case c.Bot.ConfirmTTL < time.Second:
		return fieldErr("bot.confirm_ttl", "must be at least 1s")
	case c.Bot.ExecTimeout < time.Second:
		return fieldErr("bot.exec_timeout", "must be at least 1s")
	case c.Bot.MaxTries < 1 || c.Bot.MaxTries > 10:
		return fieldErr("bot.max_tries", "must be between 1 and 10")
	case c.NLU.Threshold <= 0 || c.NLU.Threshold >= 1:
		return fieldErr("nlu.threshold", "must be between 0 and 1")
	case c.NLU.Margin != nil && (*c.NLU.Margin < 0 || *c.NLU.Margin >= 1):
		return fieldErr("nlu.margin", "must be between 0 and 1")
	}
	if c.Store.TTL < time.Minute {
		return fieldErr("store.ttl", "must be at least 1m")
	}
	switch c.Store.Backend {
	case "memory":
	case "redis":
		if c.Store.Redis.DB < 0 || c.Store.Redis.DB > 15 {
			return fieldErr("store.redis.db", "must be between 0 and 15")
		}
	default:
		return fieldErr("store.backend", "must be memory or redis, not %q", c.Store.Backend)
	}
	for name, u := range c.Users {
		if !validName(name) {
			return fieldErr("users."+name, "a user name is letters, digits, dots, underscores and hyphens")
		}
		if err := validRoles("users."+name+".roles", u.Roles); err != nil {
			return err
		}
	}
	for name, g := range c.Groups {
		if len(g.Members) == 0 {
			return fieldErr("groups."+name+".members", "a group needs members")
		}
		if err := validRoles("groups."+name+".roles", g.Roles); err != nil {
			return err
		}
	}
	for name, l := range c.Entities {
		if len(l.Values) == 0 {
			return fieldErr("entities."+name+".values", "an entity list needs values")
		}
		for canon := range l.Synonyms {
			if !slices.Contains(l.Values, canon) {
				return fieldErr("entities."+name+".synonyms."+canon, "synonyms given for a value the list does not have")
			}
		}
	}
	teams := map[string]bool{}
	for i, r := range c.OnCall.Rotations {
		f := fmt.Sprintf("oncall.rotations[%d]", i)
		switch {
		case r.Team == "":
			return fieldErr(f+".team", "is required")
		case teams[r.Team]:
			return fieldErr(f+".team", "%q has two rotations", r.Team)
		case len(r.Members) == 0:
			return fieldErr(f+".members", "a rotation needs members")
		case r.Shift < time.Hour:
			return fieldErr(f+".shift", "must be at least 1h")
		}
		teams[r.Team] = true
		if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "" {
			return fieldErr(f+".timezone", "unknown time zone %q", r.TimeZone)
		}
		if _, err := time.Parse("2006-01-02", r.Start); err != nil {
			return fieldErr(f+".start", "want a date like 2026-01-05, not %q", r.Start)
		}
		if _, err := time.Parse("15:04", r.Handoff); err != nil {
			return fieldErr(f+".handoff", "want a time like 09:00, not %q", r.Handoff)
		}
		loc, _ := time.LoadLocation(r.TimeZone)
		for j, o := range r.Overrides {
			of := fmt.Sprintf("%s.overrides[%d]", f, j)
			if strings.TrimSpace(o.Person) == "" {
				return fieldErr(of+".person", "is required")
			}
			from, err := o.Start(loc)
			if err != nil {
				return fieldErr(of+".from", "want a time like \"2026-12-24 10:00\" or RFC 3339, not %q", o.From)
			}
			to, err := o.End(loc)
			if err != nil {
				return fieldErr(of+".to", "want a time like \"2026-12-27 10:00\" or RFC 3339, not %q", o.To)
			}
			if !to.After(from) {
				return fieldErr(of+".to", "ends before it starts")
			}
		}
	}
	if _, _, err := c.Netcheck.Networks(); err != nil {
		return err
	}
	if len(c.Skills) == 0 {
		return fieldErr("skills", "at least one skill is needed (the embedded default configuration lists the catalog)")
	}
	names := map[string]bool{}
	for i, s := range c.Skills {
		f := fmt.Sprintf("skills[%d]", i)
		if s.Name != "" {
			f = fmt.Sprintf("skills[%d] (%s)", i, s.Name)
		}
		if err := s.validate(f, c); err != nil {
			return err
		}
		if names[s.Name] {
			return fieldErr(f+".name", "skill %q is declared twice", s.Name)
		}
		names[s.Name] = true
	}
	return nil
}

func (s *Skill) validate(f string, c *Config) error {
	if !validIdent(s.Name) {
		return fieldErr(f+".name", "use lower-case letters, digits and underscores")
	}
	if s.Description == "" {
		return fieldErr(f+".description", "is required (it is how people and help see the skill)")
	}
	switch s.Risk {
	case "read", "write", "dangerous":
	default:
		return fieldErr(f+".risk", "must be read, write or dangerous, not %q", s.Risk)
	}
	if err := validRoles(f+".roles", s.Roles); err != nil {
		return err
	}
	if s.Approvals < 0 || s.Approvals > 1 {
		return fieldErr(f+".approvals", "must be 0 or 1 (the two-person rule)")
	}
	if (s.Require2FA || s.Approvals > 0) && s.Risk == "read" {
		return fieldErr(f, "a read skill runs at once: require_2fa and approvals need risk write or dangerous")
	}
	for _, ch := range s.Channels {
		if !validName(strings.TrimPrefix(ch, "#")) {
			return fieldErr(f+".channels", "channel %q: use letters, digits, dots, underscores and hyphens", ch)
		}
	}
	params := map[string]bool{}
	for j, p := range s.Params {
		pf := fmt.Sprintf("%s.params[%d]", f, j)
		if !validIdent(p.Name) {
			return fieldErr(pf+".name", "use lower-case letters, digits and underscores")
		}
		if params[p.Name] {
			return fieldErr(pf+".name", "%q is declared twice", p.Name)
		}
		params[p.Name] = true
		if p.Type == "" {
			return fieldErr(pf+".type", "is required")
		}
		if !slices.Contains(skills.TypeNames(), p.Type) {
			return fieldErr(pf+".type", "unknown type %q (want one of %s)", p.Type, strings.Join(skills.TypeNames(), ", "))
		}
		if p.Required && p.Question == "" {
			return fieldErr(pf+".question", "a required parameter needs the question to ask for it")
		}
		if p.Unit != "" && (p.Unit != "days" || p.Type != "int") {
			return fieldErr(pf+".unit", "only an int parameter may have a unit, and only days")
		}
		if p.ValuesFrom != "" {
			if _, ok := c.Entities[p.ValuesFrom]; !ok {
				return fieldErr(pf+".values_from", "no entity list %q", p.ValuesFrom)
			}
		}
	}
	for j, r := range s.Rules {
		rf := fmt.Sprintf("%s.rules[%d]", f, j)
		if len(r.When) != 1 {
			return fieldErr(rf+".when", "name exactly one parameter and value")
		}
		for k := range r.When {
			if !params[k] {
				return fieldErr(rf+".when", "no parameter %q", k)
			}
		}
		if len(r.Roles) == 0 {
			return fieldErr(rf+".roles", "is required")
		}
	}
	templates := []struct{ field, tmpl string }{{f + ".confirm", s.Confirm}, {f + ".running", s.Running}}
	for j, p := range s.Params {
		templates = append(templates, struct{ field, tmpl string }{fmt.Sprintf("%s.params[%d].question", f, j), p.Question})
	}
	for _, t := range templates {
		for _, name := range skills.Placeholders(t.tmpl) {
			if !params[name] {
				return fieldErr(t.field, "names {%s}, which is not a parameter", name)
			}
		}
	}
	switch s.Executor.Kind {
	case "builtin":
		if s.Executor.Builtin == "" {
			return fieldErr(f+".executor.builtin", "is required for a builtin executor")
		}
	case "exec":
		if len(s.Executor.Argv) == 0 {
			return fieldErr(f+".executor.argv", "is required for an exec executor")
		}
	case "http":
		if s.Executor.URL == "" {
			return fieldErr(f+".executor.url", "is required for an http executor")
		}
		if len(s.Executor.AllowHosts) == 0 {
			return fieldErr(f+".executor.allow_hosts", "is required for an http executor: name the hosts it may call")
		}
	case "sql":
		if s.Executor.Conn == "" || s.Executor.Query == "" {
			return fieldErr(f+".executor", "an sql executor needs conn and query")
		}
		if !slices.ContainsFunc(c.Connections, func(cn Connection) bool { return cn.Name == s.Executor.Conn }) {
			return fieldErr(f+".executor.conn", "no connection %q (declare it under connections)", s.Executor.Conn)
		}
	default:
		return fieldErr(f+".executor.kind", "must be builtin, exec, http or sql, not %q", s.Executor.Kind)
	}
	return nil
}

func validRoles(field string, roles []string) error {
	for _, r := range roles {
		if r != skills.Everyone && !validName(r) {
			return fieldErr(field, "role %q: use letters, digits, dots, underscores and hyphens", r)
		}
	}
	return nil
}

func validIdent(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// RolesOf returns a user's roles: their own and their groups'.
func (c *Config) RolesOf(user string) []string {
	var out []string
	add := func(rs []string) {
		for _, r := range rs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	if u, ok := c.Users[user]; ok {
		add(u.Roles)
	}
	for _, g := range c.Groups {
		if slices.Contains(g.Members, user) {
			add(g.Roles)
		}
	}
	slices.Sort(out)
	return out
}

// Holders returns the users who have a role, sorted.
func (c *Config) Holders(role string) []string {
	var out []string
	for name := range c.Users {
		if slices.Contains(c.RolesOf(name), role) {
			out = append(out, name)
		}
	}
	for _, g := range c.Groups {
		if slices.Contains(g.Roles, role) {
			for _, m := range g.Members {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// SkillsFile is a file of extra skills: their connections and
// declarations, in the same form as the main configuration's.
type SkillsFile struct {
	Connections []Connection `yaml:"connections"`
	Skills      []Skill      `yaml:"skills"`
	// lines holds the line of each skill, for error messages.
	lines []int
}

// LoadSkillsFile reads and checks a skills file against the main
// configuration (its entity lists and connections). Errors name the file
// and line.
func LoadSkillsFile(r io.Reader, name string, main *Config) (*SkillsFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: file is larger than %d MB", name, MaxFileSize>>20)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if !strings.Contains(msg, "line ") {
			msg = "line 1: " + msg
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	var sf SkillsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sf); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) > 0 && root.Content[0].Kind == yaml.MappingNode {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "skills" {
				for _, n := range doc.Content[i+1].Content {
					sf.lines = append(sf.lines, n.Line)
				}
			}
		}
	}
	merged := *main
	merged.Connections = append(slices.Clone(main.Connections), sf.Connections...)
	for i, cn := range sf.Connections {
		if cn.Name == "" || (cn.Driver != "postgres" && cn.Driver != "sqlite") || cn.DSNEnv == "" {
			return nil, fmt.Errorf("%s: connections[%d]: a connection needs name, driver (postgres or sqlite) and dsn_env", name, i)
		}
	}
	taken := map[string]bool{}
	for _, s := range main.Skills {
		taken[s.Name] = true
	}
	for i, s := range sf.Skills {
		f := fmt.Sprintf("skills[%d]", i)
		if s.Name != "" {
			f = fmt.Sprintf("skills[%d] (%s)", i, s.Name)
		}
		line := 1
		if i < len(sf.lines) {
			line = sf.lines[i]
		}
		if err := s.validate(f, &merged); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if taken[s.Name] {
			return nil, fmt.Errorf("%s:%d: %w", name, line, fieldErr(f+".name", "skill %q is already declared", s.Name))
		}
		taken[s.Name] = true
	}
	return &sf, nil
}
