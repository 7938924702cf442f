package filestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/parleybot/parley/training"
)

// The kinds of event.
const (
	opTaught   = "taught"
	opProposed = "proposed"
	opResolved = "resolved"
)

// event is one line of a log. Which fields are set depends on Op: Teaching
// for "taught", Candidate for "proposed", and the rest for "resolved".
type event struct {
	Op        string              `json:"op"`
	Teaching  *training.Teaching  `json:"teaching,omitempty"`
	Candidate *training.Candidate `json:"candidate,omitempty"`
	ID        string              `json:"id,omitempty"`
	Approve   *bool               `json:"approve,omitempty"`
	Intent    string              `json:"intent,omitempty"`
	By        string              `json:"by,omitempty"`
	At        time.Time           `json:"at,omitzero"`
}

// logFile is one of the two files, with how much of it has been applied.
type logFile struct {
	path string
	// ops are the kinds of event the file may hold.
	ops []string
	f   *os.File
	// off is where the first line not yet applied starts, and line the
	// number of lines before it.
	off  int64
	line int
}

// parseEvent decodes and checks one line.
func parseEvent(raw []byte, ops []string) (event, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return event{}, fmt.Errorf("not a valid event: %w", err)
	}
	allowed := false
	for _, op := range ops {
		allowed = allowed || ev.Op == op
	}
	if !allowed {
		return event{}, fmt.Errorf("unexpected event %q", ev.Op)
	}
	switch ev.Op {
	case opTaught:
		t := ev.Teaching
		if t == nil || t.ID == "" || t.Text == "" || t.Intent == "" {
			return event{}, errors.New(`"taught" event needs a teaching with id, text and intent`)
		}
	case opProposed:
		c := ev.Candidate
		if c == nil || c.ID == "" || c.Text == "" {
			return event{}, errors.New(`"proposed" event needs a candidate with id and text`)
		}
	case opResolved:
		if ev.ID == "" || ev.Approve == nil {
			return event{}, errors.New(`"resolved" event needs id and approve`)
		}
	}
	return ev, nil
}

// consume applies the complete lines at the start of data, which must be
// the file's content from lf.off on, advancing lf past each. It stops at the
// first line that is not a valid event and returns an error naming it.
func (s *Store) consume(lf *logFile, data []byte) error {
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return nil
		}
		raw := bytes.TrimSpace(data[:i])
		if len(raw) > 0 {
			ev, err := parseEvent(raw, lf.ops)
			if err != nil {
				return &training.Error{Pos: training.Pos{File: lf.path, Line: lf.line + 1}, Msg: err.Error()}
			}
			s.apply(ev)
		}
		lf.off += int64(i) + 1
		lf.line++
		data = data[i+1:]
	}
}

// load reads lf from its start. A final line without a newline is either a
// complete event, which is kept and given its newline, or what a crash left
// of one, which is cut off.
func (s *Store) load(lf *logFile) error {
	data, err := io.ReadAll(lf.f)
	if err != nil {
		return fmt.Errorf("filestore: reading %s: %w", lf.path, err)
	}
	if err := s.consume(lf, data); err != nil {
		return err
	}
	tail := data[lf.off:]
	if len(tail) == 0 {
		return nil
	}
	if ev, err := parseEvent(bytes.TrimSpace(tail), lf.ops); err == nil {
		if _, err := lf.f.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("filestore: ending the last line of %s: %w", lf.path, err)
		}
		s.apply(ev)
		lf.off += int64(len(tail)) + 1
		lf.line++
		return nil
	}
	if err := lf.f.Truncate(lf.off); err != nil {
		return fmt.Errorf("filestore: cutting the torn last line off %s: %w", lf.path, err)
	}
	return nil
}

// catchUp applies the complete lines appended to lf since it was last
// read, by this Store or anyone else. An incomplete last line is left for
// later.
func (s *Store) catchUp(lf *logFile) error {
	fi, err := lf.f.Stat()
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	size := fi.Size()
	switch {
	case size == lf.off:
		return nil
	case size < lf.off:
		return fmt.Errorf("filestore: %s shrank from %d to %d bytes: it must only be appended to", lf.path, lf.off, size)
	}
	data := make([]byte, size-lf.off)
	n, err := lf.f.ReadAt(data, lf.off)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("filestore: reading %s: %w", lf.path, err)
	}
	return s.consume(lf, data[:n])
}

// appendEvent writes ev as one line at the end of lf and syncs it. The
// line is applied by the next catchUp, not here. When the write fails,
// whatever part of the line reached the file is cut off again.
func (s *Store) appendEvent(lf *logFile, ev event) error {
	line, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("filestore: encoding an event: %w", err)
	}
	line = append(line, '\n')
	fi, err := lf.f.Stat()
	if err != nil {
		return fmt.Errorf("filestore: %w", err)
	}
	if _, err := lf.f.Write(line); err != nil {
		if terr := lf.f.Truncate(fi.Size()); terr != nil {
			s.broken = fmt.Errorf("filestore: %s may end in a partial line: %w", lf.path, terr)
		}
		return fmt.Errorf("filestore: appending to %s: %w", lf.path, err)
	}
	if err := lf.f.Sync(); err != nil {
		return fmt.Errorf("filestore: syncing %s: %w", lf.path, err)
	}
	return nil
}
