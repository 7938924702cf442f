// Package nlu turns a chat message into structure: normalised text, tokens,
// a ranked and calibrated intent, and typed entities with rune spans.
//
// It learns from Examples (training.Load parses them from YAML) and holds
// no state beyond its trained Model, which is immutable and safe for
// concurrent use; a Pipeline swaps models atomically when retrained.
//
// This package must not import the dialog manager, the skills catalog, or
// any store (Redis included): it knows text, not actions.
package nlu
