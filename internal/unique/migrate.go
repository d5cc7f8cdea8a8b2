package unique

import (
	"fmt"
	"github.com/softcascade/softcascade/internal/dialect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// step is one DDL statement and how to tell it has been applied already.
type step struct {
	expr   clause.Expression
	sql    string
	table  string
	index  string // applied once table has this index
	column string // when index is "": applied once table has this column
}

func (s step) done(m gorm.Migrator) bool {
	if s.index != "" {
		return m.HasIndex(s.table, s.index)
	}
	return m.HasColumn(s.table, s.column)
}

// SQL returns the DDL that creates the unique-while-live indexes of models
// on db's dialect, for applications that keep their migrations in files.
// It reads no table: every statement is returned, applied or not.
func SQL(db *gorm.DB, models ...any) ([]string, error) {
	steps, err := statements(db, models)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.sql
	}
	return out, nil
}

// Migrate creates the unique-while-live indexes of models that are
// missing (and, on MySQL, their generated columns). It is idempotent:
// statements already applied are skipped, found by name with
// db.Migrator().HasIndex and HasColumn. Run it after AutoMigrate.
func Migrate(db *gorm.DB, models ...any) error {
	steps, err := statements(db, models)
	if err != nil {
		return err
	}
	tx := db.Session(&gorm.Session{NewDB: true})
	m := tx.Migrator()
	for _, s := range steps {
		if s.done(m) {
			continue
		}
		if err := tx.Exec("?", s.expr).Error; err != nil {
			return errs.Wrap(err, "%s", s.sql)
		}
	}
	return nil
}

// statements returns the statements for models, in order, on db's dialect.
func statements(db *gorm.DB, models []any) ([]step, error) {
	kind, err := dialect.For(db).UniqueWhileLive()
	if err != nil {
		return nil, err
	}
	build := partialIndexes
	if kind == dialect.LiveColumns {
		build = liveColumns
	}
	var out []step
	for _, model := range models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(model); err != nil {
			return nil, errs.Wrap(err, "%T", model)
		}
		s := stmt.Schema
		idx, err := Of(s)
		if err != nil {
			return nil, err
		}
		if len(idx) == 0 {
			continue
		}
		mk, ok := softdelete.Of(s)
		if !ok {
			return nil, fmt.Errorf("%w: %s declares softcascade:\"unique\" columns; a table without soft delete wants gorm:\"uniqueIndex\"", errs.ErrNotSoftDeletable, s.Name)
		}
		steps, err := build(db, s, mk, idx)
		if err != nil {
			return nil, err
		}
		for i := range steps {
			if steps[i].sql, err = render(db, steps[i].expr); err != nil {
				return nil, errs.Wrap(err, "%s", s.Name)
			}
		}
		out = append(out, steps...)
	}
	return out, nil
}

// partialIndexes: PostgreSQL and SQLite index the live rows only,
// CREATE UNIQUE INDEX ... WHERE <alive>.
func partialIndexes(_ *gorm.DB, s *schema.Schema, mk softdelete.Marker, idx []Index) ([]step, error) {
	out := make([]step, 0, len(idx))
	for _, ix := range idx {
		out = append(out, step{
			expr:  createIndex{name: ix.Name, table: s.Table, columns: ix.Columns, where: mk.AliveLiteral("")},
			table: s.Table, index: ix.Name,
		})
	}
	return out, nil
}

// liveColumns: MySQL and MariaDB have no partial indexes. Each indexed
// column gets a generated column holding its value while the row is alive
// and NULL once deleted, and the unique index goes over those: NULLs never
// collide, so deleted rows never conflict, and a composite index behaves
// as the partial one does (a NULL in a live row's own column too).
func liveColumns(db *gorm.DB, s *schema.Schema, mk softdelete.Marker, idx []Index) ([]step, error) {
	var out []step
	added := map[string]bool{}
	for _, ix := range idx {
		cols := make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			cols[i] = LiveColumn(c)
			if added[c] {
				continue
			}
			added[c] = true
			f := s.LookUpField(c)
			if f == nil {
				return nil, fmt.Errorf("softcascade: %s: index %s: no column %s", s.Name, ix.Name, c)
			}
			if clash := s.LookUpField(cols[i]); clash != nil {
				return nil, fmt.Errorf("softcascade: %s.%s: column %s is the name of the generated column for %s's unique index", s.Name, clash.Name, cols[i], c)
			}
			dt := dataTypeOf(db, f)
			if t := strings.ToLower(dt); strings.Contains(t, "text") || strings.Contains(t, "blob") || strings.Contains(t, "json") {
				return nil, fmt.Errorf("softcascade: %s.%s: MySQL cannot put a %s column in a unique index; give the field a size (gorm:\"size:191\")", s.Name, f.Name, dt)
			}
			out = append(out, step{
				expr:  addLiveColumn{table: s.Table, live: cols[i], dataType: dt, column: c, alive: mk.AliveLiteral("")},
				table: s.Table, column: cols[i],
			})
		}
		out = append(out, step{expr: createIndex{name: ix.Name, table: s.Table, columns: cols}, table: s.Table, index: ix.Name})
	}
	return out, nil
}

// dataTypeOf is the column type gorm's migrator gives f (without NOT NULL,
// DEFAULT and the like).
func dataTypeOf(db *gorm.DB, f *schema.Field) string {
	if m, ok := db.Migrator().(interface{ DataTypeOf(*schema.Field) string }); ok {
		return m.DataTypeOf(f)
	}
	return db.Dialector.DataTypeOf(f)
}
