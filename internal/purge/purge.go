// Package purge permanently deletes what soft deletion left behind once its
// retention has passed: the rows of every expired deletion (children before
// parents, many-to-many join rows and non-soft-deletable cascade children
// included, then the deletion's ledger rows), and, for the models an
// application names, the rows soft-deleted outside the plugin.
//
// It works from the plans stored with the deletions, without Go model
// types, in short batches: at most BatchSize rows per statement and per
// transaction. A batch deletes up to BatchSize rows that may go (rows of
// the deletion without a child row left), in one statement where the
// database allows it. On PostgreSQL a table's batches go in key order,
// each continuing after the last key the previous one reached, so that a
// batch reads its own rows only. A batch that a foreign key from outside
// the cascade refuses is retried row by row; the rows that cannot go are
// reported, and their deletion stays unpurged until a later run can finish
// it. Consecutive deletions of one plan go together, so that batches fill
// up across small deletions.
//
// Several processes may run it at once: on PostgreSQL and MySQL the run
// takes a database-wide advisory lock without waiting (a second purger
// finds it taken and returns at once, with nothing done); SQLite has a
// single writer and every statement of a purge is idempotent and counted
// by its own RowsAffected, so concurrent purgers share the work and count
// each row once.
package purge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// DefaultBatchSize is the number of rows per statement and transaction
// when Options.BatchSize is zero.
const DefaultBatchSize = 1000

// Options tell Run what to purge and how.
type Options struct {
	// Cutoff (required): with Due zero, every deletion made before it goes
	// (an override of the stored retention); with Due set, only the
	// deletions logged without a purge-after (before it was stored) made
	// before it go. Models' rows soft-deleted before it go in both cases.
	Cutoff time.Time
	// Due: the deletions whose stored purge-after is at or before Due go
	// (zero: an override, see Cutoff).
	Due time.Time
	// Before, with Due: only the deletions made before Before go (zero:
	// no such bound).
	Before time.Time
	// BatchSize is the largest number of rows one statement or one
	// transaction deletes; zero means DefaultBatchSize.
	BatchSize int
	// DryRun counts what a run would delete and changes nothing.
	DryRun bool
	// Models are the plans of models whose rows soft-deleted outside the
	// plugin (no deletion covers them) go too once their soft-delete time
	// is before Cutoff. Their root table must carry a time: a flag-only
	// soft-delete column cannot be aged.
	Models []*plan.Plan
	// Progress, when set, is called after every batch.
	Progress func(Progress)
	// Archive, when set, receives every row of a deletion before the
	// first of them goes (see archived); ignored in a dry run.
	Archive archive.Archiver
	// References, when set, completes each deletion's stored plan with
	// the references into its tables known now (cascade.Graph's
	// WithReferences), so that a deletion logged before plans carried
	// them is checked against them too.
	References func(*plan.Plan) *plan.Plan
	// Logger receives the run's info lines; nil means slog.Default().
	Logger *slog.Logger
	// Deletion, when set, is the ID of the one deletion to purge, whatever
	// its age (Erase): Cutoff and Models are then not used.
	Deletion string
	// Wait: when another process holds the purge lock, wait for it (while
	// the context lives) instead of returning Busy.
	Wait bool
}

