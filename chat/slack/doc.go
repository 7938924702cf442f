// Package slack connects Parley to Slack: it receives messages and button
// clicks over Socket Mode or the Events API, hands them to the dialog
// engine, and posts the replies back, in threads, paced and escaped.
//
// # Transports
//
// With an app-level token the Adapter runs Socket Mode (no public URL
// needed): it acknowledges every envelope as soon as the event is queued,
// and slack-go's socketmode client reconnects with back-off when the socket
// drops or Slack asks for a refresh. Without one it serves the Events API:
// EventsHandler and InteractionsHandler verify each request's signature
// (HMAC v0 over the timestamp and raw body, five-minute window, constant-time
// compare) before parsing anything, answer url_verification, and answer
// 200 as soon as the event is queued. A full queue answers 503, so that
// Slack delivers the event again later instead of it being dropped.
//
// # Exactly once
//
// Slack delivers an event again when it believes it was not acknowledged
// (X-Slack-Retry-Num, retry_attempt), possibly to another bot process. The
// Adapter asks a dedupe.Deduper about each event id (for clicks, the
// action's timestamp and user) just before acting on it; with the Redis
// deduper every process behind one Slack app shares the answer. When the
// answer cannot be had the event is dropped and logged (fail closed): see
// package dedupe.
//
// # Conversation
//
// In channels Parley answers when mentioned, and takes a person's next
// message without a mention while it waits for their answer (a missing
// parameter, a yes or no) in that thread, or at the top of that channel.
// In direct messages every message is for it. Replies go in the thread of
// the message that started the dialog; the dialog key is (user, channel,
// thread). Messages of one person in one channel are handled in order;
// everything else in parallel.
//
// Confirmations carry Confirm and Cancel buttons. A click is accepted only
// from the person who asked, goes through the engine as their "yes" or
// "no", and then replaces the buttons with the outcome and who decided.
//
// # Output
//
// Every reply is escaped (&, <, > as entities; @channel, @here and
// @everyone broken with a zero-width space) and posted with markdown off;
// block text is plain_text, which Slack neither formats nor parses for
// mentions. No value a person typed can ping anyone or format a message. Long
// replies are truncated to Slack's limit with a note, or uploaded as a
// snippet above Config.UploadAbove characters. Messages to one channel are
// paced by a token bucket (about one a second) and retried after a 429's
// Retry-After, each channel on its own goroutine so a slow channel never
// holds up another.
//
// The package imports dialog for messages and outcomes, dedupe, and
// slack-go; it must not import bot or config, which cmd/parley wires in.
package slack
