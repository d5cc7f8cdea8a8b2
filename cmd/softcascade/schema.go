package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/dialect"
)

func (a *app) schemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the SQL that creates the plugin's tables, for migration files",
		Long: `Print the statements that create the plugin's tables (the deletion log
and the ledger, with their indexes and, on MySQL and MariaDB, the binary
collations of their key columns) for the database of --dsn, one per line,
each ending with a semicolon: what the plugin creates itself unless the
application installs it with softcascade.SkipMigrate(). Put them in a
migration file. Nothing is changed; the database need not have the tables.`,
		Example: `  softcascade schema --dsn 'postgres://app@db/app' > migrations/0042_softcascade.up.sql`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, closeDB, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			stmts, err := softcascade.SchemaSQL(db)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "-- softcascade tables for %s\n", dialect.For(db).Name())
			for _, s := range stmts {
				fmt.Fprintln(a.stdout, strings.TrimRight(s, "; \n")+";")
			}
			return nil
		},
	}
}
