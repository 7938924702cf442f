// Package bot assembles Parley from its configuration: the state store,
// the skills catalog with its executors, the NLU model, and the dialog
// engine. Chat adapters, the CLI and the conversation tests all start here,
// so they run the same bot.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/auth"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/memstore"
	"github.com/parleybot/parley/dialog/redisstore"
	"github.com/parleybot/parley/internal/metrics"
	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/skills/bookmark"
	"github.com/parleybot/parley/skills/exec"
	"github.com/parleybot/parley/skills/httpexec"
	"github.com/parleybot/parley/skills/incident"
	"github.com/parleybot/parley/skills/netcheck"
	"github.com/parleybot/parley/skills/oncall"
	"github.com/parleybot/parley/skills/sqlexec"
	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/filestore"
	"github.com/parleybot/parley/training/learn"
	trainmem "github.com/parleybot/parley/training/memstore"
	trainredis "github.com/parleybot/parley/training/redisstore"
)

// Options are what the configuration file does not hold.
type Options struct {
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// RedisPassword, read from the environment by the caller.
	RedisPassword string
	// Redis, when set, is used instead of dialling store.redis.
	Redis redis.UniversalClient
	// Run replaces skill execution (conversation tests record instead).
	Run dialog.Runner
	// Model, when set, is used instead of training or loading one.
	Model *nlu.Model
	// Observer sees every turn.
	Observer dialog.Observer
	// Progress is told how training advances.
	Progress func(stage string, done, total int)
	// LearnedDir keeps taught examples and the review queue on disk when
	// the store is memory and the configuration names no folder.
	LearnedDir string
	// Learned, when set, replaces the store of taught examples.
	Learned training.Store
	// TwoFactorKey (32 bytes, see auth.ParseKey) encrypts one-time-code
	// secrets; without it skills that require a code cannot run.
	TwoFactorKey []byte
	// Audit, when set, records every accountable action; the bot closes it.
	Audit audit.Log
	// Metrics, when set, counts messages, intents, executions, store
	// latency and model reloads.
	Metrics *metrics.Registry
	// Getenv reads the environment variables configuration names (HTTP
	// skill secrets, database DSNs); the command line passes os.Getenv.
	Getenv func(string) string
	// Assistant, when set, is asked what a message means when the local
	// NLU is unsure (the language model).
	Assistant *llm.Assistant
}

// Bot is an assembled Parley.
type Bot struct {
	redis    redis.UniversalClient
	auditLog audit.Log
	auditor  *auditor
	logger   *slog.Logger
	now      func() time.Time
	Engine   *dialog.Engine
	NLU      *nlu.Pipeline
	// Skills is the live catalog: skills files reload into it.
	Skills   *Catalog
	catalog  *Catalog
	pools    []*sqlexec.Pool
	db       atomic.Pointer[sqlexec.Pool] // the databases of the skills in service
	opts     Options
	reloadMu sync.Mutex
	Config   *config.Config
	Training *training.Set
	// Learner takes teachings and retrains; run Learner.Run to retrain in
	// the background.
	Learner *learn.Learner
	// TwoFactor enrols people and checks one-time codes (nil without a key).
	TwoFactor *auth.Service
	// State is the store the built-in skills keep their data in.
	State skills.State
	close []func() error
}

// Close releases connections.
func (b *Bot) Close() error {
	var errs []error
	for _, f := range b.close {
		errs = append(errs, f())
	}
	return errors.Join(errs...)
}

