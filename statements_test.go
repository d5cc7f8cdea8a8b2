package softcascade_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// statementCounter is a GORM logger that counts statements: GORM calls
// Trace once per statement it runs, whatever the log level.
type statementCounter struct {
	logger.Interface
	n atomic.Int64
}

func (c *statementCounter) LogMode(logger.LogLevel) logger.Interface { return c }

func (c *statementCounter) Trace(context.Context, time.Time, func() (string, int64), error) {
	c.n.Add(1)
}

// tickingClock returns a NowFunc that moves one second per call, so that
// two deletions never compete for the same stamp.
func tickingClock() func() time.Time {
	var ticks atomic.Int64
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Second) }
}

// The statements of a cascade delete and of its restore depend on the
// model graph, never on the number of rows.
func TestCascadeStatementsDoNotGrowWithRows(t *testing.T) {
	// Not parallel: it counts the process's allocations.
	// Both shapes touch every table and edge, to the same depth.
	tiny := modelstest.Shape{Tasks: 1, SubtaskDepth: 1, CommentsPerTask: 1, ReactionsPerComment: 1, AttachmentsPerTask: 1, AttachmentsPerCmt: 1, TimeEntriesPerTask: 1, Documents: 1, VersionsPerDocument: 1}
	large := modelstest.Shape{Tasks: 700, SubtaskDepth: 1, CommentsPerTask: 2, ReactionsPerComment: 1, AttachmentsPerTask: 1, AttachmentsPerCmt: 1, TimeEntriesPerTask: 1, Documents: 10, VersionsPerDocument: 10}
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		counter := &statementCounter{Interface: logger.Discard}
		db := open(t, d, &gorm.Config{Logger: counter, NowFunc: tickingClock()})
		projects := []modelstest.Project{
			modelstest.SeedProject(t, db, "tiny", tiny),
			modelstest.SeedProject(t, db, "large", large),
		}
		var stmts [2]int64
		var allocs [2]uint64
		for i := range projects {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n := counter.n.Load()
			must(t, db.Delete(&projects[i]).Error)
			stmts[i] = counter.n.Load() - n
			runtime.ReadMemStats(&after)
			allocs[i] = after.Mallocs - before.Mallocs
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 2)
		if ds[0].Rows-1 > 20 || ds[1].Rows-1 < 10_000 {
			t.Fatalf("child rows deleted: %d and %d, want about 10 and at least 10,000", ds[0].Rows-1, ds[1].Rows-1)
		}
		t.Logf("%d child rows: %d statements, %d allocations; %d child rows: %d statements, %d allocations",
			ds[0].Rows-1, stmts[0], allocs[0], ds[1].Rows-1, stmts[1], allocs[1])
		eq(t, "statements for 10,000 child rows (vs about 10)", stmts[1], stmts[0])
		// No Go work per row either (the first delete also warms caches).
		if allocs[1] > 2*allocs[0] {
			t.Errorf("allocations grew with the rows: %d for ~10, %d for 10,000", allocs[0], allocs[1])
		}

		// Restore, whole by ID and by row: the same for both trees.
		var byID, byRow [2]int64
		for i := range projects {
			n := counter.n.Load()
			_, err := softcascade.RestoreDeletion(db, ds[i].ID)
			must(t, err)
			byID[i] = counter.n.Load() - n
			must(t, db.Delete(&projects[i]).Error)
			n = counter.n.Load()
			_, err = softcascade.Restore(db, &projects[i])
			must(t, err)
			byRow[i] = counter.n.Load() - n
		}
		t.Logf("restore by ID: %d and %d statements; by row: %d and %d", byID[0], byID[1], byRow[0], byRow[1])
		eq(t, "restore-by-ID statements for 10,000 child rows (vs about 10)", byID[1], byID[0])
		eq(t, "restore-by-row statements for 10,000 child rows (vs about 10)", byRow[1], byRow[0])
	})
}
