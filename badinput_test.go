package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Bad input: every case gets a clear error (or a documented, safe
// meaning) and changes nothing.

// Pair has a composite primary key and a time soft-delete column: its
// deletions carry the stamp, so composite keys work.
type Pair struct {
	A         uint       `gorm:"primaryKey;autoIncrement:false"`
	B         uint       `gorm:"primaryKey;autoIncrement:false"`
	Items     []PairItem `gorm:"foreignKey:PairA,PairB;references:A,B" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// PairItem hangs off a Pair through a composite foreign key.
type PairItem struct {
	ID        uint
	PairA     uint
	PairB     uint
	DeletedAt gorm.DeletedAt
}

// FlagPair has a composite primary key and a flag soft-delete column: its
// deletions would go in the ledger, which needs a single-column key.
type FlagPair struct {
	A     uint                  `gorm:"primaryKey;autoIncrement:false"`
	B     uint                  `gorm:"primaryKey;autoIncrement:false"`
	IsDel soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// PairOwner cascades to flag-mode composite-key rows: its own plan
// cannot be built.
type PairOwner struct {
	ID        uint
	Flags     []FlagPairChild `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// FlagPairChild is a FlagPair under a PairOwner.
type FlagPairChild struct {
	PairOwnerID uint                  `gorm:"primaryKey;autoIncrement:false"`
	N           uint                  `gorm:"primaryKey;autoIncrement:false"`
	IsDel       soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// Unparsable has a has-many GORM cannot resolve (Orphan has no foreign key).
type Unparsable struct {
	ID        uint
	Orphans   []Orphan
	DeletedAt gorm.DeletedAt
}

// Orphan lacks the UnparsableID a has-many needs.
type Orphan struct{ ID uint }

// Typo declares its relation with a misspelt policy.
type Typo struct {
	ID        uint
	Kids      []TypoKid `softcascade:"cascde"`
	DeletedAt gorm.DeletedAt
}

// TypoKid hangs off a Typo.
type TypoKid struct {
	ID        uint
	TypoID    uint
	DeletedAt gorm.DeletedAt
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&FlagPair{}, &Typo{}, &TypoKid{}))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		gone := modelstest.SeedProject(t, db, "gone", modelstest.Small)
		must(t, db.Delete(&gone).Error)
		must(t, db.Create(&FlagPair{A: 1, B: 2}).Error)
		must(t, db.Create(&Typo{Kids: []TypoKid{{}}}).Error)
		id := deletions(t, db)[0].ID
		n := 42
		big := strings.Repeat("x", 1<<20)

		cases := []struct {
			name string
			op   func() error
			want error // nil: any error
		}{
			// Delete: GORM's own answers, untouched by the plugin.
			{"Delete(nil)", func() error { return db.Delete(nil).Error }, schema.ErrUnsupportedDataType},
			{"Delete(non-pointer)", func() error { return db.Delete(p).Error }, gorm.ErrInvalidValue},
			{"Delete(empty slice)", func() error { return db.Delete(&[]modelstest.Project{}).Error }, gorm.ErrMissingWhereClause},
			{"Delete(zero key)", func() error { return db.Delete(&modelstest.Project{}).Error }, gorm.ErrMissingWhereClause},
			{"Delete(zero key, ledger kind)", func() error { return db.Delete(&modelstest.Line{}).Error }, gorm.ErrMissingWhereClause},
			{"Delete(flag-mode composite key)", func() error { return db.Delete(&FlagPair{A: 1, B: 2}).Error }, softcascade.ErrUnsupportedKey},
			{"Delete(unparsable model)", func() error { return db.Delete(&Unparsable{ID: 1}).Error }, nil},
			{"Delete(misspelt policy)", func() error { return db.Delete(&Typo{ID: 1}).Error }, nil},
			{"Delete(tenant too long)", func() error {
				ctx := softcascade.WithTenant(context.Background(), strings.Repeat("t", 192))
				return db.WithContext(ctx).Delete(&p).Error
			}, softcascade.ErrInvalidValue},

			// Restore.
			{"Restore(nil db)", func() error { _, err := softcascade.Restore(nil, &gone); return err }, softcascade.ErrInvalidValue},
			{"Restore(no plugin)", func() error { _, err := softcascade.Restore(d.Open(t, nil), &gone); return err }, softcascade.ErrNotInstalled},
			{"Restore(nil)", func() error { _, err := softcascade.Restore(db, nil); return err }, softcascade.ErrInvalidValue},
			{"Restore(nil pointer)", func() error { _, err := softcascade.Restore(db, (*modelstest.Project)(nil)); return err }, softcascade.ErrInvalidValue},
			{"Restore(non-pointer)", func() error { _, err := softcascade.Restore(db, gone); return err }, softcascade.ErrInvalidValue},
			{"Restore(pointer to int)", func() error { _, err := softcascade.Restore(db, &n); return err }, softcascade.ErrInvalidValue},
			{"Restore(empty slice)", func() error { _, err := softcascade.Restore(db, &[]modelstest.Project{}); return err }, softcascade.ErrInvalidValue},
			{"Restore(zero key)", func() error { _, err := softcascade.Restore(db, &modelstest.Project{}); return err }, softcascade.ErrInvalidValue},
			{"Restore(slice with a zero key)", func() error {
				_, err := softcascade.Restore(db, &[]modelstest.Project{{ID: gone.ID}, {}})
				return err
			}, softcascade.ErrInvalidValue},
			{"Restore(unknown key)", func() error { _, err := softcascade.Restore(db, &modelstest.Project{ID: 999999}); return err }, gorm.ErrRecordNotFound},
			{"Restore(a live row and a deleted one)", func() error {
				_, err := softcascade.Restore(db, &[]modelstest.Project{{ID: gone.ID}, {ID: p.ID}})
				return err
			}, softcascade.ErrNotDeleted},
			{"Restore(not soft-deletable)", func() error { _, err := softcascade.Restore(db, &modelstest.TimeEntry{ID: 1}); return err }, softcascade.ErrNotSoftDeletable},
			{"Restore(flag-mode composite key)", func() error { _, err := softcascade.Restore(db, &FlagPair{A: 1, B: 2}); return err }, softcascade.ErrUnsupportedKey},
			{"Restore(unparsable model)", func() error { _, err := softcascade.Restore(db, &Unparsable{ID: 1}); return err }, softcascade.ErrInvalidValue},
			{"Restore(anonymous struct)", func() error { _, err := softcascade.Restore(db, &struct{ X int }{1}); return err }, nil},

			// RestoreDeletion: every malformed or unknown ID is not found.
			{"RestoreDeletion(nil db)", func() error { _, err := softcascade.RestoreDeletion(nil, id); return err }, softcascade.ErrInvalidValue},

			// Purge and PurgeEvery. The deletion of "gone" is older than
			// now: each of these would purge it if it ran.
			{"Purge(nil db)", func() error { _, err := softcascade.Purge(nil, softcascade.PurgeOptions{}); return err }, softcascade.ErrInvalidValue},
			{"Purge(no plugin)", func() error { _, err := softcascade.Purge(d.Open(t, nil), softcascade.PurgeOptions{}); return err }, softcascade.ErrNotInstalled},
			{"Purge(negative BatchSize)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), BatchSize: -1})
				return err
			}, softcascade.ErrInvalidValue},
			{"Purge(Before in the future)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc().Add(time.Minute)})
				return err
			}, softcascade.ErrInvalidValue},
			{"Purge(Before far in the future)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
				return err
			}, softcascade.ErrInvalidValue},
			{"Purge(in a transaction)", func() error {
				return db.Transaction(func(tx *gorm.DB) error {
					_, err := softcascade.Purge(tx, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
					return err
				})
			}, softcascade.ErrInvalidValue},
			{"Purge(Models: not soft-deletable)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), Models: []any{&modelstest.TimeEntry{}}})
				return err
			}, softcascade.ErrNotSoftDeletable},
			{"Purge(Models: flag only, cannot be aged)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), Models: []any{&modelstest.Line{}}})
				return err
			}, softcascade.ErrInvalidValue},
			{"Purge(Models: unparsable model)", func() error {
				_, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), Models: []any{&Unparsable{}}})
				return err
			}, nil},
			{"PurgeEvery(zero interval)", func() error {
				return softcascade.PurgeEvery(context.Background(), db, 0, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
			}, softcascade.ErrInvalidValue},
			{"PurgeEvery(negative interval)", func() error {
				return softcascade.PurgeEvery(context.Background(), db, -time.Hour, softcascade.PurgeOptions{})
			}, softcascade.ErrInvalidValue},
			{"PurgeEvery(nil db)", func() error {
				return softcascade.PurgeEvery(context.Background(), nil, time.Hour, softcascade.PurgeOptions{})
			}, softcascade.ErrInvalidValue},
		}
		for _, bad := range []string{"", "nope", "' OR '1'='1", "0195d8a8-0000-7000-8000-000000000000", "\xff\xfe", id + "\x00", id[:35], big} {
			cases = append(cases, struct {
				name string
				op   func() error
				want error
			}{"RestoreDeletion(" + strings.ToValidUTF8(bad[:min(len(bad), 40)], "?") + ")", func() error {
				_, err := softcascade.RestoreDeletion(db, bad)
				return err
			}, gorm.ErrRecordNotFound})
		}

		before := dumpDB(t, db, true)
		for _, c := range cases {
			err := c.op()
			switch {
			case err == nil:
				t.Errorf("%s: no error", c.name)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			case len(err.Error()) > 2000:
				t.Errorf("%s: an error of %d bytes", c.name, len(err.Error()))
			default:
				t.Logf("%s: %v", c.name, err)
			}
			requireUnchanged(t, c.name, db, before)
		}
		// The purges refused had something to purge: with valid options
		// the same call removes the deletion of "gone".
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
		must(t, err)
		eq(t, "rows a valid purge removes", rep.Rows, int64(79+9+2))
	})
}

