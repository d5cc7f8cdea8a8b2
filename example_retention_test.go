package softcascade_test

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// WithRetentionFor keeps the deletions of one model for a retention of
// its own; each deletion stores when it may be purged (PurgeAfter), so a
// purger with other options honours it too.
func ExampleWithRetentionFor() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	err := db.Use(softcascade.New(
		softcascade.WithRetention(90*24*time.Hour),
		softcascade.WithRetentionFor(&Task{}, 7*24*time.Hour),
	))
	if err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p.Tasks[0])
	db.Delete(&p)

	var ds []softcascade.Deletion
	db.Order("stamp").Find(&ds)
	for _, d := range ds {
		fmt.Println(d.Table, "purge after", d.PurgeAfter.Format(time.DateOnly))
	}
	// Output:
	// tasks purge after 2025-06-08
	// projects purge after 2025-08-30
}

// DuePurge lists what a Purge would take now, with the rows each still
// has in the trash: the total of a progress bar, or a dry run's list.
func ExampleDuePurge() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New(softcascade.WithRetention(7 * 24 * time.Hour))); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(8 * 24 * time.Hour)

	due, err := softcascade.DuePurge(db, softcascade.PurgeOptions{})
	for _, d := range due {
		fmt.Println(d.Table, d.InTrash())
	}
	fmt.Println(err)
	// Output:
	// projects 8
	// <nil>
}

// Before only narrows a purge: a deletion whose stored PurgeAfter has not
// come stays. Purging it earlier takes OverrideRetention.
func ExamplePurgeOptions_overrideRetention() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil { // 30 days
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(time.Hour)

	kept, _ := softcascade.Purge(db, softcascade.PurgeOptions{Before: now})
	gone, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: now, OverrideRetention: true})
	fmt.Println("Before alone:", kept.Deletions, kept.Rows)
	fmt.Println("overridden:", gone.Deletions, gone.Rows, err)
	// Output:
	// Before alone: 0 0
	// overridden: 1 8 <nil>
}

// OnCommit reports each purged deletion, with its ID, as it reports
// deletions and restores.
func ExampleOnCommit_purged() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	var deleted string
	notify := func(_ context.Context, e softcascade.Event) {
		if e.Op == softcascade.Deleted {
			deleted = e.DeletionID
		}
		fmt.Println(e.Op, e.DeletionID == deleted)
	}
	if err := db.Use(softcascade.New(softcascade.OnCommit(notify))); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(31 * 24 * time.Hour)
	softcascade.Purge(db, softcascade.PurgeOptions{})
	// Output:
	// deleted true
	// purged true
}
