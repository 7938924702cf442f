// Package config defines Parley's configuration file: its types, the
// embedded default (the demo setup `make run` uses), strict loading with
// line numbers, and validation that names the field and the reason.
//
// It imports only skills (for the parameter type names), so every other
// package may read it. Flags and environment variables are read in cmd/
// only.
package config
