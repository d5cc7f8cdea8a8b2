package deletionlog

import (
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// ClaimLocked locks the rows of roots and records d, in one statement:
//
//	INSERT INTO softcascade_deletions (...) SELECT $1, ...
//	  FROM (SELECT COUNT(*) AS n FROM (roots) AS sc_roots) AS sc_n
//	 WHERE sc_n.n > 0 <on conflict do nothing>
//
// roots is a SELECT of the live roots with FOR UPDATE. The count is taken
// before the row is written, so the rows are locked before the stamp is
// claimed, as with a SELECT of its own first: a concurrent Delete of the
// same rows waits for them, then finds none and records nothing. It
// reports whether d was recorded (false: no live root). When the INSERT
// writes nothing, count (the roots' lock and count as a statement of its
// own) tells a stamp another deletion holds, tried again one millisecond
// later, from no live root. Its PurgeAfter is its time plus retention.
func ClaimLocked(tx *gorm.DB, d *Deletion, ms int64, retention time.Duration, roots *gorm.DB, count func() (int64, error)) (bool, error) {
	if err := newID(d); err != nil {
		return false, err
	}
	live := false // the roots were found live (and locked) by count
	for i := int64(0); i < maxClaims; i++ {
		d.StampAt(ms+i, retention)
		insert, err := lockedInsert(tx, d, roots)
		if err != nil {
			return false, errs.Wrap(err, "record deletion")
		}
		res := tx.Exec("?", insert)
		if res.Error != nil {
			return false, errs.Wrap(res.Error, "record deletion")
		}
		if res.RowsAffected == 1 {
			return true, nil
		}
		if !live {
			n, err := count()
			if err != nil {
				return false, err
			}
			if n == 0 {
				return false, nil
			}
			live = true // a stamp clash: the rows stay locked by this transaction
		}
	}
	return false, fmt.Errorf("softcascade: record deletion: no free stamp within %d ms of %d", maxClaims, ms)
}

// lockedInsert is ClaimLocked's statement for d, its columns and values
// as GORM's Create writes them.
func lockedInsert(tx *gorm.DB, d *Deletion, roots *gorm.DB) (clause.Expression, error) {
	s := &gorm.Statement{DB: tx, Context: tx.Statement.Context, Clauses: map[string]clause.Clause{}, Dest: d, Model: d}
	if err := s.Parse(d); err != nil {
		return nil, err
	}
	s.ReflectValue = reflect.ValueOf(d).Elem()
	values := callbacks.ConvertToCreateValues(s)
	if s.Error != nil {
		return nil, s.Error
	}
	key := s.Schema.PrioritizedPrimaryField.DBName
	return insertIfLive{table: s.Schema.Table, values: values, roots: roots, conflict: dialect.For(tx).OnConflictDoNothing(key)}, nil
}

// rootsAlias and countAlias name the derived tables of insertIfLive.
const (
	rootsAlias = "sc_roots"
	countAlias = "sc_n"
)

type insertIfLive struct {
	table    string
	values   clause.Values
	roots    *gorm.DB
	conflict clause.Expression
}

func (u insertIfLive) Build(b clause.Builder) {
	b.WriteString("INSERT INTO ")
	b.WriteQuoted(clause.Table{Name: u.table})
	b.WriteString(" (")
	for i, c := range u.values.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteQuoted(c)
	}
	b.WriteString(") SELECT ")
	for i, v := range u.values.Values[0] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.AddVar(b, v)
	}
	b.WriteString(" FROM (SELECT COUNT(*) AS ")
	b.WriteQuoted("n")
	b.WriteString(" FROM (")
	b.AddVar(b, u.roots)
	b.WriteString(") ")
	b.WriteQuoted(rootsAlias)
	b.WriteString(") ")
	b.WriteQuoted(countAlias)
	b.WriteString(" WHERE ")
	b.WriteQuoted(clause.Column{Table: countAlias, Name: "n"})
	b.WriteString(" > 0 ")
	u.conflict.Build(b)
}

// newID gives d a new ID (UUIDv7) when it has none.
func newID(d *Deletion) error {
	if d.ID != "" {
		return nil
	}
	id, err := uuidV7()
	if err != nil {
		return errs.Wrap(err, "deletion id")
	}
	d.ID = id
	return nil
}
