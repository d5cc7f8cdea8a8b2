package softcascade

// Report counts the rows an operation changed, per table.
type Report struct {
	// Rows is the total over Tables.
	Rows int64
	// Tables counts rows per table.
	Tables map[string]int64
	// Skipped counts, per table, rows that could not go (Purge: held by a
	// foreign key from outside the cascade). Nil when none.
	Skipped map[string]int64
}
