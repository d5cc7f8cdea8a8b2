package main

import (
	"strings"
	"testing"
)

func TestUnknownSchemeIsAUsageError(t *testing.T) {
	for _, dsn := range []string{"postgress://user:hunter2@localhost/db", "mariadb://root:hunter2@localhost/db", "user:hunter2@localhost/db"} {
		for _, r := range []result{
			cli(t, nil, "trash", "--dsn", dsn),
			cli(t, []string{envDSN + "=" + dsn}, "trash"),
		} {
			r.want(t, 2, "unknown scheme", "known: postgres://", "mysql://", "sqlite:", ":xxxxx@localhost/db")
			if strings.Contains(r.stderr+r.stdout, "hunter2") {
				t.Errorf("%s: the password is shown:\n%s", dsn, r.stderr)
			}
		}
	}
}

// TestConnectionErrorsHideThePassword connects to a closed port with a DSN
// of every form: the error names the database, never the password.
func TestConnectionErrorsHideThePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://user:hunter2@127.0.0.1:1/db?connect_timeout=5",
		"host=127.0.0.1 port=1 user=u password=hunter2 dbname=db connect_timeout=5",
		"host=127.0.0.1 port=1 user=u password='hunter2 x' dbname=db connect_timeout=5",
		"root:hunter2@tcp(127.0.0.1:1)/test?timeout=5s",
		"mysql://root:hunter2@tcp(127.0.0.1:1)/test",
		"root:hunter2@tcp(127.0.0.1:1)/test?badoption=%zz",
	} {
		r := cli(t, nil, "trash", "--dsn", dsn)
		if r.code == 0 || strings.Contains(r.stderr+r.stdout, "hunter2") {
			t.Errorf("%s: exit %d\n%s%s", dsn, r.code, r.stdout, r.stderr)
		}
	}
}
