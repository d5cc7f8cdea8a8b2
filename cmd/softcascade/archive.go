package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/archive"
)

func (a *app) archiveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "List, show and restore deletions archived by 'purge --archive DIR'",
		Long: `'softcascade purge --archive DIR' writes every deletion it purges into DIR
first, as one file <deletion-id>.jsonl.gz (gzip-compressed JSON Lines: the
deletion's log row, then its rows table by table). These commands read
such files; 'archive restore' brings a purged deletion back into the trash.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.archiveListCmd(), a.archiveShowCmd(), a.archiveRestoreCmd())
	return cmd
}

// readArchive reads the deletion of one archive file.
func readArchive(path string) (softcascade.Deletion, error) {
	f, err := os.Open(path)
	if err != nil {
		return softcascade.Deletion{}, err
	}
	defer f.Close()
	d, err := softcascade.ReadArchive(f)
	if err != nil {
		return softcascade.Deletion{}, fmt.Errorf("%s: %w", path, err)
	}
	return *d, nil
}

func (a *app) archiveListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list DIR",
		Short:   "List the deletions archived in a directory",
		Example: `  softcascade archive list /var/lib/app/trash-archive`,
		Args:    exactlyOne("a directory"),
		RunE: func(_ *cobra.Command, args []string) error {
			entries, err := os.ReadDir(args[0])
			if err != nil {
				return err
			}
			var ds []softcascade.Deletion
			for _, e := range entries {
				if e.IsDir() || !strings.HasSuffix(e.Name(), archive.Ext) || strings.HasPrefix(e.Name(), ".") {
					continue
				}
				d, err := readArchive(filepath.Join(args[0], e.Name()))
				if err != nil {
					return err
				}
				ds = append(ds, d)
			}
			sort.Slice(ds, func(i, j int) bool { return ds[i].DeletedAt.After(ds[j].DeletedAt) })
			if asJSON {
				if ds == nil {
					ds = []softcascade.Deletion{}
				}
				return writeJSON(a.stdout, ds)
			}
			if len(ds) == 0 {
				fmt.Fprintln(a.stdout, "No archived deletions.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTABLE\tDELETED\tROWS\tTENANT")
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", printable(d.ID), printable(d.Table), showTime(d.DeletedAt), d.Rows, printable(orDash(d.Tenant)))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) archiveShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show FILE",
		Short:   "Show the deletion an archive file holds and its rows per table",
		Example: `  softcascade archive show /var/lib/app/trash-archive/0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90.jsonl.gz`,
		Args:    exactlyOne("an archive file"),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := readArchive(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, d)
			}
			if d.ArchivedAt != nil { // archived, then purged
				d.PurgedAt, d.PurgeStartedAt = d.ArchivedAt, nil
			}
			a.printDeletion(d, "")
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) archiveRestoreCmd() *cobra.Command {
	var (
		tenant string
		yes    bool
	)
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Bring a purged deletion back into the trash from its archive file",
		Long: `Insert the rows of an archived deletion back into the database, soft-deleted
as they were, and re-open the deletion in the trash, in one transaction;
'softcascade restore ID' then brings its rows back live. Refused when the
deletion is still in the database, or a row's key or unique value is taken.
Asks for confirmation on a terminal; give --yes in scripts.`,
		Example: `  softcascade archive restore /var/lib/app/trash-archive/0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90.jsonl.gz
  softcascade archive restore FILE --tenant acme --yes`,
		Args: exactlyOne("an archive file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := readArchive(args[0])
			if err != nil {
				return err
			}
			if !yes {
				if !a.canAsk() {
					return usagef("archive restore changes the database: give --yes when not on a terminal")
				}
				ok, err := a.confirm(fmt.Sprintf("Restore deletion %s (%s, %d %s, deleted %s) into the trash? [y/N] ",
					printable(d.ID), printable(d.Table), d.Rows, plural(d.Rows, "row", "rows"), showTime(d.DeletedAt)))
				if err != nil {
					return err
				}
				if !ok {
					return errors.New("not restored")
				}
			}
			db, closeDB, err := a.open(withTenant(cmd, tenant))
			if err != nil {
				return err
			}
			defer closeDB()
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rep, err := softcascade.RestoreArchive(db, f)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Put %d %s of deletion %s (%s) back into the trash; 'softcascade restore %s' brings them back.\n\n",
				rep.Rows, plural(rep.Rows, "row", "rows"), printable(d.ID), printable(d.Table), printable(d.ID))
			printCounts(a.stdout, countsOf(rep.Tables, d))
			return nil
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "restore only if the deletion is this tenant's")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

// exactlyOne accepts exactly one argument, what.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("%s needs %s, got %d arguments", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
