package audit_test

import (
	"fmt"
	"time"

	"github.com/parleybot/parley/audit"
)

func ExampleParseQuestion() {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC) // a Wednesday
	verbs := map[string]string{"deploy": "deploy", "deploys": "deploy", "deployed": "deploy"}
	for _, text := range []string{"who deployed checkout this week?", "what did alice run today?", "deploy checkout"} {
		f, ok := audit.ParseQuestion(text, now, verbs)
		fmt.Printf("%-34q ok=%-5v user=%q skill=%q value=%q since=%s kinds=%v\n",
			text, ok, f.User, f.Skill, f.Value, f.Since.Format(time.DateOnly), f.Kinds)
	}
	// Output:
	// "who deployed checkout this week?" ok=true  user="" skill="deploy" value="checkout" since=2026-03-02 kinds=[executed failed]
	// "what did alice run today?"        ok=true  user="alice" skill="" value="" since=2026-03-04 kinds=[]
	// "deploy checkout"                  ok=false user="" skill="" value="" since=0001-01-01 kinds=[]
}

func ExampleSummarise() {
	now := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	records := []audit.Record{
		{Time: now.Add(-4 * time.Hour), Kind: audit.Executed, User: "alice", Skill: "deploy",
			Params: map[string]string{"app": "checkout", "environment": "production"}, Result: "done", Duration: 1200 * time.Millisecond},
		{Time: now.Add(-time.Hour), Kind: audit.Refused, User: "bob", Skill: "deploy",
			Params: map[string]string{"app": "billing"}, Error: "needs the deployer role"},
	}
	fmt.Println(audit.Summarise(records, now))
	// Output:
	// 11:30 alice deploy app=checkout environment=production → done (1.2s)
	// 14:30 bob deploy app=billing → refused: needs the deployer role
}

func ExampleRedact() {
	params := map[string]string{"app": "checkout", "token": "ghp_123", "pin": "0000"}
	secret := func(name string) bool { return name == "pin" } // the skill's Secret parameters
	fmt.Println(audit.ParamsText(audit.Redact(params, secret)))
	fmt.Println(audit.RedactText("deploy checkout with token ghp_123", []string{"ghp_123", "0000"}))
	// Output:
	// app=checkout pin=•••• token=••••
	// deploy checkout with token ••••
}

func ExampleChecker() {
	var recs []audit.Record
	prev := ""
	for i := range 3 {
		r, _ := audit.Seal(audit.Record{Kind: audit.Executed, User: "alice", Skill: "deploy"}, int64(i+1), prev, time.Unix(0, 0))
		recs, prev = append(recs, r), r.Hash
	}
	recs[1].User = "mallory"
	var c audit.Checker
	for _, r := range recs {
		c.Add(r)
	}
	fmt.Println(c.Result())
	// Output:
	// chain broken at record 2: record 2 was edited after it was written: its contents no longer match its hash
}
