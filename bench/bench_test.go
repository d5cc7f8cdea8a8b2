package main

import (
	"flag"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// The same paths as the command, as go test benchmarks for benchstat, on
// SQLite and, when SOFTCASCADE_POSTGRES_DSN / SOFTCASCADE_MYSQL_DSN are
// set, on PostgreSQL and MySQL:
//
//	go test ./bench -run '^$' -bench . -count 10 | tee new.txt
//	benchstat -col /path old.txt new.txt   # or -col /gorm for the reads
//
// -args -scale N builds N times the seed's tree (default 1).
var benchScale = flag.Int("scale", 1, "tree size for the benchmarks, in multiples of the seed's project")

// benchEnv builds a tree on a fresh database of dialect d.
func benchEnv(b testing.TB, d modelstest.Dialect) *env {
	b.Helper()
	sqlDB, err := d.Open(b, nil).DB()
	if err != nil {
		b.Fatal(err)
	}
	e, err := connect(d.Name, sqlDB)
	if err != nil {
		b.Fatal(err)
	}
	if err := build(e, *benchScale, 1); err != nil {
		b.Fatal(err)
	}
	e.scale, e.batch = *benchScale, 1000
	return e
}

// BenchmarkCascadeDelete times one cascade delete of the tree per path;
// bringing it back between iterations is not timed. stmts/op counts round
// trips (BEGIN and COMMIT included).
func BenchmarkCascadeDelete(b *testing.B) { benchOp(b, "delete") }

// BenchmarkRestore times one restore of the tree, deleted by the plugin
// (untimed), per path.
func BenchmarkRestore(b *testing.B) { benchOp(b, "restore") }

// BenchmarkPurge times one purge of an expired backlog of at least
// -purge-rows rows per path (built and deleted untimed) and reports rows/s.
func BenchmarkPurge(b *testing.B) { benchOp(b, "purge") }

var benchPurgeRows = flag.Int("purge-rows", 20000, "purge benchmark: the least rows of the expired backlog")

// benchOp times the paths of the op named key, on every dialect.
func benchOp(b *testing.B, key string) {
	o, ok := opByKey(key)
	if !ok {
		b.Fatalf("no op %q", key)
	}
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler)) // Purge's info lines
	for _, d := range modelstest.Dialects(b) {
		b.Run("db="+d.Name, func(b *testing.B) {
			e := benchEnv(b, d)
			e.purgeRows = *benchPurgeRows
			for _, p := range o.paths {
				b.Run("path="+p.name, func(b *testing.B) {
					b.ReportAllocs()
					var trips, rows int64
					var took time.Duration
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						if o.setup != nil {
							if err := o.setup(e); err != nil {
								b.Fatal(err)
							}
						}
						if err := vacuum(e); err != nil {
							b.Fatal(err)
						}
						n := e.wire.Trips()
						b.StartTimer()
						start := time.Now()
						if err := p.run(e); err != nil {
							b.Fatal(err)
						}
						took += time.Since(start)
						b.StopTimer()
						trips += e.wire.Trips() - n
						if o.rows != nil {
							rows += o.rows(e)
						}
						if o.reset != nil {
							if err := o.reset(e); err != nil {
								b.Fatal(err)
							}
						}
						b.StartTimer()
					}
					b.ReportMetric(float64(trips)/float64(b.N), "stmts/op")
					if rows > 0 {
						b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
					}
				})
			}
		})
	}
}

// BenchmarkReads times the everyday queries with the plugin installed
// (gorm=plugin) and without (gorm=plain).
func BenchmarkReads(b *testing.B) {
	for _, d := range modelstest.Dialects(b) {
		b.Run("db="+d.Name, func(b *testing.B) {
			e := benchEnv(b, d)
			for _, r := range reads {
				for _, g := range []struct {
					name string
					db   *gorm.DB
				}{{"plugin", e.plugin}, {"plain", e.plain}} {
					b.Run("read="+r.name+"/gorm="+g.name, func(b *testing.B) {
						b.ReportAllocs()
						for i := 0; i < b.N; i++ {
							if err := r.run(g.db, e); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}

// TestOps runs every op of the command once per path, warm-up included, at
// the 1x scale with a small purge backlog: every path must succeed and
// leave the same rows as the others.
func TestOps(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	for _, d := range modelstest.Dialects(t) {
		t.Run(d.Name, func(t *testing.T) {
			e := benchEnv(t, d)
			e.purgeRows = 8000 // two trees, two deletions
			for _, o := range ops() {
				res, did, err := runOp(e, o, 1, 0, nil, func(string) {})
				if err != nil {
					t.Fatalf("%s: %v", o.name, err)
				}
				if len(res) != len(o.paths) || did == "" {
					t.Errorf("%s: %d paths measured, check %q", o.name, len(res), did)
				}
			}
		})
	}
}
