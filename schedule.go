package softcascade

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// PurgeEvery runs Purge with opts every interval until ctx ends, for
// applications without a scheduler. The first run comes after a random
// delay of up to a tenth of interval, and every later one after interval
// plus up to a tenth of it, so that replicas started together do not
// purge in step (they would not purge twice anyway: see Purge). A failed
// run is logged (slog.Default()) and the next one comes as planned. Each
// run purges the deletions due at its own now (their stored PurgeAfter);
// a fixed opts.Before would stop it from purging later deletions.
//
// It returns ctx's error once ctx ends, or at once an error that no run
// could get past: interval not positive, plugin not installed, an
// unusable tenant in ctx (ErrInvalidValue, as for Purge).
func PurgeEvery(ctx context.Context, db *gorm.DB, interval time.Duration, opts PurgeOptions) error {
	if ctx == nil {
		return fmt.Errorf("%w: PurgeEvery with a nil context", errs.ErrInvalidValue)
	}
	if interval <= 0 {
		return fmt.Errorf("%w: PurgeEvery interval %s is not positive", errs.ErrInvalidValue, interval)
	}
	if _, err := installed(db); err != nil {
		return err
	}
	if _, _, err := deletionlog.Tenant(ctx); err != nil {
		return errs.Wrap(err, "PurgeEvery")
	}
	jitter := func() time.Duration { return rand.N(interval/10 + 1) }
	timer := time.NewTimer(jitter())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		_, err := Purge(db.WithContext(ctx), opts)
		next := interval + jitter()
		if err != nil && ctx.Err() == nil {
			slog.Default().ErrorContext(ctx, "softcascade: scheduled purge failed", "error", err, "next_in", next)
		}
		timer.Reset(next)
	}
}
