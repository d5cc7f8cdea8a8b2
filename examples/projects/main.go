// Command projects is softcascade's main example, on a small
// project-management domain (models.go): it creates a project of 500
// tasks, 2,000 comments and 500 attachments (plus time entries, documents
// with versions and members), deletes it with a plain db.Delete, prints
// what the deletion took per table and how long it took, then restores it.
//
//	go run ./examples/projects                      # embedded SQLite, no set-up
//	go run ./examples/projects -dsn 'host=127.0.0.1 user=postgres dbname=test sslmode=disable'
//	go run ./examples/projects -dsn 'root@tcp(127.0.0.1:3306)/test?parseTime=true'
//
// The DSN may also come from SOFTCASCADE_DSN.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("SOFTCASCADE_DSN"), "PostgreSQL (host=... or postgres://...) or MySQL (user@tcp(host)/db) DSN; empty: embedded SQLite")
	flag.Parse()
	if err := run(*dsn); err != nil {
		log.Fatal(err)
	}
}

func run(dsn string) error {
	dialector, where, cleanup, err := dialect(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return err
	}
	if err := db.AutoMigrate(models()...); err != nil {
		return err
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(models()...))); err != nil {
		return err
	}
	fmt.Printf("database: %s\n", where)

	start := time.Now()
	project, err := createProject(db, "Website relaunch", size{
		Tasks: 500, CommentsPerTask: 4, AttachmentsPerTask: 1, AttachmentsPerComment: 0, TimeEntriesPerTask: 2,
		Documents: 20, VersionsPerDocument: 5, Members: 5,
	})
	if err != nil {
		return err
	}
	fmt.Printf("created project %d in %s\n", project.ID, time.Since(start).Round(time.Millisecond))

	ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), "user:42"), "customer request")
	start = time.Now()
	if err := db.WithContext(ctx).Delete(&project).Error; err != nil {
		return err
	}
	took := time.Since(start)

	var d softcascade.Deletion
	if err := db.Where("root_table = ?", "projects").Order("deleted_at DESC").First(&d).Error; err != nil {
		return err
	}
	fmt.Printf("\ndeleted %q in %s: deletion %s by %s (%s)\n", project.Name, took.Round(time.Millisecond), d.ID, d.Actor, d.Reason)
	printTables(d.Tables, d.Rows)
	var entries int64
	db.Model(&TimeEntry{}).Count(&entries)
	fmt.Printf("time entries (not soft-deletable) kept until purge: %d\n", entries)

	start = time.Now()
	rep, err := softcascade.RestoreDeletion(db.WithContext(softcascade.WithActor(context.Background(), "support:7")), d.ID)
	if err != nil {
		return err
	}
	fmt.Printf("\nrestored it in %s:\n", time.Since(start).Round(time.Millisecond))
	printTables(rep.Tables, rep.Rows)
	return nil
}

func printTables(tables map[string]int64, total int64) {
	names := make([]string, 0, len(tables))
	for t := range tables {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Printf("  %-18s %6d\n", t, tables[t])
	}
	fmt.Printf("  %-18s %6d\n", "total", total)
}

// dialect picks the driver from the DSN; empty means a SQLite file in a
// temporary directory, removed at the end.
func dialect(source string) (gorm.Dialector, string, func(), error) {
	if source != "" {
		d := dialector(source)
		return d, d.Name(), func() {}, nil
	}
	dir, err := os.MkdirTemp("", "softcascade-example")
	if err != nil {
		return nil, "", nil, err
	}
	path := filepath.Join(dir, "projects.db")
	return sqlite.Open("file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"), "SQLite " + path, func() { os.RemoveAll(dir) }, nil
}
