package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// purgeItem is one deletion a purge takes (or would take), as --json
// prints it.
type purgeItem struct {
	ID         string     `json:"id"`
	Table      string     `json:"table"`
	Tenant     string     `json:"tenant,omitempty"`
	DeletedAt  time.Time  `json:"deletedAt"`
	PurgeAfter *time.Time `json:"purgeAfter"` // null: logged without one
	Rows       int64      `json:"rows"`       // still in the trash
	// What is what the delete named, as the trash lists it
	// ("projects #42 · Website relaunch"); RootKeys and Labels are its
	// first roots' keys and labels, as the log holds them.
	What     string   `json:"what"`
	RootKeys []string `json:"rootKeys,omitempty"`
	Labels   []string `json:"labels,omitempty"`
}

// purgeItemOf is deletion d as a purge lists it, in one place for the
// table (deletionRow) and for --json.
func purgeItemOf(d softcascade.Deletion) purgeItem {
	return purgeItem{ID: d.ID, Table: d.Table, Tenant: d.Tenant, DeletedAt: d.DeletedAt, PurgeAfter: purgeDue(d), Rows: d.InTrash(),
		What:     rootlabel.Summary(d.Table, d.RootKeys, d.Labels, d.Roots, listLabelWidth),
		RootKeys: d.RootKeys, Labels: d.Labels}
}

// deletionHeader and deletionRow are the columns of a deletion in the
// purge's listing.
const deletionHeader = "ID\tWHAT\tDELETED\tROWS\tPURGE AFTER"

func deletionRow(it purgeItem) []string {
	after := "unknown"
	if it.PurgeAfter != nil {
		after = showTime(*it.PurgeAfter)
	}
	return []string{it.ID, it.What, showTime(it.DeletedAt), thousands(it.Rows), after}
}

// printDeletions lists the deletions a purge takes, one per line.
func printDeletions(w io.Writer, ds []softcascade.Deletion) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, deletionHeader)
	for _, d := range ds {
		cols := deletionRow(purgeItemOf(d))
		for i, c := range cols {
			sep := "\t"
			if i == len(cols)-1 {
				sep = "\n"
			}
			fmt.Fprint(tw, printable(c), sep)
		}
	}
	_ = tw.Flush()
}

// purgeOutput is what `purge --json` prints: one document once the purge
// ends.
type purgeOutput struct {
	DryRun bool `json:"dryRun"`
	// Override: --older-than overrode the stored retention; Before is its
	// time (or --before's).
	Override bool       `json:"override"`
	Before   *time.Time `json:"before,omitempty"`
	// Busy: another purge held the lock; nothing was done.
	Busy bool `json:"busy"`
	// Due lists the deletions that were due when the purge began.
	Due []purgeItem `json:"due"`
	// Deletions counts the deletions purged (would be, in a dry run);
	// Rows the rows, per table in Tables; Skipped the rows kept.
	Deletions int              `json:"deletions"`
	Rows      int64            `json:"rows"`
	Tables    map[string]int64 `json:"tables"`
	Skipped   map[string]int64 `json:"skipped"`
	// OnHold counts the due deletions a legal hold kept.
	OnHold  int     `json:"onHold"`
	Seconds float64 `json:"seconds"`
}

// purgeResult is the --json document of a purge.
func purgeResult(req *purgeRequest, due []softcascade.Deletion, rep softcascade.Report, took time.Duration) purgeOutput {
	out := purgeOutput{DryRun: req.opts.DryRun, Override: req.opts.OverrideRetention, Busy: rep.Busy,
		Due: []purgeItem{}, Deletions: rep.Deletions, Rows: rep.Rows,
		Tables: rep.Tables, Skipped: rep.Skipped, OnHold: rep.OnHold, Seconds: took.Round(time.Millisecond).Seconds()}
	if !req.opts.Before.IsZero() {
		b := req.opts.Before
		out.Before = &b
	}
	if out.Tables == nil {
		out.Tables = map[string]int64{}
	}
	if out.Skipped == nil {
		out.Skipped = map[string]int64{}
	}
	for _, d := range due {
		out.Due = append(out.Due, purgeItemOf(d))
	}
	return out
}
