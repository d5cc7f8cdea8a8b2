package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// trace prints, for the cascade delete and the restore, every round trip
// of the plugin's and of the hand-written path with its median time over
// runs runs: where the plugin spends what the hand-written SQL does not.
func trace(e *env, w io.Writer, runs int, progress func(string)) error {
	for _, key := range []string{"delete", "restore"} {
		o, _ := opByKey(key)
		for _, p := range o.paths {
			if p.name == "row-by-row" {
				continue
			}
			var queries []string
			var times [][]time.Duration
			for run := 0; run < runs; run++ {
				if o.setup != nil {
					if err := o.setup(e); err != nil {
						return err
					}
				}
				if err := vacuum(e); err != nil {
					return err
				}
				i := 0
				e.wire.timed = func(q string, d time.Duration) {
					if i == len(queries) {
						queries, times = append(queries, q), append(times, nil)
					}
					times[i] = append(times[i], d)
					i++
				}
				err := p.run(e)
				e.wire.timed = nil
				if err != nil {
					return fmt.Errorf("trace %s %s: %w", o.name, p.name, err)
				}
				if err := o.reset(e); err != nil {
					return err
				}
			}
			progress(fmt.Sprintf("traced %s: %s", o.name, p.name))
			var total time.Duration
			fmt.Fprintf(w, "\n=== %s: %s (%d round trips, median of %d runs each)\n", o.name, p.name, len(queries), runs)
			for i, q := range queries {
				slices.Sort(times[i])
				m := times[i][len(times[i])/2]
				total += m
				fmt.Fprintf(w, "%8.2fms  %s\n", float64(m.Microseconds())/1000, shorten(q, traceWidth))
			}
			fmt.Fprintf(w, "%8.2fms  in all\n", float64(total.Microseconds())/1000)
		}
	}
	return nil
}

// traceWidth is how much of each statement -trace prints.
const traceWidth = 4000
