package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A wrapped error says each thing once: one "softcascade:" prefix, one
// "not found", whatever layers it went through; errors.Is still matches.
func TestErrorsSayEachThingOnce(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		var task modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
		must(t, db.Delete(&task).Error)
		must(t, db.Delete(&p).Error)
		tenant := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
		emptyTenant := db.WithContext(softcascade.WithTenant(context.Background(), ""))
		const unknown = "0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90"
		for name, c := range map[string]struct {
			err error
			is  error
		}{
			"Restore of a missing row":       {second(softcascade.Restore(db, &modelstest.Project{ID: 99999})), gorm.ErrRecordNotFound},
			"Restore under a deleted parent": {second(softcascade.Restore(db, &task)), softcascade.ErrParentDeleted},
			"Restore of another tenant's":    {second(softcascade.Restore(tenant, &p)), gorm.ErrRecordNotFound},
			"Restore by query, no match":     {second(softcascade.Restore(db.Where("name = ?", "none"), &[]modelstest.Project{})), gorm.ErrRecordNotFound},
			"Restore by query, no conds":     {second(softcascade.Restore(db, &[]modelstest.Project{})), softcascade.ErrInvalidValue},
			"Restore with an empty tenant":   {second(softcascade.Restore(emptyTenant, &p)), softcascade.ErrInvalidValue},
			"RestoreDeletion unknown":        {second(softcascade.RestoreDeletion(db, unknown)), gorm.ErrRecordNotFound},
			"RestoreDeletion malformed":      {second(softcascade.RestoreDeletion(db, "nope")), gorm.ErrRecordNotFound},
			"FindDeletion unknown":           {second(softcascade.FindDeletion(db, unknown)), gorm.ErrRecordNotFound},
			"Purge with an empty tenant":     {second(softcascade.Purge(emptyTenant, softcascade.PurgeOptions{})), softcascade.ErrInvalidValue},
			"Trash with an empty tenant":     {third(softcascade.Trash(emptyTenant, softcascade.TrashFilter{})), softcascade.ErrInvalidValue},
			"Delete after Trashed":           {db.Scopes(softcascade.Trashed).Delete(&modelstest.Project{}, p.ID).Error, softcascade.ErrInvalidValue},
		} {
			if !errors.Is(c.err, c.is) {
				t.Errorf("%s: err = %v, want %v", name, c.err, c.is)
				continue
			}
			msg := c.err.Error()
			for _, phrase := range []string{"softcascade:", "not found", "invalid value"} {
				if n := strings.Count(msg, phrase); n > 1 {
					t.Errorf("%s: %q says %q %d times", name, msg, phrase, n)
				}
			}
			if !strings.HasPrefix(msg, "softcascade: ") {
				t.Errorf("%s: %q does not start with the prefix", name, msg)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }
