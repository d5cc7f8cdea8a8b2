// Package softdelete describes, per table, how rows are marked deleted: the
// soft-delete kinds of gorm.DeletedAt and gorm.io/plugin/soft_delete
// (timestamp, unix seconds/milli/nano, flag, mixed) as one small value that
// knows its alive, deleted, delete and restore conditions. Cascade, restore
// and purge code never switches on the kind.
//
// A Marker is plain data (JSON-serialisable), so a deletion can be restored
// from its stored plan without the application's Go model types.
package softdelete

import (
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
	"gorm.io/plugin/soft_delete"
)

// Kind is the type of value a soft-delete column holds.
type Kind string

const (
	// Time is a timestamp column (gorm.DeletedAt, or a time field in mixed mode).
	Time Kind = "time"
	// Unix is an integer unix time (soft_delete.DeletedAt; seconds, milli or nano).
	Unix Kind = "unix"
	// Flag is a 0/1 flag (soft_delete.DeletedAt with softDelete:flag).
	Flag Kind = "flag"
)

// Unit is the unit of a Unix column.
type Unit string

// Units of unix columns.
const (
	Second Unit = "s"
	Milli  Unit = "ms"
	Nano   Unit = "ns"
)

// Marker is how one table marks its rows deleted.
type Marker struct {
	Column    string `json:"column"`              // the soft-delete column
	Kind      Kind   `json:"kind"`                // Time, Unix or Flag
	Unit      Unit   `json:"unit,omitempty"`      // for Unix
	AliveNull bool   `json:"aliveNull,omitempty"` // alive rows hold NULL
	ZeroValue string `json:"zeroValue,omitempty"` // alive sentinel (gorm's zeroValue tag)
	Deleted   int    `json:"deleted,omitempty"`   // the flag's deleted value
	Alive     int    `json:"alive,omitempty"`     // the flag's / unix column's alive value

	// Mixed mode: the deleted-at field written beside the flag or unix column.
	AtColumn   string `json:"atColumn,omitempty"`
	AtKind     Kind   `json:"atKind,omitempty"` // Time or Unix
	AtUnit     Unit   `json:"atUnit,omitempty"`
	AtNullable bool   `json:"atNullable,omitempty"`

	// Coarse: the live time column (TimeColumn) cannot hold a deletion's
	// millisecond stamp exactly (a whole-second timestamp, a date), so the
	// table's deletions are recorded in the ledger. Set by the planner from
	// the database's column type; never from the schema alone.
	Coarse bool `json:"coarse,omitempty"`
}

// Of returns the marker of a parsed schema, and false when the model is not
// soft-deletable.
func Of(s *schema.Schema) (Marker, bool) {
	if s == nil {
		return Marker{}, false
	}
	for _, c := range s.DeleteClauses {
		switch dc := c.(type) {
		case gorm.SoftDeleteDeleteClause:
			m := Marker{Column: dc.Field.DBName, Kind: Time, AliveNull: !dc.ZeroValue.Valid}
			if dc.ZeroValue.Valid {
				m.ZeroValue = dc.ZeroValue.String
			}
			return m, true
		case soft_delete.SoftDeleteDeleteClause:
			m := Marker{Column: dc.Field.DBName, Kind: Unix, Unit: unitOf(dc.TimeType),
				AliveNull: dc.Field.DefaultValue == "null", Alive: soft_delete.FlagActived}
			if dc.Flag {
				m.Kind, m.Unit, m.Deleted = Flag, "", soft_delete.FlagDeleted
			}
			if at := dc.DeleteAtField; at != nil {
				m.AtColumn, m.AtKind, m.AtUnit = at.DBName, Unix, unitOf(dc.TimeType)
				if at.GORMDataType == schema.Time {
					m.AtKind, m.AtUnit = Time, ""
				}
				m.AtNullable = at.FieldType.Kind() == reflect.Ptr || at.DefaultValue == "null"
			}
			return m, true
		}
	}
	return Marker{}, false
}

func unitOf(t schema.TimeType) Unit {
	switch t {
	case schema.UnixMillisecond:
		return Milli
	case schema.UnixNanosecond:
		return Nano
	default:
		return Second
	}
}

