package eval_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleybot/parley/nlu"
	"github.com/parleybot/parley/nlu/eval"
)

func ExampleScore() {
	test := []nlu.Example{
		{Text: "restart nginx", Intent: "restart_service"},
		{Text: "is nginx up", Intent: "service_status"},
		{Text: "order a pizza", Intent: "oos"},
	}
	// A stand-in for a trained *nlu.Model.
	model := eval.ParserFunc(func(_ context.Context, text string) (nlu.Result, error) {
		if strings.HasPrefix(text, "restart") {
			return nlu.Result{Intent: "restart_service", Confidence: 0.9}, nil
		}
		return nlu.Result{Intent: nlu.OutOfScope, Confidence: 0.3}, nil
	})
	r, err := eval.Score(context.Background(), model, test)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.2f, in scope %.2f, out-of-scope recall %.2f\n", r.IntentAccuracy, *r.InScopeAccuracy, *r.OOSRecall)
	for _, c := range r.Confusions {
		fmt.Printf("%s → %s: %d\n", c.Gold, c.Predicted, c.Count)
	}
	// Output:
	// accuracy 0.67, in scope 0.50, out-of-scope recall 1.00
	// service_status → oos: 1
}
