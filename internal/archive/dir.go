package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Ext ends the name of every archive file Dir writes: <deletion-id>.jsonl.gz.
const Ext = ".jsonl.gz"

// Dir archives each deletion as one gzip-compressed JSON Lines file,
// <deletion-id>.jsonl.gz, in a directory (see Encoder). It writes to a
// temporary file in the same directory; Commit flushes and fsyncs it,
// renames it into place (replacing an older archive of the same deletion
// whole) and fsyncs the directory.
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
		return nil, errs.Wrap(err, "archive")
	}
	w := &fileWriter{dir: string(d), final: d.Path(id), f: f}
	if w.Encoder, err = NewEncoder(f, del); err != nil {
		_ = w.Abort()
		return nil, err
	}
	return w, nil
}

// fileWriter is one archive file being written.
type fileWriter struct {
	*Encoder
	dir, final string
	f          *os.File
	closed     bool
}

// Commit ends, flushes and fsyncs the file, renames it into place and
// fsyncs the directory.
func (w *fileWriter) Commit() error {
	if w.closed {
		return errors.New("softcascade: archive: already committed or aborted")
	}
	w.closed = true
	err := w.Encoder.Commit()
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
	if err != nil {
		_ = os.Remove(w.f.Name())
		return fmt.Errorf("softcascade: archive %s: %w", w.final, err)
	}
	return nil
}

// Abort removes the temporary file.
func (w *fileWriter) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	_ = w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return errs.Wrap(err, "archive")
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
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // a system that cannot sync directories
		return err
	}
	return nil
}
