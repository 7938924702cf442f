// Package netcheck holds read-only network checks for skills: resolving a
// hostname and fetching a URL's status. The checks only look; they never
// send data beyond a GET, and they report what they found in one line fit
// for chat. A failure to reach something is a *skills.UserError with a short,
// plain reason; the raw error stays out of the reply.
//
// Both checks take their network access from the caller (a Resolver, an
// *http.Client), so tests run against fakes and local servers. The package
// must not import the dialog manager, the NLU pipeline or any store.
package netcheck
