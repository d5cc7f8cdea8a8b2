package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/softcascade/softcascade"
)

// printCounts prints rows per table under a TABLE/ROWS header, the
// numbers aligned right.
func printCounts(w io.Writer, counts []softcascade.TableCount) {
	width := len("ROWS")
	for _, c := range counts {
		width = max(width, len(thousands(c.Rows)))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TABLE\t%*s\n", width, "ROWS")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%*s\n", printable(c.Table), width, thousands(c.Rows))
	}
	_ = tw.Flush()
}

// countsOf lists per-table counts in the order of deletion d's cascade
// (by table name when d is the zero Deletion).
func countsOf(tables map[string]int64, d softcascade.Deletion) []softcascade.TableCount {
	d.Tables = tables
	return softcascade.TableCounts(d)
}
