package softcascade_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Legacy tables: created by raw DDL, as other migration tools make them,
// with soft-delete columns of any precision.

// LegacyProject is the root of the legacy tables.
type LegacyProject struct {
	ID        uint
	Name      string
	Tasks     []LegacyTask `gorm:"foreignKey:ProjectID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// LegacyTask is a project's task.
type LegacyTask struct {
	ID        uint
	ProjectID uint
	Name      string
	Notes     []LegacyNote `gorm:"foreignKey:TaskID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// LegacyNote is a task's note.
type LegacyNote struct {
	ID        uint
	TaskID    uint
	Body      string
	DeletedAt gorm.DeletedAt
}

// LegacyPair has a composite key: its deletions cannot go in the ledger.
type LegacyPair struct {
	A         uint `gorm:"primaryKey;autoIncrement:false"`
	B         uint `gorm:"primaryKey;autoIncrement:false"`
	DeletedAt gorm.DeletedAt
}

// LegacyMilli is a unix-milli soft-delete field.
type LegacyMilli struct {
	ID        uint
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli"`
}

// legacyTables creates the legacy tables, the soft-delete column of each
// of projects, tasks and notes of the given type.
func legacyTables(t *testing.T, db *gorm.DB, d modelstest.Dialect, types [3]string) {
	t.Helper()
	id, ref := "id INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"
	switch {
	case d.IsPostgres():
		id, ref = "id BIGSERIAL PRIMARY KEY", "BIGINT"
	case d.IsMySQL():
		id, ref = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY", "BIGINT UNSIGNED"
	}
	for _, ddl := range []string{
		fmt.Sprintf("CREATE TABLE legacy_projects (%s, name VARCHAR(100), deleted_at %s)", id, types[0]),
		fmt.Sprintf("CREATE TABLE legacy_tasks (%s, project_id %s, name VARCHAR(100), deleted_at %s)", id, ref, types[1]),
		fmt.Sprintf("CREATE TABLE legacy_notes (%s, task_id %s, body VARCHAR(100), deleted_at %s)", id, ref, types[2]),
	} {
		must(t, db.Exec(ddl).Error)
	}
}

// legacyProject creates a project with two tasks of two notes each.
func legacyProject(t *testing.T, db *gorm.DB, name string) LegacyProject {
	t.Helper()
	p := LegacyProject{Name: name}
	for i := range 2 {
		task := LegacyTask{Name: fmt.Sprintf("%s/t%d", name, i)}
		for j := range 2 {
			task.Notes = append(task.Notes, LegacyNote{Body: fmt.Sprintf("%s/t%d/n%d", name, i, j)})
		}
		p.Tasks = append(p.Tasks, task)
	}
	must(t, db.Create(&p).Error)
	return p
}

// legacyCase is one set of column types, with whether each table's column
// is too coarse for the stamp (its deletions go in the ledger).
type legacyCase struct {
	types  [3]string
	coarse [3]bool
}

func legacyCases(d modelstest.Dialect) []legacyCase {
	switch {
	case d.IsPostgres():
		return []legacyCase{
			{[3]string{"timestamp(0)", "timestamp(0)", "timestamp(0)"}, [3]bool{true, true, true}},
			{[3]string{"timestamptz(0)", "timestamptz(3)", "timestamp(2)"}, [3]bool{true, false, true}},
			{[3]string{"date", "timestamp(1)", "timestamptz(0)"}, [3]bool{true, true, true}},
			{[3]string{"timestamp(3)", "timestamptz(6)", "timestamptz"}, [3]bool{false, false, false}},
		}
	case d.IsMySQL():
		return []legacyCase{
			{[3]string{"DATETIME NULL", "DATETIME NULL", "DATETIME NULL"}, [3]bool{true, true, true}},
			{[3]string{"TIMESTAMP NULL", "DATETIME(3) NULL", "DATETIME(2) NULL"}, [3]bool{true, false, true}},
			{[3]string{"DATETIME(1) NULL", "TIMESTAMP(2) NULL", "DATE NULL"}, [3]bool{true, true, true}},
			{[3]string{"DATETIME(3) NULL", "DATETIME(6) NULL", "TIMESTAMP(6) NULL"}, [3]bool{false, false, false}},
		}
	default: // SQLite keeps every digit whatever the declared type
		return []legacyCase{
			{[3]string{"datetime", "timestamp", "datetime"}, [3]bool{false, false, false}},
		}
	}
}

var legacyTableNames = [3]string{"legacy_projects", "legacy_tasks", "legacy_notes"}

// On whole-second (and coarser) columns the cascade records the deletion
// in the ledger and still takes every child; on columns of three digits
// or more it keeps the stamp. Delete, restore byte for byte, delete,
// purge: the other project is never touched.
func TestLegacyColumnPrecision(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, c := range legacyCases(d) {
			t.Run(strings.Join(c.types[:], ","), func(t *testing.T) {
				// .567 s: MySQL rounds it up to the next second.
				clk := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 567e6, time.UTC)}
				db := d.Open(t, &gorm.Config{NowFunc: clk.Now})
				legacyTables(t, db, d, c.types)
				must(t, db.Use(softcascade.New(softcascade.WithModels(&LegacyProject{}))))

				legacyProject(t, db, "other")
				onlyOther := dumpDB(t, db, false)
				p := legacyProject(t, db, "p")
				before := dumpDB(t, db, false)

				must(t, db.Delete(&p).Error)
				ds := deletions(t, db)
				eq(t, "deletions", len(ds), 1)
				eq(t, "rows deleted", ds[0].Rows, int64(7))
				for i, name := range legacyTableNames {
					tb, _ := ds[0].Plan.Table(name)
					eq(t, name+" coarse", tb.Marker.Coarse, c.coarse[i])
					var deleted int64
					must(t, db.Table(name).Where("deleted_at IS NOT NULL").Count(&deleted).Error)
					eq(t, name+" deleted", deleted, []int64{1, 2, 4}[i])
				}
				checkLog(t, db)

				clk.Advance(time.Second)
				_, err := softcascade.Restore(db, &p)
				must(t, err)
				if diff := sameDump(before, dumpDB(t, db, false)); diff != "" {
					t.Fatalf("restore by row:\n%s", diff)
				}

				clk.Advance(1234 * time.Millisecond)
				must(t, db.Delete(&p).Error)
				ds = deletions(t, db)
				_, err = softcascade.RestoreDeletion(db, ds[1].ID)
				must(t, err)
				if diff := sameDump(before, dumpDB(t, db, false)); diff != "" {
					t.Fatalf("restore by ID:\n%s", diff)
				}
				checkLog(t, db)

				clk.Advance(time.Second)
				must(t, db.Delete(&p).Error)
				clk.Advance(time.Hour)
				rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: clk.Now(), OverrideRetention: true})
				must(t, err)
				eq(t, "rows purged", rep.Rows, int64(7))
				if diff := sameDump(onlyOther, dumpDB(t, db, false)); diff != "" {
					t.Fatalf("purge:\n%s", diff)
				}
				checkLog(t, db)
			})
		}
	})
}

