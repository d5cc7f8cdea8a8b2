package softcascade_test

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// Erase removes one deletion's rows now, whatever its age (a right to
// erasure request); the log keeps who erased it, when and why, and Scrub
// clears what it held of the person who deleted.
func ExampleErase() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	ctx := softcascade.WithActor(context.Background(), "user:42")
	db.WithContext(ctx).Delete(&p)
	var d softcascade.Deletion
	db.First(&d)

	ctx = softcascade.WithReason(softcascade.WithActor(context.Background(), "dpo"), "erasure request 2026-112")
	rep, err := softcascade.Erase(db.WithContext(ctx), d.ID, softcascade.Scrub())
	fmt.Println(rep.Rows, rep.Tables, err)

	d, _ = softcascade.FindDeletion(db, d.ID)
	fmt.Printf("erased by %s (%s); deleted by %q; purged: %t\n", d.ErasedBy, d.EraseReason, d.Actor, d.PurgedAt != nil)
	// Output:
	// 8 map[comments:4 projects:1 tasks:3] <nil>
	// erased by dpo (erasure request 2026-112); deleted by ""; purged: true
}

// ForceDelete removes a live tree for good in one call: the plugin's
// cascade soft-deletes it, then Erase purges that deletion.
func ExampleForceDelete() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	rep, err := softcascade.ForceDelete(db, &p)
	var left int64
	db.Scopes(softcascade.WithTrashed).Model(&Task{}).Count(&left)
	fmt.Println(rep.Tables, err)
	fmt.Println("tasks left:", left)
	// Output:
	// map[comments:4 projects:1 tasks:3] <nil>
	// tasks left: 0
}

// A legal hold keeps a deletion from every purge and from Erase until it
// is released.
func ExampleHold() {
	db, done := openExample(&gorm.Config{}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	var d softcascade.Deletion
	db.First(&d)

	ctx := softcascade.WithActor(context.Background(), "legal:lea")
	fmt.Println(softcascade.Hold(db.WithContext(ctx), d.ID, "litigation 2026-17"))
	_, err := softcascade.Erase(db, d.ID)
	fmt.Println(errors.Is(err, softcascade.ErrHeld))

	fmt.Println(softcascade.Release(db.WithContext(ctx), d.ID))
	rep, err := softcascade.Erase(db, d.ID)
	fmt.Println(rep.Rows, err)
	// Output:
	// <nil>
	// true
	// <nil>
	// 8 <nil>
}
