package softcascade_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A row of a ledger table brought back outside the plugin and deleted
// again belongs to the later deletion only: the earlier one — here another
// tenant's — neither restores nor purges it.
func TestLedgerRowRetakenBelongsToTheLaterDeletion(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		acme, bravo := db.WithContext(tenantCtx("acme")), db.WithContext(tenantCtx("bravo"))
		f := seedKinds(t, db, "f")
		line := f.Notes[0].Pages[0].Lines[0]
		must(t, acme.Delete(&line).Error)
		var first softcascade.Deletion
		must(t, db.Where("tenant = ?", "acme").Take(&first).Error)
		// Brought back outside the plugin, then deleted by bravo.
		must(t, db.Session(&gorm.Session{SkipHooks: true}).Unscoped().Model(&modelstest.Line{}).
			Where("id = ?", line.ID).Update("is_del", 0).Error)
		must(t, bravo.Delete(&modelstest.Line{ID: line.ID}).Error)

		_, err := softcascade.Restore(acme, &modelstest.Line{ID: line.ID})
		notFound(t, "acme restores bravo's row", err)
		// acme's deletion still has the line's children; restoring it must
		// not bring back the line, which is bravo's now. (The children come
		// back under it: the README's "rows changed outside the plugin".)
		_, _ = softcascade.RestoreDeletion(acme, first.ID)
		var still modelstest.Line
		must(t, db.Unscoped().Take(&still, line.ID).Error)
		eq(t, "line still deleted", still.IsDel, 1)

		rep, err := softcascade.Restore(bravo, &modelstest.Line{ID: line.ID})
		must(t, err)
		eq(t, "bravo restores its row", rep.Rows, int64(1))
	})
}
