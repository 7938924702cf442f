//go:build unix

package exec

import (
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"syscall"
)

// isolate starts the command in a process group of its own and makes
// cancellation kill the whole group, grandchildren included, with SIGKILL:
// a command that ignores SIGTERM must not outlive its deadline.
func isolate(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
}

// killLeftovers kills whatever is still running in the command's group
// after the command itself has been waited for.
func killLeftovers(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = killGroup(cmd.Process.Pid)
	}
}

func killGroup(pgid int) error {
	if pgid <= 1 {
		return fmt.Errorf("exec: refusing to signal process group %d", pgid)
	}
	err := syscall.Kill(-pgid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}
