package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
)

func (a *app) restoreCmd() *cobra.Command {
	var (
		tenant, actor string
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Restore one deletion: every row it still has in the trash",
		Long: `Restore one deletion by its ID: every row it took that is still in the
trash comes back, in one transaction, and nothing another deletion took.
The restore is recorded with --actor (default cli:$USER).`,
		Example: `  softcascade restore 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90
  softcascade restore 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90 --tenant acme --actor support:ann`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			if actor == "" {
				actor = "cli"
				if user := a.getenv("USER"); user != "" {
					actor += ":" + user
				}
			}
			ctx := softcascade.WithActor(withTenant(cmd, tenant), actor)
			db, closeDB, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			d, err := softcascade.FindDeletion(db, args[0])
			if err != nil {
				return err
			}
			rep, err := softcascade.RestoreDeletion(db, d.ID)
			switch {
			case errors.Is(err, softcascade.ErrNotDeleted) && d.RestoredAt != nil:
				return fmt.Errorf("deletion %s was restored already, %s by %s", d.ID, showTime(*d.RestoredAt), orDash(d.RestoredBy))
			case errors.Is(err, softcascade.ErrNotDeleted):
				return fmt.Errorf("deletion %s has nothing left in the trash", d.ID)
			case errors.Is(err, softcascade.ErrParentDeleted):
				return withHint(err, "(find the parent's deletion with 'softcascade trash' and restore it first)")
			case err != nil:
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, rep)
			}
			fmt.Fprintf(a.stdout, "Restored %d %s of deletion %s (%s, deleted %s by %s).\n\n",
				rep.Rows, plural(rep.Rows, "row", "rows"), printable(d.ID), printable(d.Table), showTime(d.DeletedAt), printable(orDash(d.Actor)))
			printCounts(a.stdout, countsOf(rep.Tables, d))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "restore only if the deletion is this tenant's")
	f.StringVar(&actor, "actor", "", "who restores, recorded as RestoredBy (default cli:$USER)")
	f.BoolVar(&asJSON, "json", false, "print the restored rows per table as JSON")
	return cmd
}
