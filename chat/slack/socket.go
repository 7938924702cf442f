package slack

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// ackTimeout bounds the wait to hand an acknowledgement to the socket.
const ackTimeout = 2 * time.Second

// runSocket holds the Socket Mode connection until ctx ends. slack-go's
// client reconnects with back-off by itself when the socket drops or Slack
// asks for a refresh; should it give up on an error that is not an
// authentication failure, runSocket starts it again after a back-off of its
// own. Events queued before a drop are handled all the same, and an
// envelope Slack sends again after a reconnect is recognised by its event
// id.
func (a *Adapter) runSocket(ctx context.Context) error {
	opts := append([]socketmode.Option{socketmode.OptionLog(debugLog{a.log})}, a.cfg.SocketOptions...)
	sm := socketmode.New(a.api, opts...)
	done := make(chan error, 1)
	go func() { done <- a.keepConnected(ctx, sm) }()
	for {
		select {
		case err := <-done:
			return err
		case evt := <-sm.Events:
			a.onSocketEvent(ctx, sm, evt)
		}
	}
}

func (a *Adapter) keepConnected(ctx context.Context, sm *socketmode.Client) error {
	wait := time.Second
	for {
		err := sm.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if fatalSocketError(err) {
			return fmt.Errorf("slack: Socket Mode rejected the app-level token: %w", err)
		}
		a.log.WarnContext(ctx, "slack: Socket Mode stopped; starting it again", "err", err, "in", wait)
		if !sleep(ctx, wait) {
			return nil
		}
		wait = min(2*wait, time.Minute)
	}
}

func fatalSocketError(err error) bool {
	if err == nil {
		return false
	}
	for _, s := range []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// onSocketEvent acknowledges and queues one event from the socket. An
// envelope is acknowledged only once its event is queued: if the queue is
// full or the adapter is stopping it is left unacknowledged, and Slack
// sends it again.
func (a *Adapter) onSocketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
		req := evt.Request
		if req == nil {
			return
		}
		in, ok := a.fromEnvelope(ctx, evt.Type, req)
		if ok {
			in.retry = req.RetryAttempt
			if err := a.submit(in); err != nil {
				a.log.WarnContext(ctx, "slack: envelope left unacknowledged; Slack will send it again", "event", in.id, "err", err)
				return
			}
		}
		a.ack(ctx, sm, req)
	case socketmode.EventTypeSlashCommand:
		if evt.Request != nil {
			a.ack(ctx, sm, evt.Request)
		}
	case socketmode.EventTypeConnecting:
		a.log.DebugContext(ctx, "slack: connecting to Socket Mode")
	case socketmode.EventTypeConnected:
		a.log.InfoContext(ctx, "slack: connected to Socket Mode")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok {
			a.log.WarnContext(ctx, "slack: Socket Mode connection failed; retrying", "err", e.ErrorObj, "in", e.Backoff)
		}
	case socketmode.EventTypeInvalidAuth:
		a.log.ErrorContext(ctx, "slack: Socket Mode authentication failed")
	case socketmode.EventTypeDisconnect:
		a.log.InfoContext(ctx, "slack: Slack asked for a reconnect")
	case socketmode.EventTypeErrorBadMessage:
		a.log.WarnContext(ctx, "slack: unreadable Socket Mode message")
	case socketmode.EventTypeErrorWriteFailed:
		a.log.WarnContext(ctx, "slack: an acknowledgement could not be written; Slack will send that event again")
	}
}

// fromEnvelope reads an envelope's payload the way the HTTP handlers read a
// request body.
func (a *Adapter) fromEnvelope(ctx context.Context, typ socketmode.EventType, req *socketmode.Request) (inbound, bool) {
	if typ == socketmode.EventTypeInteractive {
		in, ok, err := decodeClick(req.Payload)
		if err != nil {
			a.log.WarnContext(ctx, "slack: malformed interaction envelope", "envelope", req.EnvelopeID, "err", err)
		}
		return in, ok
	}
	env, err := decodeEnvelope(req.Payload)
	if err != nil {
		a.log.WarnContext(ctx, "slack: malformed event envelope", "envelope", req.EnvelopeID, "err", err)
		return inbound{}, false
	}
	if env.Type != "event_callback" {
		return inbound{}, false
	}
	return env.accept(a.botID)
}

func (a *Adapter) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) {
	if req.EnvelopeID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := sm.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		a.log.WarnContext(ctx, "slack: acknowledgement not sent; Slack will send the envelope again", "envelope", req.EnvelopeID, "err", err)
	}
}

// debugLog sends slack-go's own log lines to slog at debug level.
type debugLog struct{ log *slog.Logger }

func (d debugLog) Output(_ int, s string) error {
	d.log.Debug("slack-go: " + strings.TrimSpace(s))
	return nil
}
