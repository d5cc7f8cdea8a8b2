package deletionlog

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/errs"
)

// uuidV7 is a new time-ordered ID as text.
func uuidV7() (string, error) {
	id, err := uuid.NewV7()
	return id.String(), err
}

// maxClaims bounds the search for a free stamp (one per millisecond).
const maxClaims = 10000

// Claim inserts d into the log with a stamp no other deletion holds,
// starting at ms and moving one millisecond later per clash. The unique
// index on the stamp makes concurrent claims safe: the loser of a race
// sees its insert do nothing and tries the next millisecond. Its
// PurgeAfter is its time (see Retained for a retention).
func Claim(tx *gorm.DB, d *Deletion, ms int64) error { return Retained(tx, d, ms, 0) }

// Retained is Claim for a deletion kept for retention: its PurgeAfter is
// its time plus retention.
func Retained(tx *gorm.DB, d *Deletion, ms int64, retention time.Duration) error {
	if err := newID(d); err != nil {
		return err
	}
	for i := int64(0); i < maxClaims; i++ {
		d.StampAt(ms+i, retention)
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(d)
		if res.Error != nil {
			return errs.Wrap(res.Error, "record deletion")
		}
		if res.RowsAffected == 1 {
			return nil
		}
	}
	return fmt.Errorf("softcascade: record deletion: no free stamp within %d ms of %d", maxClaims, ms)
}

// Migrate creates the plugin's tables when they are missing, and gives
// their key columns exact comparisons (see makeExact).
func Migrate(db *gorm.DB) error {
	if err := db.AutoMigrate(models()...); err != nil {
		return errs.Wrap(err, "migrate")
	}
	if err := makeExact(db); err != nil {
		return errs.Wrap(err, "migrate")
	}
	return nil
}
