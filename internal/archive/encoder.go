package archive

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Encoder writes one deletion's archive in the format Reader reads
// (gzip-compressed JSON Lines) to any io.Writer: the header at once, then
// tables and rows, then, at Commit, the end line and the gzip trailer.
// It does not close the io.Writer; Abort writes nothing more.
type Encoder struct {
	gz      *gzip.Writer
	buf     *bufio.Writer
	scratch []byte
	rows    int64
	inTable bool
	done    bool
}

// NewEncoder writes deletion d's header to w and returns the encoder of
// the rest.
func NewEncoder(w io.Writer, d *deletionlog.Deletion) (*Encoder, error) {
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed) // a valid level: no error
	e := &Encoder{gz: gz, buf: bufio.NewWriterSize(gz, 64<<10)}
	if err := e.line(NewHeader(d)); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Encoder) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errs.Wrap(err, "archive")
	}
	if _, err := e.buf.Write(append(b, '\n')); err != nil {
		return errs.Wrap(err, "archive")
	}
	return nil
}

// Table writes a table line.
func (e *Encoder) Table(t Table) error {
	e.inTable = true
	return e.line(t)
}

// Row writes one row as a JSON array of values (AppendValue).
func (e *Encoder) Row(values []any) error {
	if !e.inTable {
		return errors.New("softcascade: archive: a row before its table")
	}
	b := append(e.scratch[:0], '[')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = AppendValue(b, v); err != nil {
			return err
		}
	}
	b = append(b, ']', '\n')
	e.scratch = b
	e.rows++
	if _, err := e.buf.Write(b); err != nil {
		return errs.Wrap(err, "archive")
	}
	return nil
}

// Commit writes the end line and flushes everything to the io.Writer.
func (e *Encoder) Commit() error {
	if e.done {
		return errors.New("softcascade: archive: already committed or aborted")
	}
	e.done = true
	err := e.line(map[string]End{"end": {Rows: e.rows}})
	if err == nil {
		err = e.buf.Flush()
	}
	if err == nil {
		err = e.gz.Close()
	}
	if err != nil {
		return errs.Wrap(err, "archive")
	}
	return nil
}

// Abort stops the encoder; the io.Writer holds an archive that Reader
// refuses (it has no end line).
func (e *Encoder) Abort() error {
	e.done = true
	return nil
}
