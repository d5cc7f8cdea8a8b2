package archive

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// Ext ends the name of every archive file Dir writes: <deletion-id>.jsonl.gz.
const Ext = ".jsonl.gz"

// Dir archives each deletion as one gzip-compressed JSON Lines file,
// <deletion-id>.jsonl.gz, in a directory: the header line, then per table
// a Table line followed by one JSON array per row, then an End line. It
// writes to a temporary file in the same directory; Commit flushes,
// fsyncs it, renames it into place (replacing an older archive of the
// same deletion whole) and fsyncs the directory.
type Dir string

// Path is the archive file of deletion id.
func (d Dir) Path(id string) string { return filepath.Join(string(d), id+Ext) }

// Archive starts the archive file of deletion del.
func (d Dir) Archive(_ context.Context, del *deletionlog.Deletion) (Writer, error) {
	id, err := deletionlog.ParseID(del.ID)
	if err != nil || id != del.ID {
		return nil, fmt.Errorf("softcascade: archive: deletion ID %.40q is not a UUID in its stored form", del.ID)
	}
	f, err := os.CreateTemp(string(d), "."+id+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("softcascade: archive: %w", err)
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed) // a valid level: no error
	w := &fileWriter{dir: string(d), final: d.Path(id), f: f, gz: gz}
	w.buf = bufio.NewWriterSize(gz, 64<<10)
	if err := w.line(NewHeader(del)); err != nil {
		_ = w.Abort()
		return nil, err
	}
	return w, nil
}

// fileWriter is one archive file being written.
type fileWriter struct {
	dir, final string
	f          *os.File
	gz         *gzip.Writer
	buf        *bufio.Writer
	scratch    []byte
	rows       int64
	inTable    bool
	done       bool
}

func (w *fileWriter) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("softcascade: archive: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.buf.Write(b); err != nil {
		return fmt.Errorf("softcascade: archive %s: %w", w.f.Name(), err)
	}
	return nil
}

// Table writes a table line.
func (w *fileWriter) Table(t Table) error {
	w.inTable = true
	return w.line(t)
}

// Row writes one row as a JSON array.
func (w *fileWriter) Row(values []any) error {
	if !w.inTable {
		return errors.New("softcascade: archive: a row before its table")
	}
	b := append(w.scratch[:0], '[')
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
	w.scratch = b
	w.rows++
	if _, err := w.buf.Write(b); err != nil {
		return fmt.Errorf("softcascade: archive %s: %w", w.f.Name(), err)
	}
	return nil
}

// Commit ends, flushes and fsyncs the file, renames it into place and
// fsyncs the directory.
func (w *fileWriter) Commit() error {
	if w.done {
		return errors.New("softcascade: archive: already committed or aborted")
	}
	err := w.line(map[string]End{"end": {Rows: w.rows}})
	if err == nil {
		err = w.buf.Flush()
	}
	if err == nil {
		err = w.gz.Close()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), w.final)
	}
	if err == nil {
		err = syncDir(w.dir)
	}
	w.done = true
	if err != nil {
		_ = os.Remove(w.f.Name())
		return fmt.Errorf("softcascade: archive %s: %w", w.final, err)
	}
	return nil
}

// Abort removes the temporary file.
func (w *fileWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	_ = w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("softcascade: archive: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory, so that a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return err
	}
	return nil
}