// New builds a bot from a validated configuration.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Bot, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Bot{Config: cfg, logger: opts.Logger, now: opts.Now, auditLog: opts.Audit}
	store, state, err := b.openStore(cfg, opts)
	if err != nil {
		return nil, err
	}
	if opts.Metrics != nil {
		store = timedStore{Store: store, h: opts.Metrics.Histogram("parley_store_seconds", "Latency of the conversation store (Redis or memory).", metrics.LatencyBuckets(), "op")}
	}
	b.State = state
	b.catalog = &Catalog{}
	b.Skills = b.catalog
	b.opts = opts
	b.close = append(b.close, func() error {
		var errs []error
		for _, p := range b.pools {
			if p != nil {
				errs = append(errs, p.Close())
			}
		}
		return errors.Join(errs...)
	})
	files, err := b.loadSkillsFiles(cfg)
	if err != nil {
		b.Close()
		return nil, err
	}
	reg, err := b.buildSkills(cfg, files, state, opts)
	if err != nil {
		b.Close()
		return nil, err
	}
	b.catalog.reg.Store(reg)
	b.db.Store(b.pools[len(b.pools)-1])
	if err := b.buildNLU(ctx, cfg, b.catalog, files, opts); err != nil {
		b.Close()
		return nil, err
	}
	var factor dialog.SecondFactor
	if len(opts.TwoFactorKey) > 0 {
		var store auth.Store = state
		if b.redis == nil && opts.LearnedDir != "" {
			// Memory loses enrolments at exit: keep them beside what was taught.
			fs, err := auth.OpenFileStore(filepath.Join(opts.LearnedDir, "2fa.json"))
			if err != nil {
				b.Close()
				return nil, err
			}
			store = fs
		}
		if b.TwoFactor, err = auth.New(store, opts.TwoFactorKey, opts.Now); err != nil {
			b.Close()
			return nil, fmt.Errorf("two-factor codes: %w", err)
		}
		factor = secondFactor{b.TwoFactor}
	}
	var obs observers
	if opts.Observer != nil {
		obs = append(obs, opts.Observer)
	}
	if opts.Metrics != nil {
		obs = append(obs, newMeters(opts.Metrics))
		if opts.Assistant != nil {
			llmMetrics(opts.Metrics, opts.Assistant)
		}
		opts.Metrics.CounterFunc("parley_model_reloads_total", "Models put in service (the first included).", func() float64 { return float64(b.NLU.Swaps()) })
	}
	var history func(context.Context, dialog.Message, string) (string, bool)
	if opts.Audit != nil {
		a := newAuditor(opts.Audit, opts.Logger)
		b.auditor = a
		// Closed first: queued records are written before the log closes.
		b.close = append([]func() error{a.Close}, b.close...)
		if closer, ok := opts.Audit.(interface{ Close() error }); ok {
			b.close = append(b.close, closer.Close)
		}
		obs = append(observers{a}, obs...)
		history = b.history
	}
	var observer dialog.Observer
	switch len(obs) {
	case 0:
	case 1:
		observer = obs[0]
	default:
		observer = obs
	}
	b.Engine, err = dialog.New(dialog.Config{
		Parser: b.NLU, Catalog: b.catalog, Store: store, Logger: opts.Logger, Now: opts.Now,
		Run: opts.Run, Observer: observer, History: history,
		ConfirmTTL: cfg.Bot.ConfirmTTL, ExecTimeout: cfg.Bot.ExecTimeout, MaxTries: cfg.Bot.MaxTries,
		MaxMessage: cfg.Bot.MaxMessageBytes, BotName: cfg.Bot.Name, Holders: cfg.Holders,
		Learner: b.Learner, TrainerRole: cfg.NLU.TrainerRole, SecondFactor: factor,
		Assistant: assistant(opts.Assistant),
	})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bot) openStore(cfg *config.Config, opts Options) (dialog.Store, skills.State, error) {
	switch cfg.Store.Backend {
	case "redis":
		client := opts.Redis
		if client == nil {
			poolSize := cfg.Store.Redis.PoolSize
			c := redis.NewClient(&redis.Options{
				Addr: cfg.Store.Redis.Addr, DB: cfg.Store.Redis.DB, Password: opts.RedisPassword,
				PoolSize: poolSize, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
				// Report an outage quickly instead of retrying for seconds.
				MaxRetries: 1, DialerRetries: 1, ContextTimeoutEnabled: true,
			})
			b.close = append(b.close, c.Close)
			client = c
		}
		b.redis = client
		s := redisstore.New(client, redisstore.Options{Prefix: cfg.Store.Redis.Prefix, TTL: cfg.Store.TTL})
		return s, s.State(), nil
	default:
		s := memstore.New(memstore.Options{TTL: cfg.Store.TTL, Now: opts.Now})
		return s, s.State(), nil
	}
}

