package softcascade_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// archiveLines reads an archive file's lines (header first).
func archiveLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	must(t, err)
	var out []string
	sc := bufio.NewScanner(gz)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	must(t, sc.Err())
	return out
}

// gzipLines is an archive of the lines.
func gzipLines(t *testing.T, lines []string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	for _, l := range lines {
		_, err := gz.Write([]byte(l + "\n"))
		must(t, err)
	}
	must(t, gz.Close())
	return b.Bytes()
}

// A tenant that crafts its own archive cannot make another tenant's
// deletion's rows its own: a ledger row naming a row of acme's folder,
// restored under bravo and followed by RestoreDeletion, must not bring
// acme's folder back.
func TestRestoreArchiveForeignLedgerRow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		acme := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		fa := modelstest.Folder{Name: "acme's"}
		must(t, db.Create(&fa).Error)
		fb := modelstest.Folder{Name: "bravo's"}
		must(t, db.Create(&fb).Error)
		deleteAt(t, acme, clk, 0, &fa)
		deleteAt(t, bravo, clk, 60*day, &fb)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		var bd softcascade.Deletion
		must(t, db.Where("tenant = ?", "bravo").Take(&bd).Error)
		if bd.PurgedAt == nil {
			t.Fatal("bravo's deletion not purged")
		}
		lines := archiveLines(t, filepath.Join(dir, bd.ID+".jsonl.gz"))
		// Keep the header, drop every section, add one ledger row naming
		// acme's folder.
		crafted := []string{lines[0],
			`{"table":"softcascade_ledger","kind":"ledger","columns":[{"name":"deletion_id","type":""},{"name":"table_name","type":""},{"name":"key_int","type":""}]}`}
		row, _ := json.Marshal([]any{bd.ID, "folders", fa.ID})
		crafted = append(crafted, string(row), `{"end":{"rows":1}}`)
		_, err = softcascade.RestoreArchive(bravo, bytes.NewReader(gzipLines(t, crafted)))
		if err == nil {
			_, rerr := softcascade.RestoreDeletion(bravo, bd.ID)
			t.Errorf("crafted archive accepted (then RestoreDeletion: %v)", rerr)
		} else if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "does not hold") {
			t.Errorf("crafted archive: %v", err)
		}
		var got modelstest.Folder
		must(t, db.Unscoped().Take(&got, fa.ID).Error)
		if got.DeletedAt == 0 {
			t.Fatal("bravo's crafted archive brought acme's folder back")
		}
		var after softcascade.Deletion
		must(t, db.Take(&after, "id = ?", bd.ID).Error)
		if after.PurgedAt == nil {
			t.Fatal("a refused archive re-opened its deletion")
		}
	})
}

// addRows inserts rows right after the first table line of table, and
// fixes the end line's count.
func addRows(t *testing.T, lines []string, table string, rows ...[]any) []string {
	t.Helper()
	var out []string
	added := false
	for _, l := range lines {
		if strings.HasPrefix(l, `{"end":`) {
			var e struct {
				End struct{ Rows int } `json:"end"`
			}
			must(t, json.Unmarshal([]byte(l), &e))
			b, _ := json.Marshal(map[string]any{"end": map[string]int{"rows": e.End.Rows + len(rows)}})
			l = string(b)
		}
		out = append(out, l)
		if !added && strings.HasPrefix(l, `{"table":"`+table+`"`) {
			added = true
			for _, r := range rows {
				b, _ := json.Marshal(r)
				out = append(out, string(b))
			}
		}
	}
	if !added {
		t.Fatalf("no section for %s in the archive", table)
	}
	return out
}

