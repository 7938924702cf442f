package dialog

import "errors"

// ErrUnavailable marks a state store that cannot be reached right now.
var ErrUnavailable = errors.New("state store unavailable")
