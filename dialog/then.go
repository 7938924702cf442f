package dialog

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleybot/parley/nlu"
)

// Several requests in one message: "restart apache on web-1; deploy
// checkout to staging" or "check nginx on web-1 and then check apache on
// web-2" are taken in order, each with its own values, questions and yes.
// Read as one request, the second would be lost, or worse, its values
// mixed into the first ("restart nginx on web-1" from "restart apache on
// web-1 && restart nginx on web-2").

// maxRequests bounds the requests taken from one message, and
// maxRequestLen the length of each (they wait in the stored record).
const (
	maxRequests   = 3
	maxRequestLen = 120
)

// requestSeparators split a message into requests, as people write them:
// a semicolon or && followed by a space. Glued to a word ("web-1;reboot")
// they are shell syntax, never a second request: such a value is refused
// as it stands. "and" alone does not split either: "restart apache on
// web-1 and web-2" is one request about two hosts.
var requestSeparators = []string{"; ", " && ", "\n", ", and then ", " and then ", ", then ", " then "}

// requestsIn returns the requests of a message that makes several, in
// order, or nil when it makes one: every part must be understood with
// confidence as a request of the catalog, or not understood at all, and
// nothing may be pending in the conversation (there, the message answers
// or replaces what is). The parts not understood are returned apart, to
// be named back rather than lost: "rm -rf /" in "restart apache on web-1;
// rm -rf /". A summary after a colon is never split ("open an incident:
// db down; users can't log in").
func (e *Engine) requestsIn(ctx context.Context, msg Message, text string) (parts, left []string) {
	if !strings.ContainsAny(text, ";&\n") && !strings.Contains(text, "then") && !strings.Contains(text, "Then") && !strings.Contains(text, "THEN") {
		return nil, nil // the common case, without allocating
	}
	head, summary, colon := strings.Cut(text, ":")
	all := splitRequests(head)
	if len(all) < 2 {
		return nil, nil
	}
	if colon {
		// Only the last request may carry a summary.
		all[len(all)-1] += ":" + summary
	}
	// The requests beyond maxRequests are only named back, not read.
	for _, part := range all[:min(len(all), maxRequests)] {
		if utf8.RuneCountInString(part) > maxRequestLen {
			return nil, nil // a paragraph, not a list of requests
		}
		r, err := e.cfg.Parser.Parse(ctx, part)
		switch {
		case err != nil:
			return nil, nil
		case e.isRequest(r):
			parts = append(parts, part)
		case meansNothing(r, part):
			left = append(left, part)
		default:
			return nil, nil
		}
	}
	parts = append(parts, all[min(len(all), maxRequests):]...)
	if len(parts) == 0 || (len(parts) == 1 && len(left) == 0) {
		return nil, nil
	}
	data, _, err := e.cfg.Store.Load(ctx, msg.Key().String())
	if err != nil {
		return nil, nil // the turn reports the outage
	}
	if c, err := decode(data); err == nil && c.State != Idle && !c.expired(e.cfg.Now()) {
		return nil, nil
	}
	return parts, left
}

// isRequest reports whether r is understood with confidence as a request
// of the catalog that says what to do.
func (e *Engine) isRequest(r nlu.Result) bool {
	if !confident(r) || r.Ambiguous || !saysWhat(r) {
		return false
	}
	_, ok := e.cfg.Catalog.Lookup(r.Intent)
	return ok
}

// meansNothing reports whether a part of a message means nothing to the
// model: no intent, not two close ones, words beyond fillers, and no
// greeting or thanks.
func meansNothing(r nlu.Result, part string) bool {
	return r.Intent == nlu.OutOfScope && !r.Ambiguous && contentWords(r) > 0 && smallTalk(part) == noTalk
}

// leftOut is the note on the parts of a message that were not understood.
func leftOut(left []string) string {
	it := "it"
	if len(left) > 1 {
		it = "them"
	}
	return fmt.Sprintf("(I didn't understand %s, so I've left %s out.)", quoted(left), it)
}

// saysWhat reports whether a message names something to do, not only
// values: "prod" in "deploy checkout to staging and then prod" is a second
// value of the same request, not a request of its own. A result without
// tokens cannot tell, and is taken at its word.
func saysWhat(r nlu.Result) bool {
	return len(r.Tokens) == 0 || contentWords(r) > 0
}

// contentWords counts the words of r outside its entities that are more
// than fillers.
func contentWords(r nlu.Result) int {
	n := 0
	for _, t := range r.Tokens {
		inEntity := false
		for _, en := range r.Entities {
			if t.Start >= en.Start && t.End <= en.End {
				inEntity = true
				break
			}
		}
		if !inEntity && len([]rune(t.Text)) > 1 && !fillerWords[strings.ToLower(t.Text)] && strings.IndexFunc(t.Text, unicode.IsLetter) >= 0 {
			n++
		}
	}
	return n
}

