package softcascade_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Models whose table and column names need quoting: a reserved word, a
// space, mixed case, quote characters and backticks; with a stamped
// cascade, a flag (ledger) table, a unix-second (ledger) table, a
// non-soft-deletable child and a many-to-many join table with a space.

type qnOrder struct {
	ID        uint
	Name      string
	Lines     []qnLine       `gorm:"foreignKey:OrderID;constraint:OnDelete:CASCADE"`
	Seconds   []qnSecond     `gorm:"foreignKey:OrderID;constraint:OnDelete:CASCADE"`
	Tags      []qnTag        `gorm:"many2many:order tags"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (qnOrder) TableName() string { return "order" }

type qnLine struct {
	ID        uint
	OrderID   uint           `gorm:"index"`
	Select    string         `gorm:"column:select"`
	Users     []qnUser       `gorm:"foreignKey:LineID;constraint:OnDelete:CASCADE"`
	Entries   []qnEntry      `gorm:"foreignKey:LineID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func (qnLine) TableName() string { return "project list" }

type qnUser struct {
	ID     uint
	LineID uint
	Group  string                `gorm:"column:group"`
	IsDel  soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

func (qnUser) TableName() string { return "User" }

type qnSecond struct {
	ID        uint
	OrderID   uint
	Note      string
	DeletedAt soft_delete.DeletedAt
}

func (qnSecond) TableName() string { return "it's \"odd\" `name`" }

type qnEntry struct { // not soft-deletable: stays with its line, goes at purge
	ID     uint
	LineID uint
	Order  int `gorm:"column:order"`
}

func (qnEntry) TableName() string { return "entry" }

type qnTag struct {
	ID   uint
	Name string
}

func (qnTag) TableName() string { return "tag" }

func quotedModels() []any {
	return []any{&qnOrder{}, &qnLine{}, &qnUser{}, &qnSecond{}, &qnEntry{}, &qnTag{}}
}

// quotedTables are the tables of quotedModels, the join table included.
var quotedTables = []string{"order", "project list", "User", "it's \"odd\" `name`", "entry", "tag", "order tags"}

// openModels opens a fresh database with models migrated and the plugin
// installed, on a clock the test moves.
func openModels(t *testing.T, d modelstest.Dialect, models ...any) (*gorm.DB, *clock) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	db := d.Open(t, &gorm.Config{NowFunc: clk.Now})
	if err := db.AutoMigrate(models...); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	must(t, db.Use(softcascade.New(softcascade.WithModels(models...))))
	return db, clk
}

func seedQuoted(t *testing.T, db *gorm.DB, name string, tags []qnTag) qnOrder {
	t.Helper()
	o := qnOrder{Name: name, Tags: tags}
	for i := range 2 {
		l := qnLine{Select: fmt.Sprintf("%s line %d", name, i)}
		for j := range 2 {
			l.Users = append(l.Users, qnUser{Group: fmt.Sprintf("g%d", j)})
			l.Entries = append(l.Entries, qnEntry{Order: j})
		}
		o.Lines = append(o.Lines, l)
		o.Seconds = append(o.Seconds, qnSecond{Note: fmt.Sprintf("%s second %d", name, i)})
	}
	must(t, db.Create(&o).Error)
	return o
}

// tableRows is every row of tables, read through quoted names, as text.
func tableRows(t *testing.T, db *gorm.DB, tables []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, name := range tables {
		var rows []map[string]any
		must(t, db.Session(&gorm.Session{NewDB: true}).Table("?", clause.Table{Name: name}).Find(&rows).Error)
		for _, r := range rows {
			out[name] = append(out[name], fmt.Sprint(r))
		}
		sort.Strings(out[name])
	}
	return out
}

func sameSnapshot(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for name, rows := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(rows) {
			t.Errorf("%s: table %s:\n got %v\nwant %v", what, name, got[name], rows)
		}
	}
}

// countWhere counts the rows of table matching a condition on one column.
func countWhere(t *testing.T, db *gorm.DB, table, column string, value any) int64 {
	t.Helper()
	var n int64
	must(t, db.Session(&gorm.Session{NewDB: true}).Table("?", clause.Table{Name: table}).
		Where(clause.Eq{Column: clause.Column{Name: column}, Value: value}).Count(&n).Error)
	return n
}

