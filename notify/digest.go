package notify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// digest collects notifications that could not be posted on their own,
// one item per key with a count. It lists at most max items and only
// counts the rest, so that its size is bounded whatever arrives.
type digest struct {
	start    time.Time // when the first notification came
	max      int
	items    map[string]*digestItem
	order    []*digestItem
	total    int  // notifications, the uncounted included
	others   int  // notifications beyond max items
	critical bool // a critical firing was added
}

type digestItem struct {
	key      string
	title    string
	severity Severity
	actions  []Action
	count    int
	resolved bool
	last     time.Time // the source time of the last firing counted
}

func newDigest(max int) *digest {
	return &digest{max: max, items: map[string]*digestItem{}}
}

func (d *digest) empty() bool { return d == nil || d.total == 0 }

// urgent reports whether the digest holds a critical notification.
func (d *digest) urgent() bool { return d.critical }

// add counts n in the digest under key. A resolution of an item already
// listed marks it resolved instead of counting; a resend of the same
// firing (same source time) is not counted again.
func (d *digest) add(key string, n Notification, now time.Time) {
	d.addItem(digestItem{
		key: key, title: n.Title, severity: n.Severity, actions: n.Actions,
		count: 1, resolved: n.Status == Resolved, last: n.Time,
	}, now)
}

func (d *digest) addItem(it digestItem, now time.Time) {
	if d.total == 0 {
		d.start = now
	}
	if it.severity == Critical && !it.resolved {
		d.critical = true
	}
	if have, ok := d.items[it.key]; ok {
		if it.resolved && it.count == 1 && !have.resolved {
			have.resolved = true
			have.actions = nil
			return
		}
		if !it.last.IsZero() && it.last.Equal(have.last) && it.count == 1 {
			return
		}
		have.count += it.count
		have.last = it.last
		have.severity = maxSeverity(have.severity, it.severity)
		d.total += it.count
		return
	}
	d.total += it.count
	if len(d.order) >= d.max {
		d.others += it.count
		return
	}
	if it.resolved {
		it.actions = nil
	}
	p := &it
	d.items[it.key] = p
	d.order = append(d.order, p)
}

// merge adds every item of other, whose post failed, back into d.
func (d *digest) merge(other *digest, now time.Time) {
	for _, it := range other.order {
		d.addItem(*it, now)
	}
	if other.others > 0 {
		if d.total == 0 {
			d.start = now
		}
		d.total += other.others
		d.others += other.others
	}
	if other.start.Before(d.start) {
		d.start = other.start
	}
}

// resolve marks the item of key resolved, reporting whether there is one.
func (d *digest) resolve(key string) bool {
	if d == nil {
		return false
	}
	it, ok := d.items[key]
	if ok && !it.resolved {
		it.resolved = true
		it.actions = nil
	}
	return ok
}

// digestListed is how many items a digest message names.
const digestListed = 20

// message renders the digest after header: "12 more notifications in
// the last minute: 8× disk full on db-1, 3× …". The most severe and most frequent items come first; the
// message carries the actions of the first items that have any.
func (d *digest) message(header string) Message {
	items := slices.Clone(d.order)
	slices.SortStableFunc(items, func(a, b *digestItem) int {
		if c := cmp.Compare(b.severity.rank(), a.severity.rank()); c != 0 {
			return c
		}
		return cmp.Compare(b.count, a.count)
	})
	var b strings.Builder
	b.WriteString(header)
	b.WriteString(": ")
	listed := 0
	sev := Info
	var actions []Action
	for i, it := range items {
		sev = maxSeverity(sev, it.severity)
		if i < digestListed {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d× %s", it.count, it.title)
			if it.resolved {
				b.WriteString(" (resolved)")
			}
			listed += it.count
		}
		for _, a := range it.actions {
			if len(actions) < 5 && !slices.Contains(actions, a) {
				actions = append(actions, a)
			}
		}
	}
	if rest := d.total - listed; rest > 0 {
		if listed > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "and %d more", rest)
	}
	return Message{Text: b.String(), Severity: sev, Actions: actions}
}

// maxSeverity returns the more severe of a and b.
func maxSeverity(a, b Severity) Severity {
	if b.rank() > a.rank() {
		return b
	}
	return a
}
