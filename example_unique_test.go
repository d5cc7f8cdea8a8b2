package softcascade_test

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// A workspace's slug is unique among live workspaces only.
type Workspace struct {
	ID        uint
	Slug      string `gorm:"size:64" softcascade:"unique"`
	DeletedAt gorm.DeletedAt
}

// Once a workspace is in the trash, its slug is free for a new one; two
// live workspaces still cannot share it.
func ExampleMigrateUnique() {
	db, done := openExample(&gorm.Config{}, &Workspace{})
	defer done()
	if err := softcascade.MigrateUnique(db, &Workspace{}); err != nil {
		panic(err)
	}
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	old := Workspace{Slug: "acme"}
	db.Create(&old)
	db.Delete(&old)

	fmt.Println("new acme:", db.Create(&Workspace{Slug: "acme"}).Error)
	fmt.Println("second live acme refused:", db.Create(&Workspace{Slug: "acme"}).Error != nil)
	// Output:
	// new acme: <nil>
	// second live acme refused: true
}

// UniqueSQL gives MigrateUnique's statements, for migration files.
func ExampleUniqueSQL() {
	db, done := openExample(&gorm.Config{}, &Workspace{})
	defer done()

	stmts, err := softcascade.UniqueSQL(db, &Workspace{})
	for _, s := range stmts {
		fmt.Println(s)
	}
	fmt.Println(err)
	// Output:
	// CREATE UNIQUE INDEX `idx_workspaces_slug_live` ON `workspaces` (`slug`) WHERE `deleted_at` IS NULL
	// <nil>
}

// Restoring a workspace whose slug a live one took meanwhile is refused,
// and nothing is restored; errors.As tells which index and values.
func ExampleUniqueConflictError() {
	db, done := openExample(&gorm.Config{}, &Workspace{})
	defer done()
	if err := softcascade.MigrateUnique(db, &Workspace{}); err != nil {
		panic(err)
	}
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	old := Workspace{Slug: "acme"}
	db.Create(&old)
	db.Delete(&old)
	db.Create(&Workspace{Slug: "acme"})

	_, err := softcascade.Restore(db, &old)
	var conflict *softcascade.UniqueConflictError
	if errors.As(err, &conflict) {
		fmt.Println(conflict.Table, conflict.Index, conflict.Key["slug"])
	}
	fmt.Println(errors.Is(err, softcascade.ErrUniqueConflict))
	// Output:
	// workspaces idx_workspaces_slug_live acme
	// true
}
