//go:build unix

package filelog

import (
	"os"
	"syscall"
)

// lockable reports whether lock and unlock coordinate processes here.
const lockable = true

// lock takes an advisory lock on f, exclusive or shared, waiting for it.
// Every process appending to the file takes the exclusive one around its
// append, so the chain never forks.
func lock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
