package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors of request verification. All of them answer 401.
var (
	errUnsigned     = errors.New("request is not signed")
	errBadTimestamp = errors.New("request timestamp is not a number")
	errStale        = errors.New("request timestamp is outside the accepted window")
	errBadSignature = errors.New("request signature does not match")
)

// futureSkew is how far ahead of our clock a request's timestamp may be:
// a little, for clocks that disagree by a few seconds, never minutes.
const futureSkew = 30 * time.Second

// verifier checks Slack's v0 request signatures.
type verifier struct {
	secret []byte
	window time.Duration
	now    func() time.Time
}

// verify checks that body was signed with the secret at a timestamp within
// the window: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)).
func (v verifier) verify(h http.Header, body []byte) error {
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	age := v.now().Sub(time.Unix(sec, 0))
	if age > v.window || age < -futureSkew {
		return errStale
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, v.secret)
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
