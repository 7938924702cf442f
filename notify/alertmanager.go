package notify

import (
	"encoding/json"
	"strings"
	"time"
)

type amPayload struct {
	Version string    `json:"version"`
	Status  string    `json:"status"`
	Alerts  []amAlert `json:"alerts"`
}

type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// maxAlerts bounds the alerts of one Alertmanager request.
const maxAlerts = 1000

// ParseAlertmanager turns an Alertmanager webhook (version 4) into one
// notification per alert.
//
// The Key is the alert's fingerprint, or a hash of its sorted labels. The
// severity comes from the severity label: critical or page is Critical,
// info, none or low is Info, anything else or nothing is Warning. The
// title is annotations.summary, else labels.alertname (and the instance);
// the text is annotations.description. A firing alert with an "incident"
// label offers to acknowledge that incident; any other firing warning or
// critical offers to open one. The Time is startsAt when firing and endsAt
// when resolved, so that a resend of the same firing is told apart from a
// new one.
func ParseAlertmanager(body []byte) ([]Notification, error) {
	var p amPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, invalidf("Alertmanager payload: %s", jsonError(err))
	}
	if p.Version != "4" {
		return nil, invalidf("Alertmanager payload version is %q; only version \"4\" is understood", p.Version)
	}
	if len(p.Alerts) == 0 {
		return nil, invalidf("Alertmanager payload has no alerts")
	}
	if len(p.Alerts) > maxAlerts {
		return nil, invalidf("Alertmanager payload has %d alerts, the limit is %d", len(p.Alerts), maxAlerts)
	}
	out := make([]Notification, 0, len(p.Alerts))
	for i, a := range p.Alerts {
		n, err := alertNotification(a, p.Status)
		if err != nil {
			return nil, invalidf("alert %d: %v", i, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func alertNotification(a amAlert, groupStatus string) (Notification, error) {
	st := Status(firstNonEmpty(a.Status, groupStatus))
	if st != Firing && st != Resolved {
		return Notification{}, invalidf("unknown status %q (want firing or resolved)", st)
	}
	summary := oneLine(a.Annotations["summary"])
	if summary == "" {
		summary = oneLine(a.Labels["alertname"])
		if inst := oneLine(a.Labels["instance"]); summary != "" && inst != "" {
			summary += " on " + inst
		}
	}
	if summary == "" {
		return Notification{}, invalidf("neither annotations.summary nor labels.alertname is set")
	}
	summary = truncate(summary, MaxTitle)
	sev := alertSeverity(a.Labels["severity"])
	key := a.Fingerprint
	if key == "" {
		key = labelsKey(a.Labels)
	}
	n := Notification{
		Source:   SourceAlertmanager,
		Key:      key,
		Title:    summary,
		Text:     truncate(strings.TrimSpace(a.Annotations["description"]), MaxText),
		Severity: sev,
		Labels:   a.Labels,
		Status:   st,
		URL:      a.GeneratorURL,
		Time:     a.StartsAt,
		Actions:  incidentActions(summary, sev, st, a.Labels),
	}
	if st == Resolved {
		n.Title = truncate("Resolved: "+summary, MaxTitle)
		if !a.EndsAt.IsZero() {
			n.Time = a.EndsAt
		}
	}
	return n, nil
}

func alertSeverity(s string) Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "page":
		return Critical
	case "info", "none", "low":
		return Info
	}
	return Warning
}
