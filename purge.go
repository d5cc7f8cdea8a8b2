package softcascade

import (
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/purge"
)

// PurgeOptions tell Purge what to remove. The zero value purges every
// deletion whose stored PurgeAfter has come (NowFunc), 1,000 rows per
// batch.
type PurgeOptions struct {
	// Before, when set, purges only the due deletions made before it: it
	// narrows what goes, and never purges a deletion before its stored
	// PurgeAfter (see OverrideRetention). A time in the future is an
	// error.
	Before time.Time
	// OverrideRetention purges every deletion made before Before
	// (required), whatever its stored PurgeAfter: for an operator who
	// must free space, or a retention shortened since. Each deletion it
	// starts to purge gets that time as its PurgeAfter.
	OverrideRetention bool
	// BatchSize is the most rows one DELETE statement, and one
	// transaction, removes; zero means 1,000. Negative is an error.
	BatchSize int
	// DryRun counts what a real run would remove and changes nothing.
	DryRun bool
	// Models: also purge the rows of these models that were soft-deleted
	// outside the plugin before NowFunc() - retention (before Before when
	// that is earlier, or with OverrideRetention) (no deletion covers them, for
	// example rows deleted before the plugin was installed). Their soft
	// delete field must carry a time: flag-only fields cannot be aged.
	Models []any
	// Progress, when set, is called after every batch.
	Progress func(Progress)
	// Logger receives Purge's log lines (one when it starts, one when it
	// ends, one per deletion it keeps); nil means slog.Default().
	Logger *slog.Logger
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

// Purge permanently deletes the rows of every deletion that is due: whose
// PurgeAfter (stored when it was made, from the retention in force then)
// is at or before NowFunc(); a deletion logged before PurgeAfter was
// stored is due once DeletedAt + the plugin's retention has passed.
// opts.Before narrows this to the deletions made before it;
// opts.OverrideRetention instead purges every deletion made before
// opts.Before. Rows go children before parents, many-to-many join rows
// and non-soft-deletable cascade children included, in short batches;
// then the deletion's ledger rows, and it marks the deletion purged. It
// never touches a live row, a deletion not due, or a row restored
// meanwhile. With OnCommit, each purged deletion is reported (Purged).
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
// info line (log/slog, opts.Logger or slog.Default()) when it starts and
// one when it ends.
//
// A deletion under a legal hold (Hold) is left alone, dry run included,
// and counted in Report.OnHold; Release lets a later run purge it.
//
// With a tenant in the context (WithTenant), only that tenant's deletions
// are purged, and opts.Models is ignored.
func Purge(db *gorm.DB, opts PurgeOptions) (Report, error) {
	p, err := installed(db)
	if err != nil {
		return Report{}, err
	}
	po, err := p.purgeOptions(db, opts)
	if err != nil {
		return Report{}, err
	}
	res, err := purge.Run(db, po)
	p.notifyPurged(db, res.Deletions)
	return Report{Rows: res.Rows, Tables: res.Tables, Skipped: res.Skipped, OnHold: res.OnHold, Busy: res.Busy, Deletions: res.Purged}, err
}

// DuePurge lists the deletions a Purge with opts would purge now, oldest
// first (by PurgeAfter), without their plans; their InTrash is the rows a
// purge would take from the soft-deleted tables (join rows and
// non-soft-deletable children come on top). A purge may keep some of them
// (rows that cannot go). It checks opts as Purge does.
func DuePurge(db *gorm.DB, opts PurgeOptions) ([]Deletion, error) {
	p, err := installed(db)
	if err != nil {
		return nil, err
	}
	po, err := p.purgeOptions(db, opts)
	if err != nil {
		return nil, err
	}
	ds, err := purge.Due(db, po)
	if err != nil {
		return nil, err
	}
	out := make([]Deletion, len(ds))
	for i := range ds {
		out[i] = Deletion(ds[i])
	}
	return out, nil
}

// purgeOptions checks opts and turns them into the purge package's.
func (p *Plugin) purgeOptions(db *gorm.DB, opts PurgeOptions) (purge.Options, error) {
	if _, _, err := deletionlog.Tenant(db.Statement.Context); err != nil {
		return purge.Options{}, errs.Wrap(err, "purge")
	}
	now := db.NowFunc()
	po := purge.Options{
		BatchSize: opts.BatchSize,
		DryRun:    opts.DryRun,
		Progress:  progress(opts.Progress),
		Logger:    opts.Logger,
		Archive:   archiverOf(opts.Archive),
		// Deletions logged before plans carried their references are
		// checked against the relations the models declare now.
		References: p.graph.WithReferences,
	}
	switch {
	case opts.Before.After(now):
		return po, fmt.Errorf("%w: Purge Before %s is in the future (now %s)", errs.ErrInvalidValue, opts.Before, now)
	case opts.OverrideRetention && opts.Before.IsZero():
		return po, fmt.Errorf("%w: Purge OverrideRetention needs a Before: the time before which every deletion goes", errs.ErrInvalidValue)
	case opts.OverrideRetention:
		po.Cutoff = opts.Before // every deletion made before it
	default:
		po.Due, po.Before = now, opts.Before
		po.Cutoff = now.Add(-p.retention) // deletions logged without a purge-after
		if !opts.Before.IsZero() && opts.Before.Before(po.Cutoff) {
			po.Cutoff = opts.Before
		}
	}
	if err := validModels("PurgeOptions.Models", opts.Models); err != nil {
		return po, err
	}
	models, err := p.plans(db, opts.Models)
	if err != nil {
		return po, err
	}
	po.Models = models
	return po, nil
}

// notifyPurged reports each purged deletion (Op Purged).
func (p *Plugin) notifyPurged(db *gorm.DB, ds []deletionlog.Deletion) {
	for i := range ds {
		p.notify(db, Event{Op: Purged, DeletionID: ds[i].ID, Deletion: (*Deletion)(&ds[i])})
	}
}

// plans returns the cascade plans of models.
func (p *Plugin) plans(db *gorm.DB, models []any) ([]*plan.Plan, error) {
	out := make([]*plan.Plan, 0, len(models))
	for _, m := range models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			return nil, errs.Wrap(err, "Purge model %T", m)
		}
		pl, err := p.graph.Plan(db, stmt.Schema)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}