// Builtins are the executors a configuration may name with kind: builtin.
func builtins(cfg *config.Config, state skills.State, reg func() []*skills.Skill, now func() time.Time) (map[string]skills.Executor, error) {
	rotations, err := Rotations(cfg)
	if err != nil {
		return nil, err
	}
	oc, err := oncall.New(rotations, now)
	if err != nil {
		return nil, fmt.Errorf("oncall: %w", err)
	}
	inc := incident.New(state, now)
	bm := bookmark.New(state, now)
	allow, deny, err := cfg.Netcheck.Networks()
	if err != nil {
		return nil, err
	}
	return map[string]skills.Executor{
		"oncall_who":       oc.Who(),
		"oncall_next":      oc.Next(),
		"incident_create":  inc.Create(),
		"incident_list":    inc.List(),
		"incident_ack":     inc.Ack(),
		"incident_resolve": inc.Resolve(),
		"bookmark_save":    bm.Save(),
		"bookmark_find":    bm.Find(),
		"dns_lookup":       netcheck.DNS(net.DefaultResolver),
		"http_check":       netcheck.HTTP(netcheck.HTTPOptions{Allow: allow, Deny: deny}),
		"help":             skills.Help(reg),
		"whoami":           skills.WhoAmI(reg),
	}, nil
}

// reachesOut reports the built-ins that reach outside Parley.
func reachesOut(builtin string) bool { return builtin == "dns_lookup" || builtin == "http_check" }

// buildSkills makes the skills of the configuration and its skills files.
func (b *Bot) buildSkills(cfg *config.Config, files []*config.SkillsFile, state skills.State, opts Options) (*skills.Registry, error) {
	bi, err := builtins(cfg, state, b.catalog.All, opts.Now)
	if err != nil {
		return nil, err
	}
	conns := slices.Clone(cfg.Connections)
	decls := slices.Clone(cfg.Skills)
	for _, f := range files {
		conns = append(conns, f.Connections...)
		decls = append(decls, f.Skills...)
	}
	var pool *sqlexec.Pool
	if len(conns) > 0 {
		var sc []sqlexec.Conn
		for _, c := range conns {
			sc = append(sc, sqlexec.Conn{Name: c.Name, Driver: c.Driver, DSN: opts.getenv(c.DSNEnv), MaxOpen: c.MaxOpen})
		}
		if pool, err = sqlexec.NewPool(sc); err != nil {
			return nil, fmt.Errorf("connections: %w", err)
		}
	}
	list := make([]*skills.Skill, 0, len(decls))
	for i, sc := range decls {
		s, err := skillFrom(cfg, sc, bi, pool, opts)
		if err != nil {
			if pool != nil {
				pool.Close()
			}
			return nil, fmt.Errorf("skills[%d] (%s): %w", i, sc.Name, err)
		}
		list = append(list, s)
	}
	reg, err := skills.NewRegistry(list...)
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, err
	}
	b.pools = append(b.pools, pool)
	return reg, nil
}

func (o Options) getenv(name string) string {
	if o.Getenv == nil || name == "" {
		return ""
	}
	return o.Getenv(name)
}

