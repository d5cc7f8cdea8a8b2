package softcascade

import (
	"encoding/json"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// searchWhere narrows the log to the deletions that may match the filter's
// Key and Label: a LIKE on the stored JSON of the keys and on the
// lower-cased labels. The LIKE may match more than the filter means (a
// case-insensitive collation on MySQL, ASCII case folding on SQLite, text
// that spans two keys or labels), never less; trashSearch checks each
// candidate in Go.
func searchWhere(f TrashFilter) []clause.Expression {
	var conds []clause.Expression
	if f.Key != "" {
		js, _ := json.Marshal(searchKey(f.Key)) // a string always marshals
		conds = append(conds, like("root_keys", string(js)))
	}
	if f.Label != "" {
		conds = append(conds, like("label_search", searchLabel(f.Label)))
	}
	return conds
}

// like is "column LIKE %text% ESCAPE '!'", text taken literally.
func like(column, text string) clause.Expression {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return clause.Expr{SQL: "? LIKE ? ESCAPE '!'", Vars: []any{clause.Column{Name: column}, "%" + r.Replace(text) + "%"}}
}

// searchKey is a Key filter as RootKeys stores keys.
func searchKey(key string) string { return rootlabel.Clean(key, rootlabel.MaxKey) }

// searchLabel is a Label filter as LabelSearch stores labels.
func searchLabel(label string) string {
	return strings.ToLower(rootlabel.Clean(label, rootlabel.MaxLabel))
}

// matches reports whether d, read with its RootKeys and Labels, matches
// the filter's Key and Label exactly.
func (f TrashFilter) matches(d Deletion) bool {
	if f.Key != "" && !slices.Contains(d.RootKeys, searchKey(f.Key)) {
		return false
	}
	if f.Label != "" {
		want := searchLabel(f.Label)
		return slices.ContainsFunc(d.Labels, func(l string) bool { return strings.Contains(strings.ToLower(l), want) })
	}
	return true
}

// trashSearch is Trash with a Key or Label filter: it reads the ID, keys
// and labels of every candidate q (the filter's SQL condition) finds,
// newest first, keeps those that match exactly, then reads the page. The
// total counts the exact matches.
func trashSearch(q *gorm.DB, f TrashFilter) ([]Deletion, int64, error) {
	var candidates []Deletion
	err := q.Session(&gorm.Session{}).Select("id", "root_keys", "labels").Order(newestFirst()).Find(&candidates).Error
	if err != nil {
		return nil, 0, errs.Wrap(err, "trash")
	}
	var ids []string
	for _, d := range candidates {
		if f.matches(d) {
			ids = append(ids, d.ID)
		}
	}
	total := int64(len(ids))
	out := []Deletion{}
	if f.Offset >= len(ids) {
		return out, total, nil
	}
	ids = ids[max(f.Offset, 0):]
	if f.Limit > 0 && f.Limit < len(ids) {
		ids = ids[:f.Limit]
	}
	err = q.Session(&gorm.Session{}).Omit("plan").Where(clause.IN{Column: clause.Column{Name: "id"}, Values: anys(ids)}).
		Order(newestFirst()).Find(&out).Error
	if err != nil {
		return nil, 0, errs.Wrap(err, "trash")
	}
	return out, total, nil
}

// anys converts strings for clause.IN.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
