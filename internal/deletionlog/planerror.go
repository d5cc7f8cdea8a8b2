package deletionlog

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/softcascade/softcascade/internal/errs"
)

// PlanError is err wrapped with errs.ErrInvalidPlan when reading a
// deletion failed because its stored plan is not a plan (not JSON, or
// JSON of another shape: a tampered or damaged log row), and nil for any
// other error, which is the database's.
func PlanError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return fmt.Errorf("%w: not readable as a plan: %w", errs.ErrInvalidPlan, err)
	}
	return nil
}

// ReadError is err, wrapped with errs.ErrInvalidPlan when it is a PlanError.
func ReadError(err error) error {
	if p := PlanError(err); p != nil {
		return p
	}
	return err
}
