package softcascade_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A project deleted 31 days ago is purged with everything it took; one
// deleted yesterday stays restorable.
func ExamplePurge() {
	dir, err := os.MkdirTemp("", "softcascade-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, err := gorm.Open(sqlite.Open("file:"+filepath.Join(dir, "app.db")+"?_pragma=foreign_keys(1)"),
		&gorm.Config{NowFunc: func() time.Time { return now }, Logger: logger.Discard})
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(modelstest.SeedModels()...); err != nil {
		panic(err)
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(modelstest.SeedModels()...))); err != nil {
		panic(err)
	}
	shape := modelstest.Shape{Tasks: 2, CommentsPerTask: 1}
	old, _ := modelstest.CreateProject(db, "old", shape)
	recent, _ := modelstest.CreateProject(db, "recent", shape)
	db.Delete(&old)
	now = now.Add(30 * 24 * time.Hour)
	db.Delete(&recent)
	now = now.Add(24 * time.Hour)

	dry, _ := softcascade.Purge(db, softcascade.PurgeOptions{DryRun: true})
	rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
	fmt.Println("would purge:", dry.Rows)
	fmt.Println("purged:", rep.Rows, rep.Tables, err)
	// Output:
	// would purge: 5
	// purged: 5 map[comments:2 projects:1 tasks:2] <nil>
}