func TestBadInputWithModelsThatCannotBeParsed(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := d.Open(t, nil)
		if err := db.Use(softcascade.New(softcascade.WithModels(&Unparsable{}))); err == nil {
			t.Error("WithModels(unparsable): no error")
		} else {
			t.Log(err)
		}
		db = d.Open(t, nil)
		if err := db.Use(softcascade.New(softcascade.WithModels(&Typo{}))); err == nil {
			t.Error("WithModels(misspelt policy): no error")
		} else {
			t.Log(err)
		}
	})
}

// Composite primary keys work where the soft-delete column carries the
// stamp, for delete, partial and whole restore.
func TestCompositeKeysStamped(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil, softcascade.WithModels(&Pair{}, &PairItem{}))
		must(t, db.AutoMigrate(&Pair{}, &PairItem{}))
		for _, k := range [][2]uint{{1, 1}, {1, 2}, {2, 1}} {
			must(t, db.Create(&Pair{A: k[0], B: k[1], Items: []PairItem{{}, {}}}).Error)
		}
		before := dumpDB(t, db, false)
		res := db.Where("a = ?", 1).Delete(&Pair{})
		must(t, res.Error)
		eq(t, "roots", res.RowsAffected, int64(2))
		eq(t, "items deleted", modelstest.CountRows(t, db, &PairItem{}).Deleted, int64(4))
		checkLog(t, db)
		rep, err := softcascade.Restore(db, &Pair{A: 1, B: 2})
		must(t, err)
		eq(t, "restored", rep.Rows, int64(3))
		eq(t, "items deleted", modelstest.CountRows(t, db, &PairItem{}).Deleted, int64(2))
		checkLog(t, db)
		_, err = softcascade.RestoreDeletion(db, deletions(t, db)[0].ID)
		must(t, err)
		if diff := sameDump(before, dumpDB(t, db, false)); diff != "" {
			t.Error(diff)
		}
		checkLog(t, db)
	})
}

