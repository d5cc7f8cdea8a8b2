package main

import (
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The command's errors say each thing once: "softcascade:" and "not
// found" appear once in the message of an unknown deletion.
func TestNotFoundSaysItOnce(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, dsn := d.OpenDSN(t, nil)
		if err := db.Use(softcascade.New()); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"show", "restore"} {
			r := cli(t, nil, cmd, "0190f5a4-0000-7000-8000-000000000000", "--dsn", dsn)
			r.want(t, exitNotFound, "softcascade: deletion 0190f5a4-0000-7000-8000-000000000000: record not found")
			for _, phrase := range []string{"softcascade:", "not found"} {
				if n := strings.Count(r.stderr, phrase); n != 1 {
					t.Errorf("%s: %q says %q %d times", cmd, r.stderr, phrase, n)
				}
			}
		}
	})
}
