// Package auth holds Parley's second factor: time-based one-time passwords
// (RFC 6238) with enrolment, secrets encrypted at rest, codes that cannot
// be used twice, and a lock-out after repeated wrong codes.
//
// It keeps its data in the same small key-value store as the built-in
// skills (skills.State: memory or Redis) and imports nothing of the dialog.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters: 30-second steps, six digits, HMAC-SHA1 (what every
// authenticator app supports).
const (
	Step   = 30 * time.Second
	Digits = 6
	// Skew is how many steps before or after now a code is accepted.
	Skew = 1
)

// NewSecret returns 20 random bytes, the size RFC 4226 recommends.
func NewSecret() ([]byte, error) {
	s := make([]byte, 20)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("new secret: %w", err)
	}
	return s, nil
}

// Base32 is the secret as people type it into an authenticator app.
func Base32(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// URI is the otpauth:// link an authenticator app reads from a QR code.
func URI(issuer, account string, secret []byte) string {
	v := url.Values{}
	v.Set("secret", Base32(secret))
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(Digits))
	v.Set("period", fmt.Sprint(int(Step/time.Second)))
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	return "otpauth://totp/" + label + "?" + v.Encode()
}

// stepAt is the time step counter of t.
func stepAt(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// Code is the one-time code of secret at step (RFC 4226 dynamic
// truncation of HMAC-SHA1 over the big-endian counter).
func Code(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", Digits, bin%1_000_000)
}

// CodeAt is the code of secret at time t.
func CodeAt(secret []byte, t time.Time) string { return Code(secret, stepAt(t)) }

// match returns the step at which code is valid for secret around now, or
// false. Comparisons are constant-time.
func match(secret []byte, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != Digits {
		return 0, false
	}
	base := stepAt(now)
	for d := int64(-Skew); d <= Skew; d++ {
		if hmac.Equal([]byte(Code(secret, base+d)), []byte(code)) {
			return base + d, true
		}
	}
	return 0, false
}
