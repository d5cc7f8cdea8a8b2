package softcascade_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Bad input to the erase, hold, archive and query entry points is an
// error, never a panic.
func TestAttackBadInputNoPanic(t *testing.T) {
	db := open(t, modelstest.Dialects(t)[0], nil)
	acme := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
	var nilBytes *bytes.Reader
	var nilStrings *strings.Reader
	calls := map[string]func() error{
		"Erase empty":             func() error { _, err := softcascade.Erase(db, ""); return err },
		"Erase malformed":         func() error { _, err := softcascade.Erase(db, "0190f5a4-zzzz"); return err },
		"Erase nil option":        func() error { _, err := softcascade.Erase(db, "0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90", nil); return err },
		"Erase upper":             func() error { _, err := softcascade.Erase(acme, "0190F5A4-8C1E-7D3A-9B2F-4E5D6C7B8A90"); return err },
		"Hold empty":              func() error { return softcascade.Hold(db, "", "r") },
		"Hold nil db":             func() error { return softcascade.Hold(nil, "x", "r") },
		"Release empty":           func() error { return softcascade.Release(db, "") },
		"ForceDelete nil":         func() error { _, err := softcascade.ForceDelete(db, nil); return err },
		"ForceDelete empty slice": func() error { _, err := softcascade.ForceDelete(db, &[]modelstest.Project{}); return err },
		"ForceDelete zero struct": func() error { _, err := softcascade.ForceDelete(db, &modelstest.Project{}); return err },
		"ForceDelete nil ptr":     func() error { _, err := softcascade.ForceDelete(db, (*modelstest.Project)(nil)); return err },
		"ForceDelete int":         func() error { _, err := softcascade.ForceDelete(db, 5); return err },
		"RestoreArchive typed nil bytes": func() error {
			_, err := softcascade.RestoreArchive(db, nilBytes)
			return err
		},
		"RestoreArchive typed nil strings": func() error {
			_, err := softcascade.RestoreArchive(db, nilStrings)
			return err
		},
		"RestoreArchive empty": func() error { _, err := softcascade.RestoreArchive(db, bytes.NewReader(nil)); return err },
		"ReadArchive garbage":  func() error { _, err := softcascade.ReadArchive(strings.NewReader("x")); return err },
		"ReadArchive typed nil": func() error {
			var r io.Reader = nilBytes
			_, err := softcascade.ReadArchive(r)
			return err
		},
		"Restore query nil struct ptr": func() error {
			_, err := softcascade.Restore(db.Where("name = ?", "x"), (*modelstest.Project)(nil))
			return err
		},
		"Restore query array": func() error {
			_, err := softcascade.Restore(db.Where("name = ?", "x"), &[0]modelstest.Project{})
			return err
		},
		"Trash key NUL": func() error {
			_, _, err := softcascade.Trash(acme, softcascade.TrashFilter{Key: "\x00", Label: "\xff"})
			if err != nil {
				return err
			}
			return io.EOF
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", name, r)
				}
			}()
			if err := call(); err == nil {
				t.Errorf("%s: no error", name)
			} else {
				t.Logf("%s: %v", name, err)
			}
		})
	}
}