// A model whose cascade reaches a flag-mode table with a composite key
// cannot be deleted: a clear error, nothing changed.
func TestCompositeKeyInTheLedgerBlocksTheParent(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&PairOwner{}, &FlagPairChild{}))
		o := PairOwner{Flags: []FlagPairChild{{N: 1}, {N: 2}}}
		must(t, db.Create(&o).Error)
		before := dumpDB(t, db, true)
		err := db.Delete(&o).Error
		if !errors.Is(err, softcascade.ErrUnsupportedKey) {
			t.Fatalf("delete: %v, want ErrUnsupportedKey", err)
		}
		t.Log(err)
		requireUnchanged(t, "delete", db, before)
	})
}

// Any textual form of a deletion's UUID names that deletion, on every
// database.
func TestDeletionIDForms(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		for _, form := range []func(string) string{
			strings.ToUpper,
			func(id string) string { return "{" + id + "}" },
			func(id string) string { return "urn:uuid:" + id },
		} {
			p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 1})
			must(t, db.Delete(&p).Error)
			ds := deletions(t, db)
			rep, err := softcascade.RestoreDeletion(db, form(ds[len(ds)-1].ID))
			must(t, err)
			eq(t, "restored "+form("id"), rep.Rows, int64(2))
		}
	})
}

