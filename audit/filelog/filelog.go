package filelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parleybot/parley/audit"
)

// ErrReadOnly is what Append returns on a Log opened with ReadOnly.
var ErrReadOnly = errors.New("filelog: opened read-only")

// ErrShared is what Append returns, on a system without file locks, when
// the file grew behind the Log's back: another process appends to it.
var ErrShared = errors.New("filelog: the file was changed by someone else; two processes must not share an audit file")

// Log is an audit.Log in one JSON Lines file. It is safe for concurrent use
// by the goroutines of one process and, where files can be locked (Unix),
// by several processes appending to the same file.
type Log struct {
	path     string
	now      func() time.Time
	readOnly bool

	mu     sync.Mutex
	f      *os.File // open for appending; nil when read-only
	closed bool
	// broken is set when a failed write could not be cut off again.
	broken error
	size   int64  // bytes of complete records in the file
	last   int64  // Seq of the last record
	head   string // Hash of the last record
}

var _ audit.Log = (*Log)(nil)

// Option configures Open.
type Option func(*Log)

// WithClock stamps records given without a time with now instead of
// time.Now.
func WithClock(now func() time.Time) Option { return func(l *Log) { l.now = now } }

// ReadOnly opens the file for Query, Verify and Export only, as the
// parley audit command does: the file is not created, a missing file is an
// empty log, each call reads the file as it is then, and Append fails
// with ErrReadOnly.
func ReadOnly() Option { return func(l *Log) { l.readOnly = true } }

// Open opens the log in the file at path, creating it (0600) and its
// directory (0700) when missing, and reads its last record to continue
// the chain. A file whose last line is incomplete is not opened for
// appending: the error wraps audit.ErrTorn.
func Open(path string, opts ...Option) (*Log, error) {
	l := &Log{path: path, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	if l.readOnly {
		return l, nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("filelog: %w", err)
	}
	l.f, l.size = f, st.Size()
	if err := l.readTip(); err != nil {
		f.Close()
		return nil, err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// Make the new file's name durable too.
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	return l, nil
}

// readTip reads the last record to continue the chain from.
func (l *Log) readTip() error {
	line, err := lastLine(l.f, l.size)
	if err != nil {
		return fmt.Errorf("filelog: %s: %w", l.path, err)
	}
	if line == nil {
		return nil
	}
	r, err := audit.UnmarshalLine(line)
	if err != nil {
		return fmt.Errorf("filelog: %s: the last line: %w", l.path, err)
	}
	l.last, l.head = r.Seq, r.Hash
	return nil
}

// tailChunk is how much of the file lastLine reads at a time.
const tailChunk = 64 << 10

// lastLine returns the last line of the first size bytes of f, newline
// included, or nil when size is 0. It reads backwards from the end, so
// opening a large file costs no more than opening a small one.
func lastLine(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	var tail []byte
	for end := size; end > 0; {
		start := max(0, end-tailChunk)
		buf := make([]byte, end-start)
		if _, err := f.ReadAt(buf, start); err != nil {
			return nil, err
		}
		tail = append(buf, tail...)
		if end == size && tail[len(tail)-1] != '\n' {
			return nil, fmt.Errorf("the file ends in the middle of a record (a write was cut short, or the file was cut): "+
				"run \"parley audit verify\" to see which, then cut the incomplete last line off or move the file aside: %w", audit.ErrTorn)
		}
		if i := bytes.LastIndexByte(tail[:len(tail)-1], '\n'); i >= 0 {
			return tail[i+1:], nil
		}
		end = start
	}
	return tail, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("filelog: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("filelog: syncing %s: %w", dir, err)
	}
	return nil
}

// Path returns the file the log is kept in.
func (l *Log) Path() string { return l.path }

// Close closes the file. Calls after Close fail with os.ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f == nil {
		return nil
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("filelog: %w", err)
	}
	return nil
}

