package unique

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// createIndex is CREATE UNIQUE INDEX name ON table (columns) [WHERE where].
type createIndex struct {
	name    string
	table   string
	columns []string
	where   clause.Expression // nil: a plain unique index
}

// Build writes the statement.
func (c createIndex) Build(b clause.Builder) {
	_, _ = b.WriteString("CREATE UNIQUE INDEX ")
	b.WriteQuoted(c.name)
	_, _ = b.WriteString(" ON ")
	b.WriteQuoted(clause.Table{Name: c.table})
	_, _ = b.WriteString(" (")
	for i, col := range c.columns {
		if i > 0 {
			_ = b.WriteByte(',')
		}
		b.WriteQuoted(clause.Column{Name: col})
	}
	_ = b.WriteByte(')')
	if c.where != nil {
		_, _ = b.WriteString(" WHERE ")
		c.where.Build(b)
	}
}

// addLiveColumn is ALTER TABLE table ADD COLUMN live <dataType> GENERATED
// ALWAYS AS (CASE WHEN alive THEN column END) VIRTUAL: the column's value
// while the row is alive, NULL once it is deleted. Virtual, so adding it
// rewrites no rows; the unique index over it stores the values.
type addLiveColumn struct {
	table    string
	live     string
	dataType string // from the model's field, as gorm's migrator writes it
	column   string
	alive    clause.Expression
}

// Build writes the statement.
func (a addLiveColumn) Build(b clause.Builder) {
	_, _ = b.WriteString("ALTER TABLE ")
	b.WriteQuoted(clause.Table{Name: a.table})
	_, _ = b.WriteString(" ADD COLUMN ")
	b.WriteQuoted(clause.Column{Name: a.live})
	_, _ = b.WriteString(" " + a.dataType + " GENERATED ALWAYS AS (CASE WHEN ")
	a.alive.Build(b)
	_, _ = b.WriteString(" THEN ")
	b.WriteQuoted(clause.Column{Name: a.column})
	_, _ = b.WriteString(" END) VIRTUAL")
}

// render writes e as SQL for db's dialect. DDL takes no bind variables, so
// an expression that adds one is an error.
func render(db *gorm.DB, e clause.Expression) (string, error) {
	tx := db.Session(&gorm.Session{NewDB: true})
	stmt := &gorm.Statement{DB: tx, Clauses: map[string]clause.Clause{}}
	e.Build(stmt)
	if tx.Error != nil {
		return "", tx.Error
	}
	if len(stmt.Vars) > 0 {
		return "", fmt.Errorf("softcascade: DDL with bind variables: %s", stmt.SQL.String())
	}
	return stmt.SQL.String(), nil
}
