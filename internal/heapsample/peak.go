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
func Peak() (stop func() float64) {
	base := live()
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		peak := base
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, live())
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

// live is the bytes of live and not yet swept heap objects (0 where the
// runtime does not report them).
func live() uint64 {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}
