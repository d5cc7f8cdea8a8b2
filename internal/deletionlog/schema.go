package deletionlog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// models are the plugin's tables, in the order they are created.
func models() []any { return []any{&Deletion{}, &LedgerRow{}} }

// SchemaSQL returns the statements that create the plugin's tables, their
// indexes and (MySQL, MariaDB) their key columns' binary collations on
// db's dialect: what Migrate runs on an empty schema. The CREATE
// statements come from GORM's migrator in DryRun mode, from the model
// structs, so they follow every column the models declare. On MySQL the
// server is asked which binary collation it has.
func SchemaSQL(db *gorm.DB) ([]string, error) {
	rec := &recorder{}
	dry := db.Session(&gorm.Session{DryRun: true, NewDB: true, Logger: rec})
	if err := dry.Migrator().CreateTable(models()...); err != nil {
		return nil, errs.Wrap(err, "schema")
	}
	if dialect.For(db).BinaryCollation() {
		coll, err := binaryCollation(db)
		if err != nil {
			return nil, errs.Wrap(err, "schema")
		}
		for _, c := range exactColumns() {
			if err := c.alter(dry, coll); err != nil {
				return nil, errs.Wrap(err, "schema")
			}
		}
	}
	return rec.stmts, nil
}

// Check fails when a table, column or index of the plugin's is missing
// from db, or (MySQL, MariaDB) a key column lacks its binary collation,
// naming everything that is missing. The lists come from the model
// structs, as SchemaSQL's statements do.
func Check(db *gorm.DB) error {
	tx := db.Session(&gorm.Session{NewDB: true})
	m := tx.Migrator()
	var missing []string
	for _, model := range models() {
		stmt := &gorm.Statement{DB: tx}
		if err := stmt.Parse(model); err != nil {
			return errs.Wrap(err, "check the plugin's tables")
		}
		s := stmt.Schema
		if !m.HasTable(s.Table) {
			missing = append(missing, "table "+s.Table)
			continue
		}
		cols, err := m.ColumnTypes(s.Table)
		if err != nil {
			return errs.Wrap(err, "check the plugin's tables: %s", s.Table)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[strings.ToLower(c.Name())] = true
		}
		for _, name := range s.DBNames {
			if !have[strings.ToLower(name)] {
				missing = append(missing, "column "+s.Table+"."+name)
			}
		}
		for _, idx := range s.ParseIndexes() {
			if !m.HasIndex(model, idx.Name) {
				missing = append(missing, "index "+idx.Name+" on "+s.Table)
			}
		}
	}
	if len(missing) == 0 {
		wrong, err := inexact(tx)
		if err != nil {
			return errs.Wrap(err, "check the plugin's tables")
		}
		missing = append(missing, wrong...)
	}
	if len(missing) > 0 {
		return fmt.Errorf("softcascade: the plugin's tables are not as it needs them (SkipMigrate: apply softcascade.SchemaSQL, or `softcascade schema`, in your migrations): missing %s",
			strings.Join(missing, ", "))
	}
	return nil
}

// recorder is a logger that keeps the SQL of every statement, for a
// DryRun session that builds statements without running them.
type recorder struct{ stmts []string }

func (r *recorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *recorder) Info(context.Context, string, ...any)     {}
func (r *recorder) Warn(context.Context, string, ...any)     {}
func (r *recorder) Error(context.Context, string, ...any)    {}
func (r *recorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	r.stmts = append(r.stmts, sql)
}

// alter gives the column its binary collation coll.
func (c exactColumn) alter(tx *gorm.DB, coll string) error {
	null := "NULL"
	if c.notNull {
		null = "NOT NULL"
	}
	// The size and collation come from the lists in exact.go, never from
	// outside; names are quoted.
	def := fmt.Sprintf("VARCHAR(%d) CHARACTER SET utf8mb4 COLLATE %s %s", c.size, coll, null)
	return tx.Exec("ALTER TABLE ? MODIFY COLUMN ? "+def, clause.Table{Name: c.table}, clause.Column{Name: c.column}).Error
}
