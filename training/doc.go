// Package training owns Parley's intent training data: the YAML format with
// inline entity marks ("restart [apache](service) on [web-1](host)"), its
// parser with file-and-line errors, and the catalog's own examples,
// embedded in the binary.
//
// It imports nlu for the Example type and nothing of dialog or skills.
package training