// When a column does not keep the value the delete wrote (here a trigger
// truncates it to the second, as a column the plugin judged precise
// would), the mark cannot find the rows just deleted: the delete fails
// with ErrUnsupportedColumn and nothing changes, on every level.
func TestLostMarkRollsBack(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, table := range []string{"legacy_projects", "legacy_tasks"} {
			t.Run(table, func(t *testing.T) {
				clk := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 567e6, time.UTC)}
				db := d.Open(t, &gorm.Config{NowFunc: clk.Now})
				legacyTables(t, db, d, legacyCases(d)[len(legacyCases(d))-1].types)
				must(t, db.Use(softcascade.New(softcascade.WithModels(&LegacyProject{}))))
				truncateTrigger(t, db, d, table)
				p := legacyProject(t, db, "p")
				before := dumpDB(t, db, true)

				err := db.Delete(&p).Error
				if !errors.Is(err, softcascade.ErrUnsupportedColumn) || !strings.Contains(err.Error(), table) {
					t.Fatalf("delete: %v, want ErrUnsupportedColumn naming %s", err, table)
				}
				t.Log(err)
				requireUnchanged(t, "the failed delete", db, before)
			})
		}
	})
}

// truncateTrigger makes every UPDATE of table's deleted_at keep whole
// seconds only.
func truncateTrigger(t *testing.T, db *gorm.DB, d modelstest.Dialect, table string) {
	t.Helper()
	var ddl []string
	switch {
	case d.IsPostgres():
		ddl = []string{
			`CREATE FUNCTION legacy_truncate() RETURNS trigger AS $$ BEGIN NEW.deleted_at := date_trunc('second', NEW.deleted_at); RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER legacy_truncate BEFORE UPDATE ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION legacy_truncate()`,
		}
	case d.IsMySQL():
		ddl = []string{`CREATE TRIGGER legacy_truncate BEFORE UPDATE ON ` + table + ` FOR EACH ROW SET NEW.deleted_at = CAST(NEW.deleted_at AS DATETIME)`}
	default:
		ddl = []string{`CREATE TRIGGER legacy_truncate AFTER UPDATE OF deleted_at ON ` + table +
			` FOR EACH ROW WHEN NEW.deleted_at IS NOT NULL BEGIN UPDATE ` + table + ` SET deleted_at = substr(NEW.deleted_at, 1, 19) WHERE id = NEW.id; END`}
	}
	for _, s := range ddl {
		must(t, db.Exec(s).Error)
	}
}

