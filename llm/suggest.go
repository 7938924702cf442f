package llm

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parleybot/parley/skills"
)

// Bounds on Suggest.
const (
	maxSuggestions   = 100
	maxExamples      = 20
	maxSuggestionLen = 200 // runes
)

// Suggest asks the model for up to n new ways to phrase a request for
// skill, for a person to review as training examples (`parley train
// suggest`). The phrasings returned are distinct single lines of at most
// 200 characters, without control characters, and none repeats an
// example. Examples may carry entity marks ("restart [nginx](service)");
// the model is asked to mark its values the same way.
func (a *Assistant) Suggest(ctx context.Context, skill *skills.Skill, examples []string, n int) ([]string, error) {
	if skill == nil {
		return nil, errors.New("llm: suggest needs a skill")
	}
	if n <= 0 {
		return nil, fmt.Errorf("llm: suggest needs a positive number of phrasings, not %d", n)
	}
	n = min(n, maxSuggestions)
	req := suggestRequest(a.cfg, skill, examples, n)
	rep, err := a.ask(ctx, "", a.cfg.SuggestTimeout, func() (openai.ChatCompletionRequest, error) { return req, nil },
		func() []any { return []any{"suggest", skill.Name, "n", n} })
	if err != nil {
		return nil, err
	}
	out := filterSuggestions(rep.content, examples, n)
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the model wrote no usable phrasing", ErrNoProposal)
	}
	return out, nil
}

func suggestRequest(cfg Config, skill *skills.Skill, examples []string, n int) openai.ChatCompletionRequest {
	var sys strings.Builder
	fmt.Fprintf(&sys, "You write training examples for the intent classifier of an operations team's chat bot. "+
		"Write %d new ways a person might type the request described below, one per line, "+
		"with no numbering, quotes or commentary. Vary the wording and word order, keep them as short as chat messages, "+
		"and use the same kind of values as the examples.", n)
	marked := false
	for _, e := range examples {
		if markRE.MatchString(e) {
			marked = true
			break
		}
	}
	if marked {
		sys.WriteString(" Mark values as the examples do: [text](type).")
	}

	var user strings.Builder
	fmt.Fprintf(&user, "Request: %s", skill.Name)
	if d := strings.TrimSpace(skill.Description); d != "" {
		fmt.Fprintf(&user, " (%s)", oneLine(d))
	}
	var params []string
	for _, p := range skill.Params {
		if !p.Secret {
			params = append(params, p.Name)
		}
	}
	if len(params) > 0 {
		fmt.Fprintf(&user, "\nParameters: %s", strings.Join(params, ", "))
	}
	if len(examples) > 0 {
		user.WriteString("\nExamples:")
		for _, e := range examples[:min(len(examples), maxExamples)] {
			user.WriteString("\n" + clip(strings.TrimSpace(oneLine(e)), maxSuggestionLen))
		}
	}
	return openai.ChatCompletionRequest{
		Model: cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: sys.String()},
			{Role: openai.ChatMessageRoleUser, Content: user.String()},
		},
		MaxCompletionTokens: max(cfg.MaxTokens, n*60),
	}
}

// markRE is an entity mark, "[surface](type)" or "[surface](type:value)".
var markRE = regexp.MustCompile(`\[([^\[\]]+)\]\([^()\s]+\)`)

// listPrefixRE is the bullet or number a model puts before list items.
var listPrefixRE = regexp.MustCompile(`^(?:[-*•]\s+|\d{1,3}[.)]\s+)`)

// filterSuggestions takes the model's lines: list markers and quotes
// stripped; empty, long, multi-line, control-character and lead-in lines
// ("Here are 20 phrasings:") dropped; repeats of each other and of the
// examples (compared without case, spacing, end punctuation or marks)
// dropped; at most n kept.
func filterSuggestions(content string, examples []string, n int) []string {
	seen := map[string]bool{}
	for _, e := range examples {
		seen[sameness(e)] = true
	}
	var out []string
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		line = listPrefixRE.ReplaceAllString(line, "")
		line = strings.TrimSpace(strings.Trim(line, "\"“”"))
		switch {
		case line == "", strings.HasSuffix(line, ":"),
			utf8.RuneCountInString(line) > maxSuggestionLen,
			!utf8.ValidString(line), strings.ContainsFunc(line, unsafeRune):
			continue
		}
		k := sameness(line)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, line)
		if len(out) == n {
			break
		}
	}
	return out
}

// sameness is the form two phrasings that mean the same to the classifier
// share.
func sameness(s string) string {
	s = markRE.ReplaceAllString(s, "$1")
	return strings.TrimRight(normalize(s), ".!?")
}
