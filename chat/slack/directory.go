package slack

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

// Person is a Slack user as Parley knows them.
type Person struct {
	// ID is the Slack user id (U…/W…).
	ID string
	// Name is who they are to the dialog engine and the skills: their name
	// in Parley's configuration, or the Slack id when they have none.
	Name string
	// Display is how replies call them (their Slack display name).
	Display string
	// Roles come from configuration: the person's own and their groups'.
	Roles []string
}

// Directory says who a Slack user is to Parley. Implementations are safe
// for concurrent use.
type Directory interface {
	// Name returns the dialog identity of a Slack user without any I/O.
	Name(userID string) string
	// Lookup resolves the person, with display name and roles. It never
	// fails: what cannot be learnt is left out (fewer roles, never more).
	Lookup(ctx context.Context, userID string) Person
}

// userAPI is what the default Directory asks Slack. *slack.Client has it.
type userAPI interface {
	GetUserInfoContext(ctx context.Context, user string, options ...slackapi.GetUserInfoOption) (*slackapi.User, error)
	GetUserGroupMembersContext(ctx context.Context, group string, options ...slackapi.GetUserGroupMembersOption) ([]string, error)
}

// directory resolves people from static configuration plus Slack's
// users.info and usergroups.users.list, both cached for ttl.
type directory struct {
	api     userAPI
	users   map[string]string
	groups  map[string][]string
	rolesOf func(string) []string
	ttl     time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu      sync.Mutex
	names   map[string]cached[string]
	members map[string]cached[[]string]
}

type cached[T any] struct {
	v       T
	expires time.Time
}

var _ Directory = (*directory)(nil)

func newDirectory(api userAPI, cfg *Config) *directory {
	return &directory{
		api: api, users: cfg.Users, groups: cfg.Groups, rolesOf: cfg.RolesOf,
		ttl: cfg.CacheTTL, now: cfg.Now, log: cfg.Logger,
		names: map[string]cached[string]{}, members: map[string]cached[[]string]{},
	}
}

func (d *directory) Name(id string) string {
	if n, ok := d.users[id]; ok && n != "" {
		return n
	}
	return id
}

func (d *directory) Lookup(ctx context.Context, id string) Person {
	p := Person{ID: id, Name: d.Name(id)}
	p.Display = d.display(ctx, id, p.Name)
	roles := slices.Clone(d.rolesOf(p.Name))
	for _, g := range slices.Sorted(maps.Keys(d.groups)) {
		if slices.Contains(d.groupMembers(ctx, g), id) {
			roles = append(roles, d.groups[g]...)
		}
	}
	slices.Sort(roles)
	p.Roles = slices.Compact(roles)
	return p
}

func (d *directory) display(ctx context.Context, id, fallback string) string {
	now := d.now()
	d.mu.Lock()
	c, ok := d.names[id]
	d.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.v
	}
	name := fallback
	u, err := d.api.GetUserInfoContext(ctx, id)
	switch {
	case err != nil:
		d.log.WarnContext(ctx, "slack: users.info failed; using the configured name", "user", id, "err", err)
		return name // not cached: try again next time
	case u.Profile.DisplayName != "":
		name = u.Profile.DisplayName
	case u.RealName != "":
		name = u.RealName
	case u.Name != "":
		name = u.Name
	}
	d.mu.Lock()
	d.names[id] = cached[string]{v: name, expires: now.Add(d.ttl)}
	d.mu.Unlock()
	return name
}

func (d *directory) groupMembers(ctx context.Context, group string) []string {
	now := d.now()
	d.mu.Lock()
	c, ok := d.members[group]
	d.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.v
	}
	// An expired list is not used after a failure: someone removed from
	// the group must lose its roles.
	ids, err := d.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		d.log.WarnContext(ctx, "slack: usergroups.users.list failed; its roles are not granted", "group", group, "err", err)
		return nil
	}
	d.mu.Lock()
	d.members[group] = cached[[]string]{v: ids, expires: now.Add(d.ttl)}
	d.mu.Unlock()
	return ids
}
