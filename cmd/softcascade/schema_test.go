package main

import (
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The DDL `softcascade schema` prints, applied by hand, is what the plugin
// needs with SkipMigrate; the command changes nothing.
func TestSchemaPrintsTheDDL(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, dsn := d.OpenDSN(t, nil)
		r := cli(t, nil, "schema", "--dsn", dsn)
		r.want(t, exitOK, "-- softcascade tables for ", "softcascade_deletions", "softcascade_ledger")
		if db.Migrator().HasTable(&softcascade.Deletion{}) {
			t.Fatalf("schema created the deletion log")
		}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if strings.HasPrefix(line, "--") {
				continue
			}
			if !strings.HasSuffix(line, ";") {
				t.Errorf("statement without its semicolon: %s", line)
			}
			if err := db.Exec(strings.TrimSuffix(line, ";")).Error; err != nil {
				t.Fatalf("apply %s: %v", line, err)
			}
		}
		if err := db.Use(softcascade.New(softcascade.SkipMigrate())); err != nil {
			t.Fatalf("SkipMigrate after the printed DDL: %v", err)
		}
		cli(t, nil, "trash", "--dsn", dsn).want(t, exitOK)
	})
}
