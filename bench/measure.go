package main

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/heapsample"
)

// sample is what one timed run cost.
type sample struct {
	dur    time.Duration
	trips  float64 // round trips to the database
	allocs float64 // Go heap allocations (runtime.MemStats.Mallocs)
	peak   float64 // peak live heap above the start, bytes (sampled; heapsample.Peak)
}

// measure runs fn once, after a GC so that earlier garbage is not
// collected on its time.
func measure(w *wire, fn func() error) (sample, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	trips := w.Trips()
	stopPeak := heapsample.Peak()
	start := time.Now()
	err := fn()
	d := time.Since(start)
	peak := stopPeak()
	runtime.ReadMemStats(&after)
	return sample{dur: d, trips: float64(w.Trips() - trips), allocs: float64(after.Mallocs - before.Mallocs), peak: peak}, err
}

// summary is a path's samples: medians and the range of times.
type summary struct {
	n                int
	median, min, max time.Duration
	trips            float64         // median per run
	allocs           float64         // median per run
	peak             float64         // median per run
	rounds           []time.Duration // the times, in round order
}

func summarize(s []sample) summary {
	if len(s) == 0 {
		return summary{}
	}
	durs := make([]time.Duration, len(s))
	trips := make([]float64, len(s))
	allocs := make([]float64, len(s))
	peaks := make([]float64, len(s))
	for i, x := range s {
		durs[i], trips[i], allocs[i], peaks[i] = x.dur, x.trips, x.allocs, x.peak
	}
	rounds := slices.Clone(durs)
	slices.Sort(durs)
	return summary{n: len(s), median: medianOf(durs), min: durs[0], max: durs[len(durs)-1],
		trips: medianOf(trips), allocs: medianOf(allocs), peak: medianOf(peaks), rounds: rounds}
}

// pairedRatio is the median over rounds of a's time over b's time in the
// same round: the paths of a round run back to back, so a drift of the
// machine's speed from round to round cancels out.
func pairedRatio(a, b summary) float64 {
	n := min(len(a.rounds), len(b.rounds))
	if n == 0 {
		return 0
	}
	rs := make([]float64, n)
	for i := range rs {
		rs[i] = float64(a.rounds[i]) / float64(b.rounds[i])
	}
	return medianOf(rs)
}

func medianOf[T time.Duration | float64](xs []T) T {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// spread is half the range of times relative to the median: "±4%".
func (s summary) spread() string {
	if s.median <= 0 {
		return "±?"
	}
	return fmt.Sprintf("±%.0f%%", 100*float64(s.max-s.min)/2/float64(s.median))
}

// runOp measures the op's paths (those in only, when only is not empty),
// alternating their order round after round, and returns their summaries
// and what check reported (the same for every run). Latency is the
// simulated latency of ops that take it; setup, check and reset run
// without.
func runOp(e *env, o op, rounds int, latency time.Duration, only map[string]bool, progress func(string)) (map[string]summary, string, error) {
	var paths []path
	for _, p := range o.paths {
		if len(only) == 0 || only[p.name] {
			paths = append(paths, p)
		}
	}
	samples := map[string][]sample{}
	var want, wantFrom string
	// Round -1 warms up, untimed: the op's first path runs once.
	for r := -1; r < rounds; r++ {
		n := len(paths)
		if r < 0 {
			n = min(n, 1)
			if o.noWarmUp {
				n = 0
			}
		}
		for i := 0; i < n; i++ {
			p := paths[(i+max(r, 0))%len(paths)]
			if o.setup != nil {
				if err := o.setup(e); err != nil {
					return nil, "", fmt.Errorf("%s: setup: %w", o.name, err)
				}
			}
			if o.latency && r >= 0 {
				e.wire.SetLatency(latency)
			}
			s, err := measure(e.wire, func() error { return p.run(e) })
			e.wire.SetLatency(0)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %s: %w", o.name, p.name, err)
			}
			if r >= 0 {
				samples[p.name] = append(samples[p.name], s)
				progress(fmt.Sprintf("%s round %d/%d: %-12s %v", o.name, r+1, rounds, p.name, s.dur.Round(time.Microsecond)))
			} else {
				progress(fmt.Sprintf("%s warm-up: %-12s %v", o.name, p.name, s.dur.Round(time.Microsecond)))
			}
			if o.check != nil {
				got, err := o.check(e)
				if err != nil {
					return nil, "", fmt.Errorf("%s: check: %w", o.name, err)
				}
				if want == "" {
					want, wantFrom = got, p.name
					progress(fmt.Sprintf("%s: %s", o.name, got))
				} else if got != want {
					return nil, "", fmt.Errorf("%s: %s did %q, but %s did %q", o.name, p.name, got, wantFrom, want)
				}
			}
			if o.reset != nil {
				if err := o.reset(e); err != nil {
					return nil, "", fmt.Errorf("%s: reset: %w", o.name, err)
				}
			}
			if err := vacuum(e); err != nil {
				return nil, "", fmt.Errorf("%s: vacuum: %w", o.name, err)
			}
		}
	}
	out := map[string]summary{}
	for name, s := range samples {
		out[name] = summarize(s)
	}
	return out, want, nil
}

// readChunk is how many queries run on one database before the other
// takes over: alternating in small chunks exposes both to the same noise.
const readChunk = 25

// runReads measures every read iters times per round on the plugin and
// the plain database, alternating between them every readChunk queries;
// a sample is one round's mean per query.
func runReads(e *env, rounds, iters int) (map[string]map[string]summary, error) {
	dbs := []struct {
		name string
		db   func() *gorm.DB
	}{{"plugin", func() *gorm.DB { return e.plugin }}, {"plain", func() *gorm.DB { return e.plain }}}
	out := map[string]map[string]summary{}
	for _, r := range reads {
		for _, db := range dbs { // warm up: schemas parsed, statements cached
			if err := r.run(db.db(), e); err != nil {
				return nil, fmt.Errorf("reads: %s: %w", r.name, err)
			}
		}
		samples := map[string][]sample{}
		for round := 0; round < rounds; round++ {
			runtime.GC()
			sums := map[string]*sample{}
			for chunk := 0; chunk*readChunk < iters; chunk++ {
				n := min(readChunk, iters-chunk*readChunk)
				for i := range dbs {
					db := dbs[(i+chunk+round)%len(dbs)]
					s, err := timeChunk(e.wire, n, func() error { return r.run(db.db(), e) })
					if err != nil {
						return nil, fmt.Errorf("reads: %s: %s: %w", r.name, db.name, err)
					}
					if sums[db.name] == nil {
						sums[db.name] = &sample{}
					}
					sums[db.name].dur += s.dur
					sums[db.name].trips += s.trips
					sums[db.name].allocs += s.allocs
				}
			}
			for name, s := range sums {
				samples[name] = append(samples[name], sample{dur: s.dur / time.Duration(iters), trips: s.trips / float64(iters), allocs: s.allocs / float64(iters)})
			}
		}
		out[r.name] = map[string]summary{}
		for name, s := range samples {
			out[r.name][name] = summarize(s)
		}
	}
	return out, nil
}

// timeChunk runs fn n times: its time, round trips and allocations.
func timeChunk(w *wire, n int, fn func() error) (sample, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	trips := w.Trips()
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := fn(); err != nil {
			return sample{}, err
		}
	}
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return sample{dur: d, trips: float64(w.Trips() - trips), allocs: float64(after.Mallocs - before.Mallocs)}, nil
}
