// Package incident keeps a small incident log in skills.State and offers
// the executors to open, list, acknowledge and resolve incidents from chat.
//
// Each incident is one JSON record under "incident:<id>"; ids come from the
// counter "incident:seq" and are indexed, oldest first, in the list
// "incident:ids". Status changes read, modify and write one record, so two
// concurrent changes of the same incident are last-writer-wins: two acks
// racing keep one of the two history entries, and an ack racing a resolve
// can leave the incident acknowledged, which resolving it again mends. Each
// transition is idempotent, so retrying one is always safe.
//
// This package must not import the dialog manager, the NLU pipeline or any
// store implementation: it sees storage only through skills.State.
package incident
