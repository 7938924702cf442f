//go:build !unix

package filelog

import "os"

// lockable reports whether lock and unlock coordinate processes here:
// not on this system, where Append refuses a file that grew behind its
// back (ErrShared) instead.
const lockable = false

func lock(*os.File, bool) error { return nil }

func unlock(*os.File) error { return nil }
