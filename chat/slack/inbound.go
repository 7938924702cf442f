package slack

import (
	"encoding/json"
	"fmt"
	"strings"
)

// kind is what an inbound event asks of the bot.
type kind int

const (
	kindMention kind = iota // app_mention in a channel
	kindMessage             // a message without a mention (channel or DM)
	kindClick               // a Confirm or Cancel button
)

// inbound is one event worth handling, whichever transport brought it.
type inbound struct {
	id      string // dedupe id
	kind    kind
	user    string
	channel string
	dm      bool
	text    string
	ts      string
	thread  string // thread_ts; "" at the top of a channel
	retry   int    // delivery attempt as Slack numbers it (0 = first)
	click   *click
}

// route is the dispatcher key: one person in one channel, handled in order.
func (in inbound) route() string {
	user := in.user
	if in.click != nil {
		user = in.click.asker
	}
	return user + "\x00" + in.channel
}

// click is a press of one of our confirmation buttons.
type click struct {
	yes       bool
	asker     string // Slack id of the person who asked
	thread    string // the dialog's thread
	messageTS string // the message holding the buttons
	question  string // its text, as Slack stores it (escaped)
}

// Action ids of the confirmation buttons.
const (
	actionConfirm = "parley_confirm"
	actionCancel  = "parley_cancel"
	blockConfirm  = "parley_confirmation"
)

// buttonValue identifies the dialog a button answers.
type buttonValue struct {
	User   string `json:"u"`
	Thread string `json:"t"`
}

// envelope is the part of an Events API payload Parley reads. The same
// JSON arrives as the body of an HTTP request and as a Socket Mode
// envelope's payload.
type envelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type        string `json:"type"`
		Subtype     string `json:"subtype"`
		User        string `json:"user"`
		BotID       string `json:"bot_id"`
		Text        string `json:"text"`
		TS          string `json:"ts"`
		ThreadTS    string `json:"thread_ts"`
		Channel     string `json:"channel"`
		ChannelType string `json:"channel_type"`
	} `json:"event"`
}

func decodeEnvelope(data []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return env, fmt.Errorf("decoding event: %w", err)
	}
	return env, nil
}

// accept picks the events Parley acts on from an event_callback. It drops
// what is certainly not for the bot: its own and other bots' messages,
// edits and other subtypes, and the message event that duplicates an
// app_mention in a channel.
func (env envelope) accept(botID string) (inbound, bool) {
	e := env.Event
	if env.EventID == "" || e.User == "" || e.Channel == "" || e.User == botID || e.BotID != "" {
		return inbound{}, false
	}
	if e.Subtype != "" && e.Subtype != "thread_broadcast" {
		return inbound{}, false
	}
	dm := e.ChannelType == "im" || strings.HasPrefix(e.Channel, "D")
	in := inbound{id: "event:" + env.EventID, user: e.User, channel: e.Channel, dm: dm, text: e.Text, ts: e.TS, thread: e.ThreadTS}
	switch e.Type {
	case "app_mention":
		if dm {
			return inbound{}, false // the message.im event carries it
		}
		in.kind = kindMention
	case "message":
		if !dm && botID != "" && strings.Contains(e.Text, "<@"+botID) {
			return inbound{}, false // the app_mention event carries it
		}
		in.kind = kindMessage
	default:
		return inbound{}, false
	}
	return in, true
}

// actionPayload is the part of a block_actions payload Parley reads.
type actionPayload struct {
	Type      string              `json:"type"`
	User      struct{ ID string } `json:"user"`
	Channel   struct{ ID string } `json:"channel"`
	Container struct {
		ChannelID string `json:"channel_id"`
		MessageTS string `json:"message_ts"`
	} `json:"container"`
	Message struct {
		TS   string `json:"ts"`
		Text string `json:"text"`
	} `json:"message"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		ActionTS string `json:"action_ts"`
	} `json:"actions"`
}

// where returns the channel and the message a press happened in.
func (p actionPayload) where() (channel, messageTS string) {
	channel, messageTS = p.Container.ChannelID, p.Container.MessageTS
	if channel == "" {
		channel = p.Channel.ID
	}
	if messageTS == "" {
		messageTS = p.Message.TS
	}
	return channel, messageTS
}

// decodeClick reads an interaction payload. ok is false for interactions
// that are not one of our buttons; err is set for malformed JSON.
func decodeClick(data []byte) (in inbound, ok bool, err error) {
	var p actionPayload
	if err := json.Unmarshal(data, &p); err != nil {
		return inbound{}, false, fmt.Errorf("decoding interaction: %w", err)
	}
	if p.Type != "block_actions" || len(p.Actions) != 1 || p.User.ID == "" {
		return inbound{}, false, nil
	}
	a := p.Actions[0]
	if strings.HasPrefix(a.ActionID, actionNotice) {
		return decodeNoticeClick(p)
	}
	if a.ActionID != actionConfirm && a.ActionID != actionCancel {
		return inbound{}, false, nil
	}
	var v buttonValue
	if json.Unmarshal([]byte(a.Value), &v) != nil || v.User == "" {
		return inbound{}, false, nil
	}
	channel, msgTS := p.where()
	if channel == "" || msgTS == "" || a.ActionTS == "" {
		return inbound{}, false, nil
	}
	return inbound{
		id: "action:" + a.ActionTS + ":" + p.User.ID, kind: kindClick,
		user: p.User.ID, channel: channel, dm: strings.HasPrefix(channel, "D"), thread: v.Thread,
		click: &click{yes: a.ActionID == actionConfirm, asker: v.User, thread: v.Thread, messageTS: msgTS, question: p.Message.Text},
	}, true, nil
}

// decodeNoticeClick reads a press of a notification's button as the
// person saying its command to the bot in the notification's thread.
func decodeNoticeClick(p actionPayload) (inbound, bool, error) {
	a := p.Actions[0]
	channel, msgTS := p.where()
	if channel == "" || msgTS == "" || a.ActionTS == "" || strings.TrimSpace(a.Value) == "" || len(a.Value) > maxCommand {
		return inbound{}, false, nil
	}
	return inbound{
		id: "action:" + a.ActionTS + ":" + p.User.ID, kind: kindMention,
		user: p.User.ID, channel: channel, dm: strings.HasPrefix(channel, "D"),
		text: a.Value, ts: msgTS,
	}, true, nil
}
