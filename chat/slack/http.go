package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// EventsHandler serves the Events API request URL (/slack/events). Every
// request's signature is checked before its body is parsed: 401 for a
// missing, wrong or stale signature, 413 for a body over Config.MaxBody,
// 400 for a body that is not an event. url_verification is answered with
// its challenge. An event is acknowledged with 200 as soon as it is queued;
// 503 when the queue is full or the adapter is not running, so that Slack
// delivers it again later.
func (a *Adapter) EventsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.readSigned(w, r)
		if !ok {
			return
		}
		env, err := decodeEnvelope(body)
		if err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		switch env.Type {
		case "url_verification":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(struct {
				Challenge string `json:"challenge"`
			}{env.Challenge})
			return
		case "event_callback":
		default:
			if env.Type == "" {
				http.Error(w, "malformed event", http.StatusBadRequest)
				return
			}
			a.log.InfoContext(r.Context(), "slack: event envelope not handled", "type", env.Type)
			w.WriteHeader(http.StatusOK)
			return
		}
		if !a.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		in, ok := env.accept(a.botID)
		if !ok {
			w.WriteHeader(http.StatusOK)
			return
		}
		in.retry, _ = strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		a.enqueue(w, r, in)
	})
}

// InteractionsHandler serves the interactivity request URL
// (/slack/interactive) for the confirmation buttons, with the same checks
// and answers as EventsHandler.
func (a *Adapter) InteractionsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.readSigned(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("payload") == "" {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		in, ours, err := decodeClick([]byte(form.Get("payload")))
		switch {
		case err != nil:
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		case !ours:
			w.WriteHeader(http.StatusOK)
			return
		}
		a.enqueue(w, r, in)
	})
}

func (a *Adapter) enqueue(w http.ResponseWriter, r *http.Request, in inbound) {
	if err := a.submit(in); err != nil {
		a.log.WarnContext(r.Context(), "slack: event not accepted; Slack will deliver it again", "event", in.id, "err", err)
		w.Header().Set("Retry-After", "1")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// readSigned reads a POST body within the size limit and checks its
// signature, answering the request itself when either fails.
func (a *Adapter) readSigned(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	if a.cfg.SigningSecret == "" {
		http.Error(w, "events api not configured", http.StatusNotFound)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return nil, false
	}
	if err := a.verify.verify(r.Header, body); err != nil {
		a.log.WarnContext(r.Context(), "slack: rejected a request that is not verifiably from Slack", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}
