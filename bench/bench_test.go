package main

import (
	"flag"
	"testing"

	"gorm.io/gorm"

	modelstest "github.com/softcascade/softcascade/models_test"
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
func benchEnv(b *testing.B, d modelstest.Dialect) *env {
	b.Helper()
	sqlDB, err := d.Open(b, nil).DB()
	if err != nil {
		b.Fatal(err)
	}
	e, err := connect(d.Name, sqlDB, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := build(e, *benchScale, 1); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkCascadeDelete times one cascade delete of the tree per path;
// bringing it back between iterations is not timed. stmts/op counts round
// trips (BEGIN and COMMIT included).
func BenchmarkCascadeDelete(b *testing.B) {
	for _, d := range modelstest.Dialects(b) {
		b.Run("db="+d.Name, func(b *testing.B) {
			e := benchEnv(b, d)
			for _, p := range ops()[0].paths {
				b.Run("path="+p.name, func(b *testing.B) {
					b.ReportAllocs()
					var trips int64
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						if err := vacuum(e); err != nil {
							b.Fatal(err)
						}
						n := e.wire.Trips()
						b.StartTimer()
						if err := p.run(e); err != nil {
							b.Fatal(err)
						}
						b.StopTimer()
						trips += e.wire.Trips() - n
						if err := revive(e); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					b.ReportMetric(float64(trips)/float64(b.N), "stmts/op")
				})
			}
			// TODO(restore), TODO(purge): benchmark the restore and purge
			// ops of ops() the same way once their plugin paths exist.
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