// Append writes r as the newest record: one write(2) of one line, synced
// to disk before Append returns. A write that fails is cut off again.
func (l *Log) Append(ctx context.Context, r audit.Record) (audit.Record, error) {
	if err := ctx.Err(); err != nil {
		return audit.Record{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return audit.Record{}, fmt.Errorf("filelog: %w", os.ErrClosed)
	case l.readOnly:
		return audit.Record{}, ErrReadOnly
	case l.broken != nil:
		return audit.Record{}, l.broken
	}
	// Another process may have appended since: under the lock, continue
	// the chain from the file's last record, whoever wrote it.
	if err := lock(l.f, true); err != nil {
		return audit.Record{}, fmt.Errorf("filelog: locking %s: %w", l.path, err)
	}
	defer unlock(l.f)
	if st, err := l.f.Stat(); err != nil {
		return audit.Record{}, fmt.Errorf("filelog: %w", err)
	} else if st.Size() != l.size {
		if !lockable {
			return audit.Record{}, fmt.Errorf("%w (%s is %d bytes, %d expected)", ErrShared, l.path, st.Size(), l.size)
		}
		if st.Size() < l.size {
			return audit.Record{}, fmt.Errorf("filelog: %s shrank from %d to %d bytes: records were removed; run \"parley audit verify\"", l.path, l.size, st.Size())
		}
		l.size = st.Size()
		if err := l.readTip(); err != nil {
			return audit.Record{}, err
		}
	}
	rec, err := audit.Seal(r, l.last+1, l.head, l.now())
	if err != nil {
		return audit.Record{}, err
	}
	line, err := audit.MarshalLine(rec)
	if err != nil {
		return audit.Record{}, err
	}
	_, err = l.f.Write(line)
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		if terr := l.f.Truncate(l.size); terr != nil {
			l.broken = fmt.Errorf("filelog: %s: a failed write could not be cut off (%v); the log refuses more records", l.path, terr)
		}
		return audit.Record{}, fmt.Errorf("filelog: writing record %d: %w", rec.Seq, err)
	}
	l.size += int64(len(line))
	l.last, l.head = rec.Seq, rec.Hash
	return rec, nil
}

// snapshot opens the file for reading and returns a reader of its complete
// records, with a function that closes it. A read-only Log reads the
// whole file as it is; a missing one reads as empty.
func (l *Log) snapshot(ctx context.Context) (io.Reader, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, nil, fmt.Errorf("filelog: %w", os.ErrClosed)
	}
	f, err := os.Open(l.path)
	if l.readOnly && errors.Is(err, os.ErrNotExist) {
		return bytes.NewReader(nil), func() {}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("filelog: %w", err)
	}
	if l.readOnly {
		return f, func() { f.Close() }, nil
	}
	// The records complete now, whichever process appended them: appends
	// hold the exclusive lock until their record is whole.
	if err := lock(f, false); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("filelog: locking %s: %w", l.path, err)
	}
	st, err := f.Stat()
	unlock(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("filelog: %w", err)
	}
	return io.NewSectionReader(f, 0, st.Size()), func() { f.Close() }, nil
}

// Query reads the file from the start and returns the records that match
// f. A line that is not a record is an error naming it; so is an
// incomplete last line, except in a read-only Log, which may be reading
// while another process writes and takes it for a record on its way.
func (l *Log) Query(ctx context.Context, f audit.Filter) ([]audit.Record, error) {
	rd, done, err := l.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []audit.Record
	r := audit.NewReader(rd)
	for {
		if r.Line()%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := r.Next()
		switch {
		case err == io.EOF, l.readOnly && errors.Is(err, audit.ErrTorn):
			return audit.Newest(out, f.Limit), nil
		case err != nil:
			return nil, fmt.Errorf("filelog: %s: %w (run parley audit verify)", l.path, err)
		}
		if !f.Match(rec) {
			continue
		}
		out = append(out, rec)
		if f.Limit > 0 && len(out) == 2*f.Limit {
			// Keep memory bounded by the limit, not the file.
			out = append(out[:0], out[f.Limit:]...)
		}
	}
}

// Verify reads the file from the start and checks the chain. Deleting
// whole records from the end of the file is the one change it cannot see:
// compare Verification.Head with a hash written down earlier for that.
func (l *Log) Verify(ctx context.Context) (audit.Verification, error) {
	rd, done, err := l.snapshot(ctx)
	if err != nil {
		return audit.Verification{}, err
	}
	defer done()
	v, err := audit.VerifyJSONL(rd)
	if err != nil {
		return audit.Verification{}, fmt.Errorf("filelog: %s: %w", l.path, err)
	}
	return v, nil
}

// Export writes the records that match f to w as JSON Lines.
func (l *Log) Export(ctx context.Context, w io.Writer, f audit.Filter) error {
	recs, err := l.Query(ctx, f)
	if err != nil {
		return err
	}
	return audit.WriteJSONL(w, recs)
}
