package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// purgeFunc runs a purge: softcascade.Purge, or a test's fake.
type purgeFunc func(db *gorm.DB, opts softcascade.PurgeOptions) (softcascade.Report, error)

// purgeRequest is what the purge command was asked to do.
type purgeRequest struct {
	opts        softcascade.PurgeOptions
	before      string
	olderThan   string // as given, for messages
	yes, asJSON bool
	progress    string
	archiveDir  string // --archive
}

func (a *app) purgeCmd() *cobra.Command {
	var req purgeRequest
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Permanently delete the rows of the deletions that are due",
		Long: `Permanently delete the rows of every deletion that is due: each deletion
stores when it may be purged (its purge-after, from the application's
retention when it was made), and purge honours it. Rows go children before
parents, in short batches; rows held by a foreign key from outside the
cascade are kept and reported.

--before narrows the purge to the due deletions made before a time.
--older-than overrides the stored retention: every deletion older than the
age goes, due or not. On a terminal it shows what will go and asks; in a
script pass --yes (without a terminal and without --yes it is refused).
Deletions logged before purge-after times were stored are left to the
application's own purge (it knows its retention), or --older-than.

Progress: a bar on stderr when stderr is a terminal (log lines print above
it), else one line per batch (--progress bar|lines|none to choose).
--json prints one JSON document on stdout when the purge ends.`,
		Example: `  softcascade purge --dry-run
  softcascade purge --before 2026-10-01 --batch-size 5000
  softcascade purge --older-than 7d --yes --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.checkPurge(cmd, &req); err != nil {
				return err
			}
			if req.archiveDir != "" {
				if fi, err := os.Stat(req.archiveDir); err != nil || !fi.IsDir() {
					return usagef("--archive %s is not a directory", req.archiveDir)
				}
				req.opts.Archive = softcascade.DirArchiver(req.archiveDir)
			}
			db, closeDB, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			return a.runPurge(db, &req)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&req.opts.DryRun, "dry-run", false, "list the deletions and count the rows that would be purged, change nothing")
	f.StringVar(&req.before, "before", "", "only due deletions made before a date, a time or an age (2026-10-01, 720h, 30d)")
	f.StringVar(&req.olderThan, "older-than", "", "override the stored retention: purge every deletion older than this age (7d, 36h); asks first")
	f.BoolVar(&req.yes, "yes", false, "do not ask before --older-than purges (for scripts)")
	f.IntVar(&req.opts.BatchSize, "batch-size", 0, "rows per DELETE statement and transaction (default 1000)")
	f.BoolVar(&req.asJSON, "json", false, "print the result as one JSON document")
	f.StringVar(&req.progress, "progress", "auto", "progress on stderr: bar, lines, none, or auto (a bar on a terminal, else lines)")
	f.StringVar(&req.archiveDir, "archive", "", "write each deletion into this directory (<id>.jsonl.gz) before its rows go")
	return cmd
}

// checkPurge checks the flags and fills req.opts.
func (a *app) checkPurge(cmd *cobra.Command, req *purgeRequest) error {
	var err error
	if req.opts.Before, err = parseWhen("before", req.before, a.now()); err != nil {
		return err
	}
	if req.opts.BatchSize < 0 {
		return usagef("--batch-size must not be negative")
	}
	switch req.progress {
	case "auto", "bar", "lines", "none":
	default:
		return usagef("invalid --progress %q: want bar, lines, none or auto", req.progress)
	}
	if cmd.Flags().Changed("older-than") {
		if req.before != "" {
			return usagef("--older-than and --before do not go together: --older-than already says which deletions go")
		}
		age, err := parseAge(req.olderThan)
		if err != nil || age <= 0 {
			return usagef("invalid --older-than %q: want a positive age (36h, 7d)", req.olderThan)
		}
		req.opts.Before = a.now().Add(-age)
		req.opts.OverrideRetention = true
	}
	return nil
}

// runPurge lists what is due, asks when the retention is overridden, runs
// the purge with progress and prints the result.
func (a *app) runPurge(db *gorm.DB, req *purgeRequest) error {
	due, err := softcascade.DuePurge(db, req.opts)
	if err != nil {
		return err
	}
	if req.opts.OverrideRetention && !req.opts.DryRun && len(due) > 0 {
		if err := a.confirmOverride(db, req, due); err != nil {
			return err
		}
	}
	var total int64
	for _, d := range due {
		total += d.InTrash()
	}
	p := a.newProgress(req, total)
	req.opts.Progress, req.opts.Logger = p.report, p.logger()
	start := time.Now()
	rep, err := a.purge(db, req.opts)
	took := time.Since(start)
	p.done()
	if rep.Rows > 0 || rep.Deletions > 0 || err == nil {
		if req.asJSON {
			if jerr := writeJSON(a.stdout, purgeResult(req, due, rep, took)); jerr != nil && err == nil {
				err = jerr
			}
		} else {
			a.printPurge(req, due, rep, took)
		}
	}
	return err
}

// confirmOverride asks on the terminal before an override purges
// deletions before their time; --yes skips the question. Without a
// terminal to ask on, the override needs --yes.
func (a *app) confirmOverride(db *gorm.DB, req *purgeRequest, due []softcascade.Deletion) error {
	if req.yes {
		return nil
	}
	if !a.canAsk() {
		return usagef("--older-than %s overrides the retention stored with each deletion: pass --yes to confirm (there is no terminal to ask on)", req.olderThan)
	}
	var rows int64
	early := 0
	now := a.now()
	for _, d := range due {
		rows += d.InTrash()
		if softcascade.PurgeDue(db, d).After(now) {
			early++
		}
	}
	ok, err := a.confirm(fmt.Sprintf("--older-than %s overrides the stored retention: %s %s, %s %s, go for good; %s of them before their purge-after.\nPurge them? [y/N] ",
		req.olderThan, thousands(int64(len(due))), plural(int64(len(due)), "deletion", "deletions"),
		thousands(rows), plural(rows, "row", "rows"), thousands(int64(early))))
	if err != nil || ok {
		return err
	}
	return fmt.Errorf("purge not confirmed: nothing changed")
}

// printPurge prints what a purge removed (or would remove): in a dry run
// the deletions first; then the total and the rows per table.
func (a *app) printPurge(req *purgeRequest, due []softcascade.Deletion, rep softcascade.Report, took time.Duration) {
	dryRun := req.opts.DryRun
	switch {
	case rep.Busy:
		fmt.Fprintln(a.stdout, "Another purge is running (it holds the purge lock): nothing done.")
		return
	case rep.Rows == 0 && rep.Deletions == 0 && len(rep.Skipped) == 0 && rep.OnHold == 0:
		fmt.Fprintln(a.stdout, "Nothing to purge.")
		return
	}
	if dryRun && len(due) > 0 {
		printDeletions(a.stdout, due)
		fmt.Fprintln(a.stdout)
	}
	counted := fmt.Sprintf("%s %s, %s %s", thousands(int64(rep.Deletions)), plural(int64(rep.Deletions), "deletion", "deletions"),
		thousands(rep.Rows), plural(rep.Rows, "row", "rows"))
	if dryRun {
		fmt.Fprintf(a.stdout, "Would purge %s (dry run: nothing changed).\n", counted)
	} else {
		fmt.Fprintf(a.stdout, "Purged %s in %.1f s.\n", counted, took.Seconds())
	}
	if rep.Rows > 0 {
		fmt.Fprintln(a.stdout)
		printCounts(a.stdout, countsOf(rep.Tables, softcascade.Deletion{}))
	}
	a.printKept(rep.Skipped)
	if rep.OnHold > 0 {
		fmt.Fprintf(a.stdout, "\nLeft %s %s under a legal hold ('softcascade trash --held' lists them).\n",
			thousands(int64(rep.OnHold)), plural(int64(rep.OnHold), "deletion", "deletions"))
	}
}

// printKept lists the rows a purge or an erase could not remove.
func (a *app) printKept(skipped map[string]int64) {
	if len(skipped) == 0 {
		return
	}
	var n int64
	for _, v := range skipped {
		n += v
	}
	fmt.Fprintf(a.stdout, "\nKept %s %s held by a foreign key from outside the cascade:\n\n", thousands(n), plural(n, "row", "rows"))
	printCounts(a.stdout, countsOf(skipped, softcascade.Deletion{}))
}
