// Package softcascade is a GORM plugin for cascading soft delete: a
// db.Delete of a soft-deletable model soft-deletes the matched rows and
// everything their cascading relations reach, in one transaction, with
// set-based SQL; it records who deleted what and why, restores exactly
// what one deletion took, and purges the trash after a retention period.
//
//	db.Use(softcascade.New())
//	db.WithContext(softcascade.WithActor(ctx, "user:42")).Delete(&project)
//	softcascade.Restore(db, &project)
package softcascade

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/callbacks"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// DefaultRetention is how long deletions stay restorable before Purge
// removes them for good.
const DefaultRetention = 30 * 24 * time.Hour

// Plugin is the softcascade GORM plugin. Create it with New and install it
// with db.Use. One Plugin serves one *gorm.DB.
type Plugin struct {
	retention  time.Duration
	cascadeAll bool
	guard      bool
	models     []any
	// skipMigrate: Initialize checks the plugin's tables, creates none.
	skipMigrate bool
	onCommit    func(ctx context.Context, e Event)
	retentions  []modelRetention         // WithRetentionFor, in order
	byTable     map[string]time.Duration // their retention by root table

	graph  *cascade.Graph
	once   sync.Once
	err    error
	optErr error // a nil Option given to New
}

// Option configures the plugin.
type Option func(*Plugin)

// WithRetention sets how long deletions stay restorable (default 30 days).
func WithRetention(d time.Duration) Option { return func(p *Plugin) { p.retention = d } }

// CascadeAll makes every has-one and has-many relation cascade unless its
// field is tagged softcascade:"-".
func CascadeAll() Option { return func(p *Plugin) { p.cascadeAll = true } }

// GuardChildren makes a Create refuse, with ErrParentDeleted, rows whose
// cascading parent is soft-deleted (a task under a project in the trash).
// The Create takes a shared lock on those parents in its transaction, so
// that a concurrent delete of a parent either refuses the Create or, when
// the Create was first, takes its rows: no live row is left under a
// deleted parent. It costs one query per cascading relation into the
// model per Create (batched for slices). Unscoped Creates are not checked.
func GuardChildren() Option { return func(p *Plugin) { p.guard = true } }

// WithModels names the application's models up front, so that relations
// are known in both directions (a child's cascading parents included)
// before a parent model has been used in this process.
func WithModels(models ...any) Option {
	return func(p *Plugin) { p.models = append(p.models, models...) }
}

// New returns the plugin with the options applied. A nil option makes
// Initialize (db.Use) fail with ErrInvalidValue.
func New(opts ...Option) *Plugin {
	p := &Plugin{retention: DefaultRetention}
	for i, o := range opts {
		if o == nil {
			p.optErr = fmt.Errorf("%w: New: option %d is nil", errs.ErrInvalidValue, i)
			continue
		}
		o(p)
	}
	p.graph = cascade.NewGraph(p.cascadeAll)
	return p
}

// Retention is how long deletions stay restorable before Purge, by
// default, removes them: the retention stored with deletions whose root
// model has no WithRetentionFor, and the one Purge applies to deletions
// logged before retentions were stored.
func (p *Plugin) Retention() time.Duration {
	if p == nil {
		return DefaultRetention
	}
	return p.retention
}

// Name implements gorm.Plugin.
func (p *Plugin) Name() string { return "softcascade" }

// Initialize implements gorm.Plugin: it creates the plugin's tables when
// missing (with SkipMigrate, checks that they are there), learns WithModels' models and registers the callbacks. It runs
// once per Plugin.
func (p *Plugin) Initialize(db *gorm.DB) error {
	if p == nil {
		return fmt.Errorf("%w: nil *Plugin (make it with softcascade.New)", errs.ErrInvalidValue)
	}
	if err := usable(db); err != nil {
		return err
	}
	p.once.Do(func() { p.err = p.initialize(db) })
	return p.err
}

func (p *Plugin) initialize(db *gorm.DB) error {
	if p.optErr != nil {
		return p.optErr
	}
	if err := validModels("WithModels", p.models); err != nil {
		return err
	}
	if p.retention <= 0 {
		return fmt.Errorf("softcascade: retention must be positive, got %s", p.retention)
	}
	byTable, err := p.retentionByTable(db)
	if err != nil {
		return err
	}
	p.byTable = byTable
	if err := p.migrate(db); err != nil {
		return err
	}
	// Learn every model first, so that each plan is built once, with
	// every edge the models declare.
	schemas := make([]*schema.Schema, len(p.models))
	for i, m := range p.models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			return errs.Wrap(err, "WithModels(%T)", m)
		}
		schemas[i] = stmt.Schema
		p.graph.Learn(stmt.Schema)
	}
	for _, s := range schemas {
		if _, err := p.graph.Plan(db, s); err != nil {
			return err
		}
	}
	cfg := &callbacks.Config{Graph: p.graph, GuardChildren: p.guard, Retention: p.retentionFor}
	if p.onCommit != nil {
		cfg.Committed = func(ctx context.Context, d *deletionlog.Deletion) {
			p.onCommit(ctx, Event{Op: Deleted, DeletionID: d.ID, Deletion: (*Deletion)(d)})
		}
	}
	return callbacks.Register(db, cfg)
}

// installed returns the plugin installed on db.
func installed(db *gorm.DB) (*Plugin, error) {
	if err := usable(db); err != nil {
		return nil, err
	}
	p, ok := db.Config.Plugins["softcascade"].(*Plugin)
	if !ok {
		return nil, errs.ErrNotInstalled
	}
	return p, nil
}
