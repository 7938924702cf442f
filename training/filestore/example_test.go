package filestore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/parleybot/parley/training"
	"github.com/parleybot/parley/training/filestore"
)

func Example() {
	dir, err := os.MkdirTemp("", "parley-learned-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := filestore.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Teach(ctx, training.Teaching{Text: "bounce apache", Intent: "restart", By: "alice", Source: "chat"}); err != nil {
		log.Fatal(err)
	}
	// Two people pick the same "Did you mean…?" answer.
	c, _ := s.Propose(ctx, training.Candidate{Text: "kick the api", Intent: "restart", By: "bob", Source: "did-you-mean"})
	c, _ = s.Propose(ctx, training.Candidate{Text: "Kick the API!", Intent: "restart", By: "carol", Source: "did-you-mean"})
	fmt.Printf("queued %q ×%d\n", c.Text, c.Count)
	if _, err := s.Resolve(ctx, c.ID, training.Decision{Approve: true, Intent: "deploy", By: "dan"}); err != nil {
		log.Fatal(err)
	}
	s.Close()

	// Everything is back after a restart.
	s, err = filestore.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	examples, _ := s.Examples(ctx)
	for _, t := range examples {
		fmt.Printf("%s → %s (%s, by %s)\n", t.Text, t.Intent, t.Source, t.By)
	}
	// Output:
	// queued "kick the api" ×2
	// bounce apache → restart (chat, by alice)
	// kick the api → deploy (review, by dan)
}
