package deletionlog

import (
	"fmt"
	"github.com/softcascade/softcascade/internal/dialect"

	"gorm.io/gorm"
)

// exactColumn is a column of the plugin's tables that is compared as a key:
// a tenant, a deletion ID, a table name, a row's key. Such comparisons must
// be exact, byte for byte: "ACME", "acme " and "acmé" are not "acme".
type exactColumn struct {
	table, column string
	size          int
	notNull       bool
}

// exactColumns lists the plugin's key columns.
func exactColumns() []exactColumn {
	return []exactColumn{
		{"softcascade_deletions", "id", 36, true},
		{"softcascade_deletions", "tenant", TenantSize, false},
		{"softcascade_deletions", "root_table", 191, false},
		{LedgerTable, "deletion_id", 36, true},
		{LedgerTable, "table_name", 191, true},
		{LedgerTable, "key_text", 191, false},
	}
}

// binaryCollations are the MySQL and MariaDB collations that compare
// utf8mb4 text byte for byte, trailing spaces included, most preferred
// first. utf8mb4_bin (PAD SPACE: "acme " equals "acme") is the last resort
// of servers that have neither (MySQL 5.7, MariaDB before 10.2).
func binaryCollations() []string {
	return []string{"utf8mb4_0900_bin", "utf8mb4_nopad_bin", "utf8mb4_bin"}
}

// makeExact gives the key columns a binary collation on MySQL and
// MariaDB, whose default collations ignore case, accents and trailing
// spaces. Tables created by earlier versions, with the database's default
// collation, are altered; a column that has it already is left alone.
// PostgreSQL and SQLite compare text exactly already.
func makeExact(db *gorm.DB) error {
	if !dialect.For(db).BinaryCollation() {
		return nil
	}
	coll, fixes, err := collationFixes(db)
	if err != nil {
		return err
	}
	for _, f := range fixes {
		if err := f.column.alter(db, coll); err != nil {
			return fmt.Errorf("give %s.%s the collation %s (it had %s): %w", f.column.table, f.column.column, coll, f.had, err)
		}
	}
	return nil
}

// collationFix is a key column whose collation is not the binary one.
type collationFix struct {
	column exactColumn
	had    string
}

// collationFixes lists the key columns, present in the database, that
// lack the server's binary collation (returned too). MySQL and MariaDB
// only.
func collationFixes(db *gorm.DB) (string, []collationFix, error) {
	coll, err := binaryCollation(db)
	if err != nil {
		return "", nil, err
	}
	type column struct {
		Table, Column string
		Collation     *string
	}
	var cols []column
	err = db.Raw(`SELECT TABLE_NAME AS `+"`table`"+`, COLUMN_NAME AS `+"`column`"+`, COLLATION_NAME AS collation
		FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ?`,
		[]string{"softcascade_deletions", LedgerTable}).Scan(&cols).Error
	if err != nil {
		return "", nil, fmt.Errorf("read the collations of the plugin's tables: %w", err)
	}
	have := map[[2]string]string{}
	for _, c := range cols {
		if c.Collation != nil {
			have[[2]string{c.Table, c.Column}] = *c.Collation
		}
	}
	var fixes []collationFix
	for _, c := range exactColumns() {
		got, ok := have[[2]string{c.table, c.column}]
		if !ok || got == coll {
			continue
		}
		fixes = append(fixes, collationFix{c, got})
	}
	return coll, fixes, nil
}

// inexact names the key columns that lack their binary collation, for
// Check.
func inexact(db *gorm.DB) ([]string, error) {
	if !dialect.For(db).BinaryCollation() {
		return nil, nil
	}
	coll, fixes, err := collationFixes(db)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fixes {
		out = append(out, fmt.Sprintf("collation %s on %s.%s (it has %s)", coll, f.column.table, f.column.column, f.had))
	}
	return out, nil
}

// binaryCollation is the first of binaryCollations the server has.
func binaryCollation(db *gorm.DB) (string, error) {
	var names []string
	err := db.Raw("SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ?", binaryCollations()).
		Scan(&names).Error
	if err != nil {
		return "", fmt.Errorf("list the server's binary collations: %w", err)
	}
	for _, want := range binaryCollations() {
		for _, n := range names {
			if n == want {
				return want, nil
			}
		}
	}
	return "", fmt.Errorf("the server has none of the collations %v", binaryCollations())
}