// fillerWords join values or point back without asking for anything.
var fillerWords = map[string]bool{
	"and": true, "also": true, "too": true, "to": true, "on": true, "in": true, "at": true, "for": true,
	"the": true, "as": true, "well": true, "please": true, "pls": true, "then": true, "of": true,
	"again": true, "instead": true, "now": true, "actually": true, "just": true, "maybe": true,
	"it": true, "that": true, "this": true, "one": true, "ones": true,
}

// tail is r limited to the tokens and entities of its last words, rest,
// as in a correction's "actually web_1".
func tail(r nlu.Result, rest string) nlu.Result {
	from := utf8.RuneCountInString(r.Text) - utf8.RuneCountInString(rest)
	if r.Text == "" || from < 0 {
		return r
	}
	out := r
	out.Tokens, out.Entities = nil, nil
	for _, t := range r.Tokens {
		if t.Start >= from {
			out.Tokens = append(out.Tokens, t)
		}
	}
	for _, en := range r.Entities {
		if en.Start >= from {
			out.Entities = append(out.Entities, en)
		}
	}
	return out
}

// splitRequests cuts text at every separator and drops empty parts.
func splitRequests(text string) []string {
	parts := []string{text}
	for _, sep := range requestSeparators {
		var next []string
		for _, p := range parts {
			next = append(next, splitFold(p, sep)...)
		}
		parts = next
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",.;")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitFold is strings.Split with sep, which is lower-case ASCII,
// matched in any case.
func splitFold(s, sep string) []string {
	var out []string
	lower := asciiLower(s)
	for {
		i := strings.Index(lower, sep)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s, lower = s[i+len(sep):], lower[i+len(sep):]
	}
}

// asciiLower lowers the ASCII letters of s only, so that every byte
// offset in the result is one in s (strings.ToLower may change lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// waiting decides what becomes of the requests that wait for the pending
// one (then, from this message, or those stored with the conversation):
// they stay with a request still asking or awaiting its yes, are taken
// next once it has finished, and are dropped, with a word, when the
// person cancels or turns to another request.
func (e *Engine) waiting(conv conversation, next *conversation, in turnInput, then []string, p *plan) []string {
	fresh := then != nil
	if !fresh && conv.State != Idle {
		then = conv.Then // only a pending request holds others
	}
	if len(then) == 0 {
		return nil
	}
	pending := next.State == Collecting || next.State == Confirming
	switch {
	case fresh:
	case conv.State != Idle && conv.expired(in.now):
		p.after = strings.TrimSpace(p.after + " (What you asked for after your earlier request expired with it: " + quoted(then) + ".)")
		return nil
	case conv.State != Idle && isCancel(in.nlu, in.text):
		p.after = strings.TrimSpace(p.after + " Nor " + quoted(then) + ".")
		return nil
	case pending && (next.Skill != conv.Skill || next.Origin != conv.Origin):
		// Another request took the place of the one they waited for.
		p.after = strings.TrimSpace(p.after + " (I've dropped what you asked for after the earlier request: " + quoted(then) + ".)")
		return nil
	}
	if pending {
		next.Then = then
		if fresh {
			p.replies = append([]string{"One request at a time: first this one, then " + quoted(then) + "."}, p.replies...)
		}
	}
	return then
}

// tooMany is the note on the requests of a message beyond maxRequests.
func tooMany(over []string) string {
	named := quoted(over[:min(len(over), maxRequests)])
	if n := len(over) - maxRequests; n > 0 {
		named += fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("(I take at most %d requests from one message; ask again for %s.)", maxRequests, named)
}

// quoted lists texts in quotes: “a”, “b”.
func quoted(texts []string) string {
	q := make([]string, len(texts))
	for i, t := range texts {
		q[i] = "“" + t + "”"
	}
	return strings.Join(q, ", ")
}

// joined is the outcome of a message whose requests were taken in turn:
// every reply and record, the first execution, and the state the last
// one left.
func joined(a, b Outcome) Outcome {
	b.Replies = append(a.Replies, b.Replies...)
	b.Records = append(a.Records, b.Records...)
	if a.Executed != nil {
		b.Executed = a.Executed
		if b.State == Idle {
			b.Params = a.Params
		}
	}
	b.Denied = a.Denied || b.Denied
	b.Sensitive = a.Sensitive || b.Sensitive
	if b.Err == nil {
		b.Err = a.Err
	}
	return b
}
