package softcascade_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// ArcRoot holds the values an archive must give back exactly.
type ArcRoot struct {
	ID        int64
	Name      string
	Blob      []byte
	Big       int64
	Small     int64
	Ratio     float64
	Price     string `gorm:"type:decimal(20,6)"`
	At        time.Time
	Maybe     *time.Time
	Note      *string
	Items     []ArcItem `gorm:"constraint:OnDelete:CASCADE"`
	Tags      []ArcTag  `gorm:"many2many:arc_root_tags"`
	DeletedAt gorm.DeletedAt
}

// ArcItem is a soft-deletable child.
type ArcItem struct {
	ID        uint
	ArcRootID int64
	Label     *string
	Logs      []ArcLog `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// ArcLog is not soft-deletable: it goes at purge, with its item.
type ArcLog struct {
	ID        uint
	ArcItemID uint
	Data      []byte
}

// ArcTag is on the other side of a many-to-many relation.
type ArcTag struct {
	ID   uint
	Name string
}

func arcModels() []any { return []any{&ArcRoot{}, &ArcItem{}, &ArcLog{}, &ArcTag{}} }

// openArchive is openClocked with the archive test models too.
func openArchive(t *testing.T, d modelstest.Dialect) (*gorm.DB, *clock) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	db := d.Open(t, &gorm.Config{NowFunc: clk.Now})
	models := append(append(modelstest.SeedModels(), modelstest.KindModels()...), arcModels()...)
	must(t, db.AutoMigrate(models...))
	must(t, db.Use(softcascade.New(softcascade.WithModels(models...))))
	return db, clk
}

// seedArchive creates a project tree, a folder chain (ledger tables) and an
// ArcRoot with extreme values, and deletes them long ago; it returns the
// deletions.
func seedArchive(t *testing.T, db *gorm.DB, clk *clock) []softcascade.Deletion {
	t.Helper()
	p := modelstest.SeedProject(t, db, "archived", modelstest.Small)
	f := modelstest.Folder{Name: "f", Notes: []modelstest.Note{{Pages: []modelstest.Page{{Lines: []modelstest.Line{{
		Marks: []modelstest.Mark{{}}, Stamps: []modelstest.Stamp{{}}}}}}}}}
	must(t, db.Create(&f).Error)
	note := "ünïcødé ✓ 𝄞"
	at := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	root := ArcRoot{ID: math.MaxInt64 - 1, Name: "名前 \u00e9\u0301 'quote' \"dq\" \\ \n\ttab",
		Blob: []byte{0, 1, 2, 0xff, 0xfe, '\n', 0}, Big: math.MaxInt64, Small: math.MinInt64,
		Ratio: 0.1 + 0.2, Price: "12345678901234.123456", At: at, Note: &note,
		Items: []ArcItem{{Label: &note, Logs: []ArcLog{{Data: []byte{0xde, 0xad}}, {}}}, {}},
		Tags:  []ArcTag{{Name: "a"}, {Name: "b"}}}
	must(t, db.Create(&root).Error)
	deleteAt(t, db, clk, 60*day, &p)
	deleteAt(t, db, clk, 59*day, &f)
	deleteAt(t, db, clk, 58*day, &root)
	return deletions(t, db)
}

var archiveTables = []string{"projects", "tasks", "comments", "reactions", "attachments", "time_entries",
	"documents", "document_versions", "project_members", "users", "folders", "notes", "pages", "lines",
	"marks", "stamps", "arc_roots", "arc_items", "arc_logs", "arc_tags", "arc_root_tags", "softcascade_ledger"}

// snapshot encodes every row of the tables (every column, exactly, as the
// archive encodes values), sorted.
func arcSnapshot(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, name := range archiveTables {
		rows, err := db.Table("?", clause.Table{Name: name}).Rows()
		must(t, err)
		cols, err := rows.Columns()
		must(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			var b []byte
			for i, v := range vals {
				b = append(b, cols[i]...)
				b = append(b, '=')
				b, err = archive.AppendValue(b, v)
				must(t, err)
				b = append(b, ' ')
			}
			out[name] = append(out[name], string(b))
		}
		must(t, rows.Err())
		rows.Close()
		sort.Strings(out[name])
	}
	return out
}

func sameArcSnapshot(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for _, name := range archiveTables {
		if !slices.Equal(got[name], want[name]) {
			t.Errorf("%s: table %s differs:\n got %q\nwant %q", what, name, got[name], want[name])
		}
	}
}

func restoreFile(t *testing.T, db *gorm.DB, path string) (softcascade.Report, error) {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	return softcascade.RestoreArchive(db, f)
}

func TestArchiveRoundTrip(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		ds := seedArchive(t, db, clk)
		eq(t, "deletions", len(ds), 3)
		before := arcSnapshot(t, db)
		dir := t.TempDir()
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir), BatchSize: 7})
		must(t, err)
		if rep.Rows == 0 {
			t.Fatal("purge removed nothing")
		}
		for _, del := range deletions(t, db) {
			if del.PurgedAt == nil || del.ArchivedAt == nil {
				t.Fatalf("deletion %s: purged %v, archived %v", del.ID, del.PurgedAt, del.ArchivedAt)
			}
		}
		eq(t, "arc_roots left", modelstest.CountRows(t, db, &ArcRoot{}).Deleted, 0)
		for _, del := range ds {
			rep, err := restoreFile(t, db, filepath.Join(dir, del.ID+".jsonl.gz"))
			must(t, err)
			if rep.Rows == 0 {
				t.Fatalf("restore archive %s: no rows", del.ID)
			}
		}
		sameArcSnapshot(t, "archive → purge → restore", arcSnapshot(t, db), before)
		after := deletions(t, db)
		for i := range ds {
			eq(t, "log row", after[i].ID, ds[i].ID)
			if after[i].PurgedAt != nil || after[i].PurgeStartedAt != nil || after[i].ArchivedAt != nil {
				t.Fatalf("deletion %s not re-opened: %+v", after[i].ID, after[i])
			}
			eq(t, "rows", after[i].Rows, ds[i].Rows)
			eq(t, "stamp", after[i].DeletedAt.UnixMilli(), ds[i].DeletedAt.UnixMilli())
		}
		// Back in the trash: a restore brings them live.
		for _, del := range ds {
			_, err := softcascade.RestoreDeletion(db, del.ID)
			must(t, err)
		}
		var root ArcRoot
		must(t, db.Preload("Items.Logs").Preload("Tags").Take(&root).Error)
		eq(t, "big", root.Big, int64(math.MaxInt64))
		eq(t, "small", root.Small, int64(math.MinInt64))
		eq(t, "blob", string(root.Blob), string([]byte{0, 1, 2, 0xff, 0xfe, '\n', 0}))
		eq(t, "tags", len(root.Tags), 2)
		eq(t, "items", len(root.Items), 2)
		eq(t, "tasks live", modelstest.CountRows(t, db, &modelstest.Task{}).Live, 9)
		eq(t, "marks live", modelstest.CountRows(t, db, &modelstest.Mark{}).Live, 1)
	})
}

// failingArchiver fails at a chosen step.
type failingArchiver struct {
	dir     softcascade.Archiver
	failRow int // fail the row with this index (from 1); 0: fail Commit
	calls   int
}

type failingWriter struct {
	softcascade.ArchiveWriter
	a    *failingArchiver
	rows int
}

func (a *failingArchiver) Archive(ctx context.Context, d *softcascade.Deletion) (softcascade.ArchiveWriter, error) {
	a.calls++
	w, err := a.dir.Archive(ctx, d)
	return &failingWriter{ArchiveWriter: w, a: a}, err
}

func (w *failingWriter) Row(v []any) error {
	w.rows++
	if w.rows == w.a.failRow {
		return errors.New("disk full")
	}
	return w.ArchiveWriter.Row(v)
}

func (w *failingWriter) Commit() error {
	if w.a.failRow == 0 {
		_ = w.ArchiveWriter.Abort()
		return errors.New("upload refused")
	}
	return w.ArchiveWriter.Commit()
}

func TestArchiveFailurePurgesNothing(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		for _, failRow := range []int{0, 5} {
			db, clk := openArchive(t, d)
			ds := seedArchive(t, db, clk)
			before := arcSnapshot(t, db)
			dir := t.TempDir()
			a := &failingArchiver{dir: softcascade.DirArchiver(dir), failRow: failRow}
			_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: a})
			if err == nil || !strings.Contains(err.Error(), map[int]string{0: "upload refused", 5: "disk full"}[failRow]) {
				t.Fatalf("purge with a failing archiver: %v", err)
			}
			eq(t, "archives tried", a.calls, len(ds))
			sameArcSnapshot(t, "failed archive", arcSnapshot(t, db), before)
			for _, del := range deletions(t, db) {
				if del.PurgedAt != nil || del.PurgeStartedAt != nil || del.ArchivedAt != nil {
					t.Fatalf("deletion %s marked: %+v", del.ID, del)
				}
			}
			files, _ := os.ReadDir(dir)
			eq(t, "files left", len(files), 0)
			_, err = softcascade.RestoreDeletion(db, ds[0].ID) // still in the trash
			must(t, err)
		}
	})
}

// countingArchiver counts the archives it starts and commits.
type countingArchiver struct {
	softcascade.Archiver
	started, committed int
	afterCommit        func()
}

type countingWriter struct {
	softcascade.ArchiveWriter
	a *countingArchiver
}

func (a *countingArchiver) Archive(ctx context.Context, d *softcascade.Deletion) (softcascade.ArchiveWriter, error) {
	a.started++
	w, err := a.Archiver.Archive(ctx, d)
	return countingWriter{w, a}, err
}

func (w countingWriter) Commit() error {
	err := w.ArchiveWriter.Commit()
	w.a.committed++
	if w.a.afterCommit != nil {
		w.a.afterCommit()
	}
	return err
}

func TestArchiveCrashMidPurge(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		ds := seedArchive(t, db, clk)
		before := arcSnapshot(t, db)
		dir := t.TempDir()
		a := &countingArchiver{Archiver: softcascade.DirArchiver(dir)}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := softcascade.Purge(db.WithContext(ctx), softcascade.PurgeOptions{Archive: a, BatchSize: 2,
			Progress: func(softcascade.Progress) { cancel() }}) // stops after the first batch
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("purge: %v", err)
		}
		eq(t, "archived", a.committed, 1)
		first, err := os.ReadFile(filepath.Join(dir, ds[0].ID+".jsonl.gz"))
		must(t, err)
		// The rerun finishes without archiving what is left of it again.
		_, err = softcascade.Purge(db, softcascade.PurgeOptions{Archive: a})
		must(t, err)
		eq(t, "archives started", a.started, 3)
		again, err := os.ReadFile(filepath.Join(dir, ds[0].ID+".jsonl.gz"))
		must(t, err)
		if !bytes.Equal(first, again) {
			t.Fatal("the archive of the interrupted deletion was rewritten")
		}
		for _, del := range ds {
			_, err := restoreFile(t, db, filepath.Join(dir, del.ID+".jsonl.gz"))
			must(t, err)
		}
		sameArcSnapshot(t, "interrupted purge", arcSnapshot(t, db), before)
	})
}

func TestArchiveCrashAfterCommit(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		ds := seedArchive(t, db, clk)
		before := arcSnapshot(t, db)
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The archive commits, then the connection's context ends before
		// the database commits the marks.
		a := &countingArchiver{Archiver: softcascade.DirArchiver(dir), afterCommit: cancel}
		_, err := softcascade.Purge(db.WithContext(ctx), softcascade.PurgeOptions{Archive: a})
		if err == nil {
			t.Fatal("purge after a lost connection: no error")
		}
		sameArcSnapshot(t, "crash after the archive's commit", arcSnapshot(t, db), before)
		eq(t, "archived_at", deletions(t, db)[0].ArchivedAt == nil, true)
		a.afterCommit = nil
		_, err = softcascade.Purge(db, softcascade.PurgeOptions{Archive: a})
		must(t, err)
		for _, del := range ds {
			_, err := restoreFile(t, db, filepath.Join(dir, del.ID+".jsonl.gz"))
			must(t, err)
		}
		sameArcSnapshot(t, "rerun after a crash", arcSnapshot(t, db), before)
	})
}

func TestRestoreArchiveRefused(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		acme := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
		p := modelstest.SeedProject(t, db, "tenant", modelstest.Small)
		deleteAt(t, acme, clk, 60*day, &p)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		id := deletions(t, db)[0].ID
		file := filepath.Join(dir, id+".jsonl.gz")
		purged := arcSnapshot(t, db)

		other := db.WithContext(softcascade.WithTenant(context.Background(), "globex"))
		_, err = restoreFile(t, other, file)
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("another tenant's archive: %v", err)
		}
		sameArcSnapshot(t, "another tenant", arcSnapshot(t, db), purged)

		_, err = restoreFile(t, acme, file)
		must(t, err)
		_, err = restoreFile(t, acme, file)
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "not purged") {
			t.Fatalf("archive of a deletion in the trash: %v", err)
		}
		// A cut archive is refused whole.
		data, err := os.ReadFile(file)
		must(t, err)
		_, err = softcascade.RestoreArchive(db, bytes.NewReader(data[:len(data)/2]))
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Fatalf("cut archive: %v", err)
		}
	})
}

func TestRestoreArchiveConflicts(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		must(t, db.AutoMigrate(modelstest.UniqueModels()...))
		must(t, softcascade.MigrateUnique(db, modelstest.UniqueModels()...))
		ws := modelstest.Workspace{Slug: "acme", Labels: []modelstest.Label{{Name: "x"}}}
		must(t, db.Create(&ws).Error)
		deleteAt(t, db, clk, 60*day, &ws)
		p := modelstest.SeedProject(t, db, "pk", modelstest.Small)
		deleteAt(t, db, clk, 59*day, &p)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		ds := deletions(t, db)

		// A live workspace took the slug meanwhile.
		must(t, db.Create(&modelstest.Workspace{Slug: "acme"}).Error)
		purged := arcSnapshot(t, db)
		var logBefore []softcascade.Deletion
		must(t, db.Order("stamp").Find(&logBefore).Error)
		_, err = restoreFile(t, db, filepath.Join(dir, ds[0].ID+".jsonl.gz"))
		var ce *softcascade.UniqueConflictError
		if !errors.As(err, &ce) || ce.Table != "workspaces" {
			t.Fatalf("unique conflict: %v", err)
		}
		// A live row took a primary key of the archive.
		must(t, db.Create(&modelstest.Project{ID: p.ID, Name: "squatter"}).Error)
		_, err = restoreFile(t, db, filepath.Join(dir, ds[1].ID+".jsonl.gz"))
		if err == nil || !strings.Contains(err.Error(), "projects") {
			t.Fatalf("primary key collision: %v", err)
		}
		must(t, db.Unscoped().Delete(&modelstest.Project{ID: p.ID}).Error)
		sameArcSnapshot(t, "refused restores", arcSnapshot(t, db), purged)
		for i, del := range deletions(t, db) {
			if del.PurgedAt == nil {
				t.Fatalf("deletion %d re-opened by a refused restore", i)
			}
		}
	})
}

// An archive brings its deletion back even when the log lost its row.
func TestRestoreArchiveLogLost(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		ds := seedArchive(t, db, clk)
		before := arcSnapshot(t, db)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		must(t, db.Where("1 = 1").Delete(&softcascade.Deletion{}).Error)
		for _, del := range ds {
			_, err := restoreFile(t, db, filepath.Join(dir, del.ID+".jsonl.gz"))
			must(t, err)
		}
		sameArcSnapshot(t, "log lost", arcSnapshot(t, db), before)
		after := deletions(t, db)
		eq(t, "deletions", len(after), len(ds))
		for i := range ds {
			eq(t, "id", after[i].ID, ds[i].ID)
			eq(t, "tenant", after[i].Tenant, ds[i].Tenant)
			eq(t, "rows", after[i].Rows, ds[i].Rows)
			_, err := softcascade.RestoreDeletion(db, ds[i].ID)
			must(t, err)
		}
	})
}
