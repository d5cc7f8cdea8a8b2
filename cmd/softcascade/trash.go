package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// tenantHelp describes the --tenant flag of the commands that read deletions.
const tenantHelp = "only this tenant's deletions (default: every tenant's)"

// trashItem is one deletion as `trash --json` prints it.
type trashItem struct {
	softcascade.Deletion
	// InTrash counts the rows not restored yet.
	InTrash  int64      `json:"inTrash"`
	PurgeDue *time.Time `json:"purgeDue"` // null: logged without a purge-after
}

// trashPage is what `trash --json` prints.
type trashPage struct {
	Total     int64       `json:"total"`
	Limit     int         `json:"limit"`
	Offset    int         `json:"offset"`
	Deletions []trashItem `json:"deletions"`
}

func (a *app) trashCmd() *cobra.Command {
	var (
		filter        softcascade.TrashFilter
		tenant, since string
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "trash",
		Short: "List the deletions in the trash, newest first",
		Long: `List the deletions in the trash, newest first: when, who, why, what was
deleted (the first root row as "projects #42 · Website relaunch", and how
many more), how many rows are still in the trash and how long until purge.`,
		Example: `  softcascade trash --table projects --since 7d
  softcascade trash --table projects --key 42
  softcascade trash --label "website relaunch"
  softcascade trash --tenant acme --actor user:42 --json
  softcascade trash --limit 20 --offset 20`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if filter.Since, err = parseWhen("since", since, a.now()); err != nil {
				return err
			}
			if filter.Limit < 0 || filter.Offset < 0 {
				return usagef("--limit and --offset must not be negative")
			}
			db, closeDB, err := a.open(withTenant(cmd, tenant))
			if err != nil {
				return err
			}
			defer closeDB()
			ds, total, err := softcascade.Trash(db, filter)
			if err != nil {
				return err
			}
			page := trashPage{Total: total, Limit: filter.Limit, Offset: filter.Offset, Deletions: []trashItem{}}
			for _, d := range ds {
				page.Deletions = append(page.Deletions, trashItem{Deletion: d, InTrash: d.InTrash(), PurgeDue: purgeDue(d)})
			}
			if asJSON {
				return writeJSON(a.stdout, page)
			}
			a.printTrash(page, !cmd.Flags().Changed("tenant") && anyTenant(ds))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&filter.Table, "table", "", "only deletions whose root table is this")
	f.StringVar(&filter.Key, "key", "", "only deletions of the root row with this primary key, exactly (composite: [3,\"en\"])")
	f.StringVar(&filter.Label, "label", "", "only deletions with a root whose label contains this text (any case)")
	f.StringVar(&filter.Actor, "actor", "", "only deletions made by this actor")
	f.StringVar(&tenant, "tenant", "", tenantHelp)
	f.StringVar(&since, "since", "", "only deletions since a date, a time or an age (2026-11-01, 36h, 7d)")
	f.BoolVar(&filter.IncludeRestored, "restored", false, "list restored deletions too")
	f.BoolVar(&filter.Held, "held", false, "only deletions under a legal hold")
	f.IntVar(&filter.Limit, "limit", 20, "deletions per page (0: all)")
	f.IntVar(&filter.Offset, "offset", 0, "deletions to skip")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printTrash prints a page as a table; withTenant adds a tenant column
// (shown when no --tenant was given and some deletion has a tenant).
func (a *app) printTrash(page trashPage, withTenant bool) {
	if page.Total == 0 {
		fmt.Fprintln(a.stdout, "No deletions found.")
		return
	}
	now := a.now()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	header := "ID\tDELETED\tBY\tWHAT\tROWS\tPURGE IN\tREASON"
	if withTenant {
		header = "ID\tTENANT\tDELETED\tBY\tWHAT\tROWS\tPURGE IN\tREASON"
	}
	fmt.Fprintln(tw, header)
	for _, d := range page.Deletions {
		rows, due := strconv.FormatInt(d.InTrash, 10), purgeIn(d.PurgeDue, now)
		if d.RestoredAt != nil {
			rows, due = "restored", "-"
		}
		if d.HeldAt != nil {
			due = "held"
		}
		what := rootlabel.Summary(d.Table, d.RootKeys, d.Labels, d.Roots, listLabelWidth)
		cols := []string{d.ID, showTime(d.DeletedAt), orDash(d.Actor), what, rows, due, orDash(d.Reason)}
		if withTenant {
			cols = append([]string{d.ID, orDash(d.Tenant)}, cols[1:]...)
		}
		for i, c := range cols {
			sep := "\t"
			if i == len(cols)-1 {
				sep = "\n"
			}
			fmt.Fprint(tw, printable(c), sep)
		}
	}
	_ = tw.Flush()
	first := page.Offset + 1
	last := page.Offset + len(page.Deletions)
	if len(page.Deletions) == 0 {
		fmt.Fprintf(a.stdout, "No deletions past %d; %d in all.\n", page.Offset, page.Total)
		return
	}
	fmt.Fprintln(a.stdout, pageLine(first, last, page.Total))
}

// listLabelWidth is the longest label the list shows, in characters
// (show prints them whole).
const listLabelWidth = 40

// pageLine says which deletions a page shows: "1 deletion.",
// "Deletion 2 of 2.", "1–20 of 45 deletions."
func pageLine(first, last int, total int64) string {
	switch {
	case total == 1:
		return "1 deletion."
	case first == last:
		return fmt.Sprintf("Deletion %d of %d.", first, total)
	}
	return fmt.Sprintf("%d–%d of %d deletions.", first, last, total)
}

// anyTenant reports whether a deletion of ds has a tenant.
func anyTenant(ds []softcascade.Deletion) bool {
	for _, d := range ds {
		if d.Tenant != "" {
			return true
		}
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeJSON prints v as indented JSON, with the control and format
// characters encoding/json leaves as they are (DEL, C1, bidi overrides)
// escaped too.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonPrintable(buf.Bytes()))
	return err
}
