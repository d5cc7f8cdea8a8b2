package softcascade_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Models of the label tests: one per label source.
type (
	lblTagged struct { // a tagged field wins over Name
		ID        uint
		Code      string `gorm:"size:50" softcascade:"label"`
		Name      string
		Items     []lblItem `gorm:"foreignKey:OwnerID" softcascade:"cascade"`
		DeletedAt gorm.DeletedAt
	}
	lblItem struct {
		ID        uint
		OwnerID   uint
		DeletedAt gorm.DeletedAt
	}
	lblMethod struct { // TrashLabel on the value
		ID          uint
		First, Last string
		Name        string
		DeletedAt   gorm.DeletedAt
	}
	lblPtrMethod struct { // TrashLabel on the pointer
		ID        uint
		Number    int
		DeletedAt gorm.DeletedAt
	}
	lblTitled struct { // Title
		ID        uint
		Title     string
		DeletedAt gorm.DeletedAt
	}
	lblPlain struct { // no label; a string key
		Key       string `gorm:"primaryKey;size:64"`
		DeletedAt gorm.DeletedAt
	}
	lblComposite struct { // a composite key
		Region    string `gorm:"primaryKey;size:16"`
		Num       int    `gorm:"primaryKey;autoIncrement:false"`
		Name      string
		DeletedAt gorm.DeletedAt
	}
)

func (m lblMethod) TrashLabel() string     { return m.First + " " + m.Last }
func (m *lblPtrMethod) TrashLabel() string { return fmt.Sprintf("Invoice %d", m.Number) }

func lblModels() []any {
	return []any{&lblTagged{}, &lblItem{}, &lblMethod{}, &lblPtrMethod{}, &lblTitled{}, &lblPlain{}, &lblComposite{}}
}

// openLabels is a fresh database with the label models and the plugin.
func openLabels(t *testing.T, d modelstest.Dialect, cfg *gorm.Config) *gorm.DB {
	t.Helper()
	db := d.Open(t, cfg)
	must(t, db.AutoMigrate(lblModels()...))
	must(t, db.Use(softcascade.New(softcascade.WithModels(lblModels()...))))
	return db
}

// last is the newest deletion.
func last(t *testing.T, db *gorm.DB) softcascade.Deletion {
	t.Helper()
	var d softcascade.Deletion
	must(t, db.Order("stamp DESC").First(&d).Error)
	return d
}

func TestRootKeysAndLabels(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openLabels(t, d, &gorm.Config{NowFunc: tickingClock()})
		check := func(what string, del func() error, keys, labels []string) {
			t.Helper()
			must(t, del())
			got := last(t, db)
			require.Equal(t, keys, got.RootKeys, what)
			require.Equal(t, labels, got.Labels, what)
			require.Equal(t, int64(len(keys)), got.Roots, what)
		}
		// Each source, once with the loaded row in hand and once by key
		// alone (read back from the database).
		tagged := []lblTagged{{Code: "P-1", Name: "not this", Items: []lblItem{{}, {}}}, {Code: "P-2", Name: "nor this"}}
		must(t, db.Create(&tagged).Error)
		check("tag, in hand", func() error { return db.Delete(&tagged[0]).Error }, []string{"1"}, []string{"P-1"})
		check("tag, by key", func() error { return db.Delete(&lblTagged{}, tagged[1].ID).Error }, []string{"2"}, []string{"P-2"})

		methods := []lblMethod{{First: "Ada", Last: "Lovelace", Name: "not this"}, {First: "Alan", Last: "Turing"}}
		must(t, db.Create(&methods).Error)
		check("value method, in hand", func() error { return db.Delete(&methods[0]).Error }, []string{"1"}, []string{"Ada Lovelace"})
		check("value method, by condition", func() error { return db.Where("first = ?", "Alan").Delete(&lblMethod{}).Error }, []string{"2"}, []string{"Alan Turing"})

		invoices := []lblPtrMethod{{Number: 7001}, {Number: 7002}}
		must(t, db.Create(&invoices).Error)
		check("pointer method, in hand", func() error { return db.Delete(&invoices[0]).Error }, []string{"1"}, []string{"Invoice 7001"})
		check("pointer method, by key", func() error { return db.Delete(&lblPtrMethod{ID: invoices[1].ID}).Error }, []string{"2"}, []string{"Invoice 7002"})

		titled := []lblTitled{{Title: "Website relaunch"}, {Title: "Ärger mit\x00Bytes " + strings.Repeat("x", 300)}}
		must(t, db.Create(&titled[0]).Error)
		check("Title", func() error { return db.Delete(&lblTitled{ID: titled[0].ID}).Error }, []string{"1"}, []string{"Website relaunch"})
		if !d.IsPostgres() { // PostgreSQL stores no NUL in text
			must(t, db.Create(&titled[1]).Error)
			must(t, db.Delete(&titled[1]).Error)
			got := last(t, db).Labels[0]
			require.True(t, strings.HasPrefix(got, "Ärger mit\uFFFDBytes xxx"), got)
			require.Equal(t, 200, len([]rune(got)))
			require.True(t, strings.HasSuffix(got, "x…"), got)
		}

		plain := []lblPlain{{Key: "inv-7"}, {Key: "inv-8"}}
		must(t, db.Create(&plain).Error)
		check("no label, string key, in hand", func() error { return db.Delete(&plain).Error }, []string{"inv-7", "inv-8"}, []string{"", ""})

		comp := []lblComposite{{Region: "eu", Num: 3, Name: "Berlin"}, {Region: "us", Num: 4, Name: "Boston"}}
		must(t, db.Create(&comp).Error)
		check("composite key", func() error { return db.Where("num > 0").Delete(&lblComposite{}).Error },
			[]string{`["eu",3]`, `["us",4]`}, []string{"Berlin", "Boston"})

		// A value with its key only, or already deleted rows among the
		// given ones: the roots are read back, so only the deleted ones
		// are listed, with their stored labels.
		more := []lblTitled{{Title: "A"}, {Title: "B"}}
		must(t, db.Create(&more).Error)
		check("already deleted among the given", func() error {
			return db.Delete(&[]lblTitled{{ID: titled[0].ID, Title: "stale"}, {ID: more[1].ID, Title: "B"}}).Error
		}, []string{fmt.Sprint(more[1].ID)}, []string{"B"})
	})
}

