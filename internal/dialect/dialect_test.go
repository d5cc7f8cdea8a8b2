package dialect

import (
	"errors"
	"testing"

	"gorm.io/gorm"
)

// named is a dialector with only a name, enough for For.
type named struct {
	gorm.Dialector
	name string
}

func (n named) Name() string { return n.name }

func on(name string) *gorm.DB {
	return &gorm.DB{Config: &gorm.Config{Dialector: named{name: name}}}
}

func TestFor(t *testing.T) {
	for _, c := range []struct {
		name                          string
		locks, join, aborts, exactCol bool
		binary, columnQuery           bool
		unique                        UniqueIndex
	}{
		{name: "postgres", locks: true, aborts: true, exactCol: true, columnQuery: true, unique: PartialIndex},
		{name: "mysql", locks: true, join: true, binary: true, columnQuery: true, unique: LiveColumns},
		{name: "sqlite", unique: PartialIndex},
	} {
		d := For(on(c.name))
		if d.Name() != c.name {
			t.Errorf("%s: Name() = %q", c.name, d.Name())
		}
		got := []bool{d.RowLocks(), d.JoinUpdate(), d.AbortsOnError(), d.CaseSensitiveColumns(), d.BinaryCollation(), d.ColumnTypeQuery() != ""}
		want := []bool{c.locks, c.join, c.aborts, c.exactCol, c.binary, c.columnQuery}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: choice %d = %v, want %v", c.name, i, got[i], want[i])
			}
		}
		if u, err := d.UniqueWhileLive(); err != nil || u != c.unique {
			t.Errorf("%s: UniqueWhileLive() = %v, %v; want %v", c.name, u, err, c.unique)
		}
		if p, err := d.Purge(); err != nil || p == nil {
			t.Errorf("%s: Purge() = %v, %v", c.name, p, err)
		}
	}
}

// A database the plugin does not know: safe defaults where there is one,
// an error naming the dialect where there is none.
func TestForUnknown(t *testing.T) {
	d := For(on("sqlserver"))
	if !d.RowLocks() || d.JoinUpdate() || d.ColumnTypeQuery() != "" {
		t.Errorf("unknown dialect: RowLocks %v, JoinUpdate %v, ColumnTypeQuery %q", d.RowLocks(), d.JoinUpdate(), d.ColumnTypeQuery())
	}
	if _, err := d.Purge(); err == nil {
		t.Error("Purge() on an unknown dialect: no error")
	}
	if _, err := d.UniqueWhileLive(); err == nil {
		t.Error("UniqueWhileLive() on an unknown dialect: no error")
	}
}

func TestForeignKeyViolation(t *testing.T) {
	fk := errors.New("constraint failed: FOREIGN KEY constraint failed (787)")
	if !For(on("sqlite")).ForeignKeyViolation(on("sqlite"), fk) {
		t.Error("sqlite: FOREIGN KEY constraint failed not recognised")
	}
	if For(on("postgres")).ForeignKeyViolation(on("postgres"), fk) {
		t.Error("postgres: a message alone counts as a foreign key violation")
	}
	wrapped := errors.Join(errors.New("batch"), gorm.ErrForeignKeyViolated)
	for _, name := range []string{"postgres", "mysql", "sqlite", "other"} {
		if !For(on(name)).ForeignKeyViolation(on(name), wrapped) {
			t.Errorf("%s: gorm.ErrForeignKeyViolated not recognised", name)
		}
	}
}
