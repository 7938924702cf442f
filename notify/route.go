package notify

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
)

// Rule sends the notifications it matches to its channels. Every field
// left empty matches everything.
type Rule struct {
	Source     string            // SourceGitHub, SourceAlertmanager or SourceGeneric
	Repository string            // a path.Match pattern: "acme/*" matches "acme/api"
	Severity   Severity          // the least severity matched: Warning matches warning and critical
	Labels     map[string]string // all of these must be present with these values
	Channels   []string
	// AllowExplicit lets a notification this rule matches name its own
	// channel, which then replaces Channels. Without it the channel a
	// sender asks for is ignored, so that whoever can send a hook cannot
	// post into any channel they like.
	AllowExplicit bool
}

// Validate reports what is wrong with r.
func (r Rule) Validate() error {
	var errs []error
	switch r.Source {
	case "", SourceGitHub, SourceAlertmanager, SourceGeneric:
	default:
		errs = append(errs, fmt.Errorf("source: unknown source %q (want github, alertmanager or generic)", r.Source))
	}
	if r.Repository != "" {
		if _, err := path.Match(r.Repository, ""); err != nil {
			errs = append(errs, fmt.Errorf("repository: bad pattern %q: %w", r.Repository, err))
		}
	}
	if r.Severity != "" && r.Severity.rank() == 0 {
		errs = append(errs, fmt.Errorf("severity: unknown severity %q (want critical, warning or info)", r.Severity))
	}
	if len(r.Channels) == 0 {
		errs = append(errs, errors.New("channels: at least one channel is required"))
	}
	if slices.Contains(r.Channels, "") {
		errs = append(errs, errors.New("channels: empty channel name"))
	}
	return errors.Join(errs...)
}

// Matches reports whether n meets every condition of r.
func (r Rule) Matches(n Notification) bool {
	if r.Source != "" && r.Source != n.Source {
		return false
	}
	if r.Repository != "" {
		if ok, _ := path.Match(r.Repository, n.Repository); !ok || n.Repository == "" {
			return false
		}
	}
	if !n.Severity.AtLeast(r.Severity) {
		return false
	}
	for k, v := range r.Labels {
		if got, ok := n.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Router picks the channels of a notification. It is immutable and safe
// for concurrent use.
type Router struct {
	rules []Rule
	def   []string
}

// NewRouter returns a Router trying rules in order and falling back to
// the channel def, which is required.
func NewRouter(rules []Rule, def string) (*Router, error) {
	if def == "" {
		return nil, errors.New("notify: a default channel is required")
	}
	r := &Router{def: []string{def}}
	for i, rule := range rules {
		if err := rule.Validate(); err != nil {
			return nil, fmt.Errorf("notify: rule %d: %w", i, err)
		}
		rule.Labels = maps.Clone(rule.Labels)
		rule.Channels = slices.Clone(rule.Channels)
		r.rules = append(r.rules, rule)
	}
	return r, nil
}

// Route returns the channels of n: those of the first rule that matches,
// or the sender's own channel when that rule allows it, or else the
// default channel. The caller must not modify the slice.
func (r *Router) Route(n Notification) []string {
	for i := range r.rules {
		rule := &r.rules[i]
		if !rule.Matches(n) {
			continue
		}
		if rule.AllowExplicit && n.Channel != "" {
			return []string{n.Channel}
		}
		return rule.Channels
	}
	return r.def
}
