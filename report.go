package softcascade

// Report counts the rows a Restore or a Purge changed.
type Report struct {
	// Rows counts every row restored or purged (for Purge: join rows and
	// non-soft-deletable children included).
	Rows int64
	// Tables counts the rows per table.
	Tables map[string]int64
	// Skipped counts, per table, the rows that could not go: for example
	// rows held by a foreign key from outside the cascade, or by a live
	// row that still references them (docs/shared-references.md), and
	// their parents. Nil or empty when every row went.
	Skipped map[string]int64
	// OnHold (Purge only) counts the deletions due that a legal hold kept
	// (Hold); they stay until released.
	OnHold int
	// Deletions (Purge only) counts the deletions marked purged (in a dry
	// run: that would be).
	Deletions int
	// Busy (Purge only): another process held the purge lock, so this
	// call did nothing. Not an error: that process does the work.
	Busy bool
}