// A crafted archive cannot add join rows that no row of its deletion owns:
// bravo's archive with one more join row tagging acme's live root.
func TestRestoreArchiveForeignJoinRow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		ra := ArcRoot{ID: 1, Name: "acme's", Price: "1"}
		must(t, db.Create(&ra).Error)
		rb := ArcRoot{ID: 2, Name: "bravo's", Price: "1", Tags: []ArcTag{{Name: "t"}}}
		must(t, db.Create(&rb).Error)
		deleteAt(t, bravo, clk, 60*day, &rb)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		bd := deletions(t, db)[0]
		lines := archiveLines(t, filepath.Join(dir, bd.ID+".jsonl.gz"))
		var join string
		for _, l := range lines {
			if strings.HasPrefix(l, `{"table":"arc_root_tags"`) {
				join = l
			}
		}
		var tb struct {
			Columns []struct{ Name string } `json:"columns"`
		}
		must(t, json.Unmarshal([]byte(join), &tb))
		row := make([]any, len(tb.Columns))
		for i, c := range tb.Columns {
			switch c.Name {
			case "arc_root_id":
				row[i] = ra.ID
			case "arc_tag_id":
				row[i] = rb.Tags[0].ID
			}
		}
		crafted := addRows(t, lines, "arc_root_tags", row)
		_, err = softcascade.RestoreArchive(bravo, bytes.NewReader(gzipLines(t, crafted)))
		var n int64
		must(t, db.Table("arc_root_tags").Where("arc_root_id = ?", ra.ID).Count(&n).Error)
		if n != 0 {
			t.Fatalf("bravo's crafted archive tagged acme's live root (err %v)", err)
		}
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Fatalf("crafted archive: %v", err)
		}
	})
}

// An erased deletion stays erased: an archive written before the erasure
// (a purge that archived it, then lost its connection) does not bring its
// rows back, nor clear the erasure from the log.
func TestRestoreArchiveOfErasedDeletion(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		p := modelstest.SeedProject(t, db, "erased", modelstest.Small)
		deleteAt(t, db, clk, 60*day, &p)
		id := deletions(t, db)[0].ID
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a := &countingArchiver{Archiver: softcascade.DirArchiver(dir), afterCommit: cancel}
		if _, err := softcascade.Purge(db.WithContext(ctx), softcascade.PurgeOptions{Archive: a}); err == nil {
			t.Fatal("purge after a lost connection: no error")
		}
		_, err := softcascade.Erase(db, id)
		must(t, err)
		_, err = restoreFile(t, db, filepath.Join(dir, id+".jsonl.gz"))
		var n int64
		must(t, db.Unscoped().Model(&modelstest.Project{}).Where("id = ?", p.ID).Count(&n).Error)
		del := deletions(t, db)[0]
		if n != 0 || del.ErasedAt == nil {
			t.Fatalf("archive restored an erased deletion (err %v, rows back %d, erased_at %v)", err, n, del.ErasedAt)
		}
		if err == nil {
			t.Fatal("archive of an erased deletion: no error")
		}
	})
}

// An archive whose plan was edited is refused when the log still has the
// deletion's row: the logged plan is the one its rows were taken by.
func TestRestoreArchiveEditedPlan(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		p := modelstest.SeedProject(t, db, "edited", modelstest.Small)
		deleteAt(t, db, clk, 60*day, &p)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		id := deletions(t, db)[0].ID
		lines := archiveLines(t, filepath.Join(dir, id+".jsonl.gz"))
		var h map[string]any
		must(t, json.Unmarshal([]byte(lines[0]), &h))
		pl := h["plan"].(map[string]any)
		pl["edges"] = pl["edges"].([]any)[:1]
		b, err := json.Marshal(h)
		must(t, err)
		lines[0] = string(b)
		_, err = softcascade.RestoreArchive(db, bytes.NewReader(gzipLines(t, lines)))
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "plan") {
			t.Fatalf("edited plan: %v", err)
		}
		if deletions(t, db)[0].PurgedAt == nil {
			t.Fatal("a refused archive re-opened its deletion")
		}
	})
}

