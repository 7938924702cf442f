package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/parleybot/parley/dialog"
)

// wrap adds the operation to err and marks it with dialog.ErrUnavailable
// when it means Redis cannot be used right now.
func wrap(ctx context.Context, op string, err error) error {
	if unavailable(ctx, err) {
		return fmt.Errorf("redisstore: %s: %w: %w", op, dialog.ErrUnavailable, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// unavailable reports whether err, returned by a command run under ctx,
// says that Redis could not be reached or could not serve.
func unavailable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		// The caller gave up or ran out of time: its error, not the
		// store's.
		return false
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		// The server answered (redis.Nil is one of these too). Only the
		// replies that mean "not now" rather than "wrong request" count.
		msg := reply.Error()
		for _, p := range [...]string{"LOADING ", "BUSY ", "READONLY ", "MASTERDOWN ", "CLUSTERDOWN ", "TRYAGAIN "} {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout),
		errors.Is(err, redis.ErrPoolExhausted),
		// A dial or pool wait that ran out of its own time, not the
		// caller's.
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}
