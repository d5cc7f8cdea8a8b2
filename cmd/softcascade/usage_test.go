package main

import (
	"path/filepath"
	"testing"
)

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {},
		{"trash", "--help"}, {"show", "--help"}, {"restore", "--help"}, {"purge", "--help"}, {"help", "restore"},
	} {
		r := cli(t, nil, args...)
		r.want(t, 0, "Usage:", "--dsn")
	}
	cli(t, nil, "trash", "--help").want(t, 0, "--table", "--actor", "--tenant", "--since", "--limit", "--offset", "--json")
	cli(t, nil, "purge", "--help").want(t, 0, "--dry-run", "--before", "--batch-size")
}

func TestUsageErrorsExitTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"trash"}, "no database: pass --dsn or set SOFTCASCADE_DSN"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"trash", "--frob"}, "unknown flag: --frob"},
		{[]string{"trash", "extra"}, "takes no arguments"},
		{[]string{"show"}, "needs one deletion ID"},
		{[]string{"restore", "a", "b"}, "needs one deletion ID"},
		{[]string{"trash", "--dsn", db, "--since", "last tuesday"}, `invalid --since "last tuesday"`},
		{[]string{"purge", "--dsn", db, "--before", "soon"}, `invalid --before "soon"`},
		{[]string{"trash", "--limit", "x"}, "invalid argument"},
		{[]string{"trash", "--retention", "0d"}, "must be positive"},
		{[]string{"trash", "--dsn", "root@tcp(127.0.0.1:3306)/x?badoption=%zz"}, "not a MySQL DSN"},
	} {
		r := cli(t, nil, c.args...)
		r.want(t, 2, c.msg, "--help")
	}
}

func TestMissingSQLiteFileIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	cli(t, nil, "trash", "--dsn", path).want(t, 1, "typo.db does not exist")
	cli(t, []string{envDSN + "=sqlite:" + path}, "trash").want(t, 1, "typo.db does not exist")
}