// TimeColumn is the column that holds a row's deletion time, with its kind
// and unit: the deleted-at field of a mixed-mode marker, else the marker's
// own column (kind Flag when there is no time at all).
func (m Marker) TimeColumn() (string, Kind, Unit) {
	if m.AtColumn != "" {
		return m.AtColumn, m.AtKind, m.AtUnit
	}
	return m.Column, m.Kind, m.Unit
}

// Stamped reports whether the marker can hold a deletion's unique
// millisecond stamp, so that the rows of one deletion are exactly those
// carrying its stamp. Flag-only and unix-second markers cannot, nor can a
// Coarse column: their deletions are recorded in the ledger instead.
func (m Marker) Stamped() bool {
	if m.Coarse {
		return false
	}
	_, kind, unit := m.TimeColumn()
	return kind == Time || (kind == Unix && unit != Second)
}

func col(table, name string) clause.Column {
	return clause.Column{Table: table, Name: name}
}

func (m Marker) aliveValue() any {
	switch {
	case m.AliveNull:
		return nil
	case m.Kind == Time:
		return m.ZeroValue
	default:
		return m.Alive
	}
}

// IsAlive is the condition "the row is not deleted" on table (an alias or
// name; clause.CurrentTable for the statement's own table).
func (m Marker) IsAlive(table string) clause.Expression {
	return clause.Eq{Column: col(table, m.Column), Value: m.aliveValue()}
}

// IsDeleted is the condition "the row is soft-deleted".
func (m Marker) IsDeleted(table string) clause.Expression {
	return clause.Neq{Column: col(table, m.Column), Value: m.aliveValue()}
}

// stampValue converts a deletion's stamp for a column of the given kind.
func stampValue(kind Kind, unit Unit, stamp time.Time) any {
	if kind == Time {
		return stamp
	}
	switch unit {
	case Milli:
		return stamp.UnixMilli()
	case Nano:
		return stamp.UnixMilli() * int64(time.Millisecond)
	default:
		return stamp.Unix()
	}
}

// DeleteSet is the SET of a soft delete stamped with stamp.
func (m Marker) DeleteSet(stamp time.Time) clause.Set {
	var set clause.Set
	if m.Kind == Flag {
		set = append(set, clause.Assignment{Column: clause.Column{Name: m.Column}, Value: m.Deleted})
	} else {
		set = append(set, clause.Assignment{Column: clause.Column{Name: m.Column}, Value: stampValue(m.Kind, m.Unit, stamp)})
	}
	if m.AtColumn != "" {
		set = append(set, clause.Assignment{Column: clause.Column{Name: m.AtColumn}, Value: stampValue(m.AtKind, m.AtUnit, stamp)})
	}
	return set
}

// RestoreSet is the SET that makes a row alive again.
func (m Marker) RestoreSet() clause.Set {
	set := clause.Set{{Column: clause.Column{Name: m.Column}, Value: m.aliveValue()}}
	if m.AtColumn != "" {
		var zero any
		switch {
		case m.AtNullable:
		case m.AtKind == Time:
			zero = time.Time{}
		default:
			zero = 0
		}
		set = append(set, clause.Assignment{Column: clause.Column{Name: m.AtColumn}, Value: zero})
	}
	return set
}

// StampedWith is the condition "the row was deleted by the deletion with
// this stamp". Only meaningful when Stamped() is true.
func (m Marker) StampedWith(table string, stamp time.Time) clause.Expression {
	return m.StampedIn(table, []time.Time{stamp})
}

// StampedIn is the condition "the row was deleted by one of the deletions
// with these stamps" (one or more). Only meaningful when Stamped() is true.
func (m Marker) StampedIn(table string, stamps []time.Time) clause.Expression {
	name, kind, unit := m.TimeColumn()
	var stamped clause.Expression = clause.Eq{Column: col(table, name), Value: stampValue(kind, unit, stamps[0])}
	if len(stamps) > 1 {
		values := make([]any, len(stamps))
		for i, s := range stamps {
			values[i] = stampValue(kind, unit, s)
		}
		stamped = clause.IN{Column: col(table, name), Values: values}
	}
	if m.AtColumn != "" {
		return clause.And(m.IsDeleted(table), stamped)
	}
	return stamped
}

// TrashedClause names the statement clause that softcascade.Trashed sets
// (it is never built): the delete callbacks refuse a Delete after Trashed,
// which would otherwise be a plain hard delete.
const TrashedClause = "softcascade:trashed"