// Actor and reason are stored verbatim however long; what no database can
// store (invalid UTF-8, NUL) is stored as U+FFFD.
func TestHostileActorAndReason(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		long := strings.Repeat("é", 1<<19) // 1 MB of UTF-8
		for _, c := range []struct{ in, want string }{
			{long, long},
			{"user\x00:42\xff", "user\uFFFD:42\uFFFD"},
		} {
			ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), c.in), c.in)
			must(t, db.WithContext(ctx).Delete(&p).Error)
			ds := deletions(t, db)
			del := ds[len(ds)-1]
			eq(t, "Actor", del.Actor == c.want, true)
			eq(t, "Reason", del.Reason == c.want, true)
			_, err := softcascade.Restore(db.WithContext(ctx), &p)
			must(t, err)
			must(t, db.First(&del, "id = ?", del.ID).Error)
			eq(t, "RestoredBy", del.RestoredBy == c.want, true)
			checkLog(t, db)
		}
		// A tenant with a NUL cannot be stored exactly: refused, not rewritten.
		ctx := softcascade.WithTenant(context.Background(), "acme\x00")
		if err := db.WithContext(ctx).Delete(&p).Error; !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Fatalf("Delete with a NUL in the tenant: %v, want ErrInvalidValue", err)
		}
	})
}

// A row whose cascading parent is a flag-mode or unix-second row in the
// trash (its deletion in the ledger) is not restored before its parent.
func TestRestoreRefusesADeletedLedgerParent(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		f := seedKinds(t, db, "f")
		var note modelstest.Note
		must(t, db.Where("folder_id = ?", f.ID).Order("id").First(&note).Error)
		var line modelstest.Line
		must(t, db.Order("id").First(&line).Error)
		var mark modelstest.Mark
		must(t, db.Where("line_id = ?", line.ID).First(&mark).Error)
		must(t, db.Delete(&mark).Error) // alone
		must(t, db.Delete(&line).Error) // its parent, a flag-mode row
		must(t, db.Delete(&note).Error) // alone
		must(t, db.Delete(&f).Error)    // its parent, a unix-second row
		before := dumpDB(t, db, true)
		ds := deletions(t, db)
		if _, err := softcascade.RestoreDeletion(db, ds[0].ID); !errors.Is(err, softcascade.ErrParentDeleted) {
			t.Errorf("restore the mark under a deleted line: %v, want ErrParentDeleted", err)
		}
		if _, err := softcascade.Restore(db, &modelstest.Note{ID: note.ID}); !errors.Is(err, softcascade.ErrParentDeleted) {
			t.Errorf("restore the note under a deleted folder: %v, want ErrParentDeleted", err)
		}
		requireUnchanged(t, "refused restores", db, before)
	})
}
