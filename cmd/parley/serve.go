package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/api"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/chat/dedupe"
	chatslack "github.com/parleybot/parley/chat/slack"
	"github.com/parleybot/parley/chat/threads"
	"github.com/parleybot/parley/config"
	"github.com/parleybot/parley/internal/metrics"
	"github.com/parleybot/parley/notify"
	"github.com/parleybot/parley/skills"
)

// Environment variables of parley serve. Each secret may instead be read
// from the file named by the variable with _FILE appended.
const (
	envBotToken      = "PARLEY_SLACK_BOT_TOKEN"
	envAppToken      = "PARLEY_SLACK_APP_TOKEN"
	envSigningSecret = "PARLEY_SLACK_SIGNING_SECRET"
	// envSlackUsers maps Slack user ids to configured users: "U0123=alice,U0456=bob".
	envSlackUsers = "PARLEY_SLACK_USERS"
	// envSlackGroups gives Slack user groups roles: "S0123=ops+oncall,S0456=support".
	envSlackGroups = "PARLEY_SLACK_GROUPS"
	// envSlackAPI points at another Web API base URL (a proxy, a test server).
	envSlackAPI = "PARLEY_SLACK_API_URL"
)

const slackNotConfigured = `parley serve: Slack is not configured, so only the API, the hooks,
health and metrics are served. To talk in Slack, set:
  ` + envBotToken + `        the bot token (xoxb-…), and either
  ` + envAppToken + `        an app-level token (xapp-…) for Socket Mode (no public URL needed), or
  ` + envSigningSecret + `   the signing secret, to serve the Events API on --listen
Each may instead be read from a file named by the same variable with _FILE
appended (` + envBotToken + `_FILE=/run/secrets/slack-bot-token). Optional:
  ` + envSlackUsers + `  Slack user ids to configured users, "U0123ABC=alice,U0456DEF=bob"
  ` + envSlackGroups + ` Slack user groups to roles, "S0123ABC=ops+oncall"
docs/slack.md shows how to create the Slack app.
`

