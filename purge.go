package softcascade

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/purge"
)

// PurgeOptions tell Purge what to remove. The zero value purges every
// deletion older than the plugin's retention, 1,000 rows per batch.
type PurgeOptions struct {
	// Before: purge what was deleted before this time; zero means
	// NowFunc() - retention. A time in the future is an error.
	Before time.Time
	// BatchSize is the most rows one DELETE statement, and one
	// transaction, removes; zero means 1,000. Negative is an error.
	BatchSize int
	// DryRun counts what a real run would remove and changes nothing.
	DryRun bool
	// Models: also purge the rows of these models that were soft-deleted
	// before Before outside the plugin (no deletion covers them, for
	// example rows deleted before the plugin was installed). Their soft
	// delete field must carry a time: flag-only fields cannot be aged.
	Models []any
	// Progress, when set, is called after every batch.
	Progress func(Progress)
	// Archive, when set, receives every row of each deletion before the
	// first of them goes; a deletion is purged only once its archive has
	// committed (see Archiver, DirArchiver). Ignored in a dry run.
	Archive Archiver
}

// Progress reports one batch of a Purge: the table, the rows the batch
// removed, and the rows removed so far.
type Progress struct {
	// Deletion is the ID of the deletion being purged; "" for rows
	// soft-deleted outside the plugin (PurgeOptions.Models). Consecutive
	// deletions of the same model are purged together, their batches
	// filling up across them: Deletion is then the oldest of them.
	Deletion string
	// Table is the table the batch deleted from.
	Table string
	// Batch counts the rows this batch deleted (counted, in a dry run).
	Batch int64
	// Rows counts the rows deleted so far in this run, all tables.
	Rows int64
	// DryRun: nothing was deleted, rows were counted.
	DryRun bool
}

// progress adapts fn to the purge package's Progress; nil stays nil.
func progress(fn func(Progress)) func(purge.Progress) {
	if fn == nil {
		return nil
	}
	return func(p purge.Progress) { fn(Progress(p)) }
}

// Purge permanently deletes the rows of every deletion older than
// opts.Before (default NowFunc() - retention): children before parents,
// many-to-many join rows and non-soft-deletable cascade children included,
// in short batches; then the deletion's ledger rows, and it marks the
// deletion purged. It never touches a live row, a newer deletion, or a row
// restored meanwhile.
//
// A row that cannot go (a foreign key from outside the cascade still
// references it, or a live row references it through a relation of the
// models, foreign key in the database or not: docs/shared-references.md)
// is skipped and counted in Report.Skipped, with its parents; its deletion stays unpurged, and a later Purge tries again.
//
// Cancelling db's context stops Purge between batches: it returns what was
// done and the context's error; running it again finishes the job. Several
// processes may run it at once: on PostgreSQL and MySQL the first takes an
// advisory lock and the others return at once with an empty report; on
// SQLite they share the work and each row is counted once. Purge logs one
// info line (log/slog, slog.Default()) when it starts and one when it ends.
//
// With a tenant in the context (WithTenant), only that tenant's deletions
// are purged, and opts.Models is ignored.
func Purge(db *gorm.DB, opts PurgeOptions) (Report, error) {
	p, err := installed(db)
	if err != nil {
		return Report{}, err
	}
	if _, _, err := deletionlog.Tenant(db.Statement.Context); err != nil {
		return Report{}, fmt.Errorf("softcascade: purge: %w", err)
	}
	now := db.NowFunc()
	cutoff := opts.Before
	switch {
	case cutoff.IsZero():
		cutoff = now.Add(-p.retention)
	case cutoff.After(now):
		return Report{}, fmt.Errorf("%w: Purge Before %s is in the future (now %s)", errs.ErrInvalidValue, cutoff, now)
	}
	if err := validModels("PurgeOptions.Models", opts.Models); err != nil {
		return Report{}, err
	}
	models, err := p.plans(db, opts.Models)
	if err != nil {
		return Report{}, err
	}
	res, err := purge.Run(db, purge.Options{
		Cutoff:    cutoff,
		BatchSize: opts.BatchSize,
		DryRun:    opts.DryRun,
		Models:    models,
		Progress:  progress(opts.Progress),
		Archive:   archiverOf(opts.Archive),
		// Deletions logged before plans carried their references are
		// checked against the relations the models declare now.
		References: p.graph.WithReferences,
	})
	return Report{Rows: res.Rows, Tables: res.Tables, Skipped: res.Skipped, Busy: res.Busy}, err
}

// plans returns the cascade plans of models.
func (p *Plugin) plans(db *gorm.DB, models []any) ([]*plan.Plan, error) {
	out := make([]*plan.Plan, 0, len(models))
	for _, m := range models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			return nil, fmt.Errorf("softcascade: Purge model %T: %w", m, err)
		}
		pl, err := p.graph.Plan(db, stmt.Schema)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}
