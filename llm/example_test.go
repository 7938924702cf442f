package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/parleybot/parley/llm"
	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/skills"
)

func ExampleSchema() {
	restart := &skills.Skill{
		Name:        "restart_service",
		Description: "Restart a service on a host.",
		Risk:        skills.Dangerous,
		Params: []skills.Param{
			{Name: "service", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"nginx", "apache"}}), Required: true, Question: "Which service?"},
			{Name: "host", Type: skills.MustType(skills.TypeSpec{Name: "host"}), Required: true, Question: "Which host?"},
			{Name: "delay", Type: skills.MustType(skills.TypeSpec{Name: "int", Min: 0, Max: 300}), Default: "0", Question: "How many seconds to wait first?"},
			{Name: "sudo_password", Type: skills.MustType(skills.TypeSpec{Name: "text"}), Secret: true},
		},
		Executor: skills.ExecutorFunc(func(context.Context, skills.Call) (skills.Result, error) { return skills.Result{}, nil }),
	}
	raw, err := llm.Schema(restart)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	_ = json.Indent(&out, raw, "", "  ")
	fmt.Println(out.String())
	// Output:
	// {
	//   "additionalProperties": false,
	//   "properties": {
	//     "delay": {
	//       "description": "How many seconds to wait first? (a whole number from 0 to 300; default: 0)",
	//       "maximum": 300,
	//       "minimum": 0,
	//       "type": "integer"
	//     },
	//     "host": {
	//       "description": "Which host? (a host name or IP address, like web-1 or 10.0.0.5)",
	//       "type": "string"
	//     },
	//     "service": {
	//       "description": "Which service?",
	//       "enum": [
	//         "nginx",
	//         "apache"
	//       ],
	//       "type": "string"
	//     }
	//   },
	//   "required": [
	//     "service",
	//     "host"
	//   ],
	//   "type": "object"
	// }
}

// A dialog engine asks the model only when its own understanding fell
// short, and treats what comes back as a message it understood itself.
func ExampleAssistant_Propose() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// A local OpenAI-compatible server answering with one tool call.
		fmt.Fprint(w, `{"id":"c1","object":"chat.completion","choices":[{"index":0,"finish_reason":"tool_calls",
			"message":{"role":"assistant","tool_calls":[{"id":"t1","type":"function",
			"function":{"name":"deploy","arguments":"{\"app\":\"billing\",\"environment\":\"prod\",\"replicas\":40}"}}]}}],
			"usage":{"prompt_tokens":180,"completion_tokens":20,"total_tokens":200}}`)
	}))
	defer srv.Close()

	deploy := &skills.Skill{
		Name: "deploy", Description: "Deploy an app to an environment.", Risk: skills.Dangerous,
		Params: []skills.Param{
			{Name: "app", Type: skills.MustType(skills.TypeSpec{Name: "name"}), Required: true, Question: "Which app?"},
			{Name: "environment", Type: skills.MustType(skills.TypeSpec{Name: "enum", Values: []string{"staging", "production"},
				Synonyms: map[string][]string{"production": {"prod"}}}), Required: true, Question: "Where to?"},
			{Name: "replicas", Type: skills.MustType(skills.TypeSpec{Name: "int", Min: 1, Max: 20}), Question: "How many replicas?"},
		},
	}
	a, err := llm.New(llm.Config{BaseURL: srv.URL + "/v1", Model: "qwen2.5:7b"})
	if err != nil {
		panic(err)
	}
	p, err := a.Propose(context.Background(), llm.Request{
		Text:   "could you push billing out to prod, 40 replicas",
		Skills: []*skills.Skill{deploy}, // only what this person may run
		Local:  nlu.Result{Intent: nlu.OutOfScope},
	})
	switch {
	case errors.Is(err, llm.ErrUnavailable), errors.Is(err, llm.ErrNoProposal):
		fmt.Println("fall back to the local NLU")
	case err != nil:
		panic(err)
	default:
		// The engine binds p.Params like any message's values, asks for
		// what is missing, checks roles and confirms.
		fmt.Println(p.Skill, p.Params, "rejected:", p.Rejected)
	}
	// Output:
	// deploy map[app:billing environment:production] rejected: [replicas]
}
