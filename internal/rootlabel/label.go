// Package rootlabel says what a deletion took, for people: the primary
// keys of its first root rows as text, and a human label per root, read
// from the model (a field tagged softcascade:"label", a TrashLabel()
// string method, else a Name or Title field).
package rootlabel

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/unique"
)

// Limits of what a deletion stores about its roots.
const (
	// MaxRoots is how many roots a deletion lists (keys and labels); Roots
	// counts them all.
	MaxRoots = 20
	// MaxLabel is the longest label, in characters; a longer one is cut
	// and ends with "…".
	MaxLabel = 200
	// MaxKey is the longest key text, in characters, cut likewise.
	MaxKey = 200
)

// Labeler is what a model implements to give its rows their label in the
// trash (value or pointer receiver).
type Labeler interface{ TrashLabel() string }

var labelerType = reflect.TypeFor[Labeler]()

// Source is where a model's rows get their label.
type Source struct {
	// Field is the label's field (the tagged one, or Name/Title); nil
	// with Method or with no source at all.
	Field *schema.Field
	// Method: the model implements Labeler.
	Method bool
}

// None reports whether the model has no label source: its rows are
// listed by key alone.
func (s Source) None() bool { return s.Field == nil && !s.Method }

// Of finds the label source of the model s: the field tagged
// softcascade:"label" (one at most, and a column), else a TrashLabel()
// string method, else the first of the string fields Name and Title.
func Of(s *schema.Schema) (Source, error) {
	var tagged *schema.Field
	for _, f := range s.Fields {
		if !hasLabelTag(f) {
			continue
		}
		if tagged != nil {
			return Source{}, fmt.Errorf("%w: %s: two fields tagged softcascade:\"label\" (%s and %s); tag one", errs.ErrInvalidValue, s.Name, tagged.Name, f.Name)
		}
		if f.DBName == "" || !f.Readable {
			return Source{}, fmt.Errorf("%w: %s.%s: softcascade:\"label\" on a field that is no readable column; use a TrashLabel() string method", errs.ErrInvalidValue, s.Name, f.Name)
		}
		tagged = f
	}
	if tagged != nil {
		return Source{Field: tagged}, nil
	}
	if reflect.PointerTo(s.ModelType).Implements(labelerType) {
		return Source{Method: true}, nil
	}
	for _, name := range []string{"Name", "Title"} {
		if f := s.LookUpField(name); f != nil && f.Name == name && f.DBName != "" && f.Readable && f.FieldType.Kind() == reflect.String {
			return Source{Field: f}, nil
		}
	}
	return Source{}, nil
}

// hasLabelTag reports whether f carries softcascade:"label" (among other
// comma-separated items, or as the gorm tag's setting softcascade:label).
func hasLabelTag(f *schema.Field) bool {
	tag, ok := unique.Tag(f)
	if !ok {
		return false
	}
	for _, item := range strings.Split(tag, ",") {
		if IsLabelTag(item) {
			return true
		}
	}
	return false
}

// IsLabelTag reports whether one item of a softcascade tag is "label".
func IsLabelTag(item string) bool { return strings.EqualFold(strings.TrimSpace(item), "label") }

// Label is the label of the row rv (a struct of the model, or a pointer to
// one), cleaned and bounded; "" when the model has no source or the row
// gives none.
func (s Source) Label(rv reflect.Value) string {
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	switch {
	case s.Field != nil:
		v, zero := s.Field.ValueOf(nil, rv)
		if zero {
			return ""
		}
		return Clean(Text(v), MaxLabel)
	case s.Method:
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		return Clean(p.Interface().(Labeler).TrashLabel(), MaxLabel)
	}
	return ""
}

// Clean makes s storable and bounded: invalid UTF-8 and NUL bytes become
// U+FFFD (as the log stores actors), and past max characters it is cut
// and ends with "…".
func Clean(s string, max int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Search is the text a label search reads: the labels lower-cased (Go's
// strings.ToLower) and joined by newlines.
func Search(labels []string) string {
	return strings.ToLower(strings.Join(labels, "\n"))
}
