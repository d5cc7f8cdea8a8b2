package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// purgeFunc runs a purge: softcascade.Purge, or a test's fake.
type purgeFunc func(db *gorm.DB, opts softcascade.PurgeOptions) (softcascade.Report, error)

func (a *app) purgeCmd() *cobra.Command {
	var (
		req        softcascade.PurgeOptions
		before     string
		archiveDir string
	)
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Permanently delete the rows of deletions older than the retention",
		Long: `Permanently delete the rows of every deletion made before --before
(default: now minus --retention), children before parents, in short batches.
Rows held by a foreign key from outside the cascade are kept and reported.
On a terminal a progress bar shows on stderr; otherwise one line per batch.`,
		Example: `  softcascade purge --dry-run
  softcascade purge --before 2026-10-01 --batch-size 5000
  softcascade purge --retention 14d`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Before, err = parseWhen("before", before, a.now()); err != nil {
				return err
			}
			if req.BatchSize < 0 {
				return usagef("--batch-size must not be negative")
			}
			if archiveDir != "" {
				if fi, err := os.Stat(archiveDir); err != nil || !fi.IsDir() {
					return usagef("--archive %s is not a directory", archiveDir)
				}
				req.Archive = softcascade.DirArchiver(archiveDir)
			}
			db, closeDB, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			var done func()
			req.Progress, done = a.progress(req.DryRun)
			rep, err := a.purge(db, req)
			done()
			if rep.Rows > 0 || err == nil {
				a.printPurge(rep, req.DryRun)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&req.DryRun, "dry-run", false, "count what would be purged, change nothing")
	f.StringVar(&before, "before", "", "purge deletions made before a date, a time or an age (2026-10-01, 720h, 30d)")
	f.IntVar(&req.BatchSize, "batch-size", 0, "rows per DELETE statement and transaction (default 1000)")
	f.StringVar(&archiveDir, "archive", "", "write each deletion into this directory (<id>.jsonl.gz) before its rows go")
	return cmd
}

// progress returns the purge's progress reporter, a bar on a terminal and
// plain lines otherwise (both on stderr), and the function that ends it.
func (a *app) progress(dryRun bool) (report func(softcascade.Progress), done func()) {
	verb := "purged"
	if dryRun {
		verb = "counted"
	}
	if !a.terminal(a.stderr) {
		return func(p softcascade.Progress) {
			fmt.Fprintf(a.stderr, "purge: %s %d rows (%s)\n", verb, p.Rows, printable(p.Table))
		}, func() {}
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(verb),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetSpinnerChangeInterval(0), // no rendering goroutine
	)
	return func(p softcascade.Progress) {
			bar.Describe(fmt.Sprintf("%s (%s)", verb, printable(p.Table)))
			_ = bar.Set64(p.Rows)
		}, func() {
			_ = bar.Clear()
			_ = bar.Exit()
		}
}

// printPurge prints what a purge removed (or would remove) per table.
func (a *app) printPurge(rep softcascade.Report, dryRun bool) {
	switch {
	case rep.Busy:
		fmt.Fprintln(a.stdout, "Another purge is running (it holds the purge lock): nothing done.")
		return
	case rep.Rows == 0 && len(rep.Skipped) == 0:
		fmt.Fprintln(a.stdout, "Nothing to purge.")
		return
	case dryRun:
		fmt.Fprintf(a.stdout, "Would purge %d %s (dry run: nothing changed).\n", rep.Rows, plural(rep.Rows, "row", "rows"))
	default:
		fmt.Fprintf(a.stdout, "Purged %d %s.\n", rep.Rows, plural(rep.Rows, "row", "rows"))
	}
	if rep.Rows > 0 {
		fmt.Fprintln(a.stdout)
		printCounts(a.stdout, countsOf(rep.Tables, softcascade.Deletion{}))
	}
	if len(rep.Skipped) > 0 {
		var n int64
		for _, v := range rep.Skipped {
			n += v
		}
		fmt.Fprintf(a.stdout, "\nKept %d %s held by a foreign key from outside the cascade:\n\n", n, plural(n, "row", "rows"))
		printCounts(a.stdout, countsOf(rep.Skipped, softcascade.Deletion{}))
	}
}
