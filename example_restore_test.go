package softcascade_test

import (
	"errors"
	"fmt"

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
