package memstore_test

import (
	"context"
	"fmt"

	"github.com/parleybot/parley/dialog/memstore"
)

func ExampleStore() {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})

	// Create: version 0 means "absent".
	v, err := s.Swap(ctx, "slack:T1:U2", 0, []byte(`{"state":"asking"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A writer still holding version 0 has lost the race.
	_, err = s.Swap(ctx, "slack:T1:U2", 0, []byte(`{"state":"other"}`))
	fmt.Println(err)

	data, loaded, _ := s.Load(ctx, "slack:T1:U2")
	fmt.Println(string(data), loaded == v)
	// Output:
	// conversation changed concurrently
	// {"state":"asking"} true
}
