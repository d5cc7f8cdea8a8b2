package softcascade_test

import (
	"fmt"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A foreign key declared ON DELETE RESTRICT (as other migration tools
// write them) holds a row like any other: Purge skips it and its parents
// and reports them, instead of failing. SQLite reports such a violation
// with another error code than a plain foreign key's.
func TestPurgeSkipsRowsHeldByRestrict(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		id, fk := "INTEGER PRIMARY KEY", "INTEGER"
		switch {
		case d.IsPostgres():
			id, fk = "BIGINT PRIMARY KEY", "BIGINT"
		case d.IsMySQL():
			id, fk = "BIGINT UNSIGNED PRIMARY KEY", "BIGINT UNSIGNED"
		}
		must(t, db.Exec(fmt.Sprintf("CREATE TABLE task_pins (id %s, task_id %s NOT NULL, "+
			"CONSTRAINT task_pins_task_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE RESTRICT)", id, fk)).Error)
		held := modelstest.SeedProject(t, db, "held", modelstest.Small)
		var leaf modelstest.Task // a subtask of a subtask
		must(t, db.Where("project_id = ? AND parent_id IN (?)", held.ID,
			db.Model(&modelstest.Task{}).Select("id").Where("parent_id IS NOT NULL")).First(&leaf).Error)
		must(t, db.Exec("INSERT INTO task_pins (id, task_id) VALUES (1, ?)", leaf.ID).Error)
		deleteAt(t, db, clk, 40*day, &held)

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		kept := map[string]int64{"tasks": 3, "projects": 1} // the leaf and its ancestors
		eqMap(t, "Skipped", rep.Skipped, kept)
		eq(t, "Rows", rep.Rows, sum(smallTree)-sum(kept))

		must(t, db.Exec("DELETE FROM task_pins").Error)
		rep, err = softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables of the second run", rep.Tables, kept)
		eqMap(t, "Skipped of the second run", rep.Skipped, nil)
	})
}
