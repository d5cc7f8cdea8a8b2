package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/softcascade/softcascade"
)

// printCounts prints rows per table under a TABLE/ROWS header, the
// numbers aligned right.
func printCounts(w io.Writer, counts []softcascade.TableCount) {
	width := len("ROWS")
	for _, c := range counts {
		width = max(width, len(strconv.FormatInt(c.Rows, 10)))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TABLE\t%*s\n", width, "ROWS")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%*d\n", printable(c.Table), width, c.Rows)
	}
	_ = tw.Flush()
}

// countsOf lists per-table counts in the order of deletion d's cascade
// (by table name when d is the zero Deletion).
func countsOf(tables map[string]int64, d softcascade.Deletion) []softcascade.TableCount {
	d.Tables = tables
	return softcascade.TableCounts(d)
}
