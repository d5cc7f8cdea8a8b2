// Package deletionlog holds the plugin's own tables: the deletion log (one
// row per Delete call that changed rows) and the ledger (the rows of
// deletions whose tables cannot carry a unique stamp), plus the context
// values that a deletion records.
package deletionlog

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

// Deletion is one Delete call that soft-deleted rows: who, when, why, and
// how many rows per table. It is an ordinary GORM model; list and page it
// with GORM. Its table, column and index names are fixed by its tags,
// whatever the application's NamingStrategy.
type Deletion struct {
	// ID is unique and time-ordered (UUIDv7 text).
	ID string `gorm:"column:id;primaryKey;size:36" json:"id"`
	// Table is the table of the rows the Delete call matched.
	Table string `gorm:"column:root_table;size:191;index:idx_softcascade_deletions_root_table" json:"table"`
	// Actor, Reason and Tenant come from the context (WithActor, ...).
	Actor  string `gorm:"column:actor" json:"actor"`
	Reason string `gorm:"column:reason" json:"reason"`
	Tenant string `gorm:"column:tenant;size:191;index:idx_softcascade_deletions_tenant" json:"tenant"` // at most TenantSize characters
	// DeletedAt is the deletion's time: the value, to the millisecond, that
	// its rows' deleted-at columns hold.
	DeletedAt time.Time `gorm:"column:deleted_at;index:idx_softcascade_deletions_deleted_at" json:"deletedAt"`
	// Rows counts every row this deletion soft-deleted.
	Rows int64 `gorm:"column:rows" json:"rows"`
	// Tables counts the rows per table, the root table included.
	Tables map[string]int64 `gorm:"column:tables;serializer:json" json:"tables"`
	// Roots counts the rows the Delete call itself matched.
	Roots int64 `gorm:"column:roots" json:"roots"`
	// RestoredRows counts the rows restored so far (partial restores too).
	RestoredRows int64 `gorm:"column:restored_rows" json:"restoredRows"`
	// RestoredAt is set once nothing the deletion took is left in the trash.
	RestoredAt *time.Time `gorm:"column:restored_at" json:"restoredAt,omitempty"`
	RestoredBy string     `gorm:"column:restored_by" json:"restoredBy,omitempty"` // unbounded, like Actor
	// PurgedAt is set once the deletion's rows are permanently deleted.
	PurgedAt *time.Time `gorm:"column:purged_at;index:idx_softcascade_deletions_purged_at" json:"purgedAt,omitempty"`
	// PurgeStartedAt is set by the purge that is about to delete the
	// deletion's first row. From then on it cannot be restored, as part of
	// it may be gone; a later purge finishes it if this one stops.
	PurgeStartedAt *time.Time `gorm:"column:purge_started_at" json:"purgeStartedAt,omitempty"`
	// Stamp is DeletedAt in unix milliseconds; unique across deletions, so
	// it identifies the rows this deletion stamped.
	Stamp int64 `gorm:"column:stamp;uniqueIndex:idx_softcascade_deletions_stamp" json:"-"`
	// Plan is how the deletion cascaded: tables, keys, soft-delete kinds
	// and edges. Restore and purge work from it, without Go model types.
	Plan *plan.Plan `gorm:"column:plan;serializer:json" json:"-"`
	// ArchivedAt is set when a purge with an archiver (PurgeOptions.Archive)
	// has durably archived the deletion's rows, before the first of them
	// goes; a purge that finishes the deletion later does not archive it
	// again. RestoreArchive clears it.
	ArchivedAt *time.Time `gorm:"column:archived_at" json:"archivedAt,omitempty"`
}

// TenantSize is the longest tenant, in characters, the log holds (its
// column is indexed, so it has a size).
const TenantSize = 191

// TableName is the deletion log's table.
func (Deletion) TableName() string { return "softcascade_deletions" }

// StampTime is the deletion's stamp as the time written to deleted-at
// columns (UTC, millisecond precision).
func (d *Deletion) StampTime() time.Time { return StampTime(d.Stamp) }

// InTrash counts the rows of the deletion not restored yet.
func (d *Deletion) InTrash() int64 { return d.Rows - d.RestoredRows }

// StampTime converts unix milliseconds to the time written to deleted-at
// columns: UTC, so that every driver binds the same text for it.
func StampTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ParseID returns a deletion ID in its stored form, whatever form of the
// UUID was given (upper case, braces, urn:uuid:). A malformed ID is
// gorm.ErrRecordNotFound: no deletion has it.
func ParseID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", fmt.Errorf("softcascade: deletion %.40q: malformed ID: %w", id, gorm.ErrRecordNotFound)
	}
	return u.String(), nil
}