func skillFrom(cfg *config.Config, sc config.Skill, bi map[string]skills.Executor, pool *sqlexec.Pool, opts Options) (*skills.Skill, error) {
	risk, err := skills.ParseRisk(sc.Risk)
	if err != nil {
		return nil, err
	}
	s := &skills.Skill{
		Name: sc.Name, Description: sc.Description, Risk: risk, NoConfirm: sc.NoConfirm,
		Roles: sc.Roles, Confirm: sc.Confirm, Running: sc.Running,
		Require2FA: sc.Require2FA, Approvals: sc.Approvals,
	}
	for _, ch := range sc.Channels {
		s.Channels = append(s.Channels, strings.TrimPrefix(ch, "#"))
	}
	names := make([]string, 0, len(sc.Params))
	for _, pc := range sc.Params {
		spec := skills.TypeSpec{Name: pc.Type, Min: pc.Min, Max: pc.Max, Values: pc.Values, Synonyms: pc.Synonyms, Open: pc.Open, MaxLen: pc.MaxLen, Days: pc.Unit == "days"}
		if pc.ValuesFrom != "" {
			l := cfg.Entities[pc.ValuesFrom]
			spec.Values, spec.Synonyms = l.Values, l.Synonyms
		}
		t, err := skills.NewType(spec)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", pc.Name, err)
		}
		s.Params = append(s.Params, skills.Param{
			Name: pc.Name, Type: t, Required: pc.Required, Default: pc.Default,
			Question: pc.Question, Entities: pc.Entities, Secret: pc.Secret,
		})
		names = append(names, pc.Name)
	}
	for _, r := range sc.Rules {
		for k, v := range r.When {
			p := s.Param(k)
			canon, err := p.Type.Parse(v)
			if err != nil {
				return nil, fmt.Errorf("rule on %s: %w", k, err)
			}
			s.Rules = append(s.Rules, skills.Rule{Param: k, Value: canon.String(), Roles: r.Roles})
		}
	}
	switch sc.Executor.Kind {
	case "builtin":
		ex, ok := bi[sc.Executor.Builtin]
		if !ok {
			return nil, fmt.Errorf("unknown builtin executor %q (have %s)", sc.Executor.Builtin, strings.Join(slices.Sorted(maps.Keys(bi)), ", "))
		}
		s.Executor, s.External = ex, reachesOut(sc.Executor.Builtin)
	case "exec":
		ex, err := exec.New(exec.Spec{Argv: sc.Executor.Argv, Timeout: sc.Executor.Timeout, MaxOutput: sc.Executor.MaxOutput, DryRun: sc.Executor.DryRun}, names)
		if err != nil {
			return nil, fmt.Errorf("executor: %w", err)
		}
		s.Executor, s.External = ex, !sc.Executor.DryRun
	case "http":
		x := sc.Executor
		secrets := map[string]string{}
		for name, env := range x.Secrets {
			secrets[name] = opts.getenv(env)
		}
		ex, err := httpexec.New(httpexec.Spec{
			Method: x.Method, URL: x.URL, Headers: x.Headers, Body: x.Body, BodyFormat: x.BodyFormat, Secrets: secrets,
			Timeout: x.Timeout, AllowHosts: x.AllowHosts, InsecureSkipVerify: x.InsecureSkipVerify, Response: x.Response, MaxBody: x.MaxBody,
		}, names)
		if err != nil {
			return nil, fmt.Errorf("executor: %w", err)
		}
		s.Executor, s.External = ex, true
	case "sql":
		x := sc.Executor
		ex, err := sqlexec.New(pool, sqlexec.Spec{Conn: x.Conn, Query: x.Query, Write: x.Write, Timeout: x.Timeout, RowLimit: x.RowLimit, Result: x.Result}, names)
		if err != nil {
			return nil, fmt.Errorf("executor: %w", err)
		}
		s.Executor, s.External = ex, true
	}
	return s, nil
}

// Rotations converts the configured rotations.
func Rotations(cfg *config.Config) ([]oncall.Rotation, error) {
	out := make([]oncall.Rotation, 0, len(cfg.OnCall.Rotations))
	for i, rc := range cfg.OnCall.Rotations {
		loc, err := time.LoadLocation(rc.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("oncall.rotations[%d].timezone: %w", i, err)
		}
		start, err := time.ParseInLocation("2006-01-02", rc.Start, loc)
		if err != nil {
			return nil, fmt.Errorf("oncall.rotations[%d].start: %w", i, err)
		}
		r := oncall.Rotation{Team: rc.Team, Members: rc.Members, Shift: rc.Shift, Handoff: rc.Handoff, Location: loc, Start: start}
		for j, o := range rc.Overrides {
			from, err1 := o.Start(loc)
			to, err2 := o.End(loc)
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("oncall.rotations[%d].overrides[%d]: %w", i, j, err)
			}
			r.Overrides = append(r.Overrides, oncall.Override{Person: o.Person, From: from, To: to})
		}
		out = append(out, r)
	}
	return out, nil
}

