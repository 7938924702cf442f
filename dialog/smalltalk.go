package dialog

import (
	"strings"
	"unicode"
)

// talk is a message that is only a greeting or only a thank-you.
type talk int

const (
	noTalk talk = iota
	greeting
	thanks
)

// Small talk is recognised by its words rather than learned: greetings and
// thanks are short and made of words that appear nowhere else ("howdy",
// "ta", "cheers"), so a classifier cannot generalise from one to another,
// while a closed list reads them all. A message is small talk when every
// word is on these lists and one of them is a greeting or a thanks, so
// "thanks, restart nginx" or "hey, who is on call?" never are.
var (
	greetWords = words("hi hello hey hiya heya howdy yo hallo hullo morning afternoon evening gm greetings sup")
	thankWords = words("thanks thank thx thnx ty tysm ta cheers appreciated appreciate merci kudos")
	talkFiller = words(`good there all everyone everybody team folks guys again parley bot you today
		u so much very a lot bunch million ton heaps many great awesome perfect nice cool
		ok okay one that worked for the help your i really mate buddy kindly big`)
	// Greetings of several words, read as one.
	greetPhrases = strings.NewReplacer("how are you doing", " hi ", "how are you", " hi ", "how's it going", " hi ",
		"hows it going", " hi ", "how are things", " hi ", "what's up", " hi ", "whats up", " hi ", "good day", " hi ",
		"are you there", " hi ", "you there", " hi ", "anybody home", " hi ", "anyone there", " hi ")
)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// smallTalk reports whether text is only a greeting or only a thank-you
// (a thank-you when it is both: "hi, thanks").
func smallTalk(text string) talk {
	if len(text) > 200 {
		return noTalk
	}
	lower := greetPhrases.Replace(strings.ToLower(strings.ReplaceAll(text, "’", "'")))
	ws := strings.FieldsFunc(lower, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	kind := noTalk
	for _, w := range ws {
		w = strings.Trim(w, "'")
		switch {
		case thankWords[w]:
			kind = thanks
		case greetWords[w]:
			if kind == noTalk {
				kind = greeting
			}
		case talkFiller[w], w == "":
		default:
			return noTalk
		}
	}
	switch {
	case kind != noTalk:
		return kind
	case len(ws) > 0:
		return noTalk
	case strings.Contains(text, "🙏"): // only emoji and punctuation
		return thanks
	case strings.Contains(text, "👋"):
		return greeting
	}
	return noTalk
}

// smallTalkReply answers a greeting or a thank-you; a greeting when
// nothing is pending also offers help.
func smallTalkReply(k talk, user string, pending bool) string {
	switch {
	case k == thanks:
		return "You're welcome!"
	case pending:
		return "Hi!"
	}
	return "Hi " + user + "! What can I do for you? Say “help” to see what I can do."
}
