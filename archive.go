package softcascade

import (
	"context"
	"fmt"
	"io"

	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Archiver receives each deletion that Purge is about to remove, with
// PurgeOptions.Archive set: one deletion in, its rows out. Purge calls
// Archive, streams the deletion's rows to the returned writer, and calls
// Commit; only once Commit has returned nil (and the deletion has been
// marked archived) does the first row go. An error from any of them
// purges nothing of that deletion: it stays in the trash, restorable, and
// Purge reports the error once the other deletions are done.
//
// Key archives by deletion ID and let Commit replace an older archive of
// the same deletion whole (write elsewhere, then rename or finish an
// upload): after a crash between the archive's Commit and the database's
// mark, the next Purge archives the same rows again. A deletion marked
// archived (Deletion.ArchivedAt) is not archived again, even if a crash
// left some of its rows behind.
//
// DirArchiver writes local files; an archiver for object storage (S3, GCS)
// implements the same two interfaces over an upload: docs/archive.md.
type Archiver interface {
	// Archive starts the archive of deletion d (its plan included: it
	// is not in d's JSON form; keep it with the rows, RestoreArchive
	// needs it).
	Archive(ctx context.Context, d *Deletion) (ArchiveWriter, error)
}

// ArchiveWriter receives one deletion's archive: tables, each followed by
// its rows, parents before children, then join rows and ledger rows.
// Exactly one of Commit and Abort is called.
type ArchiveWriter interface {
	// Table starts the rows of a table.
	Table(t ArchiveTable) error
	// Row is one row of the current table, one value per column, as
	// database/sql scans into an any: nil, int64, float64, bool, []byte,
	// string or time.Time. The slice is the writer's to keep.
	Row(values []any) error
	// Commit makes the archive durable.
	Commit() error
	// Abort discards it.
	Abort() error
}

// ArchiveTable starts one table's rows in an archive: its name, kind
// ("rows": rows of the deletion's tables; "join": many-to-many join rows
// they own; "ledger": the deletion's rows in the plugin's ledger) and
// columns.
type ArchiveTable = archive.Table

// ArchiveColumn is a column of an ArchiveTable: its name and its database
// type name.
type ArchiveColumn = archive.Column

// DirArchiver archives each deletion as one gzip-compressed JSON Lines file
// named <deletion-id>.jsonl.gz in dir, which must exist: the deletion's log
// row with its plan, then for each table a line with its columns and
// types followed by one line per row, then an end line. Values keep what
// restoring them byte for byte needs: times to the nanosecond with their
// offset, binary as base64, NULLs, 64-bit integers exact, decimals as
// their text. The file is written under a temporary name, fsynced,
// renamed into place and the directory fsynced. Memory stays bounded:
// rows stream from the database to the file one at a time.
// RestoreArchive reads such a file back.
func DirArchiver(dir string) Archiver { return dirArchiver{archive.Dir(dir)} }

type dirArchiver struct{ dir archive.Dir }

func (a dirArchiver) Archive(ctx context.Context, d *Deletion) (ArchiveWriter, error) {
	return a.dir.Archive(ctx, (*deletionlog.Deletion)(d))
}

// NewArchiveEncoder writes deletion d's archive to w in the format that
// DirArchiver writes and RestoreArchive reads (gzip-compressed JSON
// Lines): the header at once, then what the returned writer is given.
// Its Commit writes the end line and flushes, without closing w; its
// Abort writes nothing more. An Archiver for other storage (an object
// store's upload, a database column) writes through it: docs/archive.md.
func NewArchiveEncoder(w io.Writer, d *Deletion) (ArchiveWriter, error) {
	if w == nil || d == nil {
		return nil, fmt.Errorf("%w: NewArchiveEncoder: nil writer or deletion", errs.ErrInvalidValue)
	}
	return archive.NewEncoder(w, (*deletionlog.Deletion)(d))
}

// internalArchiver adapts an Archiver to the purge package's.
type internalArchiver struct{ a Archiver }

func (a internalArchiver) Archive(ctx context.Context, d *deletionlog.Deletion) (archive.Writer, error) {
	return a.a.Archive(ctx, (*Deletion)(d))
}

// archiverOf is a for the purge package; nil stays nil.
func archiverOf(a Archiver) archive.Archiver {
	if a == nil {
		return nil
	}
	return internalArchiver{a}
}
