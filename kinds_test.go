package softcascade_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// seedKinds creates a folder with two notes, each note two pages, each page
// two lines, each line one mark and one stamp.
func seedKinds(t *testing.T, db *gorm.DB, name string) modelstest.Folder {
	t.Helper()
	f := modelstest.Folder{Name: name}
	for i := 0; i < 2; i++ {
		n := modelstest.Note{}
		for j := 0; j < 2; j++ {
			p := modelstest.Page{}
			for k := 0; k < 2; k++ {
				p.Lines = append(p.Lines, modelstest.Line{Marks: []modelstest.Mark{{}}, Stamps: []modelstest.Stamp{{}}})
			}
			n.Pages = append(n.Pages, p)
		}
		f.Notes = append(f.Notes, n)
	}
	must(t, db.Create(&f).Error)
	return f
}

func TestDeleteEverySoftDeleteKind(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		f := seedKinds(t, db, "a")
		seedKinds(t, db, "b")
		must(t, db.Delete(&f).Error)

		want := map[string]int64{"folders": 1, "notes": 2, "pages": 4, "lines": 8, "marks": 8, "stamps": 8}
		c := counts(t, db)
		for table, n := range want {
			eq(t, table+" deleted", c[table].Deleted, n)
			eq(t, table+" live", c[table].Live, n)
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		for table, n := range want {
			eq(t, "Tables["+table+"]", ds[0].Tables[table], n)
		}
		// The stamped kinds carry the deletion's stamp exactly.
		ms := ds[0].Stamp
		var notes, pages, marks, stamps int64
		must(t, db.Unscoped().Model(&modelstest.Note{}).Where("deleted_at = ?", ms).Count(&notes).Error)
		must(t, db.Unscoped().Model(&modelstest.Page{}).Where("deleted_at = ?", ms*1_000_000).Count(&pages).Error)
		must(t, db.Unscoped().Model(&modelstest.Mark{}).Where("is_del = 1 AND deleted_at = ?", ds[0].StampTime()).Count(&marks).Error)
		must(t, db.Unscoped().Model(&modelstest.Stamp{}).Where("is_del = 1 AND deleted_at = ?", ms).Count(&stamps).Error)
		eq(t, "notes with the stamp", notes, int64(2))
		eq(t, "pages with the stamp", pages, int64(4))
		eq(t, "marks with the stamp", marks, int64(8))
		eq(t, "stamps with the stamp", stamps, int64(8))
		// The others are in the ledger: the folder and its lines.
		var ledger int64
		must(t, db.Table("softcascade_ledger").Where("deletion_id = ?", ds[0].ID).Count(&ledger).Error)
		eq(t, "ledger rows", ledger, int64(1+8))
	})
}
