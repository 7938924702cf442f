// Package llm asks a large language model, through any OpenAI-compatible
// chat-completions API (OpenAI, llama.cpp, Ollama, vLLM), what a message
// the local NLU could not place means. It is off unless configured.
//
// # Safety model
//
// The model proposes; it never acts. Propose offers the model the skills
// the person may run, each as a function tool whose JSON Schema is built
// from the parameter declarations (see Schema), and returns at most a
// Proposal: a skill name and raw parameter values. Everything a person's
// own message goes through still applies to it afterwards in the dialog
// engine: binding by the parameters' types, roles and rules, confirmation,
// second factors, approvals and the audit trail. So a model can never do
// more than the person asking could do by typing the request themselves,
// and a prompt injection in a message gains nothing the author lacks.
//
// The reply is validated strictly before it becomes a Proposal:
//
//   - exactly one tool call, to one of the tools offered; anything else
//     (no call, several, an unknown skill, arguments that are not one JSON
//     object) is ErrNoProposal, and the caller falls back to asking;
//   - each argument must be a declared, non-secret parameter with a
//     string, number or boolean value that parses by its parameter's type,
//     and the value must be one the person gave: it, or a phrase of the
//     message, the dialog so far or the NLU's entities that parses to the
//     same canonical value, must appear in what was said. The model may
//     normalise ("prod" to production) and place values, never add them.
//     Other arguments are dropped and named in Proposal.Rejected;
//   - missing parameters are simply missing: the engine asks for them.
//
// # What the model sees
//
// The person's message, the tool schemas, the pending dialog (the skill,
// the parameter asked for, the values known so far) and the local NLU's
// intent names, confidences and entity types and surface texts. Never a
// secret: secret parameters are left out of every schema, secret values
// are dropped from the pending context, and a message that answers a
// question for a secret parameter is not sent at all. Requests are
// logged at debug level as sent; the API key is a Secret that never
// prints, and travels only in the Authorization header (no header at all
// when it is empty, as local servers expect).
//
// # When the model is slow or down
//
// Each Propose call has a strict timeout (3 s by default); the
// go-openai client itself never retries, so a 429 or a 5xx fails at once.
// After repeated failures a circuit breaker refuses calls for a cooldown,
// then lets one trial call through. Every failure is ErrUnavailable and
// the caller goes on with the local NLU. Replies are cached (LRU with a
// TTL) by normalised text, offered skills and pending context, and are
// validated again on every use. Stats counts calls, errors, timeouts,
// tokens, cache hits, accepted and rejected proposals and latencies.
//
// Suggest asks for paraphrases of a skill's examples for `parley train
// suggest`; they are returned for a person to review, never added by
// themselves.
//
// This package imports skills for the catalog's declarations and nlu for
// results; it must not import the dialog engine, any store, or the chat
// adapters: the engine calls it, not the other way round.
package llm
