package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"

	"github.com/parleybot/parley/auth"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/config"
)

// twoFactorKey reads the key that encrypts one-time-code secrets from
// PARLEY_2FA_KEY (nil when unset).
func twoFactorKey(e env) ([]byte, error) {
	raw := e.getenv("PARLEY_2FA_KEY")
	if raw == "" {
		return nil, nil
	}
	key, err := auth.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_2FA_KEY: %w", err)
	}
	return key, nil
}

// twoFACmd is "parley 2fa enroll USER" and "parley 2fa keygen".
func twoFACmd(ctx context.Context, args []string, e env) error {
	if len(args) > 0 && args[0] == "keygen" {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\nKeep it secret; give it to Parley as PARLEY_2FA_KEY.\n", hex.EncodeToString(key))
		return nil
	}
	if len(args) == 0 || args[0] != "enroll" {
		fmt.Fprintln(e.stderr, "usage: parley 2fa enroll [--config FILE] USER | parley 2fa keygen")
		return errUsage
	}
	fs := flag.NewFlagSet("2fa enroll", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "configuration file (default: the embedded demo)")
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil || len(rest) != 1 {
		fmt.Fprintln(e.stderr, "usage: parley 2fa enroll [--config FILE] USER")
		return errUsage
	}
	key, err := twoFactorKey(e)
	if err != nil {
		return err
	}
	if key == nil {
		return fmt.Errorf("set PARLEY_2FA_KEY first (make one with “parley 2fa keygen”): it encrypts the secrets at rest")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	b, err := bot.New(ctx, cfg, botOptions(e, cfg, key))
	if err != nil {
		return err
	}
	defer b.Close()
	user := rest[0]
	secret, uri, err := b.TwoFactor.Enroll(ctx, user)
	if err != nil {
		return err
	}
	qr, err := auth.QR(uri)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Two-factor codes for %s. Scan this with an authenticator app:\n\n%s\nor type the secret: %s\nURI: %s\n\nAny earlier enrolment of %s no longer works.\n",
		user, qr, auth.Base32(secret), uri, user)
	return nil
}

// botOptions are the options every command gives the bot: the data folder,
// the Redis password and the two-factor key from the environment.
func botOptions(e env, cfg *config.Config, key []byte) bot.Options {
	return bot.Options{LearnedDir: learnedDir(e), RedisPassword: e.getenv(cfg.Store.Redis.PasswordEnv), TwoFactorKey: key, Getenv: e.getenv}
}

// actingOptions are botOptions for a bot that acts: with the two-factor key
// and the audit trail open for appending (the bot closes it).
func actingOptions(ctx context.Context, e env, cfg *config.Config) (bot.Options, error) {
	key, err := twoFactorKey(e)
	if err != nil {
		return bot.Options{}, err
	}
	opts := botOptions(e, cfg, key)
	if opts.Assistant, err = newAssistant(e, cfg, nil); err != nil {
		return bot.Options{}, err
	}
	if e.getenv(auditDSNEnv) == "" && learnedDir(e) == "" {
		fmt.Fprintf(e.stderr, "parley: warning: no data folder (set PARLEY_DATA_DIR or HOME), so nothing is recorded in an audit trail\n")
		return opts, nil
	}
	log, _, _, err := openAudit(ctx, e, false)
	if err != nil {
		return bot.Options{}, fmt.Errorf("audit trail: %w", err)
	}
	opts.Audit = log
	return opts, nil
}