// Progress reports one batch.
type Progress struct {
	// Deletion is the ID of the deletion being purged; "" for rows
	// soft-deleted outside the plugin (Options.Models). Consecutive
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

// Result is what a run did.
type Result struct {
	// Rows counts every row deleted (counted, in a dry run): join rows and
	// non-soft-deletable children included, the plugin's ledger excluded.
	Rows int64
	// Tables counts the rows per table.
	Tables map[string]int64
	// Skipped counts, per table, the rows that were due but could not go:
	// held by a foreign key from outside the cascade, or by a live row
	// that references them through a relation of the plan's References,
	// or parents of such rows. Their deletion stays unpurged; a later run tries again.
	Skipped map[string]int64
	// Purged counts the deletions marked purged (would be, in a dry run).
	Purged int
	// Deletions are the deletions marked purged, as the run read them
	// (without their plans) and with PurgedAt set; none in a dry run.
	Deletions []deletionlog.Deletion
	// Held counts the expired deletions left unpurged because of Skipped rows.
	Held int
	// OnHold counts the deletions due that a legal hold kept (HeldAt set).
	OnHold int
	// Busy: another process held the purge lock, so this run did nothing.
	Busy bool
}

// Run purges what opts describes, with db's context. Cancelling the context
// stops it between batches: it returns what was done and the context's
// error, and a later run finishes the job.
func Run(db *gorm.DB, opts Options) (Result, error) {
	res := Result{Tables: map[string]int64{}, Skipped: map[string]int64{}}
	if err := opts.validate(); err != nil {
		return res, err
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return res, fmt.Errorf("%w: purge runs its own short transactions: call it outside a transaction", errs.ErrInvalidValue)
	}
	dia, err := dialect.For(db).Purge()
	if err != nil {
		return res, err
	}
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	which := []any{"cutoff", opts.Cutoff, "due", opts.Due, "override", opts.Due.IsZero()}
	if opts.Deletion != "" {
		which = []any{"deletion", opts.Deletion} // Erase: this one, whatever its age
	}
	opts.Logger.InfoContext(ctx, "softcascade: purge started",
		append(which, "batch_size", opts.BatchSize, "dry_run", opts.DryRun, "models", len(opts.Models))...)

	var r *runner
	err = db.Connection(func(conn *gorm.DB) error {
		r = &runner{conn: conn, ctx: ctx, opts: opts, dialect: dia, res: &res,
			skipped: map[string]map[string][]any{}}
		if opts.DryRun {
			return r.run()
		}
		ok, err := r.lock()
		if err != nil {
			return errs.Wrap(err, "purge lock")
		}
		if !ok {
			res.Busy = true
			return nil
		}
		defer func() {
			// Released even when ctx is done, so the pooled connection
			// does not keep the lock.
			unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if uerr := dia.Unlock(conn.WithContext(unlockCtx).Session(&gorm.Session{NewDB: true})); uerr != nil {
				opts.Logger.ErrorContext(ctx, "softcascade: purge unlock", "error", uerr)
			}
		}()
		return r.run()
	})
	if r != nil && len(r.invalid) > 0 { // deletions kept: their plans do not match the database
		err = errors.Join(append([]error{err}, r.invalid...)...)
	}
	logResult(ctx, opts, res, time.Since(start), err)
	return res, err
}

func (o Options) validate() error {
	if o.Cutoff.IsZero() && o.Deletion == "" {
		return fmt.Errorf("%w: purge needs a cutoff time", errs.ErrInvalidValue)
	}
	if o.BatchSize < 0 {
		return fmt.Errorf("%w: purge batch size %d is negative", errs.ErrInvalidValue, o.BatchSize)
	}
	for _, p := range o.Models {
		if err := checkModel(p); err != nil {
			return err
		}
	}
	return nil
}

func logResult(ctx context.Context, opts Options, res Result, took time.Duration, err error) {
	log := opts.Logger
	if res.Busy {
		log.InfoContext(ctx, "softcascade: purge skipped: another process holds the purge lock")
		return
	}
	attrs := []any{"dry_run", opts.DryRun, "rows", res.Rows, "tables", res.Tables,
		"deletions_purged", res.Purged, "deletions_held", res.Held, "deletions_on_hold", res.OnHold, "took", took.Round(time.Millisecond)}
	if secs := took.Seconds(); secs > 0 && res.Rows > 0 {
		attrs = append(attrs, "rows_per_second", int64(float64(res.Rows)/secs))
	}
	if len(res.Skipped) > 0 {
		attrs = append(attrs, "skipped", res.Skipped)
	}
	switch {
	case err == nil:
		log.InfoContext(ctx, "softcascade: purge finished", attrs...)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		log.InfoContext(ctx, "softcascade: purge stopped", append(attrs, "error", err)...)
	default:
		log.ErrorContext(ctx, "softcascade: purge failed", append(attrs, "error", err)...)
	}
}
