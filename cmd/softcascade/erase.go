package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
)

// actorOr is actor, or cli:$USER when it is empty.
func (a *app) actorOr(actor string) string {
	if actor != "" {
		return actor
	}
	if user := a.getenv("USER"); user != "" {
		return "cli:" + user
	}
	return "cli"
}

func (a *app) eraseCmd() *cobra.Command {
	var (
		tenant, actor, reason string
		yes, scrub, asJSON    bool
		batchSize             int
	)
	cmd := &cobra.Command{
		Use:   "erase ID",
		Short: "Permanently delete one deletion's rows now, whatever its age",
		Long: `Permanently delete the rows one deletion still has in the trash, now,
children before parents, in short batches (the right to erasure). The log
keeps the fact: who erased it (--actor, default cli:$USER), when and why
(--reason), and its rows per table; --scrub also clears the deletion's own
actor and reason. A deletion under a legal hold is refused.

This cannot be undone. On a terminal it asks first; elsewhere it needs --yes.`,
		Example: `  softcascade erase 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90 --reason "erasure request 2026-112"
  softcascade erase 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90 --tenant acme --scrub --yes`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			if batchSize < 0 {
				return usagef("--batch-size must not be negative")
			}
			if !yes && !a.canAsk() {
				return usagef("erase cannot be undone: it asks for confirmation on a terminal; pass --yes to erase without asking")
			}
			ctx := softcascade.WithReason(softcascade.WithActor(withTenant(cmd, tenant), a.actorOr(actor)), reason)
			db, closeDB, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			d, err := softcascade.FindDeletion(db, args[0])
			if err != nil {
				return err
			}
			if !yes {
				ok, err := a.confirm(fmt.Sprintf("Permanently erase deletion %s (%s, %d %s in the trash, deleted %s by %s)? This cannot be undone. [y/N] ",
					printable(d.ID), printable(d.Table), d.InTrash(), plural(d.InTrash(), "row", "rows"), showTime(d.DeletedAt), printable(orDash(d.Actor))))
				if err != nil || !ok {
					if err == nil {
						err = errors.New("not confirmed: nothing erased")
					}
					return err
				}
			}
			opts := []softcascade.EraseOption{softcascade.EraseBatchSize(batchSize)}
			if scrub {
				opts = append(opts, softcascade.Scrub())
			}
			rep, err := softcascade.Erase(db, d.ID, opts...)
			if errors.Is(err, softcascade.ErrHeld) {
				return withHint(err, "(a legal hold keeps it: 'softcascade release ID' ends the hold)")
			}
			if err != nil {
				if len(rep.Skipped) > 0 && !asJSON {
					a.printKept(rep.Skipped)
				}
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, rep)
			}
			fmt.Fprintf(a.stdout, "Erased %d %s of deletion %s (%s, deleted %s).\n\n",
				rep.Rows, plural(rep.Rows, "row", "rows"), printable(d.ID), printable(d.Table), showTime(d.DeletedAt))
			printCounts(a.stdout, countsOf(rep.Tables, d))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "erase only if the deletion is this tenant's")
	f.StringVar(&actor, "actor", "", "who erases, recorded as ErasedBy (default cli:$USER)")
	f.StringVar(&reason, "reason", "", "why, recorded as EraseReason")
	f.BoolVar(&scrub, "scrub", false, "also clear the deletion's actor and reason (personal data)")
	f.BoolVar(&yes, "yes", false, "erase without asking (for scripts)")
	f.IntVar(&batchSize, "batch-size", 0, "rows per DELETE statement and transaction (default 1000)")
	f.BoolVar(&asJSON, "json", false, "print the erased rows per table as JSON")
	return cmd
}

// confirm asks question on stderr and reads the answer from stdin: yes
// only for "y" or "yes".
func (a *app) confirm(question string) (bool, error) {
	fmt.Fprint(a.stderr, question)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, nil // no answer: not confirmed
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

func (a *app) holdCmd() *cobra.Command {
	var tenant, actor, reason string
	cmd := &cobra.Command{
		Use:   "hold ID --reason TEXT",
		Short: "Place a deletion under a legal hold: never purged or erased until released",
		Long: `Place one deletion under a legal hold: no purge removes it and erase
refuses it until 'softcascade release'. It can still be restored. The hold
is recorded with --actor (default cli:$USER), the time and --reason.`,
		Example: `  softcascade hold 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90 --reason "litigation 2026-17"`,
		Args:    oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usagef("hold needs --reason")
			}
			db, closeDB, err := a.open(softcascade.WithActor(withTenant(cmd, tenant), a.actorOr(actor)))
			if err != nil {
				return err
			}
			defer closeDB()
			if err := softcascade.Hold(db, args[0], reason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Deletion %s is held: no purge or erase removes it until released.\n", printable(args[0]))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "hold only if the deletion is this tenant's")
	f.StringVar(&actor, "actor", "", "who holds, recorded as HeldBy (default cli:$USER)")
	f.StringVar(&reason, "reason", "", "why (required), recorded as HoldReason")
	return cmd
}

func (a *app) releaseCmd() *cobra.Command {
	var tenant, actor string
	cmd := &cobra.Command{
		Use:   "release ID",
		Short: "End a deletion's legal hold",
		Long: `End the legal hold on one deletion: from then on it is purged when due.
The release is recorded with --actor (default cli:$USER) and the time.`,
		Example: `  softcascade release 0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90`,
		Args:    oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, closeDB, err := a.open(softcascade.WithActor(withTenant(cmd, tenant), a.actorOr(actor)))
			if err != nil {
				return err
			}
			defer closeDB()
			if err := softcascade.Release(db, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Deletion %s is released: it is purged when due.\n", printable(args[0]))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tenant, "tenant", "", "release only if the deletion is this tenant's")
	f.StringVar(&actor, "actor", "", "who releases, recorded as ReleasedBy (default cli:$USER)")
	return cmd
}
