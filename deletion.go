package softcascade

import (
	"time"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Deletion is one Delete call that soft-deleted rows: its table, actor,
// reason, tenant and time, and how many rows it took per table. It is an
// ordinary GORM model (table softcascade_deletions); list and page it with
// GORM:
//
//	db.Order("deleted_at DESC").Limit(20).Find(&[]softcascade.Deletion{})
//
// Its table, column and index names are fixed by its tags, whatever the
// application's NamingStrategy.
type Deletion struct {
	// ID is unique and time-ordered (UUIDv7 text).
	ID string `gorm:"column:id;primaryKey;size:36" json:"id"`
	// Table is the table of the rows the Delete call matched.
	Table string `gorm:"column:root_table;size:191;index:idx_softcascade_deletions_root_table" json:"table"`
	// Actor, Reason and Tenant come from the context (WithActor, ...).
	Actor  string `gorm:"column:actor" json:"actor"`
	Reason string `gorm:"column:reason" json:"reason"`
	Tenant string `gorm:"column:tenant;size:191;index:idx_softcascade_deletions_tenant" json:"tenant"` // at most 191 characters
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
	// and edges. Restore and purge work from it, without Go model types;
	// its format is internal to the plugin and may change.
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

// The plugin's internal code works on deletionlog.Deletion, a struct with
// the same fields and tags: the two convert into each other. This line
// stops the build when they drift apart (a test compares the tags).
var _ = (*deletionlog.Deletion)((*Deletion)(nil))

// TableName is the deletion log's table.
func (Deletion) TableName() string { return "softcascade_deletions" }

// StampTime is the deletion's stamp as the time written to deleted-at
// columns (UTC, millisecond precision).
func (d *Deletion) StampTime() time.Time { return (*deletionlog.Deletion)(d).StampTime() }

// InTrash counts the rows of the deletion not restored yet.
func (d *Deletion) InTrash() int64 { return (*deletionlog.Deletion)(d).InTrash() }

// Sentinel errors, matched with errors.Is.
var (
	// ErrRestricted: a restricting relation still has live children; nothing changed.
	ErrRestricted = errs.ErrRestricted
	// ErrNotDeleted: the row is live, or the deletion has nothing left in the trash.
	ErrNotDeleted = errs.ErrNotDeleted
	// ErrParentDeleted: a row's cascading parent is still in the trash.
	ErrParentDeleted = errs.ErrParentDeleted
	// ErrNotSoftDeletable: the model has no soft-delete field.
	ErrNotSoftDeletable = errs.ErrNotSoftDeletable
	// ErrNotInstalled: the *gorm.DB has no softcascade plugin.
	ErrNotInstalled = errs.ErrNotInstalled
	// ErrInvalidValue: a nil or non-pointer value (or a nil element), one
	// without primary key; a nil *gorm.DB, context, option or model; a
	// Delete the plugin refuses (after Trashed, or through another table).
	ErrInvalidValue = errs.ErrInvalidValue
	// ErrUnsupportedKey: a flag-mode or unix-second table without a
	// single-column primary key (its deletions go in the ledger).
	ErrUnsupportedKey = errs.ErrUnsupportedKey
	// ErrUnsupportedColumn: a soft-delete column cannot hold what the
	// plugin writes (a unix-milli column narrower than 64 bits), or a
	// delete's rows were not found by their mark afterwards (nothing
	// changed: the delete rolled back).
	ErrUnsupportedColumn = errs.ErrUnsupportedColumn
	// ErrInvalidPlan: a deletion's stored plan is malformed or names a
	// table or column the database does not have; nothing was changed.
	ErrInvalidPlan = errs.ErrInvalidPlan
	// ErrHeld: the deletion is under a legal hold (Hold); Erase refuses it
	// until Release, and Purge leaves it alone.
	ErrHeld = errs.ErrHeld
	// ErrReferenced: Erase removed what it could, but live rows still
	// reference some of the deletion's rows (Report.Skipped); the deletion
	// stays unpurged and a later Erase finishes it.
	ErrReferenced = errs.ErrReferenced
)
