// Command nightlypurge shows the nightly purge job with a cron library
// (github.com/robfig/cron/v3): every night at 03:00 it permanently removes
// what was deleted more than the retention (here 30 days) ago.
//
//	go run ./examples/nightlypurge                   # SQLite file in the temp dir, waits for 03:00
//	go run ./examples/nightlypurge -now              # also purge once at start
//	go run ./examples/nightlypurge -dsn 'host=127.0.0.1 user=postgres dbname=test sslmode=disable'
//
// Every replica of an application may run the same job: on PostgreSQL and
// MySQL the first purger takes an advisory lock and the others return at
// once; on SQLite they share the work. Applications without a cron use
// softcascade.PurgeEvery(ctx, db, 24*time.Hour, softcascade.PurgeOptions{})
// instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/robfig/cron/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("SOFTCASCADE_DSN"), "PostgreSQL or MySQL DSN; empty: SQLite file nightlypurge.db in the temporary directory")
	spec := flag.String("spec", "0 3 * * *", "cron schedule of the purge (minute hour day month weekday)")
	now := flag.Bool("now", false, "also purge once right away")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dsn, *spec, *now); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn, spec string, now bool) error {
	// An empty DSN is a SQLite file of its own in the temporary directory
	// (never in the working tree), created if missing and kept between runs.
	path := filepath.Join(os.TempDir(), "nightlypurge.db")
	var dial gorm.Dialector = sqlite.Open("file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if dsn != "" {
		dial = dialector(dsn)
	}
	db, err := gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	// The application's models: here a project with its tasks. Purge needs
	// no model types (each deletion stores its plan); the tables are
	// created so that the example runs on an empty database.
	models := []any{&Project{}, &Task{}}
	if err := db.AutoMigrate(models...); err != nil {
		return err
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(models...), softcascade.WithRetention(30*24*time.Hour))); err != nil {
		return err
	}

	purge := func() {
		// Purge logs a start and an end line (slog.Default()); a job that
		// outlives its night is stopped between batches, and the next
		// night's run finishes it.
		jobCtx, cancel := context.WithTimeout(ctx, 2*time.Hour)
		defer cancel()
		rep, err := softcascade.Purge(db.WithContext(jobCtx), softcascade.PurgeOptions{BatchSize: 1000})
		if err != nil {
			slog.Error("nightly purge", "error", err, "rows", rep.Rows)
			return
		}
		if len(rep.Skipped) > 0 {
			slog.Warn("nightly purge: rows held by foreign keys outside the cascade", "skipped", rep.Skipped)
		}
	}

	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DefaultLogger)))
	if _, err := c.AddFunc(spec, purge); err != nil {
		return err
	}
	if now {
		purge()
	}
	c.Start()
	slog.Info("nightly purge scheduled", "spec", spec, "database", dial.Name())
	<-ctx.Done()
	<-c.Stop().Done() // waits for a running purge to return
	return nil
}

// Project is an application's model whose deletions cascade to its tasks.
type Project struct {
	ID        uint
	Name      string
	Tasks     []Task         `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Task belongs to a project.
type Task struct {
	ID        uint
	ProjectID uint `gorm:"index"`
	Title     string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}