// A condition that matches 50 roots lists the first 20 by key; Roots
// counts all 50.
func TestRootKeysAreBounded(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openLabels(t, d, nil)
		rows := make([]lblTitled, 50)
		for i := range rows {
			rows[i].Title = fmt.Sprintf("row %02d", i+1)
		}
		must(t, db.Create(&rows).Error)
		must(t, db.Where("title LIKE ?", "row %").Delete(&lblTitled{}).Error)
		got := last(t, db)
		require.Equal(t, int64(50), got.Roots)
		require.Len(t, got.RootKeys, 20)
		require.Len(t, got.Labels, 20)
		for i := range 20 {
			require.Equal(t, fmt.Sprint(rows[i].ID), got.RootKeys[i])
			require.Equal(t, rows[i].Title, got.Labels[i])
		}
		// Deleted as a slice of loaded rows too: more than 20 given.
		rows = make([]lblTitled, 25)
		for i := range rows {
			rows[i].Title = "again"
		}
		must(t, db.Create(&rows).Error)
		must(t, db.Delete(&rows).Error)
		got = last(t, db)
		require.Equal(t, int64(25), got.Roots)
		require.Len(t, got.RootKeys, 20)
	})
}

// The Key filter matches a listed root's key exactly, whatever LIKE would
// make of it; Label is a case-insensitive substring; both only within the
// context's tenant, with totals and pages of the exact matches.
func TestTrashKeyAndLabelFilters(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openLabels(t, d, &gorm.Config{NowFunc: tickingClock()})
		a := softcascade.WithTenant(context.Background(), "a")
		b := softcascade.WithTenant(context.Background(), "b")
		keys := []string{"4", "42", "14", "a%b", "axb", "a_b", "a\"b", `a\b`, "A%B", "x", `","`, "<&>", "ÄRGER"}
		ids := map[string]string{}
		if d.IsMySQL() { // its key collation ignores case: A%B is a%b
			keys = keys[:len(keys)-1]
			keys[8] = "A%C"
		}
		for i, k := range keys {
			must(t, db.Create(&lblPlain{Key: k}).Error)
			ctx := a
			if i%2 == 1 {
				ctx = b
			}
			must(t, db.WithContext(ctx).Delete(&lblPlain{Key: k}).Error)
			ids[k] = last(t, db).ID
		}
		// Two keys in one deletion: the JSON text ["a","b"] holds ","
		// between them; the filter "," (a key of its own above) must not
		// match it.
		must(t, db.Create(&[]lblPlain{{Key: "p"}, {Key: "q"}}).Error)
		must(t, db.WithContext(a).Delete(&[]lblPlain{{Key: "p"}, {Key: "q"}}).Error)
		ids["p,q"] = last(t, db).ID

		find := func(ctx context.Context, f softcascade.TrashFilter) ([]string, int64) {
			t.Helper()
			ds, total, err := softcascade.Trash(db.WithContext(ctx), f)
			must(t, err)
			var got []string
			for _, d := range ds {
				got = append(got, d.ID)
			}
			return got, total
		}
		all := context.Background()
		for _, k := range keys {
			got, total := find(all, softcascade.TrashFilter{Key: k})
			require.Equal(t, []string{ids[k]}, got, "key %q", k)
			require.Equal(t, int64(1), total, "key %q", k)
		}
		got, _ := find(all, softcascade.TrashFilter{Key: "q"})
		require.Equal(t, []string{ids["p,q"]}, got)
		for _, k := range []string{"%", "_", "a", "2", "a%", "ärger", ","} {
			got, total := find(all, softcascade.TrashFilter{Key: k})
			require.Empty(t, got, "key %q", k)
			require.Zero(t, total, "key %q", k)
		}
		// Tenants: "4" is a's, "42" is b's.
		got, _ = find(a, softcascade.TrashFilter{Key: "42"})
		require.Empty(t, got)
		got, _ = find(b, softcascade.TrashFilter{Key: "42"})
		require.Equal(t, []string{ids["42"]}, got)
		got, _ = find(b, softcascade.TrashFilter{Key: "4"})
		require.Empty(t, got)
	})
}

