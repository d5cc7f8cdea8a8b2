package heapsample

import (
	"runtime"
	"testing"
	"time"
)

// Sampling must not add to the allocations the bench counts for the work
// it measures: 50 samples, far fewer allocations (one per sample before).
func TestPeakAllocatesNothingWhileSampling(t *testing.T) {
	Peak()() // warm up the runtime's metrics
	stop := Peak()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	time.Sleep(50 * time.Millisecond)
	runtime.ReadMemStats(&after)
	stop()
	if n := after.Mallocs - before.Mallocs; n > 25 {
		t.Errorf("%d allocations during 50 ms of sampling, want about none", n)
	}
}
