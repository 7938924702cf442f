package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleybot/parley/skills"
)

// Lock-out: this many wrong codes in a row lock a skill for a person for
// LockFor.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

// Errors of Verify. A *BadCodeError or *LockedError carries details.
var (
	ErrNotEnrolled = errors.New("not enrolled for two-factor codes")
	ErrReused      = errors.New("that code was already used")
)

// BadCodeError is a wrong code; Left more tries remain before the lock.
type BadCodeError struct{ Left int }

func (e *BadCodeError) Error() string {
	return fmt.Sprintf("wrong code (%d more tries before a %s lock)", e.Left, LockFor)
}

// LockedError is a lock-out after too many wrong codes.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "too many wrong codes: locked until " + e.Until.UTC().Format("15:04 MST")
}

// ParseKey reads the 32-byte key that encrypts secrets at rest, written as
// 64 hex digits or standard base64.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("the two-factor key must be 32 bytes, as 64 hex digits or base64")
}

// Store is what the service keeps its data in: skills.State (memory or
// Redis) or a FileStore.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte) error
	Incr(ctx context.Context, key string) (int64, error)
}

// Service enrols people and checks their codes. It is safe for concurrent
// use.
type Service struct {
	state  Store
	aead   cipher.AEAD
	now    func() time.Time
	Issuer string
}

// New keeps its data in state, encrypting secrets with key (see ParseKey).
func New(state Store, key []byte, now func() time.Time) (*Service, error) {
	if len(key) != 32 {
		return nil, errors.New("the two-factor key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Service{state: state, aead: aead, now: now, Issuer: "Parley"}, nil
}

func secretKey(user string) string { return "2fa:secret:" + user }

// Enroll makes a new secret for user (replacing any earlier one) and
// returns it with its otpauth:// URI.
func (s *Service) Enroll(ctx context.Context, user string) ([]byte, string, error) {
	if user == "" {
		return nil, "", errors.New("enrol whom?")
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	// The user name is authenticated data: a secret moved to another
	// user's key does not decrypt.
	sealed := s.aead.Seal(nonce, nonce, secret, []byte(user))
	if err := s.state.Put(ctx, secretKey(user), sealed); err != nil {
		return nil, "", fmt.Errorf("store the secret: %w", err)
	}
	return secret, URI(s.Issuer, user, secret), nil
}

func (s *Service) secret(ctx context.Context, user string) ([]byte, error) {
	sealed, err := s.state.Get(ctx, secretKey(user))
	if errors.Is(err, skills.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("read the secret: %w", err)
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("stored two-factor secret is damaged")
	}
	secret, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(user))
	if err != nil {
		return nil, errors.New("stored two-factor secret does not decrypt with this key")
	}
	return secret, nil
}

// Enrolled reports whether user has a secret.
func (s *Service) Enrolled(ctx context.Context, user string) (bool, error) {
	_, err := s.secret(ctx, user)
	if errors.Is(err, ErrNotEnrolled) {
		return false, nil
	}
	return err == nil, err
}

type failures struct {
	Count int       `json:"count"`
	Until time.Time `json:"until,omitzero"`
}

func failKey(user, skill string) string { return "2fa:fails:" + user + ":" + skill }

func (s *Service) failures(ctx context.Context, user, skill string) (failures, error) {
	var f failures
	raw, err := s.state.Get(ctx, failKey(user, skill))
	if errors.Is(err, skills.ErrNotFound) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return failures{}, nil // unreadable counters start over
	}
	return f, nil
}

func (s *Service) saveFailures(ctx context.Context, user, skill string, f failures) error {
	raw, _ := json.Marshal(f)
	return s.state.Put(ctx, failKey(user, skill), raw)
}

// Verify checks user's code for skill: right now (±1 step), never used
// before, and the skill not locked for them.
func (s *Service) Verify(ctx context.Context, user, skill, code string) error {
	now := s.now()
	f, err := s.failures(ctx, user, skill)
	if err != nil {
		return err
	}
	if now.Before(f.Until) {
		return &LockedError{Until: f.Until}
	}
	secret, err := s.secret(ctx, user)
	if err != nil {
		return err
	}
	step, ok := match(secret, code, now)
	if !ok {
		f.Count++
		if !f.Until.IsZero() && !now.Before(f.Until) {
			f.Until = time.Time{} // an earlier lock has run out
		}
		if f.Count >= MaxFailures {
			f = failures{Until: now.Add(LockFor)}
			if err := s.saveFailures(ctx, user, skill, f); err != nil {
				return err
			}
			return &LockedError{Until: f.Until}
		}
		if err := s.saveFailures(ctx, user, skill, f); err != nil {
			return err
		}
		return &BadCodeError{Left: MaxFailures - f.Count}
	}
	// A code counts once: the first to claim its step wins.
	n, err := s.state.Incr(ctx, fmt.Sprintf("2fa:used:%s:%d", user, step))
	if err != nil {
		return err
	}
	if n > 1 {
		return ErrReused
	}
	if f.Count > 0 || !f.Until.IsZero() {
		if err := s.saveFailures(ctx, user, skill, failures{}); err != nil {
			return err
		}
	}
	return nil
}
