package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// GORM compatibility: models that do not opt into cascading behave with
// the plugin installed exactly as with GORM alone. One script of common
// GORM operations runs on a database without the plugin and on databases
// with it; every step's result (rows affected, error, rows read, hooks
// called) and the tables' final content must be the same.

// Author has relations of every kind, none of them cascading.
type Author struct {
	ID        uint
	Name      string
	Books     []Book
	Profile   *Profile
	Tags      []Tag `gorm:"many2many:author_tags"`
	DeletedAt gorm.DeletedAt
}

// Book is a soft-deletable has-many child.
type Book struct {
	ID        uint
	AuthorID  uint
	Title     string
	DeletedAt gorm.DeletedAt
}

// Profile is a soft-deletable has-one child.
type Profile struct {
	ID        uint
	AuthorID  uint
	Bio       string
	DeletedAt gorm.DeletedAt
}

// Tag is a many-to-many peer, not soft-deletable.
type Tag struct {
	ID   uint
	Name string
}

type hookLog struct{}

// record notes that a hook ran.
func record(tx *gorm.DB, what string) error {
	if l, ok := tx.Statement.Context.Value(hookLog{}).(*[]string); ok {
		*l = append(*l, what)
	}
	return nil
}

// The hooks record that they ran; a book titled "veto" is refused.
func (a *Author) BeforeCreate(tx *gorm.DB) error { return record(tx, "author before create "+a.Name) }
func (a *Author) AfterCreate(tx *gorm.DB) error  { return record(tx, "author after create "+a.Name) }
func (a *Author) BeforeUpdate(tx *gorm.DB) error { return record(tx, "author before update") }
func (a *Author) AfterUpdate(tx *gorm.DB) error  { return record(tx, "author after update") }
func (a *Author) BeforeDelete(tx *gorm.DB) error {
	return record(tx, fmt.Sprint("author before delete ", a.ID))
}
func (a *Author) AfterDelete(tx *gorm.DB) error {
	return record(tx, fmt.Sprint("author after delete ", a.ID))
}
func (a *Author) AfterFind(tx *gorm.DB) error { return record(tx, "author after find "+a.Name) }
func (b *Book) BeforeDelete(tx *gorm.DB) error {
	_ = record(tx, "book before delete "+b.Title)
	if b.Title == "veto" {
		return errors.New("vetoed")
	}
	return nil
}

var compatModels = []any{&Author{}, &Book{}, &Profile{}, &Tag{}}

// transcript is what the script saw, one line per step.
type transcript struct {
	lines []string
	hooks []string
}

func (tr *transcript) add(step string, res *gorm.DB, read any) {
	line := fmt.Sprintf("%s: rows=%d err=%v", step, res.RowsAffected, res.Error)
	if read != nil {
		line += fmt.Sprintf(" read=%s", readable(read))
	}
	tr.lines = append(tr.lines, line)
}

func (tr *transcript) addErr(step string, err error, read any) {
	line := fmt.Sprintf("%s: err=%v", step, err)
	if read != nil {
		line += fmt.Sprintf(" read=%s", readable(read))
	}
	tr.lines = append(tr.lines, line)
}

// readable prints rows read, with times as instants.
func readable(v any) string {
	s := fmt.Sprintf("%+v", v)
	return strings.ReplaceAll(s, " +0000 UTC", "")
}

