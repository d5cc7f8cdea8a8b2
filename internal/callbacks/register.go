// Package callbacks wires softcascade into GORM's delete processor: a
// soft delete of a soft-deletable model stamps its rows with the
// deletion's unique stamp, cascades along the plan in the same
// transaction, and records the deletion in the log.
package callbacks

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// Config is what the callbacks need from the plugin.
type Config struct {
	Graph *cascade.Graph
	// Committed, when set, is called once a deletion's transaction has
	// committed (never for a deletion inside the caller's transaction,
	// whose commit GORM does not report).
	Committed func(ctx context.Context, d *deletionlog.Deletion)
	// Retention is how long a deletion of a root table is kept before it
	// may be purged: its PurgeAfter is its time plus Retention(table).
	Retention func(table string) time.Duration
	// GuardChildren refuses, with ErrParentDeleted, to create rows whose
	// cascading parent is soft-deleted (see guard).
	GuardChildren bool

	labels sync.Map // *schema.Schema -> rootlabel.Source (labelSource)
}

// labelSource returns where the rows of model s get their trash label
// (rootlabel.Of), worked out once per model.
func (c *Config) labelSource(s *schema.Schema) (rootlabel.Source, error) {
	if v, ok := c.labels.Load(s); ok {
		return v.(rootlabel.Source), nil
	}
	src, err := rootlabel.Of(s)
	if err != nil {
		return rootlabel.Source{}, err
	}
	c.labels.Store(s, src)
	return src, nil
}

// Register adds the callbacks, in the order they run.
func Register(db *gorm.DB, cfg *Config) error {
	d, c := db.Callback().Delete(), db.Callback().Create()
	type step struct {
		name string
		err  error
	}
	steps := []step{
		{"softcascade:begin", d.Before("*").Register("softcascade:begin", cfg.begin)},
		{"softcascade:prepare", d.After("gorm:before_delete").Before("gorm:delete_before_associations").Register("softcascade:prepare", cfg.prepare)},
		{"softcascade:resume", d.After("gorm:delete_before_associations").Before("gorm:delete").Register("softcascade:resume", cfg.resume)},
		{"softcascade:cascade", d.After("gorm:delete").Before("gorm:after_delete").Register("softcascade:cascade", cfg.cascade)},
		{"softcascade:finish", d.After("gorm:after_delete").Register("softcascade:finish", cfg.finish)},
		{"softcascade:learn", c.After("gorm:create").Register("softcascade:learn", cfg.learn)},
	}
	if cfg.GuardChildren {
		steps = append(steps,
			step{"softcascade:guard_begin", c.Before("gorm:before_create").Register("softcascade:guard_begin", cfg.guardBegin)},
			step{"softcascade:guard", c.Before("gorm:create").Register("softcascade:guard", cfg.guard)},
			step{"softcascade:guard_finish", c.After("gorm:after_create").Register("softcascade:guard_finish", cfg.finish)},
		)
	}
	for _, s := range steps {
		if s.err != nil {
			return errs.Wrap(s.err, "register %s", s.name)
		}
	}
	return nil
}

// learn adds every created model to the graph, so that the parents of a
// model are known before one of them is deleted in this process.
func (c *Config) learn(db *gorm.DB) {
	if db.Error == nil && db.Statement.Schema != nil {
		c.Graph.Learn(db.Statement.Schema)
	}
}

// retention is how long deletions of root table are kept (0 when the
// Config has no Retention).
func (c *Config) retention(table string) time.Duration {
	if c.Retention == nil {
		return 0
	}
	return c.Retention(table)
}
