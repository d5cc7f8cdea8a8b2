package softcascade

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/callbacks"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// ForceDelete permanently deletes live rows and everything their cascade
// reaches, in one call: it soft-deletes value through the plugin, as
// db.Delete(value) does (recording a deletion with the context's actor,
// reason and tenant), then erases that deletion (Erase, with opts). What
// is left afterwards in every table is what a Delete followed by a Purge
// of that deletion leaves. Unlike db.Unscoped().Delete, it follows the
// cascade instead of removing one row and orphaning the rest.
//
// value is what db.Delete takes (a pointer to a struct or slice of
// structs with primary keys, or a model with db's conditions), of a
// soft-deletable model. It is not one transaction: the delete commits
// first, then the erase runs in batches. Interrupted after the delete,
// the deletion stays in the trash (marked as being purged once the erase
// began) and its error names the deletion: Erase(db, id) finishes it.
//
// Errors: those of Delete and Erase; gorm.ErrRecordNotFound when no live
// row matched (nothing was deleted: rows already in the trash are erased
// by Erase with their deletion's ID); ErrNotSoftDeletable;
// ErrInvalidValue (nil value, Unscoped, dry run, inside a transaction).
func ForceDelete(db *gorm.DB, value any, opts ...EraseOption) (Report, error) {
	if _, _, err := eraseSetup(db, opts); err != nil {
		return Report{}, err
	}
	if err := forceDeletable(db, value); err != nil {
		return Report{}, err
	}
	res := db.Delete(value)
	if res.Error != nil {
		return Report{}, res.Error
	}
	d := callbacks.Recorded(res)
	if d == nil {
		return Report{}, fmt.Errorf("softcascade: force delete %T: no live row matched: %w", value, gorm.ErrRecordNotFound)
	}
	rep, err := Erase(db, d.ID, opts...)
	if err != nil {
		return rep, errs.Wrap(err, "force delete: rows are in the trash as deletion %s, run Erase to finish", d.ID)
	}
	return rep, nil
}

// forceDeletable refuses what ForceDelete cannot take through the
// plugin's cascade, before anything changes.
func forceDeletable(db *gorm.DB, value any) error {
	switch {
	case value == nil:
		return fmt.Errorf("%w: force delete of a nil value", errs.ErrInvalidValue)
	case db.Statement.Unscoped:
		return fmt.Errorf("%w: force delete on an Unscoped *gorm.DB (that is GORM's own hard delete of one table)", errs.ErrInvalidValue)
	case db.DryRun:
		return fmt.Errorf("%w: force delete in a dry run", errs.ErrInvalidValue)
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(value); err != nil {
		return fmt.Errorf("%w: force delete %T: %w", errs.ErrInvalidValue, value, err)
	}
	if _, ok := softdelete.Of(stmt.Schema); !ok {
		return fmt.Errorf("%w: force delete %s", errs.ErrNotSoftDeletable, stmt.Schema.Table)
	}
	return nil
}
