package softcascade_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// benchShape is a project of about 100,000 rows: 10,000 tasks, 40,000
// comments, 40,000 reactions and 10,000 time entries.
var benchShape = modelstest.Shape{Tasks: 10000, CommentsPerTask: 4, ReactionsPerComment: 1, TimeEntriesPerTask: 1}

// BenchmarkPurge compares Purge of one expired deletion of about 100,000
// rows with a hand-written loop of batched DELETEs (1,000 rows each,
// children first) over the same rows:
//
//	go test -run '^$' -bench Purge -benchtime 1x -count 3
func BenchmarkPurge(b *testing.B) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // keep the benchmark's lines readable
	for _, d := range modelstest.Dialects(b) {
		for _, way := range []string{"softcascade", "handwritten"} {
			b.Run(d.Name+"/"+way, func(b *testing.B) {
				var rows int64
				var took time.Duration
				for range b.N {
					b.StopTimer()
					db, stamp := benchDeleted(b, d)
					b.StartTimer()
					start := time.Now()
					if way == "softcascade" {
						rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
						if err != nil {
							b.Fatal(err)
						}
						rows += rep.Rows
					} else {
						rows += handwrittenPurge(b, db, d, stamp)
					}
					took += time.Since(start)
				}
				b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
			})
		}
	}
}

// benchDeleted returns a database holding a benchShape project deleted
// 31 days ago, and the deletion's time.
func benchDeleted(b *testing.B, d modelstest.Dialect) (*gorm.DB, time.Time) {
	return benchDeletedT(b, d)
}

func benchDeletedT(b testing.TB, d modelstest.Dialect) (*gorm.DB, time.Time) {
	now := time.Now().UTC().Truncate(time.Second)
	clk := &clock{now: now.Add(-31 * day)}
	db := d.Open(b, &gorm.Config{NowFunc: clk.Now, SkipDefaultTransaction: true})
	if err := db.AutoMigrate(modelstest.SeedModels()...); err != nil {
		b.Fatal(err)
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(modelstest.SeedModels()...))); err != nil {
		b.Fatal(err)
	}
	p, err := modelstest.CreateProject(db, "bench", benchShape)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Delete(&p).Error; err != nil {
		b.Fatal(err)
	}
	clk.set(now)
	// Fresh statistics, so that both ways run with the plans a live
	// database would pick.
	analyze := "ANALYZE"
	if d.IsMySQL() {
		analyze = "ANALYZE TABLE projects, tasks, comments, reactions, time_entries"
	}
	if err := db.Exec(analyze).Error; err != nil {
		b.Fatal(err)
	}
	return db, p.DeletedAt.Time
}

// handwrittenPurge deletes the deleted project's rows as an application
// would by hand: per table, children first, DELETE ... LIMIT 1000 until
// nothing is left.
func handwrittenPurge(b *testing.B, db *gorm.DB, d modelstest.Dialect, stamp time.Time) int64 {
	steps := []struct{ table, where string }{
		{"reactions", "deleted_at = ?"},
		{"comments", "deleted_at = ?"},
		{"time_entries", "task_id IN (SELECT id FROM tasks WHERE deleted_at = ?)"},
		{"tasks", "deleted_at = ?"},
		{"projects", "deleted_at = ?"},
	}
	var total int64
	for _, s := range steps {
		sql := fmt.Sprintf("DELETE FROM %s WHERE id IN (SELECT id FROM %s WHERE %s LIMIT 1000)", s.table, s.table, s.where)
		if d.IsMySQL() {
			sql = fmt.Sprintf("DELETE FROM %s WHERE %s LIMIT 1000", s.table, s.where)
		}
		for {
			res := db.Exec(sql, stamp)
			if res.Error != nil {
				b.Fatal(res.Error)
			}
			total += res.RowsAffected
			if res.RowsAffected < 1000 {
				break
			}
		}
	}
	return total
}
