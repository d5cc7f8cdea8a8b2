package softcascade_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/heapsample"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// BenchmarkPurgeArchive compares Purge with DirArchiver against Purge
// alone on one expired deletion of about 100,000 rows (benchShape), each
// iteration running both on fresh copies; it reports each way's rows/s
// and peak live Go heap (sampled every millisecond), and their ratios:
//
//	go test -run '^$' -bench PurgeArchive -benchtime 2x
//
// The bench command measures the 100x tree: go run ./bench -ops purge
// -scale 100 -paths plugin,plugin+archive.
func BenchmarkPurgeArchive(b *testing.B) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	for _, d := range modelstest.Dialects(b) {
		b.Run(d.Name, func(b *testing.B) {
			var rows int64
			var took, tookArchive time.Duration
			var peak, peakArchive, size float64
			for range b.N {
				for _, archive := range []bool{false, true} {
					b.StopTimer()
					db, _ := benchDeleted(b, d)
					opts := softcascade.PurgeOptions{}
					dir := b.TempDir()
					if archive {
						opts.Archive = softcascade.DirArchiver(dir)
					}
					runtime.GC()
					stop := heapsample.Peak()
					b.StartTimer()
					start := time.Now()
					rep, err := softcascade.Purge(db, opts)
					if err != nil {
						b.Fatal(err)
					}
					if archive {
						tookArchive += time.Since(start)
						peakArchive = max(peakArchive, stop())
						files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl.gz"))
						for _, f := range files {
							if fi, err := os.Stat(f); err == nil {
								size += float64(fi.Size())
							}
						}
					} else {
						took += time.Since(start)
						peak = max(peak, stop())
						rows += rep.Rows
					}
				}
			}
			b.ReportMetric(float64(rows)/took.Seconds(), "purge-rows/s")
			b.ReportMetric(float64(rows)/tookArchive.Seconds(), "archive-rows/s")
			b.ReportMetric(tookArchive.Seconds()/took.Seconds(), "time-ratio")
			b.ReportMetric(peak/(1<<20), "purge-peak-MiB")
			b.ReportMetric(peakArchive/(1<<20), "archive-peak-MiB")
			b.ReportMetric(size/float64(b.N)/(1<<20), "file-MiB")
		})
	}
}