// serveCmd is "parley serve": Parley as a long-running service. It always
// serves the HTTP API, the notification hooks, health and metrics on
// --listen, and talks in Slack when Slack is configured.
func serveCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	listen := fs.String("listen", "127.0.0.1:8080", "HTTP address of the API (/v1/…), the hooks (/hooks/…), /healthz, /readyz, /metrics and the Slack Events API (/slack/…)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	dryRun := fs.Bool("dry-run", false, "show the exact command of every exec skill instead of running it")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "parley serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	sl, err := readSlackEnv(e)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	logger, err := newLogger(e.stderr, *logLevel)
	if err != nil {
		return err
	}
	if sl != nil {
		if err := sl.check(cfg); err != nil {
			return err
		}
	}
	if *dryRun {
		forceDryRun(cfg)
	}
	opts, err := actingOptions(ctx, e, cfg)
	if err != nil {
		return err
	}
	opts.Logger = logger
	reg := metrics.New()
	opts.Metrics = reg
	var rdb *redis.Client
	if cfg.Store.Backend == "redis" {
		// One client for the bot and the Slack deduper.
		rdb = redisClient(cfg, opts.RedisPassword)
		defer rdb.Close()
		opts.Redis = rdb
	}
	b, err := bot.New(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer b.Close()
	parts := []func(context.Context) error{
		func(ctx context.Context) error { return b.Learner.Run(ctx) },
		func(ctx context.Context) error { return b.WatchSkills(ctx) },
	}
	srv := newServer(*listen, logger)

	var sink notify.Sink = notify.NewTextSink(e.stdout)
	readyChecks := []func() error{}
	if sl != nil {
		adapter, err := chatslack.New(sl.adapterConfig(cfg, b, rdb, logger), b.Engine)
		if err != nil {
			return err
		}
		if adapter.Mode() == chatslack.EventsAPI {
			srv.handle("/slack/events", adapter.EventsHandler())
			srv.handle("/slack/interactive", adapter.InteractionsHandler())
		}
		parts = append(parts, adapter.Run)
		readyChecks = append(readyChecks, adapter.Ready)
		sink = adapter
		logger.Info("parley serve: Slack", "mode", adapter.Mode().String())
	} else {
		fmt.Fprint(e.stderr, slackNotConfigured)
	}

	hub, secrets, err := hooks(e, cfg, sink, logger)
	if err != nil {
		return err
	}
	parts = append(parts, hub.Run)
	srv.handle("/hooks/", notify.Handler(hub, secrets, logger))
	srv.handle("/", api.New(api.Config{
		Engine: b.Engine, Skills: b.Skills.All, Tokens: apiTokens(e, cfg, logger),
		Ready: func(ctx context.Context) error { return ready(ctx, rdb, b, readyChecks...) }, Metrics: reg, Logger: logger,
	}))
	parts = append(parts, srv.run)
	logger.Info("parley serve: starting", "version", versionString())
	return runUntilDone(ctx, parts...)
}

// apiTokens reads the API's bearer tokens from the variables configuration
// names; a token whose variable is empty is left out.
func apiTokens(e env, cfg *config.Config, logger *slog.Logger) []api.Token {
	var out []api.Token
	for _, t := range cfg.API.Tokens {
		secret := e.getenv(t.TokenEnv)
		if secret == "" {
			logger.Warn("parley serve: API token not set; it cannot be used", "token", t.Name, "env", t.TokenEnv)
			continue
		}
		out = append(out, api.Token{Name: t.Name, Secret: secret, Identity: api.Identity{User: t.User, Roles: t.Roles}})
	}
	return out
}

// hooks builds the notification hub from the hooks section, its secrets
// from the environment.
func hooks(e env, cfg *config.Config, sink notify.Sink, logger *slog.Logger) (*notify.Hub, notify.Secrets, error) {
	h := cfg.Hooks
	nc := notify.DefaultConfig(firstOf(h.Default, "notifications"))
	if h.Window > 0 {
		nc.Window = h.Window
	}
	if h.RatePerMinute > 0 {
		nc.RatePerMinute = h.RatePerMinute
	}
	for _, r := range h.Routes {
		nc.Routes = append(nc.Routes, notify.Rule{Source: r.Source, Repository: r.Repository, Severity: notify.Severity(r.Severity),
			Labels: r.Labels, Channels: r.Channels, AllowExplicit: r.AllowExplicit})
	}
	if len(h.QuietHours) > 0 {
		nc.QuietHours = map[string]notify.Quiet{}
		for ch, q := range h.QuietHours {
			nc.QuietHours[ch] = notify.Quiet{From: q.From, To: q.To, TimeZone: q.TimeZone}
		}
	}
	if err := nc.Validate(); err != nil {
		return nil, notify.Secrets{}, fmt.Errorf("hooks: %w", err)
	}
	hub, err := notify.NewHub(nc, sink, notify.WithLogger(logger))
	if err != nil {
		return nil, notify.Secrets{}, err
	}
	secrets := notify.Secrets{Tokens: map[string]string{}}
	if h.GitHubSecretEnv != "" {
		secrets.GitHub = []byte(e.getenv(h.GitHubSecretEnv))
	}
	for source, env := range h.TokenEnv {
		if v := e.getenv(env); v != "" {
			secrets.Tokens[source] = v
		}
	}
	return hub, secrets, nil
}

// ready reports whether the store is reachable and every chat adapter
// takes events.
func ready(ctx context.Context, rdb *redis.Client, b *bot.Bot, checks ...func() error) error {
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	if rdb != nil {
		if err := rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
	}
	return b.Ready(ctx)
}

// runUntilDone runs each part until ctx ends or one of them fails, then
// stops them all and waits for each to finish its work.
func runUntilDone(ctx context.Context, parts ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, run := range parts {
		wg.Go(func() {
			errs[i] = run(ctx)
			cancel()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// server is serve's HTTP server; it listens only when something is
// registered on it.
type server struct {
	addr   string
	mux    *http.ServeMux
	routes int
	log    *slog.Logger
}

func newServer(addr string, log *slog.Logger) *server {
	return &server{addr: addr, mux: http.NewServeMux(), log: log}
}

func (s *server) handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.routes++
}

// run serves until ctx ends, then lets requests in flight finish.
func (s *server) run(ctx context.Context) error {
	if s.routes == 0 {
		<-ctx.Done()
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	hs := &http.Server{
		Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("parley serve: listening", "url", "http://"+ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

// slackEnv is Slack's part of the environment.
type slackEnv struct {
	bot, app, signing chatslack.Secret
	apiURL            string
	users             map[string]string
	groups            map[string][]string
}

// readSlackEnv reads Slack's settings; nil means none are set.
func readSlackEnv(e env) (*slackEnv, error) {
	var sl slackEnv
	var errs []error
	for _, s := range []struct {
		name string
		dst  *chatslack.Secret
	}{{envBotToken, &sl.bot}, {envAppToken, &sl.app}, {envSigningSecret, &sl.signing}} {
		v, err := readSecret(e, s.name)
		errs = append(errs, err)
		*s.dst = v
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if sl.bot == "" && sl.app == "" && sl.signing == "" {
		return nil, nil
	}
	switch {
	case sl.bot == "":
		return nil, fmt.Errorf("%s (or %s_FILE) is not set", envBotToken, envBotToken)
	case sl.app == "" && sl.signing == "":
		return nil, fmt.Errorf("set %s for Socket Mode or %s for the Events API", envAppToken, envSigningSecret)
	}
	check := chatslack.Config{BotToken: sl.bot, AppToken: sl.app, SigningSecret: sl.signing}
	if err := check.Validate(); err != nil {
		return nil, err
	}
	var err error
	if sl.users, err = parseSlackUsers(e.getenv(envSlackUsers)); err != nil {
		return nil, err
	}
	if sl.groups, err = parseSlackGroups(e.getenv(envSlackGroups)); err != nil {
		return nil, err
	}
	sl.apiURL = e.getenv(envSlackAPI)
	return &sl, nil
}

// readSecret reads NAME or the file NAME_FILE names, never both.
func readSecret(e env, name string) (chatslack.Secret, error) {
	v, file := e.getenv(name), e.getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", name, name)
	case file == "":
		return chatslack.Secret(strings.TrimSpace(v)), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("%s_FILE: %s is empty", name, file)
	}
	return chatslack.Secret(s), nil
}

var slackID = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,}$`)

// parseSlackUsers reads "U0123=alice,U0456=bob".
func parseSlackUsers(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range splitList(s) {
		id, name, ok := strings.Cut(item, "=")
		id, name = strings.TrimSpace(id), strings.TrimSpace(name)
		if !ok || !slackID.MatchString(id) || name == "" {
			return nil, fmt.Errorf("%s: want SLACKID=name, not %q", envSlackUsers, item)
		}
		out[id] = name
	}
	return out, nil
}

// parseSlackGroups reads "S0123=ops+oncall,S0456=support".
func parseSlackGroups(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, item := range splitList(s) {
		id, roles, ok := strings.Cut(item, "=")
		id = strings.TrimSpace(id)
		if !ok || !slackID.MatchString(id) || strings.TrimSpace(roles) == "" {
			return nil, fmt.Errorf("%s: want GROUPID=role+role, not %q", envSlackGroups, item)
		}
		for _, r := range strings.Split(roles, "+") {
			if r = strings.TrimSpace(r); r != "" {
				out[id] = append(out[id], r)
			}
		}
	}
	return out, nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
}

// check refuses Slack users mapped to names the configuration does not
// know: a typo would otherwise quietly leave someone without their roles.
func (sl *slackEnv) check(cfg *config.Config) error {
	var errs []error
	for id, name := range sl.users {
		if _, ok := cfg.Users[name]; !ok {
			errs = append(errs, fmt.Errorf("%s: %s is mapped to %q, who is not a user in the configuration", envSlackUsers, id, name))
		}
	}
	return errors.Join(errs...)
}

func (sl *slackEnv) adapterConfig(cfg *config.Config, b *bot.Bot, rdb *redis.Client, logger *slog.Logger) chatslack.Config {
	users, groups := maps.Clone(cfg.Slack.Users), maps.Clone(cfg.Slack.Groups)
	if users == nil {
		users = map[string]string{}
	}
	if groups == nil {
		groups = map[string][]string{}
	}
	maps.Copy(users, sl.users) // the environment adds to the configuration
	maps.Copy(groups, sl.groups)
	c := chatslack.Config{
		BotToken: sl.bot, AppToken: sl.app, SigningSecret: sl.signing, APIURL: sl.apiURL,
		Users: users, Groups: groups, RolesOf: cfg.RolesOf,
		Dangerous: func(skill string) bool {
			s, ok := b.Skills.Lookup(skill)
			return ok && s.Risk == skills.Dangerous
		},
		DrainTimeout: cfg.Bot.ExecTimeout + 15*time.Second,
		Logger:       logger,
	}
	if rdb != nil {
		c.Deduper = dedupe.NewRedis(rdb, cfg.Store.Redis.Prefix+"slack:seen:", 0)
		c.Threads = threads.NewRedis(rdb, cfg.Store.Redis.Prefix+"slack:waiting:", cfg.Store.TTL)
	} else {
		logger.Warn("parley serve: with the memory store, Slack events are deduplicated in this process only; run a single process, or use store.backend: redis")
	}
	return c
}

// redisClient dials store.redis the way the bot does.
func redisClient(cfg *config.Config, password string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: cfg.Store.Redis.Addr, DB: cfg.Store.Redis.DB, Password: password, PoolSize: cfg.Store.Redis.PoolSize,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		MaxRetries: 1, DialerRetries: 1, ContextTimeoutEnabled: true,
	})
}
