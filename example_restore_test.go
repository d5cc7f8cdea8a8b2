package softcascade_test

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// A task cannot come back while its project is in the trash: restore the
// project, which brings the task back with it.
func ExampleRestore_parentDeleted() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)

	task := p.Tasks[1]
	_, err := softcascade.Restore(db, &task)
	fmt.Println("task alone:", errors.Is(err, softcascade.ErrParentDeleted))
	rep, err := softcascade.Restore(db, &p)
	fmt.Println("project:", rep.Rows, err)
	// Output:
	// task alone: true
	// project: 8 <nil>
}

// Restore by query: an empty slice names the model, and the conditions on
// db choose which deleted rows come back, each with its deletion's part
// beneath it.
func ExampleRestore_byQuery() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db)
	db.Delete(&p)

	rep, err := softcascade.Restore(db.Where("name LIKE ?", "Web%"), &[]Project{})
	fmt.Println("restored:", rep.Rows, rep.Tables, err)
	_, err = softcascade.Restore(db.Where("name LIKE ?", "Web%"), &[]Project{})
	fmt.Println("again:", errors.Is(err, gorm.ErrRecordNotFound))
	// Output:
	// restored: 8 map[comments:4 projects:1 tasks:3] <nil>
	// again: true
}
