package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/dialog"
	"github.com/parleybot/parley/dialog/redisstore"
)

func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:6379",
		// Without this, go-redis ignores the context's deadline and
		// waits for its own ReadTimeout.
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
	})
	defer client.Close()
	store := redisstore.New(client, redisstore.Options{Prefix: "parley:", TTL: 15 * time.Minute})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	data, version, err := store.Load(ctx, "slack:T1:U2")
	if errors.Is(err, dialog.ErrUnavailable) {
		fmt.Println("Sorry, I cannot reach my memory right now; please try again in a minute.")
		return
	}
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	next := append(data, '!')
	if _, err := store.Swap(ctx, "slack:T1:U2", version, next); errors.Is(err, dialog.ErrConflict) {
		fmt.Println("another message changed this conversation first: load and apply again")
	}
}
