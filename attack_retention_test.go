package softcascade_test

import (
	"errors"
	"testing"
	"time"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// WithRetentionFor fails loudly rather than ignore a retention: one table
// given two retentions, or a table that is not soft-deletable (its rows
// are never in the trash, so its retention would never apply).
func TestWithRetentionForConflicts(t *testing.T) {
	db := modelstest.Dialects(t)[0].Open(t, nil)
	for name, opts := range map[string][]softcascade.Option{
		"twice": {softcascade.WithRetentionFor(&modelstest.Task{}, 24*time.Hour),
			softcascade.WithRetentionFor(&modelstest.Task{}, 48*time.Hour)},
		"not soft-deletable": {softcascade.WithRetentionFor(&modelstest.TimeEntry{}, 24*time.Hour)},
	} {
		err := db.Use(softcascade.New(opts...))
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("%s: err = %v, want ErrInvalidValue", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	// The same retention twice is no conflict.
	must(t, db.Use(softcascade.New(softcascade.WithRetentionFor(&modelstest.Task{}, time.Hour),
		softcascade.WithRetentionFor(&modelstest.Task{}, time.Hour))))
}
