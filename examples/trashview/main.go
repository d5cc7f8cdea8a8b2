// Command trashview serves the softcascade trash view over demo data: a
// small project-management domain (models.go: projects, tasks, comments,
// documents...) on an embedded SQLite database, with a few deletions to look at and restore.
//
//	go run ./examples/trashview
//	go run ./examples/trashview -addr 127.0.0.1:9000 -db /tmp/demo.db
//
// The same database works with the command-line tool:
//
//	go run ./cmd/softcascade trash --dsn /tmp/demo.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/trashui"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	path := flag.String("db", "", "SQLite file (default: a new one in a temporary directory)")
	flag.Parse()
	if err := run(*addr, *path); err != nil {
		log.Fatal(err)
	}
}

func run(addr, path string) error {
	if path == "" {
		dir, err := os.MkdirTemp("", "trashview-")
		if err != nil {
			return err
		}
		path = filepath.Join(dir, "demo.db")
	}
	db, err := openDemo(path, time.Now())
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: routes(db), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("trash view: http://%s/trash/\ndatabase:   %s\n", addr, path)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// routes mounts the trash view under /trash/, as an application would
// behind its login; here every visitor is the demo's support agent.
func routes(db *gorm.DB) http.Handler {
	ui := trashui.Handler(db, trashui.WithContext(func(r *http.Request) context.Context {
		return softcascade.WithActor(r.Context(), "support:demo")
	}))
	mux := http.NewServeMux()
	mux.Handle("/trash/", http.StripPrefix("/trash", ui))
	mux.Handle("GET /{$}", http.RedirectHandler("/trash/", http.StatusFound))
	return mux
}

// openDemo opens the SQLite file at path with the plugin installed, and
// fills it with the demo data when it is new.
func openDemo(path string, now time.Time) (*gorm.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	if err := db.AutoMigrate(models()...); err != nil {
		return nil, err
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(models()...))); err != nil {
		return nil, err
	}
	var n int64
	if err := db.Model(&Project{}).Unscoped().Count(&n).Error; err != nil {
		return nil, err
	}
	if n == 0 {
		if err := seed(db, now); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	return db, nil
}