// Lists are the entity vocabularies the NLU gets from configuration: the
// entity lists, every parameter's own values, people and teams.
func Lists(cfg *config.Config) []nlu.List {
	byType := map[string]*nlu.List{}
	add := func(typ string, values []string, syn map[string][]string) {
		l, ok := byType[typ]
		if !ok {
			l = &nlu.List{Type: typ, Synonyms: map[string][]string{}}
			byType[typ] = l
		}
		for _, v := range values {
			v = strings.ToLower(v)
			if !slices.Contains(l.Values, v) {
				l.Values = append(l.Values, v)
			}
		}
		for k, vs := range syn {
			k = strings.ToLower(k)
			for _, v := range vs {
				if !slices.Contains(l.Synonyms[k], v) {
					l.Synonyms[k] = append(l.Synonyms[k], v)
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Entities)) {
		l := cfg.Entities[name]
		add(name, l.Values, l.Synonyms)
	}
	for _, s := range cfg.Skills {
		for _, p := range s.Params {
			if len(p.Values) > 0 {
				add(p.Name, p.Values, p.Synonyms)
			}
		}
	}
	var teams []string
	for _, r := range cfg.OnCall.Rotations {
		teams = append(teams, r.Team)
	}
	if len(teams) > 0 {
		add("team", teams, nil)
	}
	people := slices.Sorted(maps.Keys(cfg.Users))
	if len(people) > 0 {
		add("person", people, nil)
	}
	out := make([]nlu.List, 0, len(byType))
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		out = append(out, *byType[typ])
	}
	return out
}

// TrainingSet returns the catalog's examples plus the configured extra
// files. Catalog examples of skills the configuration leaves out teach
// that those requests are out of scope; extra files must name intents the
// bot knows.
func TrainingSet(cfg *config.Config, reg dialog.Catalog, files []*config.SkillsFile) (*training.Set, error) {
	known := func(intent string) bool { return knownIntent(reg, intent) }
	set, err := training.Catalog()
	if err != nil {
		return nil, err
	}
	for i := range set.Examples {
		if ex := &set.Examples[i]; !known(ex.Intent) {
			ex.Intent, ex.Entities = nlu.OutOfScope, nil
		}
	}
	// Skills carry their own examples.
	decls := slices.Clone(cfg.Skills)
	for _, f := range files {
		decls = append(decls, f.Skills...)
	}
	for _, sc := range decls {
		for i, raw := range sc.Examples {
			text, ents, err := training.ParseMarked(raw)
			if err != nil {
				return nil, fmt.Errorf("skill %s: examples[%d]: %w", sc.Name, i, err)
			}
			set.Add(nlu.Example{Text: text, Intent: sc.Name, Entities: ents}, training.Pos{File: "skill " + sc.Name, Line: i + 1})
		}
	}
	for _, path := range cfg.NLU.Training {
		if err := training.ParseFile(set, path); err != nil {
			return nil, fmt.Errorf("nlu.training: %w", err)
		}
	}
	return training.Check(set, known)
}

// buildNLU opens the store of taught examples, trains the model (or
// loads the configured one) and sets up the learner.
func (b *Bot) buildNLU(ctx context.Context, cfg *config.Config, reg *Catalog, files []*config.SkillsFile, opts Options) error {
	store, err := b.learnedStore(cfg, opts)
	if err != nil {
		return err
	}
	set, err := TrainingSet(cfg, reg, files)
	if err != nil {
		return err
	}
	b.Training = set
	mopts := ModelOptions(cfg, opts.Progress)
	mopts.Lists = append(mopts.Lists, set.Lists...)
	mopts.Regexes = append(mopts.Regexes, set.Regexes...)
	b.NLU = nlu.NewPipeline(nil)
	b.Learner, err = learn.New(learn.Config{
		Base: set, Options: mopts, Store: store, Pipeline: b.NLU, Logger: opts.Logger, Now: opts.Now,
		Known: func(intent string) bool { return knownIntent(reg, intent) },
	})
	if err != nil {
		return err
	}
	model := opts.Model
	switch {
	case model != nil:
	case cfg.NLU.Model != "":
		f, err := os.Open(cfg.NLU.Model)
		if err != nil {
			return fmt.Errorf("nlu.model: %w", err)
		}
		defer f.Close()
		model, err = nlu.Load(f)
		if errors.Is(err, nlu.ErrModelFormat) {
			// A model from another version: the catalog and what was
			// taught train a current one in about a second.
			b.logger.Warn("the configured model file is from another version of Parley; training a model instead (run parley train to write a current one)",
				"file", cfg.NLU.Model, "err", err)
			if model, err = b.Learner.Train(ctx); err != nil {
				return err
			}
		} else if err != nil {
			return fmt.Errorf("nlu.model %s: %w", cfg.NLU.Model, err)
		}
	default:
		if model, err = b.Learner.Train(ctx); err != nil {
			return err
		}
	}
	b.NLU.Swap(model)
	return nil
}

// learnedStore picks where taught examples live: the caller's store,
// Redis with the Redis backend, a folder, or memory.
func (b *Bot) learnedStore(cfg *config.Config, opts Options) (training.Store, error) {
	switch {
	case opts.Learned != nil:
		return opts.Learned, nil
	case b.redis != nil:
		return trainredis.New(b.redis, cfg.Store.Redis.Prefix), nil
	}
	dir := cfg.NLU.LearnedDir
	if dir == "" {
		dir = opts.LearnedDir
	}
	if dir == "" {
		return trainmem.New(opts.Now), nil
	}
	s, err := filestore.Open(dir, opts.Now)
	if err != nil {
		return nil, fmt.Errorf("taught examples in %s: %w", dir, err)
	}
	b.close = append(b.close, s.Close)
	return s, nil
}

func knownIntent(reg dialog.Catalog, intent string) bool {
	switch intent {
	case dialog.IntentAffirm, dialog.IntentDeny, dialog.IntentCancel, nlu.OutOfScope:
		return true
	}
	_, ok := reg.Lookup(intent)
	return ok
}

// ModelOptions are the NLU training options the configuration asks for.
func ModelOptions(cfg *config.Config, progress func(string, int, int)) nlu.Options {
	margin := 0.1
	if m := cfg.NLU.Margin; m != nil {
		margin = *m
		if margin == 0 {
			margin = -1 // never ambiguous
		}
	}
	return nlu.Options{Seed: cfg.NLU.Seed, Threshold: cfg.NLU.Threshold, Margin: margin, Lists: Lists(cfg), Progress: progress}
}

// secondFactor phrases auth's verdicts for the dialog.
type secondFactor struct{ s *auth.Service }

func (f secondFactor) Verify(ctx context.Context, user, skill, code string) error {
	err := f.s.Verify(ctx, user, skill, code)
	var bad *auth.BadCodeError
	var locked *auth.LockedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &bad):
		return fmt.Errorf("%w: that code is wrong (%d more tries before a %s lock)", dialog.ErrCodeWrong, bad.Left, "15-minute")
	case errors.As(err, &locked):
		return fmt.Errorf("%w: too many wrong codes, so this is locked for you until %s", dialog.ErrCodeRefused, locked.Until.UTC().Format("15:04 UTC"))
	case errors.Is(err, auth.ErrReused):
		return fmt.Errorf("%w: that code was already used; wait for the next one", dialog.ErrCodeRefused)
	case errors.Is(err, auth.ErrNotEnrolled):
		return fmt.Errorf("%w: you have no authenticator set up; ask an admin to run “parley 2fa enroll %s”", dialog.ErrCodeRefused, user)
	}
	return err
}

