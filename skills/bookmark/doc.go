// Package bookmark keeps the team's shared links in skills.State and offers
// the executors to save and find them from chat.
//
// Each bookmark is one JSON record under "bookmark:<hash of its URL>", so a
// URL saved twice is one bookmark whose name the second save updates; the
// list "bookmark:urls" indexes them in order of first save. Two people
// saving the same new URL at the same moment can both add it to the index;
// readers drop such duplicates, and the record itself is last-writer-wins.
//
// This package must not import the dialog manager, the NLU pipeline or any
// store implementation: it sees storage only through skills.State.
package bookmark
