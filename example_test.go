package softcascade_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

// The models of the examples: deleting a Project soft-deletes its Tasks
// and their Comments; a Task's Subtasks cascade to any depth.
type Project struct {
	ID        uint
	Name      string
	Tasks     []Task `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

type Task struct {
	ID        uint
	ProjectID uint
	ParentID  *uint
	Subtasks  []Task    `gorm:"foreignKey:ParentID" softcascade:"cascade"`
	Comments  []Comment `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

type Comment struct {
	ID        uint
	TaskID    uint
	DeletedAt gorm.DeletedAt
}

// exampleDB opens a fresh embedded SQLite database with the plugin.
func exampleDB() (*gorm.DB, func()) {
	dir, _ := os.MkdirTemp("", "softcascade-example")
	db, err := gorm.Open(sqlite.Open(filepath.Join(dir, "example.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		panic(err)
	}
	if err := db.AutoMigrate(&Project{}, &Task{}, &Comment{}); err != nil {
		panic(err)
	}
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	return db, func() { os.RemoveAll(dir) }
}

func exampleProject(db *gorm.DB) Project {
	p := Project{Name: "Website", Tasks: []Task{
		{Comments: []Comment{{}, {}}, Subtasks: []Task{{Comments: []Comment{{}}}}},
		{Comments: []Comment{{}}},
	}}
	if err := db.Create(&p).Error; err != nil {
		panic(err)
	}
	return p
}

// A plain db.Delete soft-deletes the project and everything beneath it, and
// records one deletion with who, why and how many rows per table.
func Example() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)

	ctx := softcascade.WithActor(context.Background(), "user:42")
	ctx = softcascade.WithReason(ctx, "customer request")
	if err := db.WithContext(ctx).Delete(&p).Error; err != nil {
		panic(err)
	}

	var d softcascade.Deletion
	db.First(&d)
	fmt.Println(d.Table, d.Actor, d.Reason, d.Rows)
	fmt.Println(d.Tables)
	// Output:
	// projects user:42 customer request 8
	// map[comments:4 projects:1 tasks:3]
}

// Restore brings back a row and exactly what its deletion cascaded to.
func ExampleRestore() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)

	rep, err := softcascade.Restore(db, &p)
	fmt.Println(rep.Rows, rep.Tables, err)
	// Output: 8 map[comments:4 projects:1 tasks:3] <nil>
}

// RestoreDeletion undoes one deletion by its ID, without Go model types:
// what a trash view's Restore button calls.
func ExampleRestoreDeletion() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)

	var trash []softcascade.Deletion
	db.Order("deleted_at DESC").Limit(20).Find(&trash)
	rep, err := softcascade.RestoreDeletion(db, trash[0].ID)
	fmt.Println(rep.Rows, err)
	// Output: 8 <nil>
}

// Trashed lists soft-deleted rows; WithTrashed lists all of them.
func ExampleTrashed() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)

	var projects []Project
	db.Scopes(softcascade.Trashed).Preload("Tasks", softcascade.WithTrashed).Find(&projects)
	fmt.Println(len(projects), projects[0].Name, len(projects[0].Tasks))
	// Output: 1 Website 2
}