// A column the plugin judged precise and that was altered to whole
// seconds afterwards (the plugin reads column types once per process):
// the delete fails and changes nothing.
func TestColumnAlteredAfterPlanning(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var alter string
		switch {
		case d.IsPostgres():
			alter = "ALTER TABLE legacy_projects ALTER COLUMN deleted_at TYPE timestamp(0)"
		case d.IsMySQL():
			alter = "ALTER TABLE legacy_projects MODIFY deleted_at DATETIME NULL"
		default:
			t.Skip("SQLite columns keep every digit")
		}
		clk := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 567e6, time.UTC)}
		db := d.Open(t, &gorm.Config{NowFunc: clk.Now})
		legacyTables(t, db, d, legacyCases(d)[len(legacyCases(d))-1].types)
		must(t, db.Use(softcascade.New(softcascade.WithModels(&LegacyProject{}))))
		must(t, db.Exec(alter).Error)
		p := legacyProject(t, db, "p")
		before := dumpDB(t, db, true)
		err := db.Delete(&p).Error
		if !errors.Is(err, softcascade.ErrUnsupportedColumn) || !strings.Contains(err.Error(), "legacy_projects") {
			t.Fatalf("delete: %v, want ErrUnsupportedColumn naming legacy_projects", err)
		}
		t.Log(err)
		requireUnchanged(t, "the failed delete", db, before)
	})
}

// A whole-second column on a composite-key table cannot go in the ledger;
// a unix-milli column narrower than 64 bits cannot hold the time at all.
// Both are refused with an error that names the table, column and type.
func TestLegacyColumnRefused(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		if d.IsSQLite() {
			t.Skip("SQLite columns keep every digit, integers in 64 bits")
		}
		seconds, narrow := "timestamp(0)", "integer"
		if d.IsMySQL() {
			seconds, narrow = "DATETIME NULL", "INT"
		}
		db := d.Open(t, nil)
		must(t, db.Exec("CREATE TABLE legacy_pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, deleted_at "+seconds+", PRIMARY KEY (a, b))").Error)
		must(t, db.Exec("CREATE TABLE legacy_millis (id INTEGER PRIMARY KEY, deleted_at "+narrow+" NOT NULL DEFAULT 0)").Error)
		must(t, db.Use(softcascade.New()))
		must(t, db.Create(&LegacyPair{A: 1, B: 2}).Error)
		must(t, db.Create(&LegacyMilli{ID: 1}).Error)
		before := dumpDB(t, db, true)

		err := db.Delete(&LegacyPair{A: 1, B: 2}).Error
		if !errors.Is(err, softcascade.ErrUnsupportedKey) || !strings.Contains(err.Error(), "legacy_pairs") || !strings.Contains(err.Error(), "deleted_at") {
			t.Errorf("delete pair: %v, want ErrUnsupportedKey naming legacy_pairs.deleted_at", err)
		}
		t.Log(err)
		err = db.Delete(&LegacyMilli{ID: 1}).Error
		if !errors.Is(err, softcascade.ErrUnsupportedColumn) || !strings.Contains(err.Error(), "legacy_millis") || !strings.Contains(err.Error(), "deleted_at") {
			t.Errorf("delete milli: %v, want ErrUnsupportedColumn naming legacy_millis.deleted_at", err)
		}
		t.Log(err)
		_, err = softcascade.Restore(db, &LegacyPair{A: 1, B: 2})
		if !errors.Is(err, softcascade.ErrUnsupportedKey) {
			t.Errorf("restore pair: %v, want ErrUnsupportedKey", err)
		}
		requireUnchanged(t, "the refused deletes", db, before)
	})
}