// compatScript runs the operations and returns what it saw.
func compatScript(t *testing.T, db *gorm.DB) transcript {
	var tr transcript
	ctx := context.WithValue(context.Background(), hookLog{}, &tr.hooks)
	db = db.WithContext(ctx)

	// Create: nested, batch, and a map.
	a := Author{Name: "ann", Books: []Book{{Title: "one"}, {Title: "two"}, {Title: "veto"}}, Profile: &Profile{Bio: "bio"}, Tags: []Tag{{Name: "x"}, {Name: "y"}}}
	tr.add("create nested", db.Create(&a), nil)
	batch := []Author{{Name: "bob"}, {Name: "cy"}, {Name: "dee"}}
	tr.add("create batch", db.Create(&batch), nil)
	tr.add("create map", db.Model(&Book{}).Create(map[string]any{"AuthorID": batch[0].ID, "Title": "map"}), nil)

	// Query.
	var got Author
	tr.add("first", db.First(&got, a.ID), got.Name)
	var books []Book
	tr.add("find where", db.Where("title <> ?", "two").Order("id").Find(&books), books)
	var withBooks []Author
	tr.add("preload", db.Preload("Books", func(q *gorm.DB) *gorm.DB { return q.Order("id") }).Order("id").Find(&withBooks), len(withBooks))
	var n int64
	tr.add("count", db.Model(&Book{}).Count(&n), n)
	var titles []string
	tr.add("pluck", db.Model(&Book{}).Order("id").Pluck("title", &titles), titles)

	// Update.
	tr.add("update", db.Model(&batch[1]).Update("name", "cyd"), nil)
	tr.add("updates", db.Model(&Book{}).Where("title = ?", "map").Updates(map[string]any{"title": "mapped"}), nil)
	tr.add("update column", db.Model(&batch[2]).UpdateColumn("name", "dot"), nil)

	// Delete: soft, by key, by condition, a slice, a vetoed hook, a
	// parent with children (nothing cascades), nothing, everything.
	tr.add("delete book", db.Delete(&a.Books[0]), a.Books[0].DeletedAt.Valid)
	tr.add("delete by condition", db.Where("title = ?", "mapped").Delete(&Book{}), nil)
	tr.add("delete slice", db.Delete(&[]Author{batch[1], batch[2]}), nil)
	tr.add("delete vetoed", db.Delete(&a.Books[2]), nil)
	tr.add("delete author", db.Delete(&a), a.DeletedAt.Valid)
	tr.add("delete again", db.Delete(&a), nil)
	tr.add("delete inline key", db.Delete(&Author{}, 999), nil)
	tr.add("delete zero key", db.Delete(&Author{}), nil)
	tr.add("delete all", db.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(&Profile{}), nil)

	// Unscoped.
	var all []Book
	tr.add("unscoped find", db.Unscoped().Order("id").Find(&all), len(all))
	tr.add("unscoped count", db.Unscoped().Model(&Author{}).Count(&n), n)
	tr.add("live count", db.Model(&Author{}).Count(&n), n)

	// Save on a trashed row: GORM's update matches nothing, then upserts.
	var trashed Book
	tr.add("load trashed", db.Unscoped().First(&trashed, a.Books[0].ID), trashed.Title)
	trashed.Title = "saved"
	tr.add("save trashed", db.Save(&trashed), nil)
	tr.add("update trashed", db.Model(&trashed).Update("title", "updated"), nil)

	// Associations.
	bob := batch[0]
	assoc := func(step string, err error, count func() int64) { tr.addErr(step, err, count()) }
	books2 := func() int64 { return db.Model(&bob).Association("Books").Count() }
	assoc("append", db.Model(&bob).Association("Books").Append(&Book{Title: "three"}, &Book{Title: "four"}), books2)
	assoc("replace", db.Model(&bob).Association("Books").Replace(&Book{Title: "five"}), books2)
	assoc("delete assoc", db.Model(&bob).Association("Books").Delete(&Book{ID: 1}), books2)
	tags := func() int64 { return db.Model(&bob).Association("Tags").Count() }
	assoc("append m2m", db.Model(&bob).Association("Tags").Append(&Tag{Name: "z"}), tags)
	assoc("clear m2m", db.Model(&bob).Association("Tags").Clear(), tags)
	assoc("clear", db.Model(&bob).Association("Books").Clear(), books2)

	// Hard delete, in a transaction rolled back, and committed.
	tr.add("unscoped delete", db.Unscoped().Delete(&Book{}, a.Books[1].ID), nil)
	stop := errors.New("stop")
	tr.addErr("transaction rolled back", db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Delete(&bob).Error; err != nil {
			return err
		}
		return stop
	}), nil)
	tr.addErr("transaction committed", db.Transaction(func(tx *gorm.DB) error { return tx.Delete(&batch[0]).Error }), nil)

	// The generics API.
	ctx = db.Statement.Context
	gb, err := gorm.G[Book](db).Where("title = ?", "five").Find(ctx)
	tr.addErr("generics find", err, gb)
	rows, err := gorm.G[Book](db).Where("title = ?", "five").Update(ctx, "title", "six")
	tr.addErr("generics update", err, rows)
	rows, err = gorm.G[Book](db).Where("title = ?", "six").Delete(ctx)
	tr.addErr("generics delete", err, rows)
	cnt, err := gorm.G[Book](db).Count(ctx, "*")
	tr.addErr("generics count", err, cnt)
	tr.addErr("generics create", gorm.G[Author](db).Create(ctx, &Author{Name: "gen"}), nil)

	// DryRun builds the same statement.
	stmt := db.Session(&gorm.Session{DryRun: true}).Delete(&Author{ID: 7}).Statement
	tr.lines = append(tr.lines, "dry run: "+stmt.SQL.String())
	return tr
}

