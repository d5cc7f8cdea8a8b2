package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// The actor is recorded with the deletion, and with a restore as
// RestoredBy.
func ExampleWithActor() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)

	alice := softcascade.WithActor(context.Background(), "user:42")
	db.WithContext(alice).Delete(&p)
	bob := softcascade.WithActor(context.Background(), "user:7")
	softcascade.Restore(db.WithContext(bob), &p)

	var d softcascade.Deletion
	db.First(&d)
	fmt.Println("deleted by", d.Actor, "restored by", d.RestoredBy)
	// Output: deleted by user:42 restored by user:7
}

// The reason is recorded with the deletion.
func ExampleWithReason() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)

	ctx := softcascade.WithReason(context.Background(), "GDPR erasure request")
	db.WithContext(ctx).Delete(&p)

	var d softcascade.Deletion
	db.First(&d)
	fmt.Println(d.Reason)
	// Output: GDPR erasure request
}

// With a tenant in the context, each tenant sees and restores only its own
// deletions; another tenant's deletion is not found.
func ExampleWithTenant() {
	db, done := exampleDB()
	defer done()
	acme := softcascade.WithTenant(context.Background(), "acme")
	globex := softcascade.WithTenant(context.Background(), "globex")
	p := exampleProject(db)
	db.WithContext(acme).Delete(&p)

	trash, _, _ := softcascade.Trash(db.WithContext(acme), softcascade.TrashFilter{})
	_, err := softcascade.RestoreDeletion(db.WithContext(globex), trash[0].ID)
	fmt.Println("acme's trash:", len(trash), "deletion of", trash[0].Table)
	fmt.Println("globex restoring it, not found:", errors.Is(err, gorm.ErrRecordNotFound))
	// Output:
	// acme's trash: 1 deletion of projects
	// globex restoring it, not found: true
}

// Trash pages the deletions still in the trash, newest first, with the
// number of deletions the filter matches in all.
func ExampleTrash() {
	db, done := exampleDB()
	defer done()
	for _, actor := range []string{"user:1", "user:2", "user:3"} {
		p := exampleProject(db)
		db.WithContext(softcascade.WithActor(context.Background(), actor)).Delete(&p)
	}

	page, total, err := softcascade.Trash(db, softcascade.TrashFilter{Table: "projects", Limit: 2})
	fmt.Println(total, err)
	for _, d := range page {
		fmt.Println(d.Actor, d.Rows)
	}
	// Output:
	// 3 <nil>
	// user:3 8
	// user:2 8
}

// FindDeletion reads one deletion by its ID, for example one a trash view
// links to.
func ExampleFindDeletion() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	ctx := softcascade.WithActor(context.Background(), "user:42")
	db.WithContext(softcascade.WithReason(ctx, "duplicate")).Delete(&p)
	trash, _, _ := softcascade.Trash(db, softcascade.TrashFilter{})

	d, err := softcascade.FindDeletion(db, trash[0].ID)
	fmt.Println(d.Table, d.Actor, d.Reason, d.Rows, d.InTrash(), err)
	// Output: projects user:42 duplicate 8 8 <nil>
}

// TableCounts lists what a deletion took, the root table first, then in
// the order the cascade reached the tables.
func ExampleTableCounts() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)
	trash, _, _ := softcascade.Trash(db, softcascade.TrashFilter{})
	d, _ := softcascade.FindDeletion(db, trash[0].ID)

	for _, tc := range softcascade.TableCounts(d) {
		fmt.Println(tc.Table, tc.Rows)
	}
	// Output:
	// projects 1
	// tasks 3
	// comments 4
}

// PurgeDue is when a deletion stops being restorable: here the default
// retention of 30 days after it.
func ExamplePurgeDue() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)

	trash, _, _ := softcascade.Trash(db, softcascade.TrashFilter{})
	fmt.Println("restorable until", softcascade.PurgeDue(db, trash[0]).Format(time.DateTime))
	// Output: restorable until 2025-07-01 12:00:00
}

// A deletion that took two tasks at once, one of them restored: InTrash
// counts what is left.
func ExampleDeletion_InTrash() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	tasks := []Task{p.Tasks[0], p.Tasks[1]}
	db.Delete(&tasks)
	softcascade.Restore(db, &tasks[1])

	var d softcascade.Deletion
	db.First(&d)
	fmt.Println(d.Rows, d.RestoredRows, d.InTrash())
	// Output: 7 2 5
}

// WithTrashed lets a query see soft-deleted rows along with live ones.
func ExampleWithTrashed() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p.Tasks[1])

	var live, all int64
	db.Model(&Task{}).Count(&live)
	db.Scopes(softcascade.WithTrashed).Model(&Task{}).Count(&all)
	fmt.Println("live:", live, "with trashed:", all)
	// Output: live: 2 with trashed: 3
}

// StampTime is the value the deletion wrote to its rows' deleted-at
// columns, to the millisecond.
func ExampleDeletion_StampTime() {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)

	var d softcascade.Deletion
	db.First(&d)
	var trashed Project
	db.Scopes(softcascade.WithTrashed).First(&trashed, p.ID)
	fmt.Println(d.StampTime().Format(time.RFC3339Nano), trashed.DeletedAt.Time.Equal(d.StampTime()))
	// Output: 2025-06-01T12:00:00Z true
}
