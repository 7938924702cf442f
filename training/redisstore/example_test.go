package redisstore_test

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/training/redisstore"
)

// Every bot process retrains when any of them learns something.
func ExampleStore_Changes() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "127.0.0.1:6379",
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
	})
	defer client.Close()
	store := redisstore.New(client, "parley:")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := store.Changes(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
		}
		examples, err := store.Examples(ctx)
		if err != nil {
			log.Printf("reloading taught examples: %v", err)
			continue
		}
		log.Printf("retraining with %d taught examples", len(examples))
	}
}
