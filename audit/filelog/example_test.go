package filelog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parleybot/parley/audit"
	"github.com/parleybot/parley/audit/filelog"
)

func Example() {
	dir, _ := os.MkdirTemp("", "audit")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	log, err := filelog.Open(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()
	params := map[string]string{"app": "checkout", "environment": "production", "token": "ghp_123"}
	r, err := log.Append(ctx, audit.Record{
		Kind:    audit.Executed,
		User:    "alice",
		Skill:   "deploy",
		Params:  audit.Redact(params, nil),
		Message: audit.RedactText("deploy checkout to production with ghp_123", []string{"ghp_123"}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Seq, r.Params["token"], r.Message)
	v, _ := log.Verify(ctx)
	fmt.Println(v)
	// Output:
	// 1 •••• deploy checkout to production with ••••
	// 1 record, chain intact
}
