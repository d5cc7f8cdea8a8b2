package main

import (
	"errors"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// errPurgeUnavailable is what purge answers until softcascade.Purge is in.
var errPurgeUnavailable = errors.New("purge not available in this build")

// purgeWithLibrary runs softcascade.Purge.
//
// TODO(merge): softcascade.Purge is written on another branch. Once it is
// in, replace this stub with:
//
//	func purgeWithLibrary(db *gorm.DB, r purgeRequest) (softcascade.Report, error) {
//		return softcascade.Purge(db, softcascade.PurgeOptions{
//			Before: r.Before, BatchSize: r.BatchSize, DryRun: r.DryRun,
//			Progress: func(p softcascade.PurgeProgress) {
//				r.Progress(purgeProgress{Table: p.Table, Rows: p.Rows, Total: p.Total})
//			},
//		})
//	}
//
// mapping PurgeProgress's fields onto purgeProgress (rows so far across all
// tables, and the total when known), drop errPurgeUnavailable, and rename
// this file purge_library.go.
func purgeWithLibrary(*gorm.DB, purgeRequest) (softcascade.Report, error) {
	return softcascade.Report{}, errPurgeUnavailable
}
