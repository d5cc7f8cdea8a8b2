package main

import (
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// purgeWithLibrary runs softcascade.Purge, reporting each batch. The total
// is not known up front (0): the bar shows rows so far.
func purgeWithLibrary(db *gorm.DB, r purgeRequest) (softcascade.Report, error) {
	return softcascade.Purge(db, softcascade.PurgeOptions{
		Before: r.Before, BatchSize: r.BatchSize, DryRun: r.DryRun,
		Progress: func(p softcascade.Progress) {
			if r.Progress != nil {
				r.Progress(purgeProgress{Table: p.Table, Rows: p.Rows})
			}
		},
	})
}
