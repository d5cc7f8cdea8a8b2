package purge

import (
	"fmt"
	"time"
)

// lockPoll is how long a waiting run (Options.Wait) sleeps between tries
// of the purge lock, at most.
const lockPoll = 2 * time.Second

// lock takes the purge lock. Without Options.Wait it tries once; with it,
// it tries again, ever less often up to lockPoll, until it gets the lock
// or the context ends (a lock query that blocks could not be cancelled on
// every driver).
func (r *runner) lock() (bool, error) {
	wait := 50 * time.Millisecond
	for {
		ok, err := r.dialect.Lock(r.q())
		if ok || err != nil || !r.opts.Wait {
			return ok, err
		}
		select {
		case <-r.ctx.Done():
			return false, fmt.Errorf("waiting for another process's purge to finish: %w", r.ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, lockPoll)
	}
}
