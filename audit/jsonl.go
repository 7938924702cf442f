package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// WriteJSONL writes records to w as JSON Lines, one Record per line in its
// JSON form: the format of Export and of the file store.
func WriteJSONL(w io.Writer, records []Record) error {
	bw := bufio.NewWriter(w)
	for _, r := range records {
		line, err := MarshalLine(r)
		if err != nil {
			return err
		}
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// MarshalLine returns r's JSON form followed by a newline.
func MarshalLine(r Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// People read these files; "<" as \u003c helps nobody.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("audit: encoding record %d: %w", r.Seq, err)
	}
	return b.Bytes(), nil
}

// ErrTorn marks a last line without its newline: a write that was cut
// short, or a file that was.
var ErrTorn = errors.New("the last line is incomplete")

// LineError is a line of JSON Lines that is not a record.
type LineError struct {
	Line int // counted from 1
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Reader reads records from JSON Lines.
type Reader struct {
	br   *bufio.Reader
	line int
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader { return &Reader{br: bufio.NewReaderSize(r, 64<<10)} }

// Line is the number of the line Next read last.
func (r *Reader) Line() int { return r.line }

// Next returns the next record, or io.EOF after the last. A line that is
// not a record is a *LineError, and reading may go on after it; a last
// line without its newline is a *LineError wrapping ErrTorn. Unknown
// fields make a line not a record.
func (r *Reader) Next() (Record, error) {
	b, err := r.br.ReadBytes('\n')
	if len(b) == 0 && err == io.EOF {
		return Record{}, io.EOF
	}
	r.line++
	if err == io.EOF {
		return Record{}, &LineError{Line: r.line, Err: ErrTorn}
	}
	if err != nil {
		return Record{}, err
	}
	rec, err := UnmarshalLine(b)
	if err != nil {
		return Record{}, &LineError{Line: r.line, Err: err}
	}
	return rec, nil
}

// UnmarshalLine decodes one line written by MarshalLine.
func UnmarshalLine(b []byte) (Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rec Record
	if err := dec.Decode(&rec); err != nil {
		return Record{}, fmt.Errorf("not an audit record: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("not an audit record: more than one JSON value")
	}
	if len(rec.Params) == 0 {
		rec.Params = nil
	}
	return rec, nil
}

// VerifyJSONL checks the chain in JSON Lines read from r, such as a file
// store's file or an Export with a zero Filter.
func VerifyJSONL(r io.Reader) (Verification, error) {
	var c Checker
	rd := NewReader(r)
	for {
		rec, err := rd.Next()
		var le *LineError
		switch {
		case err == io.EOF:
			return c.Result(), nil
		case errors.As(err, &le) && errors.Is(err, ErrTorn):
			c.Damaged(Truncated, fmt.Sprintf("record %d is incomplete: the log ends in the middle of it (line %d has no newline)", c.Expect(), le.Line))
		case errors.As(err, &le):
			c.Damaged(Unreadable, fmt.Sprintf("line %d, where record %d belongs, is not an audit record", le.Line, c.Expect()))
		case err != nil:
			return Verification{}, fmt.Errorf("audit: reading line %d: %w", rd.Line()+1, err)
		default:
			c.Add(rec)
		}
	}
}
