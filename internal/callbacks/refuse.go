package callbacks

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// refused is the error of a Delete the plugin must not let through,
// because GORM would run it as something the caller did not ask for:
//
//   - a Delete after softcascade.Trashed, which is Unscoped: GORM would
//     hard-delete the roots only, without their cascade, and leave the
//     deletion in the log with nothing to restore;
//   - a soft delete of a soft-deletable model through a table other than
//     its own (db.Table("archive").Delete(&row)): the cascade plan and the
//     deletion log follow the model's table, so GORM would soft-delete the
//     rows without a log entry that restores them.
func refused(db *gorm.DB) error {
	s := db.Statement
	if db.Error != nil || s.SQL.Len() > 0 {
		return nil
	}
	if nested, _ := s.Context.Value(plainGORM{}).(bool); nested {
		return nil
	}
	if _, ok := s.Clauses[softdelete.TrashedClause]; ok {
		return fmt.Errorf("%w: Delete after Trashed would hard-delete the rows without their cascade; to delete a deletion's rows for good now use softcascade.Erase(db, deletionID), or softcascade.ForceDelete(db, &row) for live rows; RestoreDeletion undoes it; Unscoped().Delete without Trashed is a plain hard delete", errs.ErrInvalidValue)
	}
	if s.Schema == nil || s.Unscoped || ownTable(s) {
		return nil
	}
	if _, ok := softdelete.Of(s.Schema); !ok {
		return nil
	}
	name := s.Table
	if name == "" && s.TableExpr != nil {
		name = s.TableExpr.SQL
	}
	return fmt.Errorf("%w: Delete of %s through Table(%q): the cascade and the deletion log follow the model's table %q, so this soft delete could not be restored; delete through the model (no Table), or Unscoped().Delete for a plain hard delete", errs.ErrInvalidValue, s.Schema.Name, name, s.Schema.Table)
}
