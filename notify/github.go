package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of GitHub signature verification. The Handler answers all of
// them with 401.
var (
	ErrNoSecret     = errors.New("no GitHub webhook secret is configured, so GitHub hooks are refused")
	ErrUnsigned     = errors.New("request has no X-Hub-Signature-256 header")
	ErrBadSignature = errors.New("X-Hub-Signature-256 does not match the body")
)

// VerifyGitHub checks that signatureHeader, the X-Hub-Signature-256 of a
// GitHub hook, is "sha256=" followed by the hex HMAC-SHA256 of body under
// secret. It compares in constant time.
func VerifyGitHub(secret, body []byte, signatureHeader string) error {
	if len(secret) == 0 {
		return ErrNoSecret
	}
	if signatureHeader == "" {
		return ErrUnsigned
	}
	hexSig, ok := strings.CutPrefix(signatureHeader, "sha256=")
	if !ok {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return ErrBadSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// SignGitHub returns the X-Hub-Signature-256 value of body under secret,
// for tests and for tools that send GitHub-style hooks.
func SignGitHub(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

type ghRepo struct {
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
}

type ghUser struct {
	Login string `json:"login"`
}

type ghPush struct {
	Ref        string `json:"ref"`
	After      string `json:"after"`
	Created    bool   `json:"created"`
	Deleted    bool   `json:"deleted"`
	Forced     bool   `json:"forced"`
	Compare    string `json:"compare"`
	Repository ghRepo `json:"repository"`
	Pusher     struct {
		Name string `json:"name"`
	} `json:"pusher"`
	Sender  ghUser `json:"sender"`
	Commits []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
		Author  struct {
			Name string `json:"name"`
		} `json:"author"`
	} `json:"commits"`
	HeadCommit *struct {
		Timestamp time.Time `json:"timestamp"`
	} `json:"head_commit"`
}

type ghPullRequest struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest struct {
		Title     string    `json:"title"`
		HTMLURL   string    `json:"html_url"`
		Merged    bool      `json:"merged"`
		MergedBy  *ghUser   `json:"merged_by"`
		UpdatedAt time.Time `json:"updated_at"`
		Base      struct {
			Ref string `json:"ref"`
		} `json:"base"`
		Head struct {
			Ref string `json:"ref"`
		} `json:"head"`
	} `json:"pull_request"`
	Repository ghRepo `json:"repository"`
	Sender     ghUser `json:"sender"`
}

type ghWorkflowRun struct {
	Action      string `json:"action"`
	WorkflowRun struct {
		Name         string    `json:"name"`
		DisplayTitle string    `json:"display_title"`
		HeadBranch   string    `json:"head_branch"`
		HeadSHA      string    `json:"head_sha"`
		Event        string    `json:"event"`
		Conclusion   string    `json:"conclusion"`
		RunNumber    int       `json:"run_number"`
		HTMLURL      string    `json:"html_url"`
		UpdatedAt    time.Time `json:"updated_at"`
		Actor        ghUser    `json:"actor"`
	} `json:"workflow_run"`
	Workflow struct {
		Name string `json:"name"`
	} `json:"workflow"`
	Repository ghRepo `json:"repository"`
}

// ParseGitHub turns a GitHub hook (the X-GitHub-Event name and the JSON
// body) into notifications: push, pull_request (opened, closed, merged,
// reopened) and workflow_run (completed with success or failure). Every
// other event and action yields no notification and no error.
//
// A failed workflow run is a firing warning offering to open an incident;
// a successful one resolves the failure of the same workflow on the same
// branch, which shares its Key.
func ParseGitHub(event string, body []byte) ([]Notification, error) {
	switch event {
	case "":
		return nil, invalidf("the GitHub event name (X-GitHub-Event) is missing")
	case "push":
		return parsePush(body)
	case "pull_request":
		return parsePullRequest(body)
	case "workflow_run":
		return parseWorkflowRun(body)
	}
	return nil, nil
}

func decodeGitHub(event string, body []byte, v any, repo *ghRepo) error {
	if err := json.Unmarshal(body, v); err != nil {
		return invalidf("GitHub %s payload: %v", event, jsonError(err))
	}
	if repo.FullName == "" {
		return invalidf("GitHub %s payload has no repository.full_name", event)
	}
	return nil
}

func parsePush(body []byte) ([]Notification, error) {
	var p ghPush
	if err := decodeGitHub("push", body, &p, &p.Repository); err != nil {
		return nil, err
	}
	repo := p.Repository.FullName
	who := firstNonEmpty(p.Pusher.Name, p.Sender.Login, "someone")
	kind, name := "branch", strings.TrimPrefix(p.Ref, "refs/heads/")
	if tag, ok := strings.CutPrefix(p.Ref, "refs/tags/"); ok {
		kind, name = "tag", tag
	}
	var title string
	switch {
	case p.Deleted:
		title = fmt.Sprintf("%s deleted %s %s of %s", who, kind, name, repo)
	case kind == "tag":
		title = fmt.Sprintf("%s pushed tag %s to %s", who, name, repo)
	case p.Created && len(p.Commits) == 0:
		title = fmt.Sprintf("%s created branch %s of %s", who, name, repo)
	default:
		verb := "pushed"
		if p.Forced {
			verb = "force-pushed"
		}
		title = fmt.Sprintf("%s %s %s to %s of %s", who, verb, plural(len(p.Commits), "commit"), name, repo)
	}
	var text strings.Builder
	const shown = 5
	for i, c := range p.Commits {
		if i == shown {
			fmt.Fprintf(&text, "… and %d more", len(p.Commits)-shown)
			break
		}
		if i > 0 {
			text.WriteByte('\n')
		}
		first, _, _ := strings.Cut(c.Message, "\n")
		fmt.Fprintf(&text, "%s %s", shortSHA(c.ID), truncate(oneLine(first), 100))
		if c.Author.Name != "" {
			fmt.Fprintf(&text, " (%s)", c.Author.Name)
		}
	}
	n := Notification{
		Source:     SourceGitHub,
		Key:        "push:" + repo + ":" + p.Ref + ":" + p.After,
		Title:      truncate(title, MaxTitle),
		Text:       truncate(text.String(), MaxText),
		Severity:   Info,
		Status:     Firing,
		Repository: repo,
		URL:        firstNonEmpty(p.Compare, p.Repository.HTMLURL),
		Labels:     map[string]string{"event": "push", kind: name, "sender": who},
	}
	if p.HeadCommit != nil {
		n.Time = p.HeadCommit.Timestamp
	}
	return []Notification{n}, nil
}

func parsePullRequest(body []byte) ([]Notification, error) {
	var p ghPullRequest
	if err := decodeGitHub("pull_request", body, &p, &p.Repository); err != nil {
		return nil, err
	}
	action, who := p.Action, firstNonEmpty(p.Sender.Login, "someone")
	switch action {
	case "opened", "reopened":
	case "closed":
		if p.PullRequest.Merged {
			action = "merged"
			if p.PullRequest.MergedBy != nil && p.PullRequest.MergedBy.Login != "" {
				who = p.PullRequest.MergedBy.Login
			}
		}
	default:
		return nil, nil
	}
	repo, pr := p.Repository.FullName, p.PullRequest
	title := fmt.Sprintf("%s %s pull request #%d in %s: %s", who, action, p.Number, repo, oneLine(pr.Title))
	text := ""
	if pr.Base.Ref != "" && pr.Head.Ref != "" {
		text = pr.Base.Ref + " ← " + pr.Head.Ref
	}
	return []Notification{{
		Source:     SourceGitHub,
		Key:        fmt.Sprintf("pull_request:%s#%d:%s", repo, p.Number, action),
		Title:      truncate(title, MaxTitle),
		Text:       text,
		Severity:   Info,
		Status:     Firing,
		Repository: repo,
		URL:        pr.HTMLURL,
		Time:       pr.UpdatedAt,
		Labels:     map[string]string{"event": "pull_request", "action": action, "branch": pr.Base.Ref, "sender": who},
	}}, nil
}

func parseWorkflowRun(body []byte) ([]Notification, error) {
	var p ghWorkflowRun
	if err := decodeGitHub("workflow_run", body, &p, &p.Repository); err != nil {
		return nil, err
	}
	if p.Action != "completed" {
		return nil, nil
	}
	run, repo := p.WorkflowRun, p.Repository.FullName
	workflow := firstNonEmpty(p.Workflow.Name, run.Name, "workflow")
	n := Notification{
		Source:     SourceGitHub,
		Key:        "workflow_run:" + repo + ":" + workflow + ":" + run.HeadBranch,
		Repository: repo,
		URL:        run.HTMLURL,
		Time:       run.UpdatedAt,
		Labels: map[string]string{
			"event": "workflow_run", "workflow": workflow, "branch": run.HeadBranch, "conclusion": run.Conclusion,
		},
	}
	on := repo
	if run.HeadBranch != "" {
		on += " (" + run.HeadBranch + ")"
	}
	switch run.Conclusion {
	case "success":
		n.Title = fmt.Sprintf("%s succeeded on %s", workflow, on)
		n.Severity, n.Status = Info, Resolved
	case "failure", "timed_out", "startup_failure":
		n.Title = fmt.Sprintf("%s failed on %s", workflow, on)
		n.Severity, n.Status = Warning, Firing
		n.Actions = incidentActions(workflow+" failed on "+repo, Warning, Firing, nil)
	default:
		return nil, nil
	}
	n.Title = truncate(oneLine(n.Title), MaxTitle)
	var text strings.Builder
	fmt.Fprintf(&text, "run #%d", run.RunNumber)
	if run.Event != "" || run.HeadSHA != "" {
		fmt.Fprintf(&text, " (%s)", strings.TrimSpace(run.Event+" "+shortSHA(run.HeadSHA)))
	}
	if run.Actor.Login != "" {
		fmt.Fprintf(&text, " by %s", run.Actor.Login)
	}
	fmt.Fprintf(&text, ": %s", run.Conclusion)
	if run.DisplayTitle != "" {
		fmt.Fprintf(&text, " — %s", oneLine(run.DisplayTitle))
	}
	n.Text = truncate(text.String(), MaxText)
	return []Notification{n}, nil
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// jsonError words a decoding error for the sender, without Go type names.
func jsonError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q has the wrong type (got a JSON %s)", typ.Field, typ.Value)
		}
		return fmt.Sprintf("wrong JSON type (got a JSON %s)", typ.Value)
	}
	return "malformed JSON: " + err.Error()
}
