package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/dsn"
)

// open connects to the database of --dsn (or SOFTCASCADE_DSN), checks that
// openDB opens the database of --dsn (or $SOFTCASCADE_DSN) as it is;
// closeDB releases it.
func (a *app) openDB(ctx context.Context) (db *gorm.DB, closeDB func(), err error) {
	source := strings.TrimSpace(a.dsn)
	if source == "" {
		source = strings.TrimSpace(a.getenv(envDSN))
	}
	if source == "" {
		return nil, nil, usagef("no database: pass --dsn or set %s", envDSN)
	}
	dial, err := dialector(source)
	if err != nil {
		return nil, nil, err
	}
	db, err = gorm.Open(dial, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", dial.Name(), oneLine{err})
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", dial.Name(), err)
	}
	closeDB = func() { _ = sqlDB.Close() }
	return db.WithContext(ctx), closeDB, nil
}

// open opens the database of --dsn (or $SOFTCASCADE_DSN) with the
// plugin installed, after checking that it has the plugin's tables;
// closeDB releases it.
func (a *app) open(ctx context.Context) (db *gorm.DB, closeDB func(), err error) {
	db, closeDB, err = a.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	dial := db.Dialector
	if !db.Migrator().HasTable(&softcascade.Deletion{}) {
		closeDB()
		return nil, nil, fmt.Errorf("this %s database has no softcascade deletion log (table %s): is --dsn right?",
			dial.Name(), softcascade.Deletion{}.TableName())
	}
	// The command does not know the application's retention: deletions
	// logged without a purge-after are never due for it (see purge). It
	// never changes the application's schema: the plugin's tables must be
	// there as the application's migrations made them.
	if err := db.Use(softcascade.New(softcascade.WithRetention(unknownRetention), softcascade.SkipMigrate())); err != nil {
		closeDB()
		return nil, nil, err
	}
	return db, closeDB, nil
}

// oneLine is a driver's error with its lines joined (pgx lists one line
// per address tried), as the command prints every message on one line.
type oneLine struct{ err error }

func (e oneLine) Error() string {
	msg := strings.NewReplacer(":\n", ": ", "\n", "; ").Replace(e.err.Error())
	return strings.Join(strings.Fields(msg), " ")
}

func (e oneLine) Unwrap() error { return e.err }

// dialector is dsn.Dialector, with a malformed DSN as a usage error.
func dialector(s string) (gorm.Dialector, error) {
	d, err := dsn.Dialector(s)
	if errors.Is(err, dsn.ErrBadDSN) {
		return nil, usagef("--dsn: %v", err)
	}
	return d, err
}
