// Package archive is the format of an archived deletion: the streaming
// interface purge writes a deletion's rows through (Archiver, Writer), the
// encoding of database values as JSON, and the built-in archiver that
// writes one gzip-compressed JSON Lines file per deletion into a directory
// (Dir), with its reader (Reader).
package archive

import (
	"context"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// Kinds of table sections in an archive.
const (
	// KindRows: rows of a table of the deletion's plan (soft-deleted rows
	// with the deletion's mark, and non-soft-deletable cascade children).
	KindRows = "rows"
	// KindJoin: many-to-many join rows owned by rows of the deletion.
	KindJoin = "join"
	// KindLedger: the deletion's rows in the plugin's ledger table.
	KindLedger = "ledger"
)

// Column is one column of an archived table: its name and its type as the
// database names it (database/sql ColumnType.DatabaseTypeName).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Table starts the rows of one table in an archive.
type Table struct {
	// Name is the table's name, as in the deletion's plan.
	Name string `json:"table"`
	// Kind is KindRows, KindJoin or KindLedger.
	Kind string `json:"kind"`
	// Columns name each value of the table's rows, in order.
	Columns []Column `json:"columns"`
}

// Writer receives one deletion's archive: tables, each followed by its
// rows, in the order a restore inserts them (parents before children,
// join rows and ledger rows last). Nothing is durable before Commit; Abort
// discards what was written. Exactly one of Commit and Abort is called.
type Writer interface {
	// Table starts the rows of a table.
	Table(t Table) error
	// Row is one row of the current table: one value per column, as
	// database/sql scans it into an any (nil, int64, float64, bool,
	// []byte, string, time.Time). The slice is the writer's to keep.
	Row(values []any) error
	// Commit makes the archive durable; once it returns nil, the
	// deletion's rows may be deleted.
	Commit() error
	// Abort discards the archive.
	Abort() error
}

// Archiver receives deletions before purge deletes their rows.
type Archiver interface {
	// Archive starts the archive of deletion d.
	Archive(ctx context.Context, d *deletionlog.Deletion) (Writer, error)
}
