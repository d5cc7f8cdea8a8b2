package softcascade_test

import (
	"fmt"

	"github.com/softcascade/softcascade"
)

// Each deletion lists the primary keys of its first root rows and a label
// for each: here the project's Name field (a field tagged
// softcascade:"label" or a TrashLabel() string method would come first).
// Trash finds a deletion by a root's key, exactly, or by text in its
// labels, in any case.
func ExampleTrashFilter_key() {
	db, done := exampleDB()
	defer done()
	p := exampleProject(db) // Name: "Website"
	db.Delete(&p)

	byKey, _, _ := softcascade.Trash(db, softcascade.TrashFilter{Table: "projects", Key: fmt.Sprint(p.ID)})
	d := byKey[0]
	fmt.Printf("%s #%s · %s (%d root)\n", d.Table, d.RootKeys[0], d.Labels[0], d.Roots)

	_, n, _ := softcascade.Trash(db, softcascade.TrashFilter{Label: "WEB"})
	fmt.Println("label contains WEB:", n)
	_, n, _ = softcascade.Trash(db, softcascade.TrashFilter{Key: fmt.Sprint(p.ID) + "0"})
	fmt.Println("another key:", n)
	// Output:
	// projects #1 · Website (1 root)
	// label contains WEB: 1
	// another key: 0
}
