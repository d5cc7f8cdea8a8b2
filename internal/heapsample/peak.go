// Package heapsample measures the peak live Go heap of a piece of work,
// for the bench command and the benchmarks.
package heapsample

import (
	"runtime/metrics"
	"time"
)

// Peak samples the live heap (runtime/metrics heap objects) every
// millisecond until stop is called; stop returns the peak above the first
// sample, in bytes.
//
// Sampling allocates nothing after the start, so that it does not add to
// the allocations of the work it measures (one per sample before).
func Peak() (stop func() float64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	base := live(sample)
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		peak := base
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, live(sample))
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		return float64(<-result - base)
	}
}

// live reads into m (one sample of the heap objects' bytes) the bytes of
// live and not yet swept heap objects (0 where the runtime does not report
// them).
func live(m []metrics.Sample) uint64 {
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}