// Catalog is the live skill catalog; a reload of the skills files swaps
// the whole registry at once. It is safe for concurrent use.
type Catalog struct {
	reg atomic.Pointer[skills.Registry]
}

// Lookup returns the named skill.
func (c *Catalog) Lookup(name string) (*skills.Skill, bool) { return c.reg.Load().Lookup(name) }

// All returns the skills in declaration order.
func (c *Catalog) All() []*skills.Skill { return c.reg.Load().All() }

// loadSkillsFiles reads the configured skills files.
func (b *Bot) loadSkillsFiles(cfg *config.Config) ([]*config.SkillsFile, error) {
	var out []*config.SkillsFile
	for _, path := range cfg.SkillsFiles {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("skills file: %w", err)
		}
		sf, err := config.LoadSkillsFile(f, path, cfg)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, sf)
	}
	return out, nil
}

// ReloadSkills reads the skills files again. A broken file is reported and
// changes nothing; otherwise the new catalog is swapped in at once and the
// model retrains on the new skills' examples in the background (with
// Learner.Run running).
func (b *Bot) ReloadSkills(ctx context.Context) error {
	b.reloadMu.Lock()
	defer b.reloadMu.Unlock()
	files, err := b.loadSkillsFiles(b.Config)
	if err != nil {
		return err
	}
	reg, err := b.buildSkills(b.Config, files, b.State, b.opts)
	if err != nil {
		return err
	}
	set, err := TrainingSet(b.Config, registryCatalog{reg}, files)
	if err != nil {
		return err
	}
	b.catalog.reg.Store(reg)
	b.db.Store(b.pools[len(b.pools)-1])
	b.Training = set
	b.Learner.SetBase(set)
	b.logger.InfoContext(ctx, "skills reloaded", "skills", len(reg.All()))
	return nil
}

// Ready checks that every database the skills in service use answers;
// the error names each one that does not.
func (b *Bot) Ready(ctx context.Context) error {
	if db := b.db.Load(); db != nil {
		return db.Ping(ctx)
	}
	return nil
}

// registryCatalog adapts a registry that is not yet in service.
type registryCatalog struct{ *skills.Registry }

// assistant keeps a nil *llm.Assistant a nil interface.
func assistant(a *llm.Assistant) dialog.Assistant {
	if a == nil {
		return nil
	}
	return a
}
