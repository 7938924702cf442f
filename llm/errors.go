package llm

import "errors"

// Errors Propose and Suggest wrap, with detail. On either, the caller goes
// on without the model: it answers from the local NLU or asks the person.
var (
	// ErrUnavailable: the model could not be asked or did not answer in
	// time (breaker open, timeout, rate limit, server error, network).
	ErrUnavailable = errors.New("llm: model unavailable")
	// ErrNoProposal: the model answered, but with nothing usable (no tool
	// call, several, an unknown tool, malformed arguments), or the request
	// was one the model must not see.
	ErrNoProposal = errors.New("llm: no usable proposal")
)
