package httpexec_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/parleybot/parley/skills"
	"github.com/parleybot/parley/skills/httpexec"
)

// An HTTP skill that extends a trial through a billing API and replies with
// fields of the JSON answer.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s\n", r.Method, r.RequestURI, body)
		_, _ = io.WriteString(w, `{"account": {"name": "acme", "trial_ends": "2030-02-14"}}`)
	}))
	defer api.Close()

	skill := &skills.Skill{
		Name: "extend_trial",
		Params: []skills.Param{
			{Name: "account", Type: skills.MustType(skills.TypeSpec{Name: "name"})},
			{Name: "days", Type: skills.MustType(skills.TypeSpec{Name: "int", Min: 1, Max: 90})},
		},
	}
	e, err := httpexec.New(httpexec.Spec{
		Method:     "POST",
		URL:        api.URL + "/v1/accounts/{account}/trial",
		Headers:    map[string]string{"Authorization": "Bearer ${BILLING_TOKEN}"},
		Secrets:    map[string]string{"BILLING_TOKEN": "example-token"}, // read from the environment by the caller
		Body:       `{"extend_days": {days}, "reason": "asked in chat"}`,
		BodyFormat: "json",
		AllowHosts: []string{"127.0.0.1"}, // the test server; normally "billing.example.com"
		Response:   "Trial for {.account.name} now ends {.account.trial_ends}.",
	}, []string{"account", "days"})
	if err != nil {
		fmt.Println(err)
		return
	}
	args, err := skill.Bind(map[string]string{"account": "acme", "days": "30"}, skills.Caller{User: "alice"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := e.Execute(context.Background(), skills.Call{Skill: skill, Args: args})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Text)
	// Output:
	// POST /v1/accounts/acme/trial {"extend_days": 30, "reason": "asked in chat"}
	// Trial for acme now ends 2030-02-14.
}
