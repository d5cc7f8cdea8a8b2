package softcascade_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

// An application that keeps its schema in migration files puts SchemaSQL's
// statements in a migration and installs the plugin with SkipMigrate,
// which checks the tables instead of creating them.
func ExampleSchemaSQL() {
	dir, _ := os.MkdirTemp("", "softcascade-example")
	defer os.RemoveAll(dir)
	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, "app.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		panic(err)
	}
	stmts, err := softcascade.SchemaSQL(db)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.SplitN(stmts[0], " (", 2)[0])

	// Before the migration ran:
	err = db.Use(softcascade.New(softcascade.SkipMigrate()))
	fmt.Println(strings.Contains(fmt.Sprint(err), "missing table softcascade_deletions"))

	// The migration (here run by hand), then the plugin:
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			panic(err)
		}
	}
	db, _ = gorm.Open(sqlite.Open(filepath.Join(dir, "app.db")), &gorm.Config{Logger: logger.Discard})
	fmt.Println(db.Use(softcascade.New(softcascade.SkipMigrate())))
	// Output:
	// CREATE TABLE `softcascade_deletions`
	// true
	// <nil>
}
