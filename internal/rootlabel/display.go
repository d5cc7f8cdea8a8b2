package rootlabel

import (
	"fmt"
	"unicode/utf8"
)

// Root is one root as the trash shows it: "projects #42 · Website
// relaunch", or "projects #42" when it has no label. The table name is
// shown as it is (not turned into a model name), so that it reads the
// same as the table filter and the rows per table.
func Root(table, key, label string) string {
	s := table + " #" + key
	if label != "" {
		s += " · " + label
	}
	return s
}

// Summary is a deletion's roots in one line: the first listed root, then
// how many more the deletion took ("projects #42 · Website relaunch and
// 2 more"). A deletion made before the log listed roots shows its table
// and root count ("projects · 3 rows"). Labels longer than width
// characters are cut (0: not cut).
func Summary(table string, keys, labels []string, roots int64, width int) string {
	if len(keys) == 0 {
		if roots == 1 {
			return table + " · 1 row"
		}
		return fmt.Sprintf("%s · %d rows", table, roots)
	}
	label := ""
	if len(labels) > 0 {
		label = labels[0]
	}
	if width > 0 && utf8.RuneCountInString(label) > width {
		label = Clean(label, width)
	}
	s := Root(table, keys[0], label)
	if more := roots - 1; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// LabelAt is labels[i], "" past its end (a log row edited by hand).
func LabelAt(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}
