// Package deletionlog holds the plugin's own tables: the deletion log (one
// row per Delete call that changed rows) and the ledger (the rows of
// deletions whose tables cannot carry a unique stamp), plus the context
// values that a deletion records.
package deletionlog

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
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
	// RootKeys are the primary keys of the first roots (at most 20; Roots
	// counts them all), as text: 42, inv-7, a UUID; a composite key as a
	// JSON array ([3,"en"]). Nil for deletions made before the log kept
	// them.
	RootKeys []string `gorm:"column:root_keys;serializer:json" json:"rootKeys,omitempty"`
	// Labels name the roots of RootKeys for people, one per key, "" where
	// the model gives none: from a field tagged softcascade:"label", a
	// TrashLabel() string method, else a Name or Title field. At most 200
	// characters each, invalid UTF-8 and NUL bytes as U+FFFD.
	Labels []string `gorm:"column:labels;serializer:json" json:"labels,omitempty"`
	// LabelSearch is Labels lower-cased and joined by newlines: the text
	// TrashFilter.Label searches.
	LabelSearch string `gorm:"column:label_search" json:"-"`
	// RestoredRows counts the rows restored so far (partial restores too).
	RestoredRows int64 `gorm:"column:restored_rows" json:"restoredRows"`
	// RestoredAt is set once nothing the deletion took is left in the trash.
	RestoredAt *time.Time `gorm:"column:restored_at" json:"restoredAt,omitempty"`
	RestoredBy string     `gorm:"column:restored_by" json:"restoredBy,omitempty"` // unbounded, like Actor
	// PurgedAt is set once the deletion's rows are permanently deleted.
	PurgedAt *time.Time `gorm:"column:purged_at;index:idx_softcascade_deletions_purged_at;index:idx_softcascade_deletions_purge_due,priority:1" json:"purgedAt,omitempty"`
	// PurgeStartedAt is set by the purge that is about to delete the
	// deletion's first row. From then on it cannot be restored, as part of
	// it may be gone; a later purge finishes it if this one stops.
	PurgeStartedAt *time.Time `gorm:"column:purge_started_at" json:"purgeStartedAt,omitempty"`
	// PurgeAfter is when purging the deletion becomes allowed, set when
	// it is made: its time plus the retention in force for its root table
	// (WithRetentionFor, else WithRetention). Every purger honours it;
	// overriding it takes PurgeOptions.OverrideRetention. Zero for
	// deletions logged before it was stored (column NULL): those fall
	// back to DeletedAt plus the purger's retention. Indexed with
	// PurgedAt (purge_due), for the purge's query of unpurged due ones.
	PurgeAfter time.Time `gorm:"column:purge_after;index:idx_softcascade_deletions_purge_due,priority:2" json:"purgeAfter"`
	// Stamp is DeletedAt in unix milliseconds; unique across deletions, so
	// it identifies the rows this deletion stamped.
	Stamp int64 `gorm:"column:stamp;uniqueIndex:idx_softcascade_deletions_stamp" json:"-"`
	// Plan is how the deletion cascaded: tables, keys, soft-delete kinds
	// and edges. Restore and purge work from it, without Go model types.
	Plan *plan.Plan `gorm:"column:plan;serializer:json" json:"-"`
	// HeldAt is set while the deletion is under a legal hold (Hold): no
	// purge removes it and Erase refuses it (ErrHeld) until Release.
	// HeldBy and HoldReason say who placed the last hold and why; they stay
	// after a Release, as its record.
	HeldAt     *time.Time `gorm:"column:held_at" json:"heldAt,omitempty"`
	HeldBy     string     `gorm:"column:held_by" json:"heldBy,omitempty"`         // unbounded, like Actor
	HoldReason string     `gorm:"column:hold_reason" json:"holdReason,omitempty"` // unbounded, like Reason
	// ReleasedAt and ReleasedBy record the last Release of a hold.
	ReleasedAt *time.Time `gorm:"column:released_at" json:"releasedAt,omitempty"`
	ReleasedBy string     `gorm:"column:released_by" json:"releasedBy,omitempty"`
	// ErasedAt is set by Erase (and ForceDelete): the deletion was purged
	// on request before its time, by ErasedBy, for EraseReason (both from
	// the Erase call's context). PurgedAt is set once its rows are gone.
	ErasedAt    *time.Time `gorm:"column:erased_at" json:"erasedAt,omitempty"`
	ErasedBy    string     `gorm:"column:erased_by" json:"erasedBy,omitempty"`
	EraseReason string     `gorm:"column:erase_reason" json:"eraseReason,omitempty"`
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

// StampAt gives d the stamp ms, its time, and a purge-after of that time
// plus retention.
func (d *Deletion) StampAt(ms int64, retention time.Duration) {
	d.Stamp, d.DeletedAt = ms, StampTime(ms)
	d.PurgeAfter = d.DeletedAt.Add(retention)
}

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
		return "", errs.Wrap(gorm.ErrRecordNotFound, "deletion %.40q: malformed ID", id)
	}
	return u.String(), nil
}
