// Package httpexec calls a configured HTTP API for a skill.
//
// A Spec holds a request template: a method, a URL such as
//
//	https://api.example.com/v1/accounts/{account}/trial?days={days}
//
// headers, and a body, whose {name} placeholders name the skill's
// parameters and whose ${NAME} references name secrets the caller resolved
// from its environment. Each placeholder is encoded for the position it
// fills: a path value becomes exactly one path segment, a query or form
// value exactly one value, a JSON value exactly one JSON string or number.
// No value can add a path segment, a query parameter, a header or a JSON
// field, and none can change the host, which comes from the template alone.
// Only a "text" body, which a Spec must choose explicitly, is filled as it
// is.
//
// Requests go only to hosts on the Spec's allow-list, redirects included,
// and never to loopback, private, link-local or other internal addresses
// unless the allow-list names those addresses (or their network) itself.
// The address check runs on the address actually dialled, after name
// resolution, so a name that resolves to an internal address is refused
// however it got there. TLS certificates are verified unless the Spec turns
// that off. Secret values never appear in results or errors: they are
// scrubbed from response bodies too.
//
// The reply is either a template over the JSON response (a small path
// syntax: .a.b, .items[0].name, .items[*].name) or the status and the start
// of the body. A response outside 2xx is a *skills.UserError with the status
// and a short, cleaned excerpt of the body.
//
// The package owns request templates, the address guard and response
// rendering. It must not read the process environment, nor import the
// dialog manager, the NLU pipeline or any store; the only Parley package it
// depends on is skills.
package httpexec
