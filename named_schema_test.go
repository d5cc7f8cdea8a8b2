package softcascade_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// namedSchema is the schema (MySQL: database) of the ns models' tables,
// set by TestNamedSchema before it opens a database: GORM reads TableName
// once per opened *gorm.DB.
var namedSchema string

type nsProject struct {
	ID        uint
	Name      string
	Tasks     []nsTask       `gorm:"foreignKey:ProjectID;constraint:OnDelete:CASCADE"`
	Tags      []nsTag        `gorm:"many2many:project_tags"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (nsProject) TableName() string { return namedSchema + ".projects" }

type nsTask struct {
	ID        uint
	ProjectID uint     `gorm:"index"`
	Flags     []nsFlag `gorm:"foreignKey:TaskID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

func (nsTask) TableName() string { return namedSchema + ".tasks" }

type nsFlag struct { // flag soft delete: recorded in the ledger
	ID     uint
	TaskID uint
	IsDel  soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

func (nsFlag) TableName() string { return namedSchema + ".flags" }

type nsTag struct {
	ID   uint
	Name string
}

func (nsTag) TableName() string { return namedSchema + ".tags" }

// Models whose TableName is schema-qualified ("app.projects" on
// PostgreSQL, "db.projects" on MySQL, in a schema other than the
// connection's): delete cascades and is logged, Restore and
// RestoreDeletion give the database back as it was, Purge removes the
// deleted tree and nothing else. (SQLite has no schemas without ATTACH.)
func TestNamedSchema(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		if d.IsSQLite() {
			t.Skip("SQLite: a schema-qualified name needs an attached database on every connection")
		}
		namedSchema = modelstest.RandomName()
		admin := d.Open(t, nil)
		must(t, admin.Exec(map[bool]string{true: "CREATE SCHEMA ?", false: "CREATE DATABASE ?"}[d.IsPostgres()], clause.Table{Name: namedSchema}).Error)
		t.Cleanup(func() {
			drop := map[bool]string{true: "DROP SCHEMA ? CASCADE", false: "DROP DATABASE ?"}[d.IsPostgres()]
			if err := admin.Exec(drop, clause.Table{Name: namedSchema}).Error; err != nil {
				t.Errorf("drop %s: %v", namedSchema, err)
			}
		})
		models := []any{&nsProject{}, &nsTask{}, &nsFlag{}, &nsTag{}}
		db, clk := openModels(t, d, models...)
		tables := []string{namedSchema + ".projects", namedSchema + ".tasks", namedSchema + ".flags", namedSchema + ".tags", "project_tags"} // GORM creates the join table in the connection's schema
		tags := []nsTag{{Name: "red"}}
		must(t, db.Create(&tags).Error)
		seed := func(name string) nsProject {
			p := nsProject{Name: name, Tags: tags}
			for range 2 {
				p.Tasks = append(p.Tasks, nsTask{Flags: []nsFlag{{}, {}}})
			}
			must(t, db.Create(&p).Error)
			return p
		}
		a, b := seed("a"), seed("b")
		before := tableRows(t, db, tables)

		must(t, db.Delete(&nsProject{ID: a.ID}).Error)
		ds := deletions(t, db)
		if len(ds) != 1 {
			t.Fatalf("deletions = %d, want 1: the delete did not go through the plugin", len(ds))
		}
		eqMap(t, "Tables", ds[0].Tables, map[string]int64{tables[0]: 1, tables[1]: 2, tables[2]: 4})
		_, err := softcascade.Restore(db, &nsProject{ID: a.ID})
		must(t, err)
		sameSnapshot(t, "after Restore", tableRows(t, db, tables), before)

		must(t, db.Delete(&nsProject{ID: a.ID}).Error)
		ds = deletions(t, db)
		_, err = softcascade.RestoreDeletion(db, ds[len(ds)-1].ID)
		must(t, err)
		sameSnapshot(t, "after RestoreDeletion", tableRows(t, db, tables), before)

		deleteAt(t, db, clk, 40*day, &nsProject{ID: a.ID})
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "purged", rep.Tables, map[string]int64{tables[0]: 1, tables[1]: 2, tables[2]: 4, tables[4]: 1})
		after := tableRows(t, db, tables)
		for i, n := range []int{1, 2, 4, 1, 1} {
			eq(t, fmt.Sprintf("%s rows left", tables[i]), len(after[tables[i]]), n)
		}
		eq(t, "b's project", countWhere(t, db, tables[0], "id", b.ID), int64(1))
	})
}
