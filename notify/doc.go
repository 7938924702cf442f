// Package notify pushes context into chat channels: it receives
// notifications from GitHub, Prometheus Alertmanager and a generic JSON
// format on POST /hooks/{source}, routes each to its channels, and keeps
// the noise down before a Sink (the chat adapter) posts them.
//
// # Pieces
//
//   - Parsers, pure functions from a request body to []Notification:
//     ParseGitHub (with VerifyGitHub for X-Hub-Signature-256),
//     ParseAlertmanager and ParseGeneric. Their errors wrap ErrInvalid and
//     are worded for the sender.
//   - Router: ordered Rules matching source, repository glob, least
//     severity and labels; the first match decides, else the default
//     channel. A sender's own "channel" counts only where the matching
//     rule has AllowExplicit.
//   - Hub: the noise reducer, described below.
//   - Handler: the HTTP endpoint in front of a Hub.
//   - Sink: what posts and updates messages. TextSink writes them for the
//     shell; RecordingSink keeps them for tests; the Slack adapter turns
//     Message.Actions into buttons.
//
// # Noise
//
// In each channel, the Hub applies these rules in order:
//
//   - Grouping. A firing notification with the Key (and source) of a
//     message posted less than Config.Window ago updates that message,
//     "disk full on db-1 (fired 12 times in 9 min)", instead of posting.
//     Updates of one message are at least Config.UpdateEvery apart; Run's
//     ticker (or Flush) shows the last count. A notification with the same
//     source Time as the last one counted is a resend of the same firing
//     (Alertmanager resends every alert of a group when one changes) and
//     is not counted again.
//   - Resolving. A resolved notification whose Key has an unresolved
//     message (kept for Config.ResolveWithin, not just Window) updates it
//     at once, "✅ resolved after 14 min", and drops its actions, in
//     whichever channels the firing went to (a successful workflow run is
//     info and may route elsewhere than the failure it resolves). A
//     resolution with no message to update is posted on its own, as info.
//   - Quiet hours. In a channel's quiet hours anything but a critical
//     firing is held and posted as one digest when they end.
//   - Rate limit. A channel gets at most Config.RatePerMinute messages per
//     sliding minute, digests included. Beyond that, and while a digest is
//     pending, notifications go into a digest ("5 more notifications in
//     the last minute: 3× disk full on db-1, …") posted once it is a
//     minute old and the limit allows, or as soon as the limit allows if
//     it holds a critical. A critical posts on its own whenever the limit
//     allows.
//
// Nothing is dropped silently: when the queue to the chat is full, or
// posting fails, the notification goes into the channel's digest instead.
// Memory is bounded: digests list at most Config.DigestItems items and
// count the rest; the Hub remembers at most 10,000 messages, forgetting
// resolved ones a Window after resolution and unresolved ones after
// ResolveWithin.
//
// A firing notification whose labels name an incident ("incident": "42")
// offers the Action "ack #42"; any other firing warning or critical offers
// "open an incident: <title>". Action commands are chat text that goes through the NLU like
// anything a person types, so the parsers flatten titles spliced into
// them to one line of at most 120 characters.
//
// # Configuration
//
// Config is built by package config from YAML. These are the field names
// proposed for it, under "notify:" (durations in Go syntax):
//
//	notify:
//	  default: "#ops"              # Config.Default (required)
//	  window: 10m                  # Config.Window
//	  rate_per_minute: 20          # Config.RatePerMinute
//	  update_every: 30s            # Config.UpdateEvery
//	  resolve_within: 24h          # Config.ResolveWithin
//	  digest_items: 1000           # Config.DigestItems
//	  queue: 1024                  # Config.Queue
//	  routes:                      # Config.Routes, first match wins
//	    - source: alertmanager     # Rule.Source: github, alertmanager, generic
//	      severity: critical       # Rule.Severity: the least severity
//	      labels: {team: payments} # Rule.Labels: all must match
//	      channels: ["#payments-oncall"]
//	    - source: github
//	      repository: "acme/*"     # Rule.Repository: path.Match glob
//	      channels: ["#dev"]
//	    - source: generic
//	      allow_explicit: true     # Rule.AllowExplicit
//	      channels: ["#integrations"]
//	  quiet_hours:                 # Config.QuietHours, by channel
//	    "#dev": {from: "22:00", to: "07:00", time_zone: "Europe/Berlin"}
//	  secrets:                     # Secrets, read from the environment by cmd/parley
//	    github_env: PARLEY_GITHUB_WEBHOOK_SECRET
//	    token_env: {generic: PARLEY_HOOK_TOKEN_GENERIC, alertmanager: PARLEY_HOOK_TOKEN_ALERTMANAGER}
//
// Quiet hours name IANA time zones: a binary that may run without a
// system time zone database should import time/tzdata.
//
// This package imports only the standard library. It must not import
// the dialog engine, the NLU, chat adapters or config: cmd/parley wires
// a chat adapter in as a Sink and maps the configuration onto Config.
package notify
