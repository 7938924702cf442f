// Package skills owns the catalog of actions Parley can perform: each skill's
// parameters, their strict types, its risk, who may run it, and its executor.
//
// A parameter type turns raw text into a Value or rejects it with a reason.
// Values can only be made by this package's types, so an Executor can only
// ever receive validated, typed arguments: shell metacharacters, newlines,
// command substitutions or option-looking values never reach one.
//
// This package must not import the dialog manager, the NLU pipeline's
// classifier, or any store implementation.
package skills
