// Package exec runs a configured command for a skill, never through a shell.
//
// A Spec holds an argv template such as
//
//	["ssh", "{host}", "sudo", "systemctl", "restart", "{service}"]
//
// whose placeholders name the skill's parameters. Each template element
// becomes exactly one argument of the command, whatever the argument values
// contain, and the command is started directly with execve: there is no
// shell to split words, expand globs or substitute commands. The command
// gets a minimal environment, a deadline, a bounded output buffer, and its
// own process group, which is killed when the deadline passes, when the
// caller gives up, and when the command returns.
//
// The package owns templates, process lifetime and the cleaning of command
// output for chat. It must not import the dialog manager, the NLU pipeline
// or any store; the only Parley package it depends on is skills.
package exec
