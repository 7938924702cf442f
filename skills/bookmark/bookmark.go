package bookmark

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleybot/parley/skills"
)

const (
	indexKey = "bookmark:urls"
	// findLimit is how many bookmarks one reply lists.
	findLimit = 10
	// nameLen bounds the length of a name made up from a URL, in runes.
	nameLen = 40
)

// record is one saved link, stored as JSON.
type record struct {
	URL  string `json:"url"`
	Name string `json:"name"`
	// By is who saved it last, and Saved when.
	By    string    `json:"by"`
	Saved time.Time `json:"saved"`
}

// Service keeps bookmarks in a skills.State. It is safe for concurrent use
// as far as its State is.
type Service struct {
	state skills.State
	now   func() time.Time
}

// New returns a Service over state. now is the clock; nil means time.Now.
func New(state skills.State, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{state: state, now: now}
}

// canonical is the form under which a URL is known: scheme and host in
// lower case, and a bare "/" path dropped.
func canonical(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if u.Path == "/" && u.RawQuery == "" && u.Fragment == "" {
		u.Path = ""
	}
	return u.String()
}

// key names the record of a canonical URL; a hash keeps keys short.
func key(canon string) string {
	sum := sha256.Sum256([]byte(canon))
	return "bookmark:" + hex.EncodeToString(sum[:16])
}

func (s *Service) get(ctx context.Context, canon string) (record, error) {
	data, err := s.state.Get(ctx, key(canon))
	if err != nil {
		return record{}, fmt.Errorf("bookmark %s: %w", canon, err)
	}
	var b record
	if err := json.Unmarshal(data, &b); err != nil {
		return record{}, fmt.Errorf("bookmark %s: decode: %w", canon, err)
	}
	return b, nil
}

func (s *Service) put(ctx context.Context, canon string, b *record) error {
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("bookmark %s: encode: %w", canon, err)
	}
	if err := s.state.Put(ctx, key(canon), data); err != nil {
		return fmt.Errorf("bookmark %s: save: %w", canon, err)
	}
	return nil
}

// Save is the executor that saves the argument "url" under the optional
// argument "name". Without a name a new bookmark is named after the URL's
// host and path, and a known one keeps its name; with one, a known URL is
// renamed rather than saved twice.
func (s *Service) Save() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		link := call.Args.String("url")
		if link == "" {
			return skills.Result{}, skills.Errorf("Which URL should I save?")
		}
		name := call.Args.String("name")
		canon := canonical(link)
		old, err := s.get(ctx, canon)
		switch {
		case errors.Is(err, skills.ErrNotFound):
			if name == "" {
				name = defaultName(link)
			}
			b := record{URL: link, Name: name, By: call.Caller.User, Saved: s.now()}
			// The record goes first, so the index never names a missing one.
			if err := s.put(ctx, canon, &b); err != nil {
				return skills.Result{}, err
			}
			if err := s.state.Append(ctx, indexKey, []byte(canon)); err != nil {
				return skills.Result{}, fmt.Errorf("bookmark %s: index: %w", canon, err)
			}
			return skills.Result{Text: fmt.Sprintf("Saved “%s” → %s", name, link)}, nil
		case err != nil:
			return skills.Result{}, err
		}
		if name == "" || name == old.Name {
			return skills.Result{Text: fmt.Sprintf("Already saved as “%s” → %s", old.Name, old.URL)}, nil
		}
		b := record{URL: link, Name: name, By: call.Caller.User, Saved: s.now()}
		if err := s.put(ctx, canon, &b); err != nil {
			return skills.Result{}, err
		}
		return skills.Result{Text: fmt.Sprintf("Renamed “%s” to “%s” → %s", old.Name, name, link)}, nil
	})
}

// Find is the executor that looks bookmarks up. Every word of the optional
// argument "query" must appear, in any case, in the name or the URL, but
// for filler words such as "the", "my" or "links" ("the runbook" finds the
// runbooks); without a query, or with fillers only, it lists the most
// recent. Either way, the most recently saved come first.
func (s *Service) Find() skills.Executor {
	return skills.ExecutorFunc(func(ctx context.Context, call skills.Call) (skills.Result, error) {
		query := call.Args.String("query")
		all, err := s.all(ctx)
		if err != nil {
			return skills.Result{}, err
		}
		words := queryWords(query)
		var hits []record
		for _, b := range all {
			if matches(&b, words) {
				hits = append(hits, b)
			}
		}
		var out strings.Builder
		switch {
		case len(hits) == 0 && len(words) == 0:
			return skills.Result{Text: "No bookmarks saved yet."}, nil
		case len(hits) == 0:
			return skills.Result{Text: fmt.Sprintf("No bookmarks match “%s”.", query)}, nil
		case len(words) == 0:
			out.WriteString("Recent bookmarks:")
		default:
			fmt.Fprintf(&out, "Bookmarks matching “%s”:", query)
		}
		for _, b := range hits[:min(len(hits), findLimit)] {
			fmt.Fprintf(&out, "\n• %s → %s", b.Name, b.URL)
		}
		if n := len(hits) - findLimit; n > 0 && len(words) > 0 {
			fmt.Fprintf(&out, "\n…and %d more", n)
		}
		return skills.Result{Text: out.String()}, nil
	})
}

// filler reports whether a word of a query says nothing about what to find.
func filler(w string) bool {
	switch w {
	case "the", "a", "an", "my", "our", "your", "some", "any",
		"for", "about", "of", "on", "to", "with",
		"link", "links", "bookmark", "bookmarks", "url", "urls":
		return true
	}
	return false
}

// queryWords returns the lower-case words of a query that must match,
// none when it has only fillers.
func queryWords(query string) []string {
	words := strings.Fields(strings.ToLower(query))
	return slices.DeleteFunc(words, filler)
}

func matches(b *record, words []string) bool {
	name, link := strings.ToLower(b.Name), strings.ToLower(b.URL)
	for _, w := range words {
		if !strings.Contains(name, w) && !strings.Contains(link, w) {
			return false
		}
	}
	return true
}

// all reads every indexed bookmark, most recently saved first. Index
// entries without a record are skipped, and duplicates read once.
func (s *Service) all(ctx context.Context) ([]record, error) {
	raw, err := s.state.List(ctx, indexKey)
	if err != nil {
		return nil, fmt.Errorf("bookmark: read index: %w", err)
	}
	seen := make(map[string]bool, len(raw))
	var out []record
	// Newest first in the index, so that equal save times keep that order.
	for i := len(raw) - 1; i >= 0; i-- {
		canon := string(raw[i])
		if seen[canon] {
			continue
		}
		seen[canon] = true
		b, err := s.get(ctx, canon)
		if errors.Is(err, skills.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	slices.SortStableFunc(out, func(a, b record) int { return b.Saved.Compare(a.Saved) })
	return out, nil
}

// defaultName names a link after its host and path, without "www." and
// shortened to a few dozen characters: middle path segments go first.
func defaultName(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return shorten(link, nameLen)
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	path := strings.Trim(u.Path, "/")
	if path == "" {
		return shorten(host, nameLen)
	}
	name := host + "/" + path
	if utf8.RuneCountInString(name) <= nameLen {
		return name
	}
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		name = host + "/…/" + path[i+1:]
	}
	return shorten(name, nameLen)
}

// shorten cuts s to at most n runes, marking a cut with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
