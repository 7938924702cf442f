package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// zwsp is the zero-width space that breaks "@channel" into text that
// looks the same and pings nobody.
const zwsp = "\u200b"

var (
	entityEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	entityUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	broadcasts      = []string{"channel", "here", "everyone"}
)

// Escape makes text safe to post to Slack: &, < and > become entities, so
// no control sequence (<!channel>, <@U123>, <!subteam^…>, links) can be
// formed from it, and @channel, @here and @everyone get a zero-width space
// after the @, so they ping nobody even where Slack links bare names.
// Markdown is not touched: post the result with markdown off.
func Escape(s string) string {
	s = entityEscaper.Replace(s)
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] != '@' {
			continue
		}
		rest := s[i+1:]
		for _, w := range broadcasts {
			if len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) {
				b.WriteString(zwsp)
				break
			}
		}
	}
	return b.String()
}

// unescapeEntities undoes Slack's own escaping of &, < and >.
func unescapeEntities(s string) string { return entityUnescaper.Replace(s) }

// truncate cuts escaped text to at most max characters, ending with a
// note that says how much was left out. It never cuts an entity in half.
func truncate(s string, max int) string {
	n := utf8.RuneCountInString(s)
	if n <= max {
		return s
	}
	const reserve = 64 // room for the note
	keep := max - reserve
	if keep < 0 {
		keep = 0
	}
	cut := 0
	for range keep {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && !strings.Contains(s[amp:cut], ";") {
		cut = amp // inside "&amp;", "&lt;" or "&gt;"
	}
	head := strings.TrimRight(s[:cut], " \n")
	left := utf8.RuneCountInString(unescapeEntities(strings.ReplaceAll(s[cut:], zwsp, "")))
	return fmt.Sprintf("%s\n… (truncated, %d more characters)", head, left)
}

// firstLine returns s's first line, cut to max characters.
func firstLine(s string, max int) string {
	line, _, _ := strings.Cut(s, "\n")
	if utf8.RuneCountInString(line) <= max {
		return line
	}
	r := []rune(line)
	return string(r[:max]) + "…"
}

// cleanInbound turns a Slack message's text into what a person typed:
// mentions of the bot are removed, other people's mentions become their
// Parley names, links become their labels (Slack links bare hostnames:
// "web-1.example.com" arrives as <http://web-1.example.com|web-1.example.com>),
// and entities are unescaped.
func cleanInbound(text, botID string, nameOf func(id string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(text[:open])
		b.WriteString(rewriteSequence(text[open+1:open+end], botID, nameOf))
		text = text[open+end+1:]
	}
	b.WriteString(text)
	return strings.Join(strings.Fields(unescapeEntities(b.String())), " ")
}

// rewriteSequence renders one <…> control sequence as plain text.
func rewriteSequence(seq, botID string, nameOf func(string) string) string {
	target, label, hasLabel := strings.Cut(seq, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		id := target[1:]
		if id == botID {
			return ""
		}
		return nameOf(id)
	case strings.HasPrefix(target, "#"):
		if hasLabel {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel {
			return label
		}
		word, _, _ := strings.Cut(target[1:], "^")
		return "@" + word
	case hasLabel:
		return label
	}
	return strings.TrimPrefix(target, "mailto:")
}