// tickingSeconds is a NowFunc one second later at every call.
func tickingSeconds() func() time.Time {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		now = now.Add(time.Second)
		return now
	}
}

func TestGORMCompatibility(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for name, base := range map[string]gorm.Config{
			"default-tx":   {},
			"skip-tx":      {SkipDefaultTransaction: true},
			"prepare-stmt": {PrepareStmt: true},
		} {
			t.Run(name, func(t *testing.T) {
				run := func(opts ...softcascade.Option) (transcript, map[string][]string) {
					cfg := base
					cfg.NowFunc = tickingSeconds()
					db := d.Open(t, &cfg)
					must(t, db.AutoMigrate(compatModels...))
					if opts != nil {
						must(t, db.Use(softcascade.New(opts...)))
					}
					tr := compatScript(t, db)
					return tr, deletedAtSet(dumpDB(t, db, false))
				}
				plainTr, plainRows := run()
				for variant, opts := range map[string][]softcascade.Option{
					"plugin":                {softcascade.WithModels(compatModels...)},
					"plugin, GuardChildren": {softcascade.GuardChildren()},
				} {
					tr, rows := run(opts...)
					compareTranscripts(t, variant, plainTr, tr)
					if diff := sameDump(plainRows, rows); diff != "" {
						t.Errorf("%s: the tables differ from GORM alone's:\n%s", variant, diff)
					}
				}
			})
		}
	})
}

var deletedAtValue = regexp.MustCompile(`deleted_at=[^ |]+`)

// deletedAtSet replaces every deleted-at time by SET: GORM alone writes
// NowFunc() as it is, the plugin that time to the millisecond, one
// millisecond later for each deletion that claimed the same millisecond
// before (and its own Create of the log row calls NowFunc once more).
func deletedAtSet(dump map[string][]string) map[string][]string {
	for table, lines := range dump {
		for i, l := range lines {
			lines[i] = deletedAtValue.ReplaceAllStringFunc(l, func(m string) string {
				if m == "deleted_at=NULL" {
					return m
				}
				return "deleted_at=SET"
			})
		}
		dump[table] = lines
	}
	return dump
}

func compareTranscripts(t *testing.T, variant string, want, got transcript) {
	t.Helper()
	for i := 0; i < len(want.lines) || i < len(got.lines); i++ {
		var w, g string
		if i < len(want.lines) {
			w = want.lines[i]
		}
		if i < len(got.lines) {
			g = got.lines[i]
		}
		if w != g {
			t.Errorf("%s differs from GORM alone:\n  GORM:   %s\n  plugin: %s", variant, w, g)
		}
	}
	if strings.Join(want.hooks, "\n") != strings.Join(got.hooks, "\n") {
		t.Errorf("%s: hooks differ:\n  GORM:   %v\n  plugin: %v", variant, want.hooks, got.hooks)
	}
}
