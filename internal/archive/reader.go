package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// errInvalid is what a malformed archive wraps.
var errInvalid = errs.ErrInvalidValue

// Reader reads an archive written by Dir, one line at a time: an archive is
// untrusted input, so every line is checked as it is read.
type Reader struct {
	dec    *json.Decoder
	header Header
	log    *deletionlog.Deletion
	table  *Table
	rows   int64
	lineNo int
	ended  bool
}

// NewReader reads an archive's header from r (gzip-compressed JSON Lines).
func NewReader(r io.Reader) (*Reader, error) {
	gz, err := gzip.NewReader(bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("%w: archive: not gzip-compressed: %w", errInvalid, err)
	}
	rd := &Reader{dec: json.NewDecoder(gz)}
	rd.dec.UseNumber()
	rd.lineNo = 1
	if err := rd.dec.Decode(&rd.header); err != nil {
		return nil, rd.malformed(err)
	}
	if rd.log, err = rd.header.Log(); err != nil {
		return nil, err
	}
	return rd, nil
}

// Deletion is the archived deletion's log row, stamp and plan included.
func (r *Reader) Deletion() *deletionlog.Deletion { return r.log }

func (r *Reader) malformed(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: archive cut short at line %d (no end line): %w", errInvalid, r.lineNo, err)
	}
	return fmt.Errorf("%w: archive line %d: %w", errInvalid, r.lineNo, err)
}

// Next reads the next line: a table (t set), a row of the current table
// (row set), or the end of the archive (both nil, err nil). A row has as
// many values as its table has columns.
func (r *Reader) Next() (t *Table, row []any, err error) {
	if r.ended {
		return nil, nil, nil
	}
	var raw json.RawMessage
	r.lineNo++
	if err := r.dec.Decode(&raw); err != nil {
		return nil, nil, r.malformed(err)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		return nil, row, r.row(raw, &row)
	}
	var line struct {
		Table
		End *End `json:"end"`
	}
	if err := strictDecode(raw, &line); err != nil {
		return nil, nil, r.malformed(err)
	}
	if line.End != nil {
		if line.End.Rows != r.rows {
			return nil, nil, fmt.Errorf("%w: archive ends after %d rows, its end line counts %d", errInvalid, r.rows, line.End.Rows)
		}
		r.ended = true
		// Nothing may follow the end line.
		if err := r.dec.Decode(&raw); !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%w: archive has data after its end line", errInvalid)
		}
		return nil, nil, nil
	}
	if line.Name == "" || len(line.Columns) == 0 {
		return nil, nil, fmt.Errorf("%w: archive line %d: a table line without table or columns", errInvalid, r.lineNo)
	}
	tb := line.Table
	r.table = &tb
	return r.table, nil, nil
}

func (r *Reader) row(raw json.RawMessage, out *[]any) error {
	if r.table == nil {
		return fmt.Errorf("%w: archive line %d: a row before any table", errInvalid, r.lineNo)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return r.malformed(err)
	}
	if len(vals) != len(r.table.Columns) {
		return fmt.Errorf("%w: archive line %d: %d values for the %d columns of %s", errInvalid, r.lineNo, len(vals), len(r.table.Columns), r.table.Name)
	}
	for i, v := range vals {
		d, err := DecodeValue(v)
		if err != nil {
			return fmt.Errorf("%w: archive line %d, column %s: %w", errInvalid, r.lineNo, r.table.Columns[i].Name, err)
		}
		vals[i] = d
	}
	r.rows++
	*out = vals
	return nil
}

func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
