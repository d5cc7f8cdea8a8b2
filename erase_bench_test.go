package softcascade_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// BenchmarkErase compares Erase of one deletion of about 100,000 rows
// (benchShape) with Purge of the same deletion once expired: Erase is a
// purge of one deletion, plus its mark and a read of the log row.
//
//	go test -run '^$' -bench Erase -benchtime 1x -count 3
func BenchmarkErase(b *testing.B) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	for _, d := range modelstest.Dialects(b) {
		for _, way := range []string{"purge", "erase"} {
			b.Run(d.Name+"/"+way, func(b *testing.B) {
				var rows int64
				var took time.Duration
				for range b.N {
					b.StopTimer()
					db, _ := benchDeleted(b, d)
					var del softcascade.Deletion
					if err := db.First(&del).Error; err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					start := time.Now()
					var rep softcascade.Report
					var err error
					if way == "purge" {
						rep, err = softcascade.Purge(db, softcascade.PurgeOptions{})
					} else {
						rep, err = softcascade.Erase(db, del.ID)
					}
					if err != nil {
						b.Fatal(err)
					}
					took += time.Since(start)
					rows += rep.Rows
				}
				b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
			})
		}
	}
}