// Delete → restore (by row and by deletion ID) → delete → purge on tables
// whose names need quoting: the restores give back the database as it
// was, the purge removes every row of the deleted order and nothing of the
// other one.
func TestQuotedIdentifiersDeleteRestorePurge(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openModels(t, d, quotedModels()...)
		tags := []qnTag{{Name: "red"}, {Name: "blue"}}
		must(t, db.Create(&tags).Error)
		a := seedQuoted(t, db, "a", tags)
		b := seedQuoted(t, db, "b", tags[:1])
		before := tableRows(t, db, quotedTables)

		must(t, db.Delete(&qnOrder{ID: a.ID}).Error)
		ds := deletions(t, db)
		if len(ds) != 1 {
			t.Fatalf("deletions = %d, want 1", len(ds))
		}
		want := map[string]int64{"order": 1, "project list": 2, "User": 4, "it's \"odd\" `name`": 2}
		eqMap(t, "Tables", ds[0].Tables, want)
		eq(t, "live users of b", countWhere(t, db, "User", "is_del", 0), int64(4))
		rep, err := softcascade.Restore(db, &qnOrder{ID: a.ID})
		must(t, err)
		eq(t, "restored rows", rep.Rows, int64(9))
		sameSnapshot(t, "after Restore", tableRows(t, db, quotedTables), before)

		must(t, db.Delete(&qnOrder{ID: a.ID}).Error)
		ds = deletions(t, db)
		_, err = softcascade.RestoreDeletion(db, ds[len(ds)-1].ID)
		must(t, err)
		sameSnapshot(t, "after RestoreDeletion", tableRows(t, db, quotedTables), before)

		// A child alone: a line of a, then its users, restored by row.
		must(t, db.Delete(&qnLine{ID: a.Lines[0].ID}).Error)
		_, err = softcascade.Restore(db, &qnLine{ID: a.Lines[0].ID})
		must(t, err)
		sameSnapshot(t, "after restoring a line", tableRows(t, db, quotedTables), before)

		deleteAt(t, db, clk, 40*day, &qnOrder{ID: a.ID})
		rep, err = softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 3})
		must(t, err)
		eqMap(t, "purged", rep.Tables, map[string]int64{"order": 1, "project list": 2, "User": 4,
			"it's \"odd\" `name`": 2, "entry": 4, "order tags": 2})
		eq(t, "orders left", countWhere(t, db, "order", "id", b.ID), int64(1))
		eq(t, "a's order", countWhere(t, db, "order", "id", a.ID), int64(0))
		eq(t, "a's lines", countWhere(t, db, "project list", "order_id", a.ID), int64(0))
		eq(t, "a's seconds", countWhere(t, db, "it's \"odd\" `name`", "order_id", a.ID), int64(0))
		eq(t, "a's tags", countWhere(t, db, "order tags", "qn_order_id", a.ID), int64(0))
		eq(t, "b's tags", countWhere(t, db, "order tags", "qn_order_id", b.ID), int64(1))
		after := tableRows(t, db, quotedTables)
		for _, name := range []string{"User", "entry"} {
			eq(t, name+" rows left", len(after[name]), 4)
		}
		eq(t, "tags left", len(after["tag"]), 2)
		for _, del := range deletions(t, db) {
			if del.PurgedAt == nil && del.RestoredAt == nil {
				t.Errorf("deletion %s of %s neither purged nor restored", del.ID, del.Table)
			}
		}
	})
}

// storedPlan reads and writes the plan stored with a deletion, as someone
// with write access to the log table could.
func storedPlan(t *testing.T, db *gorm.DB, id string) *plan.Plan {
	t.Helper()
	var d softcascade.Deletion
	must(t, db.Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: id}).Take(&d).Error)
	return d.Plan
}

func tamper(t *testing.T, db *gorm.DB, id string, p *plan.Plan) {
	t.Helper()
	b, err := json.Marshal(p)
	must(t, err)
	must(t, db.Session(&gorm.Session{NewDB: true}).Table("softcascade_deletions").
		Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: id}).UpdateColumn("plan", string(b)).Error)
}

// renameTable renames a table everywhere a plan names it.
func renameTable(p *plan.Plan, from, to string) {
	if p.Root == from {
		p.Root = to
	}
	for i := range p.Tables {
		if p.Tables[i].Name == from {
			p.Tables[i].Name = to
		}
	}
	for _, es := range [][]plan.Edge{p.Edges, p.Incoming, p.Restricts} {
		for i := range es {
			if es[i].Parent == from {
				es[i].Parent = to
			}
			if es[i].Child == from {
				es[i].Child = to
			}
		}
	}
	for i := range p.Joins {
		if p.Joins[i].Owner == from {
			p.Joins[i].Owner = to
		}
	}
}

