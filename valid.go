package softcascade

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/errs"
)

// usable fails with ErrInvalidValue when db cannot run a statement: nil, not
// made by gorm.Open (no Config or Statement), or with a nil context in its
// statement.
func usable(db *gorm.DB) error {
	switch {
	case db == nil:
		return fmt.Errorf("%w: nil *gorm.DB", errs.ErrInvalidValue)
	case db.Config == nil || db.Statement == nil:
		return fmt.Errorf("%w: a *gorm.DB not made by gorm.Open (no Config or Statement)", errs.ErrInvalidValue)
	case db.Statement.Context == nil:
		return fmt.Errorf("%w: nil context in the *gorm.DB's statement (use db.WithContext with a non-nil context)", errs.ErrInvalidValue)
	}
	return nil
}

// validModels fails with ErrInvalidValue when a model is nil (an untyped
// nil; a typed nil pointer names its model and is accepted).
func validModels(what string, models []any) error {
	for i, m := range models {
		if m == nil {
			return fmt.Errorf("%w: %s: model %d is nil", errs.ErrInvalidValue, what, i)
		}
	}
	return nil
}
