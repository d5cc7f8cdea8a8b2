package trashui_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The list says what was deleted and filters by key and label, within the
// tenant; the deletion's page lists its root rows and says how its rows
// divide; deletions made before the log listed roots still read well.
func TestListShowsWhatWasDeleted(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		a1 := fmt.Sprint(f.pid["a1"])
		f.do(t, "GET", prefix+"/", "a").want(t, 200, "<th scope=\"col\">What</th>",
			`<td class="what">projects #`+a1+" · a1</td>", `<input type="text" id="key" name="key" value=""`, `id="label"`)

		byKey := f.do(t, "GET", prefix+"/?key="+a1, "a")
		byKey.want(t, 200, f.ids["a1"], "Showing 1 deletion", `value="`+a1+`"`, "Clear filters")
		byKey.lacks(t, f.ids["a2"])
		f.do(t, "GET", prefix+"/?key="+a1+"0", "a").want(t, 200, "No deletions match these filters.")
		f.do(t, "GET", prefix+"/?key="+fmt.Sprint(f.pid["b1"]), "a").want(t, 200, "No deletions match these filters.")

		byLabel := f.do(t, "GET", prefix+"/?label=A2", "a")
		byLabel.want(t, 200, f.ids["a2"], "Showing 1 deletion")
		byLabel.lacks(t, f.ids["a1"])
		f.do(t, "GET", prefix+"/?label=b1", "a").want(t, 200, "No deletions match these filters.")
		f.do(t, "GET", prefix+"/?label=b1", "b").want(t, 200, f.ids["b1"])
		f.do(t, "GET", prefix+"/?label="+url.QueryEscape("a\x00"), "a").want(t, 400, "control character")

		// The deletion's page.
		f.do(t, "GET", prefix+"/deletions/"+f.ids["a1"], "a").want(t, 200,
			"Rows the delete named", `<th scope="row">projects #`+a1+`</th><td>a1</td>`,
			"79 in all: the 1 projects row the delete named, and 78 rows that hung off it")

		// A deletion from before the log listed roots.
		if err := f.db.Model(&softcascade.Deletion{}).Where("id = ?", f.ids["a2"]).
			Updates(map[string]any{"root_keys": nil, "labels": nil, "label_search": nil}).Error; err != nil {
			t.Fatal(err)
		}
		f.do(t, "GET", prefix+"/", "a").want(t, 200, `<td class="what">projects · 1 row</td>`)
		old := f.do(t, "GET", prefix+"/deletions/"+f.ids["a2"], "a")
		old.want(t, 200, "79 in all: the 1 projects row the delete named")
		old.lacks(t, "Rows the delete named")
	})
}
