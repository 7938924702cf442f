package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the generic format beyond MaxTitle, MaxText and MaxBody.
const (
	maxBatch      = 1000 // notifications in one request
	maxKey        = 200
	maxLabels     = 64
	maxLabelKey   = 100
	maxLabelValue = 300
	maxURL        = 2000
	maxChannel    = 80
	maxRepository = 200
)

// genericIn is one notification of the generic format.
type genericIn struct {
	Title      string            `json:"title"`
	Text       string            `json:"text"`
	Severity   string            `json:"severity"`
	Key        string            `json:"key"`
	Labels     map[string]string `json:"labels"`
	Status     string            `json:"status"`
	URL        string            `json:"url"`
	Repository string            `json:"repository"`
	Channel    string            `json:"channel"`
}

// ParseGeneric reads the generic format: one JSON object or an array of
// them, each
//
//	{"title": "...", "text": "...", "severity": "critical|warning|info",
//	 "key": "...", "labels": {"k": "v"}, "status": "firing|resolved",
//	 "url": "https://...", "repository": "org/repo", "channel": "#ops"}
//
// Only title is required. Severity defaults to info and status to firing;
// without a key, notifications with the same title, repository and labels
// share one. Unknown fields are errors, so that a misspelt field is not
// silently ignored. Every error wraps ErrInvalid and says which
// notification (counting from 0) and which field is wrong; one bad
// notification rejects the whole request.
func ParseGeneric(body []byte) ([]Notification, error) {
	if len(body) > MaxBody {
		return nil, invalidf("body is %d bytes, the limit is %d", len(body), MaxBody)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, invalidf("body is empty")
	}
	var ins []genericIn
	if trimmed[0] == '[' {
		if err := decodeStrict(body, &ins); err != nil {
			return nil, err
		}
		if len(ins) == 0 {
			return nil, invalidf("the array holds no notifications")
		}
		if len(ins) > maxBatch {
			return nil, invalidf("%d notifications in one request, the limit is %d", len(ins), maxBatch)
		}
	} else {
		ins = make([]genericIn, 1)
		if err := decodeStrict(body, &ins[0]); err != nil {
			return nil, err
		}
	}
	out := make([]Notification, len(ins))
	for i, in := range ins {
		n, err := in.notification()
		if err != nil {
			if len(ins) > 1 {
				return nil, invalidf("notification %d: %s", i, err)
			}
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return invalidf("unknown field %s (known: title, text, severity, key, labels, status, url, repository, channel)", msg)
		}
		return invalidf("%s", jsonError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalidf("unexpected data after the JSON value")
	}
	return nil
}

func (in genericIn) notification() (Notification, error) {
	title := strings.TrimSpace(in.Title)
	switch {
	case oneLine(title) == "":
		return Notification{}, invalidf("title is empty (or only spaces and control characters)")
	case utf8.RuneCountInString(title) > MaxTitle:
		return Notification{}, invalidf("title is %d characters, the limit is %d", utf8.RuneCountInString(title), MaxTitle)
	case utf8.RuneCountInString(in.Text) > MaxText:
		return Notification{}, invalidf("text is %d characters, the limit is %d", utf8.RuneCountInString(in.Text), MaxText)
	case len(in.Key) > maxKey:
		return Notification{}, invalidf("key is %d bytes, the limit is %d", len(in.Key), maxKey)
	case len(in.Repository) > maxRepository:
		return Notification{}, invalidf("repository is %d bytes, the limit is %d", len(in.Repository), maxRepository)
	}
	sev := Info
	if in.Severity != "" {
		var err error
		if sev, err = ParseSeverity(in.Severity); err != nil {
			return Notification{}, err
		}
	}
	st := Firing
	switch strings.ToLower(in.Status) {
	case "", "firing":
	case "resolved":
		st = Resolved
	default:
		return Notification{}, invalidf("unknown status %q (want firing or resolved)", in.Status)
	}
	if err := checkLabels(in.Labels); err != nil {
		return Notification{}, err
	}
	if err := checkURL(in.URL); err != nil {
		return Notification{}, err
	}
	if err := checkChannel(in.Channel); err != nil {
		return Notification{}, err
	}
	title = oneLine(title)
	n := Notification{
		Source:     SourceGeneric,
		Key:        in.Key,
		Title:      title,
		Text:       in.Text,
		Severity:   sev,
		Labels:     in.Labels,
		Repository: in.Repository,
		Status:     st,
		URL:        in.URL,
		Channel:    in.Channel,
		Actions:    incidentActions(title, sev, st, in.Labels),
	}
	if n.Key == "" {
		n.Key = deriveKey(title, in.Repository, in.Labels)
	}
	return n, nil
}

func checkLabels(labels map[string]string) error {
	if len(labels) > maxLabels {
		return invalidf("%d labels, the limit is %d", len(labels), maxLabels)
	}
	for k, v := range labels {
		switch {
		case k == "":
			return invalidf("a label has an empty name")
		case len(k) > maxLabelKey:
			return invalidf("label name %.20q… is %d bytes, the limit is %d", k, len(k), maxLabelKey)
		case len(v) > maxLabelValue:
			return invalidf("label %q is %d bytes, the limit is %d", k, len(v), maxLabelValue)
		}
	}
	return nil
}

func checkURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > maxURL {
		return invalidf("url is %d bytes, the limit is %d", len(s), maxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidf("url %.80q is not an absolute http or https URL", s)
	}
	return nil
}

func checkChannel(s string) error {
	if len(s) > maxChannel {
		return invalidf("channel is %d bytes, the limit is %d", len(s), maxChannel)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return invalidf("channel %q holds white space or control characters", s)
		}
	}
	return nil
}
