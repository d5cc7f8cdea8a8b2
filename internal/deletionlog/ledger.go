package deletionlog

// LedgerRow records that a deletion took one row of a table whose
// soft-delete column cannot carry the deletion's stamp (flag mode, unix
// seconds). Integer keys go in KeyInt, others in KeyText. Its names are
// fixed by its tags, whatever the application's NamingStrategy.
type LedgerRow struct {
	DeletionID string  `gorm:"column:deletion_id;size:36;not null;index:idx_softcascade_ledger_int,priority:1;index:idx_softcascade_ledger_text,priority:1"`
	Table      string  `gorm:"column:table_name;size:191;not null;index:idx_softcascade_ledger_int,priority:2;index:idx_softcascade_ledger_text,priority:2;index:idx_softcascade_ledger_row_int,priority:1;index:idx_softcascade_ledger_row_text,priority:1"`
	KeyInt     *int64  `gorm:"column:key_int;index:idx_softcascade_ledger_int,priority:3;index:idx_softcascade_ledger_row_int,priority:2"`
	KeyText    *string `gorm:"column:key_text;size:191;index:idx_softcascade_ledger_text,priority:3;index:idx_softcascade_ledger_row_text,priority:2"`
}

// LedgerTable is the ledger's table name.
const LedgerTable = "softcascade_ledger"

// TableName is the ledger's table.
func (LedgerRow) TableName() string { return LedgerTable }
