package slack_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	chatslack "github.com/parleybot/parley/chat/slack"
)

// Wiring an Adapter for the Events API; with an AppToken instead of a
// SigningSecret, Run holds a Socket Mode connection and no handler is
// needed.
func Example() {
	var engine chatslack.Engine // b.Engine of a bot.Bot
	a, err := chatslack.New(chatslack.Config{
		BotToken:      chatslack.Secret(os.Getenv("PARLEY_SLACK_BOT_TOKEN")),
		SigningSecret: chatslack.Secret(os.Getenv("PARLEY_SLACK_SIGNING_SECRET")),
		Users:         map[string]string{"U0123ABCD": "alice"},
		Groups:        map[string][]string{"S0123ABCD": {"ops"}},
		Logger:        slog.Default(),
	}, engine)
	if err != nil {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/slack/events", a.EventsHandler())
	mux.Handle("/slack/interactive", a.InteractionsHandler())
	go http.ListenAndServe("127.0.0.1:8080", mux)
	_ = a.Run(context.Background()) // until the context ends, then drains
}
