package softcascade

import (
	"fmt"
	"io"
	"reflect"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/restore"
)

// RestoreArchive brings a purged deletion back into the database from its
// archive (a file DirArchiver wrote, or the same bytes from wherever an
// Archiver put them): it inserts exactly the archived rows, parents before
// children, join rows and ledger rows included, soft-deleted with the
// deletion's mark, and re-opens the deletion as a normal deletion in the
// trash (its log row back, PurgedAt, PurgeStartedAt and ArchivedAt
// cleared). RestoreDeletion then brings its rows live; the next Purge
// purges (and archives) it again.
//
// An archive is untrusted input: its plan is validated and checked
// against the database like a stored plan, and every table, column and row
// it holds must belong to the deletion; a malformed or cut archive is
// ErrInvalidValue. One transaction: on any error nothing changes.
//
// Errors: ErrInvalidValue (a malformed archive; a deletion that is not
// purged: its rows are still in the database; an erased deletion: its
// archive may not bring it back; an archive whose stamp, roots or plan differs
// from the deletion's log row; a row of a table other than the root table
// with no parent among the deletion's rows, or more such rows of the root
// table than the deletion has roots); gorm.ErrRecordNotFound (with a
// tenant in the context, a deletion of another tenant, or one the log no
// longer has: only the log says whose a deletion is);
// *UniqueConflictError (a live row holds a unique-while-live value of an
// archived row); the database's error naming the table when a row's
// primary key (or another unique value) is taken.
func RestoreArchive(db *gorm.DB, r io.Reader) (Report, error) {
	if _, err := installed(db); err != nil {
		return Report{}, err
	}
	if nilReader(r) {
		return Report{}, fmt.Errorf("%w: RestoreArchive: nil reader", errs.ErrInvalidValue)
	}
	req := restore.Request{Actor: deletionlog.Actor(db.Statement.Context), Now: db.NowFunc(), Lock: cascade.Locks(db)}
	var err error
	if req.Tenant, req.HasTenant, err = deletionlog.Tenant(db.Statement.Context); err != nil {
		return Report{}, err
	}
	rd, err := archive.NewReader(r)
	if err != nil {
		return Report{}, err
	}
	var res restore.Result
	err = db.Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = restore.Archive(tx, rd, req)
		return err
	})
	if err != nil {
		return Report{}, publicError(err)
	}
	return Report{Rows: res.Rows, Tables: res.Tables}, nil
}

// ReadArchive reads the deletion an archive holds (its log row, plan
// included) without changing anything: what `softcascade archive list`
// and `show` print. It reads the header only.
func ReadArchive(r io.Reader) (*Deletion, error) {
	if nilReader(r) {
		return nil, fmt.Errorf("%w: ReadArchive: nil reader", errs.ErrInvalidValue)
	}
	rd, err := archive.NewReader(r)
	if err != nil {
		return nil, err
	}
	return (*Deletion)(rd.Deletion()), nil
}

// nilReader reports whether r is nil, or a nil pointer in an io.Reader
// (a nil *os.File or *bytes.Reader), which would panic when read.
func nilReader(r io.Reader) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
