package softcascade

import (
	"reflect"
	"testing"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// TestDeletionMatchesLog: the exported Deletion and the internal
// deletionlog.Deletion map to the same table, columns and indexes.
func TestDeletionMatchesLog(t *testing.T) {
	t.Parallel()
	pub, in := reflect.TypeFor[Deletion](), reflect.TypeFor[deletionlog.Deletion]()
	if pub.NumField() != in.NumField() {
		t.Fatalf("Deletion has %d fields, deletionlog.Deletion %d", pub.NumField(), in.NumField())
	}
	for i := range pub.NumField() {
		a, b := pub.Field(i), in.Field(i)
		if a.Name != b.Name || a.Type != b.Type || a.Tag != b.Tag {
			t.Errorf("field %d: %s %s `%s`, internal %s %s `%s`", i, a.Name, a.Type, a.Tag, b.Name, b.Type, b.Tag)
		}
	}
	if (Deletion{}).TableName() != (deletionlog.Deletion{}).TableName() {
		t.Errorf("table %q, internal %q", Deletion{}.TableName(), deletionlog.Deletion{}.TableName())
	}
}
