package softcascade_test

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// A project deleted 31 days ago is purged with everything it took; one
// deleted yesterday stays restorable.
func ExamplePurge() {
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	old, recent := exampleProject(db), exampleProject(db)
	db.Delete(&old)
	now = now.Add(30 * 24 * time.Hour)
	db.Delete(&recent)
	now = now.Add(24 * time.Hour)

	dry, _ := softcascade.Purge(db, softcascade.PurgeOptions{DryRun: true})
	rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
	fmt.Println("would purge:", dry.Rows)
	fmt.Println("purged:", rep.Rows, rep.Tables, err)
	// Output:
	// would purge: 8
	// purged: 8 map[comments:4 projects:1 tasks:3] <nil>
}

// PurgeEvery purges on a schedule until its context ends: here every
// 50 milliseconds for a fifth of a second, a month after a deletion.
func ExamplePurgeEvery() {
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(31 * 24 * time.Hour)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := softcascade.PurgeEvery(ctx, db, 50*time.Millisecond, softcascade.PurgeOptions{})
	var left int64
	db.Scopes(softcascade.WithTrashed).Model(&Project{}).Count(&left)
	fmt.Println(err)
	fmt.Println("projects left:", left)
	// Output:
	// context deadline exceeded
	// projects left: 0
}

// Progress reports each batch of a purge; BatchSize bounds the rows one
// statement and one transaction remove.
func ExamplePurgeOptions() {
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(31 * 24 * time.Hour)

	_, err := softcascade.Purge(db, softcascade.PurgeOptions{
		BatchSize: 3,
		Progress: func(pr softcascade.Progress) {
			fmt.Println(pr.Table, pr.Batch, pr.Rows)
		},
	})
	fmt.Println(err)
	// Output:
	// comments 3 3
	// comments 1 4
	// tasks 2 6
	// tasks 1 7
	// projects 1 8
	// <nil>
}

// Rows soft-deleted before the plugin was installed belong to no
// deletion; PurgeOptions.Models purges them too once they are old enough.
func ExamplePurge_models() {
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Workspace{})
	defer done()
	legacy := []Workspace{{Slug: "old-1"}, {Slug: "old-2"}}
	db.Create(&legacy)
	db.Delete(&legacy) // plain GORM soft delete: no plugin yet

	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	now = now.Add(31 * 24 * time.Hour)
	rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Models: []any{&Workspace{}}})
	fmt.Println(rep.Tables, err)
	// Output: map[workspaces:2] <nil>
}
