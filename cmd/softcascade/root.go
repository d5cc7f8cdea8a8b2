package main

import (
	"github.com/spf13/cobra"
)

// rootCmd builds the command tree for one run.
func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "softcascade",
		Short: "Look into, restore and purge the softcascade trash",
		Long: `softcascade lists the deletions recorded by the softcascade GORM plugin,
shows what each one took, restores one by its ID and purges old ones. It
needs no application code: everything it uses is in the deletion log.

The database comes from --dsn or the SOFTCASCADE_DSN environment variable:
  postgres://user@host/db, host=... dbname=...   PostgreSQL
  user:pass@tcp(host:3306)/db                     MySQL / MariaDB
  ./app.db, file:app.db?..., sqlite:app.db        SQLite
Any other scheme is refused; passwords are shown as xxxxx in every message.

Exit codes: 0 done, 1 error, 2 wrong usage, 3 deletion not found.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	flags := root.PersistentFlags()
	flags.StringVar(&a.dsn, "dsn", "", "database to open (default $"+envDSN+")")
	flags.Var(&a.retention, "retention", "gone: each deletion stores when it may be purged")
	_ = flags.MarkHidden("retention")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Flags().Changed("retention") {
			return usagef("--retention is gone: each deletion stores when it may be purged (its purge-after, from the application's retention); to purge earlier use 'purge --older-than %s' (asks first, --yes for scripts)", a.retention.String())
		}
		return nil
	}
	root.AddCommand(a.trashCmd(), a.showCmd(), a.restoreCmd(), a.purgeCmd(), a.schemaCmd(), a.archiveCmd())
	root.AddCommand(a.eraseCmd(), a.holdCmd(), a.releaseCmd())
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// oneID accepts exactly one argument, the deletion's ID.
func oneID(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s needs one deletion ID, got %d arguments", cmd.CommandPath(), len(args))
	}
	return nil
}
