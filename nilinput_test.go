package softcascade_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Every exported entry point given nil or zero inputs returns
// ErrInvalidValue (or has a documented safe meaning), never panics, and
// changes nothing.
func TestNilInputsNeverPanic(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Delete(&p).Error)
		ds := deletions(t, db)
		before := counts(t, db)

		noCtx := db.WithContext(context.Background()) // a statement of its own
		noCtx.Statement.Context = nil
		var nilProject *modelstest.Project
		var nilDB *gorm.DB
		var nilCtx context.Context
		cases := []struct {
			name string
			run  func() error
		}{
			{"Restore nil db", func() error { _, err := softcascade.Restore(nil, &p); return err }},
			{"Restore nil value", func() error { _, err := softcascade.Restore(db, nil); return err }},
			{"Restore typed nil pointer", func() error { _, err := softcascade.Restore(db, nilProject); return err }},
			{"Restore pointer to nil pointer", func() error { _, err := softcascade.Restore(db, &nilProject); return err }},
			{"Restore nil slice element", func() error {
				_, err := softcascade.Restore(db, &[]*modelstest.Project{{ID: p.ID}, nil})
				return err
			}},
			{"Restore empty slice", func() error { _, err := softcascade.Restore(db, &[]*modelstest.Project{}); return err }},
			{"Restore nil slice", func() error { var none []modelstest.Project; _, err := softcascade.Restore(db, &none); return err }},
			{"Restore nil context", func() error { _, err := softcascade.Restore(noCtx, &p); return err }},
			{"Restore zero gorm.DB", func() error { _, err := softcascade.Restore(&gorm.DB{}, &p); return err }},
			{"RestoreDeletion nil db", func() error { _, err := softcascade.RestoreDeletion(nil, ds[0].ID); return err }},
			{"RestoreDeletion nil context", func() error { _, err := softcascade.RestoreDeletion(noCtx, ds[0].ID); return err }},
			{"Purge nil db", func() error { _, err := softcascade.Purge(nil, softcascade.PurgeOptions{}); return err }},
			{"Purge nil context", func() error { _, err := softcascade.Purge(noCtx, softcascade.PurgeOptions{}); return err }},
			{"Purge nil model", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Models: []any{nil}})
				return err
			}},
			{"PurgeEvery nil context", func() error {
				return softcascade.PurgeEvery(nilCtx, db, time.Hour, softcascade.PurgeOptions{})
			}},
			{"PurgeEvery nil db", func() error {
				return softcascade.PurgeEvery(context.Background(), nilDB, time.Hour, softcascade.PurgeOptions{})
			}},
			{"Trash nil db", func() error { _, _, err := softcascade.Trash(nil, softcascade.TrashFilter{}); return err }},
			{"Trash zero gorm.DB", func() error { _, _, err := softcascade.Trash(&gorm.DB{}, softcascade.TrashFilter{}); return err }},
			{"Trash nil context", func() error { _, _, err := softcascade.Trash(noCtx, softcascade.TrashFilter{}); return err }},
			{"FindDeletion nil db", func() error { _, err := softcascade.FindDeletion(nil, ds[0].ID); return err }},
			{"FindDeletion nil context", func() error { _, err := softcascade.FindDeletion(noCtx, ds[0].ID); return err }},
			{"MigrateUnique nil db", func() error { return softcascade.MigrateUnique(nil, &modelstest.Project{}) }},
			{"MigrateUnique nil model", func() error { return softcascade.MigrateUnique(db, nil) }},
			{"UniqueSQL nil db", func() error { _, err := softcascade.UniqueSQL(nil, &modelstest.Project{}); return err }},
			{"UniqueSQL nil model", func() error { _, err := softcascade.UniqueSQL(db, &modelstest.Project{}, nil); return err }},
			{"New nil option", func() error { return d.Open(t, nil).Use(softcascade.New(nil)) }},
			{"WithModels nil", func() error { return d.Open(t, nil).Use(softcascade.New(softcascade.WithModels(nil))) }},
			{"Initialize nil plugin", func() error { var pl *softcascade.Plugin; return pl.Initialize(db) }},
			{"Initialize nil db", func() error { return softcascade.New().Initialize(nil) }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				if err := c.run(); !errors.Is(err, softcascade.ErrInvalidValue) {
					t.Errorf("err = %v, want ErrInvalidValue", err)
				}
			})
		}
		// Safe meanings, no error to return.
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if softcascade.WithActor(nilCtx, "a") == nil || softcascade.WithReason(nilCtx, "r") == nil || softcascade.WithTenant(nilCtx, "t") == nil {
				t.Error("With* on a nil context returned nil")
			}
			if softcascade.Trashed(nil) != nil || softcascade.WithTrashed(nil) != nil {
				t.Error("Trashed(nil) is not nil")
			}
			var pl *softcascade.Plugin
			eq(t, "nil plugin retention", pl.Retention(), softcascade.DefaultRetention)
			eq(t, "PurgeDue nil db", softcascade.PurgeDue(nil, ds[0]), ds[0].DeletedAt.Add(softcascade.DefaultRetention))
			_ = softcascade.TableCounts(softcascade.Deletion{})
		}()
		after := counts(t, db)
		for table, c := range before {
			if after[table] != c {
				t.Errorf("%s: %+v, was %+v", table, after[table], c)
			}
		}
	})
}
