package softcascade

import (
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// SkipMigrate makes Initialize create and alter none of the plugin's
// tables: for applications that keep their schema in migration files
// (goose, golang-migrate, Atlas). Put the statements of SchemaSQL (or of
// `softcascade schema`) in a migration. Initialize then checks that the
// tables, their columns and indexes (and, on MySQL and MariaDB, the
// binary collations of their key columns) are there, and fails naming
// everything that is missing.
func SkipMigrate() Option { return func(p *Plugin) { p.skipMigrate = true } }

// SchemaSQL returns the statements that create the plugin's tables — the
// deletion log and the ledger, with their indexes and, on MySQL and
// MariaDB, the binary collations of their key columns — for db's dialect,
// in order: what Initialize creates on an empty schema. They are built
// by GORM's migrator in DryRun mode from the plugin's models, so they are
// what AutoMigrate would run. Nothing is changed; on MySQL and MariaDB
// the server is asked which binary collation it has. The plugin need not
// be installed.
//
// After an upgrade of softcascade that adds columns, Initialize with
// SkipMigrate names the missing ones; add them in a migration.
func SchemaSQL(db *gorm.DB) ([]string, error) {
	if err := usable(db); err != nil {
		return nil, err
	}
	return deletionlog.SchemaSQL(db)
}

// migrate creates the plugin's tables, or with SkipMigrate checks them.
func (p *Plugin) migrate(db *gorm.DB) error {
	if p.skipMigrate {
		return deletionlog.Check(db)
	}
	return deletionlog.Migrate(db)
}
