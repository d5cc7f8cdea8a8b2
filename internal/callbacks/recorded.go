package callbacks

import (
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// Recorded returns the deletion that the Delete whose result is db
// recorded; nil when it recorded none (no live row matched, the plugin did
// not handle it, or it failed).
func Recorded(db *gorm.DB) *deletionlog.Deletion {
	st := stateOf(db)
	if st == nil || db.Error != nil {
		return nil
	}
	return st.deletion
}
