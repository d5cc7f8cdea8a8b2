package cascade

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// On is tx on the table named name, always written as a quoted identifier
// (clause.Table): GORM's Table method reads a name holding a space or a
// backtick as raw SQL, so "project list" would become table project with
// alias list, and a name from a tampered stored plan could carry SQL. A
// name "schema.table" is quoted as two identifiers, as GORM quotes its own
// schema-qualified table names. Columns written for clause.CurrentTable
// are qualified with the same quoted name.
func On(tx *gorm.DB, name string) *gorm.DB {
	tx = tx.Table("?", clause.Table{Name: name})
	tx.Statement.Table = name
	return tx
}
