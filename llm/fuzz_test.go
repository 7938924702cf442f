package llm

import (
	"slices"
	"testing"

	"github.com/parleybot/parley/skills"
)

// FuzzProposal feeds arbitrary tool calls to the validation: it never
// panics, never proposes a skill that was not offered, and every value it
// keeps belongs to a declared, non-secret parameter and parses by its type.
func FuzzProposal(f *testing.F) {
	f.Add("restart nginx on web-1", "restart_service", `{"service":"nginx","host":"web-1"}`)
	f.Add("ship billing to prod", "deploy", `{"app":"billing","environment":"prod","replicas":3,"token":"x"}`)
	f.Add("look up a.example.com", "dns_lookup", `{"name":"a.example.com","wait":"2m"}`)
	f.Add("x", "deploy", `{"app":"billing","app":"checkout"}`)
	f.Add("x", "deploy", `{"replicas":1e999}`)
	f.Add("x", "rotate_password", `{"user":"alice","password":"hunter2"}`)
	f.Add("x", "dns.lookup", `{}`)
	f.Add("x", "restart_service", `{"host":"web-1"`)
	f.Add("x", "restart_service", `{"host":["a"]} x`)
	cat := testCatalog(f).All()
	offered := slices.DeleteFunc(slices.Clone(cat), func(s *skills.Skill) bool { return s.Name == "rotate_password" })
	f.Fuzz(func(t *testing.T, text, name, args string) {
		o, err := newOffer(Request{Text: text, Skills: offered})
		if err != nil {
			return
		}
		p, err := o.proposal(reply{calls: []toolCall{{typ: "function", name: name, args: args}}})
		if err != nil {
			if p.Skill != "" {
				t.Fatalf("an error with a skill: %+v", p)
			}
			return
		}
		i := slices.IndexFunc(offered, func(s *skills.Skill) bool { return s.Name == p.Skill })
		if i < 0 {
			t.Fatalf("proposed %q, which was not offered", p.Skill)
		}
		for k, v := range p.Params {
			param := offered[i].Param(k)
			if param == nil || param.Secret {
				t.Fatalf("kept %q, not a public parameter of %s", k, p.Skill)
			}
			if _, err := param.Type.Parse(v); err != nil {
				t.Fatalf("kept %s=%q, which does not parse: %v", k, v, err)
			}
			if slices.Contains(p.Rejected, k) {
				t.Fatalf("%s both kept and rejected", k)
			}
		}
	})
}
