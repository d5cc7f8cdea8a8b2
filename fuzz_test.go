package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// fuzzDB is one database of the lookup fuzz target: three deletions, by
// acme, by "bob\uFFFD" and by the operator.
type fuzzDB struct {
	name   string
	db     *gorm.DB
	tenant map[string]string // deletion ID -> tenant
	byName map[string]string // "$acme", "$bob", "$op" -> deletion ID
}

// FindDeletion, RestoreDeletion and Trash with any ID and any tenant:
// never a panic, never a database error, never another tenant's deletion.
// A lookup finds a deletion of the context's tenant (any, without one) or
// is gorm.ErrRecordNotFound; an unusable tenant is ErrInvalidValue. In the
// ID, "$acme", "$bob" and "$op" stand for the three deletions' IDs.
func FuzzDeletionLookup(f *testing.F) {
	var dbs []fuzzDB
	for _, d := range modelstest.Dialects(f) {
		db := d.Open(f, nil)
		models := modelstest.SeedModels()
		if err := db.AutoMigrate(models...); err != nil {
			f.Fatal(err)
		}
		if err := db.Use(softcascade.New(softcascade.WithModels(models...))); err != nil {
			f.Fatal(err)
		}
		fd := fuzzDB{name: d.Name, db: db, tenant: map[string]string{}, byName: map[string]string{}}
		for _, c := range []struct{ name, tenant string }{{"$acme", "acme"}, {"$bob", "bob\uFFFD"}, {"$op", ""}} {
			p, err := modelstest.CreateProject(db, c.name, modelstest.Shape{Tasks: 1, CommentsPerTask: 1})
			if err != nil {
				f.Fatal(err)
			}
			if err := as(c.tenant, db).Delete(&p).Error; err != nil {
				f.Fatal(err)
			}
			var del softcascade.Deletion
			if err := db.Order("stamp DESC").First(&del).Error; err != nil {
				f.Fatal(err)
			}
			fd.tenant[del.ID], fd.byName[c.name] = c.tenant, del.ID
		}
		dbs = append(dbs, fd)
	}
	for _, id := range []string{"$acme", "$bob", "$op", "{$acme}", "urn:uuid:$acme", "$acme ", " $acme", "$acme\x00",
		"' OR '1'='1", "$acme' OR '1'='1", "", "\xff", "00000000-0000-0000-0000-000000000000"} {
		for _, tenant := range []string{"acme", "ACME", "Acme", "acme ", "acmé", "bob\xff", "bob\uFFFD", "bob", "", "acme\x00", "\xc3"} {
			f.Add(id, tenant, true)
		}
		f.Add(id, "", false)
	}
	f.Fuzz(func(t *testing.T, id, tenant string, hasTenant bool) {
		for _, fd := range dbs {
			for name, real := range fd.byName {
				id = strings.ReplaceAll(id, name, real)
				id = strings.ReplaceAll(id, strings.ToUpper(name), strings.ToUpper(real))
			}
			ctx := context.Background()
			if hasTenant {
				ctx = softcascade.WithTenant(ctx, tenant)
			}
			db := fd.db.WithContext(ctx)
			badTenant := hasTenant && deletionlog.ValidTenant(tenant) != nil
			judge := func(what string, found string, err error) {
				t.Helper()
				switch {
				case badTenant:
					if !errors.Is(err, softcascade.ErrInvalidValue) {
						t.Fatalf("%s: %s(%q) as %q: %v, want ErrInvalidValue", fd.name, what, id, tenant, err)
					}
				case err != nil:
					if !errors.Is(err, gorm.ErrRecordNotFound) {
						t.Fatalf("%s: %s(%q) as %q (%v): %v, want ErrRecordNotFound", fd.name, what, id, tenant, hasTenant, err)
					}
				default:
					owner, known := fd.tenant[found]
					if !known || (hasTenant && owner != tenant) {
						t.Fatalf("%s: %s(%q) as %q found deletion %s of %q", fd.name, what, id, tenant, found, owner)
					}
				}
			}
			d, err := softcascade.FindDeletion(db, id)
			judge("FindDeletion", d.ID, err)

			errRollback := errors.New("rollback")
			var rerr error
			txErr := db.Transaction(func(tx *gorm.DB) error {
				var rep softcascade.Report
				rep, rerr = softcascade.RestoreDeletion(tx, id)
				if rerr == nil && rep.Rows == 0 {
					t.Fatalf("%s: RestoreDeletion(%q) restored nothing without an error", fd.name, id)
				}
				return errRollback
			})
			if !errors.Is(txErr, errRollback) {
				t.Fatalf("%s: transaction: %v", fd.name, txErr)
			}
			restored := ""
			if rerr == nil {
				restored, _ = deletionlog.ParseID(id)
			}
			judge("RestoreDeletion", restored, rerr)

			ds, _, err := softcascade.Trash(db, softcascade.TrashFilter{Actor: id, Table: tenant})
			if badTenant != errors.Is(err, softcascade.ErrInvalidValue) || (!badTenant && err != nil) {
				t.Fatalf("%s: Trash as %q: %v", fd.name, tenant, err)
			}
			for _, x := range ds {
				if hasTenant && x.Tenant != tenant {
					t.Fatalf("%s: Trash as %q lists %q's deletion", fd.name, tenant, x.Tenant)
				}
			}
		}
	})
}