// A stored plan that was tampered with is refused before any statement
// uses it: RestoreDeletion, Restore and Purge fail with ErrInvalidPlan
// naming the table or column, nothing changes, and Purge keeps the
// deletion.
func TestTamperedStoredPlan(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(p *plan.Plan)
		want   string
	}{
		{"another table in place of a cascade table", func(p *plan.Plan) { renameTable(p, "project list", "tag") },
			`table "tag" has no column`},
		{"SQL in a table name", func(p *plan.Plan) { renameTable(p, "project list", `tag" SET name = 'x' WHERE 1=1; --`) },
			`does not exist`},
		{"SQL in a join table name", func(p *plan.Plan) { p.Joins[0].Table = "tag; DELETE FROM tag" },
			`table "tag; DELETE FROM tag" does not exist`},
		{"SQL in a column name", func(p *plan.Plan) { p.Tables[0].Marker.Column = "deleted_at = NULL, name" },
			`has no column "deleted_at = NULL, name"`},
		{"unknown edge key", func(p *plan.Plan) { p.Edges[0].ChildKeys = []string{"nope"} }, `has no column "nope"`},
		{"edge to a table the plan does not hold", func(p *plan.Plan) { p.Edges[0].Child = "tag" }, `which the plan does not hold`},
		{"no primary key", func(p *plan.Plan) { p.Tables[1].PrimaryKeys = nil }, `has no primary key`},
		{"unknown soft-delete kind", func(p *plan.Plan) { p.Tables[0].Marker.Kind = "bogus" }, `unknown soft-delete kind "bogus"`},
		{"quoted name", func(p *plan.Plan) { renameTable(p, "order", "\"order\"") }, `begins with a quote character`},
		{"root not first", func(p *plan.Plan) { p.Root = "tag" }, `root "tag" is not the first table`},
	}
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openModels(t, d, quotedModels()...)
		tags := []qnTag{{Name: "red"}}
		must(t, db.Create(&tags).Error)
		a := seedQuoted(t, db, "a", tags)
		seedQuoted(t, db, "b", tags)
		deleteAt(t, db, clk, 40*day, &qnOrder{ID: a.ID})
		id := deletions(t, db)[0].ID
		original := storedPlan(t, db, id)
		deleted := tableRows(t, db, quotedTables)
		for _, c := range cases {
			var p plan.Plan // a deep copy of the original
			b, _ := json.Marshal(original)
			must(t, json.Unmarshal(b, &p))
			c.change(&p)
			tamper(t, db, id, &p)
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, softcascade.ErrInvalidPlan) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: %s: %v, want ErrInvalidPlan with %q", c.name, op, err, c.want)
				}
			}
			_, err := softcascade.RestoreDeletion(db, id)
			check("RestoreDeletion", err)
			_, err = softcascade.Restore(db, &qnOrder{ID: a.ID})
			check("Restore", err)
			rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
			check("Purge", err)
			eq(t, c.name+": purged rows", rep.Rows, int64(0))
			sameSnapshot(t, c.name, tableRows(t, db, quotedTables), deleted)
			del := deletions(t, db)[0]
			if del.PurgedAt != nil || del.PurgeStartedAt != nil || del.RestoredAt != nil {
				t.Errorf("%s: deletion changed: %+v", c.name, del)
			}
		}
		tamper(t, db, id, original)
		_, err := softcascade.RestoreDeletion(db, id)
		must(t, err)
	})
}

type dottedName struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

func (dottedName) TableName() string { return "a.b.c" }

type quotedName struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

func (quotedName) TableName() string { return `"order"` }

// A model whose table name cannot be quoted as one identifier is refused
// at Delete, before any statement: never a plain soft delete.
func TestUnquotableTableNamesRefused(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, _ := openModels(t, d)
		for _, c := range []struct {
			value any
			want  string
		}{
			{&dottedName{ID: 1}, `"a.b.c" has more than one dot`},
			{&quotedName{ID: 1}, `begins with a quote character`},
		} {
			err := db.Delete(c.value).Error
			if !errors.Is(err, softcascade.ErrInvalidPlan) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Delete(%T): %v, want ErrInvalidPlan with %q", c.value, err, c.want)
			}
		}
		eq(t, "deletions", len(deletions(t, db)), 0)
	})
}
