// Package unique gives soft-deletable tables unique indexes that hold among
// live rows only: a deleted row keeps its values without blocking a new live
// row with the same ones, and a restore is checked against the live rows
// before it runs.
//
// A column joins such an index with the struct tag softcascade:"unique"
// (its own index) or softcascade:"unique:idx_name" (columns sharing a name
// form one composite index, in field order). Migrate creates the indexes:
// partial unique indexes on PostgreSQL and SQLite, a generated column per
// indexed column (NULL while the row is deleted) under a unique index on
// MySQL and MariaDB. Check finds the first live row a restore would
// duplicate.
package unique

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// TagName is the struct tag read on column fields: softcascade:"unique" or
// softcascade:"unique:idx_name", several comma-separated; also accepted as
// a setting of the gorm tag (gorm:"softcascade:unique"). On relation fields
// the same tag is the cascade policy, read by package cascade.
const TagName = "softcascade"

// Tag returns the softcascade tag of a field: the struct tag, or the
// setting of the gorm tag (gorm:"softcascade:...").
func Tag(f *schema.Field) (string, bool) {
	if tag, ok := f.Tag.Lookup(TagName); ok {
		return tag, true
	}
	tag, ok := f.TagSettings["SOFTCASCADE"]
	return tag, ok
}

// Index is one unique-while-live index: its name and columns, in order.
type Index = plan.UniqueIndex

// maxIdentifier is the longest name given to an index or a generated
// column: PostgreSQL's limit (63), one below MySQL's.
const maxIdentifier = 63

// Of returns the unique-while-live indexes declared on s's column fields, in
// field order. An unknown value of the tag on a column is an error.
func Of(s *schema.Schema) ([]Index, error) {
	var out []Index
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue // a relation: its tag is the cascade policy
		}
		tag, ok := Tag(f)
		if !ok {
			continue
		}
		for _, item := range strings.Split(tag, ",") {
			item = strings.TrimSpace(item)
			if item == "" || item == "-" || strings.EqualFold(item, "label") {
				continue // label: the trash label (package rootlabel)
			}
			kw, name, _ := strings.Cut(item, ":")
			if !strings.EqualFold(strings.TrimSpace(kw), "unique") {
				return nil, fmt.Errorf("%w: %s.%s: unknown tag softcascade:%q on a column (want unique, unique:index_name or label)", errs.ErrInvalidValue, s.Name, f.Name, tag)
			}
			name = strings.TrimSpace(name)
			if name == "" {
				name = DefaultName(s.Table, f.DBName)
			}
			out = add(out, name, f.DBName)
		}
	}
	return out, nil
}

// add puts column into the index called name, creating it if needed.
func add(idx []Index, name, column string) []Index {
	for i := range idx {
		if idx[i].Name == name {
			if !slices.Contains(idx[i].Columns, column) {
				idx[i].Columns = append(idx[i].Columns, column)
			}
			return idx
		}
	}
	return append(idx, Index{Name: name, Columns: []string{column}})
}

// DefaultName is the name of the index of softcascade:"unique" on column:
// idx_<table>_<column>_live, shortened with a hash past 63 characters.
func DefaultName(table, column string) string {
	return shorten(strings.ReplaceAll("idx_"+table+"_"+column+"_live", ".", "_"))
}

// LiveColumn is the generated column that holds column's value while the
// row is alive and NULL once it is deleted (MySQL and MariaDB, which have no
// partial indexes): <column>_live, shortened with a hash past 63 characters.
func LiveColumn(column string) string {
	return shorten(column + "_live")
}

// shorten keeps name within maxIdentifier bytes, ending a longer name with
// 8 hex digits of its SHA-1 (as gorm's NamingStrategy does).
func shorten(name string) string {
	if len(name) <= maxIdentifier {
		return name
	}
	sum := sha1.Sum([]byte(name))
	cut := maxIdentifier - 8
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + hex.EncodeToString(sum[:])[:8]
}
