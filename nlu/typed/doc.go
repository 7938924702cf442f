// Package typed owns the strict parsers for typed values in chat text (IP
// addresses, host names, links, email addresses, whole numbers, durations,
// versions, commit hashes and incident numbers) and Scan, which finds such
// values in a message with their rune spans.
//
// The parsers are a security boundary: what they accept is what reaches a
// skill's executor. Each returns a canonical value or an error whose message
// is a short reason fit to show the person in chat. Host names, addresses,
// versions and hashes never contain whitespace, control characters, shell
// metacharacters or non-ASCII look-alikes, and never start with '-'. Links
// are canonicalised so that only '&' (after a '?') is left of the
// characters a shell treats specially; executors must still pass every
// value as a separate argument, never through a shell.
//
// Scan is tuned for precision: it runs on every message, so plain words are
// never reported as host names and file names are never reported as domains.
//
// Everything here is immutable and safe for concurrent use. This package
// imports only the standard library.
package typed
