package audit

import (
	"cmp"
	"slices"
	"strings"
)

// Mask replaces a secret in records.
const Mask = "••••"

// Redact returns a copy of params in which the value of every parameter
// that secret reports as secret (a skill's Secret parameters), or whose
// name LooksSecret, is Mask. secret may be nil. A nil or empty params
// gives nil.
func Redact(params map[string]string, secret func(name string) bool) map[string]string {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		if v != "" && (secret != nil && secret(k) || LooksSecret(k)) {
			v = Mask
		}
		out[k] = v
	}
	return out
}

// secretWords are parts of parameter names that hold secrets by their
// name alone.
var secretWords = []string{"password", "passwd", "secret", "token", "apikey", "api_key", "private_key", "credential"}

// LooksSecret reports whether a parameter's name says it holds a secret,
// such as "password", "db_password" or "github_token", whether or not the
// skill marks it secret.
func LooksSecret(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactText replaces every occurrence of each secret value in text with
// Mask, longest values first so that a secret containing another is
// masked whole. Empty values are ignored.
func RedactText(text string, secretValues []string) string {
	vals := slices.Clone(secretValues)
	slices.SortFunc(vals, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, v := range vals {
		if v != "" && v != Mask {
			text = strings.ReplaceAll(text, v, Mask)
		}
	}
	return text
}
