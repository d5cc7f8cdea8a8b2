package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// showOutput is what `show --json` prints.
type showOutput struct {
	softcascade.Deletion
	PurgeDue *time.Time               `json:"purgeDue"` // null: logged without a purge-after
	PerTable []softcascade.TableCount `json:"perTable"`
	InTrash  int64                    `json:"inTrash"`
}

func (a *app) showCmd() *cobra.Command {
	var (
		tenant string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one deletion and its rows per table",
		Example: `  softcascade show 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90
  softcascade show 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90 --tenant acme --json`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, closeDB, err := a.open(withTenant(cmd, tenant))
			if err != nil {
				return err
			}
			defer closeDB()
			d, err := softcascade.FindDeletion(db, args[0])
			if err != nil {
				return err
			}
			due := purgeDue(d)
			if asJSON {
				return writeJSON(a.stdout, showOutput{Deletion: d, PurgeDue: due,
					PerTable: softcascade.TableCounts(d), InTrash: d.InTrash()})
			}
			a.printDeletion(d, purgeIn(due, a.now()))
			return nil
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", tenantHelp)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printDeletion prints a deletion's facts, then its rows per table.
func (a *app) printDeletion(d softcascade.Deletion, purgeIn string) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Deletion\t%s\n", printable(d.ID))
	fmt.Fprintf(tw, "Deleted\t%s by %s\n", showTime(d.DeletedAt), printable(orDash(d.Actor)))
	if d.Tenant != "" {
		fmt.Fprintf(tw, "Tenant\t%s\n", printable(d.Tenant))
	}
	fmt.Fprintf(tw, "Reason\t%s\n", printable(orDash(d.Reason)))
	fmt.Fprintf(tw, "Root\t%s (%d %s)\n", printable(d.Table), d.Roots, plural(d.Roots, "row", "rows"))
	fmt.Fprintf(tw, "Rows\t%d\n", d.Rows)
	fmt.Fprintf(tw, "Status\t%s\n", status(d, purgeIn))
	_ = tw.Flush()
	fmt.Fprintln(a.stdout)
	if a.printRoots(d) {
		fmt.Fprintln(a.stdout)
	}
	printCounts(a.stdout, softcascade.TableCounts(d))
}

// printRoots lists the deletion's root rows the log keeps, key and label,
// and how many more it took; it reports whether it printed anything (a
// deletion made before the log listed roots has none).
func (a *app) printRoots(d softcascade.Deletion) bool {
	if len(d.RootKeys) == 0 {
		return false
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROW\tLABEL")
	for i, k := range d.RootKeys {
		fmt.Fprintf(tw, "%s\t%s\n", printable(rootlabel.Root(d.Table, k, "")), printable(orDash(rootlabel.LabelAt(d.Labels, i))))
	}
	_ = tw.Flush()
	if more := d.Roots - int64(len(d.RootKeys)); more > 0 {
		fmt.Fprintf(a.stdout, "and %d more %s of %s, not listed\n", more, plural(more, "row", "rows"), printable(d.Table))
	}
	return true
}

// status says where a deletion stands.
func status(d softcascade.Deletion, purgeIn string) string {
	switch {
	case d.ErasedAt != nil && d.PurgedAt != nil:
		return fmt.Sprintf("erased %s by %s; purged %s", showTime(*d.ErasedAt), printable(orDash(d.ErasedBy)), showTime(*d.PurgedAt))
	case d.HeldAt != nil:
		return fmt.Sprintf("held since %s by %s (%s): never purged or erased until released", showTime(*d.HeldAt), printable(orDash(d.HeldBy)), printable(d.HoldReason))
	case d.PurgedAt != nil:
		return "purged " + showTime(*d.PurgedAt)
	case d.ErasedAt != nil:
		return "being erased since " + showTime(*d.ErasedAt) + " by " + printable(orDash(d.ErasedBy)) + "; cannot be restored (erase it again to finish)"
	case d.PurgeStartedAt != nil:
		return "being purged since " + showTime(*d.PurgeStartedAt) + "; cannot be restored"
	case d.RestoredAt != nil:
		return fmt.Sprintf("restored %s by %s", showTime(*d.RestoredAt), printable(orDash(d.RestoredBy)))
	case d.RestoredRows > 0:
		return fmt.Sprintf("in the trash, %d of %d rows restored; %s", d.RestoredRows, d.Rows, purgeWhen(purgeIn))
	case purgeIn == "unknown":
		return "in the trash; purge date not stored (the application's retention decides)"
	default:
		return "in the trash; " + purgeWhen(purgeIn)
	}
}

// purgeWhen says when purge may remove a deletion: "purge in 27d",
// "purge due now".
func purgeWhen(purgeIn string) string {
	if purgeIn == "due" {
		return "purge due now"
	}
	return "purge in " + purgeIn
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