// A crafted archive cannot hang rows of its own under another tenant's
// live rows: a task of bravo's archived project, given acme's project as
// its parent, is not a row of bravo's deletion.
func TestRestoreArchiveRowUnderForeignParent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		pa := modelstest.Project{Name: "acme's"}
		must(t, db.Create(&pa).Error)
		pb := modelstest.Project{Name: "bravo's", Tasks: []modelstest.Task{{Title: "t"}}}
		must(t, db.Create(&pb).Error)
		deleteAt(t, bravo, clk, 60*day, &pb)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		bd := deletions(t, db)[0]
		lines := archiveLines(t, filepath.Join(dir, bd.ID+".jsonl.gz"))
		var cols []struct{ Name string }
		var row []any
		for i, l := range lines {
			if strings.HasPrefix(l, `{"table":"tasks"`) {
				var tb struct {
					Columns []struct{ Name string } `json:"columns"`
				}
				must(t, json.Unmarshal([]byte(l), &tb))
				cols = tb.Columns
				must(t, json.Unmarshal([]byte(lines[i+1]), &row))
			}
		}
		for i, c := range cols {
			switch c.Name {
			case "id":
				row[i] = 777
			case "project_id":
				row[i] = pa.ID
			}
		}
		crafted := addRows(t, lines, "tasks", row)
		_, err = softcascade.RestoreArchive(bravo, bytes.NewReader(gzipLines(t, crafted)))
		if err == nil {
			_, err = softcascade.RestoreDeletion(bravo, bd.ID)
		}
		var n int64
		must(t, db.Model(&modelstest.Task{}).Where("project_id = ?", pa.ID).Count(&n).Error)
		if n != 0 {
			t.Fatalf("bravo's crafted archive put a task into acme's live project (err %v)", err)
		}
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "no parent") {
			t.Fatalf("crafted archive: %v", err)
		}

		// With the log row gone, only the log could say whose the
		// deletion is: under a tenant the archive is not found.
		must(t, db.Where("id = ?", bd.ID).Delete(&softcascade.Deletion{}).Error)
		_, err = restoreFile(t, bravo, filepath.Join(dir, bd.ID+".jsonl.gz"))
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("archive of a deletion the log lost, under a tenant: %v", err)
		}
		_, err = restoreFile(t, db, filepath.Join(dir, bd.ID+".jsonl.gz"))
		must(t, err)
	})
}

// A crafted archive can still change the columns of its own root rows: a
// root task of bravo's deletion given acme's live project as its project
// comes back there. Only an archive whose integrity is checked (signed or
// MACed by the archiver) could tell; the rows of an archive are otherwise
// taken as they are.
func TestRestoreArchiveRootMovedUnderForeignParent(t *testing.T) {
	t.Skip("known: RestoreArchive trusts the column values of an archive's root rows; a crafted archive can re-parent its root rows under another tenant's live rows (needs archive integrity: a MAC/signature by the Archiver)")
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		pa := modelstest.Project{Name: "acme's"}
		must(t, db.Create(&pa).Error)
		pb := modelstest.Project{Name: "bravo's", Tasks: []modelstest.Task{{Title: "t"}}}
		must(t, db.Create(&pb).Error)
		deleteAt(t, bravo, clk, 60*day, &pb.Tasks[0])
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		bd := deletions(t, db)[0]
		lines := archiveLines(t, filepath.Join(dir, bd.ID+".jsonl.gz"))
		for i, l := range lines {
			if strings.HasPrefix(l, `{"table":"tasks"`) {
				var tb struct {
					Columns []struct{ Name string } `json:"columns"`
				}
				must(t, json.Unmarshal([]byte(l), &tb))
				var row []any
				must(t, json.Unmarshal([]byte(lines[i+1]), &row))
				for j, c := range tb.Columns {
					if c.Name == "project_id" {
						row[j] = pa.ID
					}
				}
				b, _ := json.Marshal(row)
				lines[i+1] = string(b)
			}
		}
		_, err = softcascade.RestoreArchive(bravo, bytes.NewReader(gzipLines(t, lines)))
		if err == nil {
			_, err = softcascade.RestoreDeletion(bravo, bd.ID)
		}
		var n int64
		must(t, db.Model(&modelstest.Task{}).Where("project_id = ?", pa.ID).Count(&n).Error)
		if n != 0 {
			t.Fatalf("bravo's crafted archive moved its task into acme's live project (err %v)", err)
		}
	})
}

// An archive of acme's deletion with its tenant field edited to bravo is
// not bravo's: the log says whose it is.
func TestRestoreArchiveEditedTenant(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openArchive(t, d)
		acme := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		p := modelstest.SeedProject(t, db, "acme's", modelstest.Small)
		deleteAt(t, acme, clk, 60*day, &p)
		dir := t.TempDir()
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(dir)})
		must(t, err)
		id := deletions(t, db)[0].ID
		lines := archiveLines(t, filepath.Join(dir, id+".jsonl.gz"))
		lines[0] = strings.Replace(lines[0], `"tenant":"acme"`, `"tenant":"bravo"`, 1)
		_, err = softcascade.RestoreArchive(bravo, bytes.NewReader(gzipLines(t, lines)))
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("acme's archive with bravo as tenant, under bravo: %v", err)
		}
		del := deletions(t, db)[0]
		if del.PurgedAt == nil || del.Tenant != "acme" {
			t.Fatalf("log row changed: purged %v tenant %q", del.PurgedAt, del.Tenant)
		}
	})
}
