package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/softcascade/softcascade"
)

// printCounts prints rows per table under a TABLE/ROWS header.
func printCounts(w io.Writer, counts []softcascade.TableCount) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TABLE\tROWS\t")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t\n", c.Table, c.Rows)
	}
	_ = tw.Flush()
}

// countsOf lists per-table counts in the order of deletion d's cascade
// (by table name when d is the zero Deletion).
func countsOf(tables map[string]int64, d softcascade.Deletion) []softcascade.TableCount {
	d.Tables = tables
	return softcascade.TableCounts(d)
}