func TestTrashLabelFilter(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openLabels(t, d, &gorm.Config{NowFunc: tickingClock()})
		a := softcascade.WithTenant(context.Background(), "a")
		b := softcascade.WithTenant(context.Background(), "b")
		titles := []string{"Website relaunch", "Ärger im Büro", "100% done", "snake_case", "Café", "cafe", "Relaunch 2"}
		ids := map[string]string{}
		for i, title := range titles {
			row := lblTitled{Title: title}
			must(t, db.Create(&row).Error)
			ctx := a
			if i == len(titles)-1 {
				ctx = b
			}
			must(t, db.WithContext(ctx).Delete(&row).Error)
			ids[title] = last(t, db).ID
		}
		find := func(ctx context.Context, f softcascade.TrashFilter) ([]string, int64) {
			t.Helper()
			ds, total, err := softcascade.Trash(db.WithContext(ctx), f)
			must(t, err)
			got := []string{}
			for _, d := range ds {
				got = append(got, d.ID)
			}
			return got, total
		}
		bg := context.Background()
		cases := []struct {
			label string
			want  []string // newest first
		}{
			{"RELAUNCH", []string{ids["Relaunch 2"], ids["Website relaunch"]}},
			{"äRGER", []string{ids["Ärger im Büro"]}},
			{"%", []string{ids["100% done"]}},
			{"e_c", []string{ids["snake_case"]}},
			{"CAFÉ", []string{ids["Café"]}},
			{"cafe", []string{ids["cafe"]}}, // no accent folding
			{"site re", []string{ids["Website relaunch"]}},
			{"nothing", []string{}},
		}
		for _, c := range cases {
			got, total := find(bg, softcascade.TrashFilter{Label: c.label})
			require.Equal(t, c.want, got, "label %q", c.label)
			require.Equal(t, int64(len(c.want)), total, "label %q", c.label)
		}
		// Tenant a does not see b's "Relaunch 2"; pages and totals count
		// exact matches only.
		got, total := find(a, softcascade.TrashFilter{Label: "relaunch"})
		require.Equal(t, []string{ids["Website relaunch"]}, got)
		require.Equal(t, int64(1), total)
		got, total = find(bg, softcascade.TrashFilter{Label: "e", Limit: 2, Offset: 1})
		require.Equal(t, int64(6), total) // all but "Café": é is not e
		require.Equal(t, []string{ids["cafe"], ids["snake_case"]}, got)
		got, total = find(bg, softcascade.TrashFilter{Label: "e", Table: "lbl_plains"})
		require.Empty(t, got)
		require.Zero(t, total)
	})
}

// A restore blocked by a parent in the trash names the parent's deletion
// and, when the deletion lists it, the parent as the trash shows it.
func TestParentDeletedNamesTheDeletionAndLabel(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openLabels(t, d, nil)
		owner := lblTagged{Code: "Website relaunch", Items: []lblItem{{}}}
		must(t, db.Create(&owner).Error)
		must(t, db.Delete(&owner).Error)
		del := last(t, db)
		_, err := softcascade.Restore(db, &lblItem{ID: owner.Items[0].ID})
		require.ErrorIs(t, err, softcascade.ErrParentDeleted)
		require.Contains(t, err.Error(), fmt.Sprintf("it is in deletion %s (lbl_taggeds #%d · Website relaunch)", del.ID, owner.ID))
	})
}
