package softcascade_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A restore checks its stored plan inside its parent check (one statement
// for both). When that statement fails for another reason — here a lock
// it waits for past the server's lock timeout — the error is the check's
// own, never a stored plan at fault, and nothing changes.
func TestRestoreParentCheckFailureIsNotAPlanError(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		if d.IsSQLite() {
			t.Skip("SQLite takes no row locks")
		}
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		// A task of p under a task of q: q's task stays live, and the
		// restore's parent check reads it under a shared lock.
		var child, parent modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).First(&child).Error)
		must(t, db.Where("project_id = ?", q.ID).First(&parent).Error)
		must(t, db.Model(&child).Update("parent_id", parent.ID).Error)
		must(t, db.Delete(&p).Error)
		id := deletions(t, db)[0].ID
		before := counts(t, db)

		// Two connections: the blocker's, and one with a short lock
		// timeout for the restore.
		sqlDB, err := db.DB()
		must(t, err)
		sqlDB.SetMaxOpenConns(2)
		sqlDB.SetMaxIdleConns(2)
		blocker := db.Begin()
		must(t, blocker.Error)
		defer blocker.Rollback()
		// A delete of q's task under way, not committed: the restore's
		// check of that parent waits for it.
		must(t, blocker.Model(&parent).UpdateColumn("deleted_at", time.Now()).Error)
		timeout := "SET lock_timeout = '200ms'"
		if d.IsMySQL() {
			timeout = "SET SESSION innodb_lock_wait_timeout = 1"
		}
		must(t, db.Exec(timeout).Error)

		_, err = softcascade.RestoreDeletion(db, id)
		if err == nil {
			t.Fatal("RestoreDeletion succeeded while a parent was locked past the lock timeout")
		}
		msg := err.Error()
		if errors.Is(err, softcascade.ErrInvalidPlan) || strings.Contains(msg, "stored plan") {
			t.Errorf("a lock timeout reported as a stored plan's fault: %v", err)
		}
		if !strings.HasPrefix(msg, "softcascade: restore: check parents: ") || strings.Count(msg, "softcascade:") != 1 {
			t.Errorf("error %q, want it to say once that the restore's parent check failed", msg)
		}
		must(t, blocker.Rollback().Error)
		if got := counts(t, db); !sameCounts(got, before) {
			t.Errorf("rows changed by a failed restore: %v, want %v", got, before)
		}
		// Nothing of it stays: the deletion restores afterwards.
		_, err = softcascade.RestoreDeletion(db.Session(&gorm.Session{}), id)
		must(t, err)
	})
}
