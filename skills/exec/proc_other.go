//go:build !unix

package exec

import osexec "os/exec"

// isolate leaves the default cancellation in place: the command itself is
// killed, and WaitDelay stops a descendant that holds the output open
// from hanging the call.
func isolate(*osexec.Cmd) {}

func killLeftovers(*osexec.Cmd) {}
