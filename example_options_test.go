package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

// A Folder's Files carry no softcascade tag: they cascade only under
// CascadeAll. Pins never cascade (softcascade:"-").
type Folder struct {
	ID        uint
	Files     []File
	Pins      []Pin `softcascade:"-"`
	DeletedAt gorm.DeletedAt
}

type File struct {
	ID        uint
	FolderID  uint
	DeletedAt gorm.DeletedAt
}

type Pin struct {
	ID        uint
	FolderID  uint
	DeletedAt gorm.DeletedAt
}

// openExample opens a fresh embedded SQLite database with cfg and the
// models migrated; the examples install the plugin themselves.
func openExample(cfg *gorm.Config, models ...any) (*gorm.DB, func()) {
	dir, err := os.MkdirTemp("", "softcascade-example")
	if err != nil {
		panic(err)
	}
	cfg.Logger = logger.Discard
	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, "app.db")), cfg)
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(models...); err != nil {
		panic(err)
	}
	return db, func() { os.RemoveAll(dir) }
}

// New takes the options; db.Use installs the plugin, creating its tables.
func ExampleNew() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()

	p := softcascade.New(softcascade.WithRetention(7*24*time.Hour), softcascade.GuardChildren())
	err := db.Use(p)
	fmt.Println(p.Name(), p.Retention(), err)
	// Output: softcascade 168h0m0s <nil>
}

// With CascadeAll, every has-one and has-many relation cascades without a
// tag; softcascade:"-" opts a relation out.
func ExampleCascadeAll() {
	db, done := openExample(&gorm.Config{}, &Folder{}, &File{}, &Pin{})
	defer done()
	if err := db.Use(softcascade.New(softcascade.CascadeAll())); err != nil {
		panic(err)
	}
	f := Folder{Files: []File{{}, {}}, Pins: []Pin{{}}}
	db.Create(&f)

	db.Delete(&f)
	var files, pins int64
	db.Model(&File{}).Count(&files)
	db.Model(&Pin{}).Count(&pins)
	fmt.Println("live files:", files, "live pins:", pins)
	// Output: live files: 0 live pins: 1
}

// With a retention of 7 days, a deletion becomes due for Purge a week
// after it was made.
func ExampleWithRetention() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New(softcascade.WithRetention(7 * 24 * time.Hour))); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)

	now = now.Add(6 * 24 * time.Hour)
	early, _ := softcascade.Purge(db, softcascade.PurgeOptions{})
	now = now.Add(2 * 24 * time.Hour)
	due, err := softcascade.Purge(db, softcascade.PurgeOptions{})
	fmt.Println("after 6 days:", early.Rows)
	fmt.Println("after 8 days:", due.Rows, err)
	// Output:
	// after 6 days: 0
	// after 8 days: 8 <nil>
}

// With GuardChildren, a Create under a parent in the trash is refused.
func ExampleGuardChildren() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New(softcascade.GuardChildren())); err != nil {
		panic(err)
	}
	p := Project{Name: "Website"}
	db.Create(&p)
	db.Delete(&p)

	err := db.Create(&Task{ProjectID: p.ID}).Error
	fmt.Println(errors.Is(err, softcascade.ErrParentDeleted))
	// Output: true
}

// Rows already in the database when the application starts: the photos
// of an album. Only Photo declares the cascade, on its belongs-to.
type Album struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

type Photo struct {
	ID        uint
	AlbumID   uint
	Album     Album `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// WithModels makes the plugin learn Photo at db.Use, so that the first
// Delete of an album cascades to its photos. Without it, a process that
// has not used Photo yet would not know the relation.
func ExampleWithModels() {
	db, done := openExample(&gorm.Config{}, &Album{}, &Photo{})
	defer done()
	album := Album{}
	db.Create(&album)
	db.Create(&[]Photo{{AlbumID: album.ID}, {AlbumID: album.ID}})

	if err := db.Use(softcascade.New(softcascade.WithModels(&Album{}, &Photo{}))); err != nil {
		panic(err)
	}
	db.Delete(&album)
	var photos int64
	db.Model(&Photo{}).Count(&photos)
	fmt.Println("live photos:", photos)
	// Output: live photos: 0
}

// OnCommit tells the application about each committed deletion and
// restore, for example to invalidate a cache.
func ExampleOnCommit() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()
	notify := func(ctx context.Context, e softcascade.Event) {
		switch e.Op {
		case softcascade.Deleted:
			fmt.Println(e.Op, e.Deletion.Table, e.Deletion.Rows)
		case softcascade.Restored:
			fmt.Println(e.Op, e.Report.Rows)
		}
	}
	if err := db.Use(softcascade.New(softcascade.OnCommit(notify))); err != nil {
		panic(err)
	}
	p := exampleProject(db)

	db.Delete(&p)
	softcascade.Restore(db, &p)
	// Output:
	// deleted projects 8
	// restored 8
}
