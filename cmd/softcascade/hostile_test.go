package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Hostile values, as a tenant or an operator could store them: escape
// sequences that clear the screen or set the window title, a forged table
// line, C1 controls, a bidi override, tabs that shift columns.
const (
	hostileActor  = "user:eve\x1b[2J\x1b[H\x1b]0;pwned\x07"
	hostileReason = "ok\nffffffff-0000-7000-8000-000000000000  2026-01-01 00:00  root  users  1  due  forged\r\x7f\u0085\u009b31m"
	hostileTenant = "acme\u202eemca\t|\u200b"
	hostileTable  = "projects\x1b[31m\u2028evil\tcol"
)

// hostileDeletion deletes a project with the hostile actor and reason,
// then sets the hostile tenant and root table name (with, on SQLite,
// invalid UTF-8 in the actor) straight in the log, as a tampered row.
func hostileDeletion(t *testing.T, d modelstest.Dialect, f fixture) (id, actor string) {
	t.Helper()
	p := modelstest.SeedProject(t, f.db, "eve", modelstest.Small)
	ctx := softcascade.WithReason(softcascade.WithActor(softcascade.WithTenant(context.Background(), "eve"), hostileActor), hostileReason)
	if err := f.db.WithContext(ctx).Delete(&p).Error; err != nil {
		t.Fatal(err)
	}
	var last softcascade.Deletion
	if err := f.db.Order("stamp DESC").First(&last).Error; err != nil {
		t.Fatal(err)
	}
	tables := map[string]int64{}
	for name, n := range last.Tables {
		tables[name] = n
	}
	tables[hostileTable] = 1
	js, err := json.Marshal(tables)
	if err != nil {
		t.Fatal(err)
	}
	actor = hostileActor
	if d.IsSQLite() {
		actor += "\xff\xfe"
	}
	err = f.db.Table("softcascade_deletions").Where("id = ?", last.ID).Updates(map[string]any{
		"tenant": hostileTenant, "root_table": hostileTable, "tables": string(js), "actor": actor,
	}).Error
	if err != nil {
		t.Fatal(err)
	}
	return last.ID, actor
}

// wantPrintable fails unless out holds no control or format character but
// newlines, and is valid UTF-8.
func wantPrintable(t *testing.T, label, out string) {
	t.Helper()
	for i, r := range out {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(out[i:], "\uFFFD"):
			t.Errorf("%s: invalid UTF-8 at byte %d:\n%q", label, i, out)
			return
		case r == '\n':
		case unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			t.Errorf("%s: %U at byte %d:\n%q", label, r, i, out)
			return
		}
	}
}

func TestHostileValuesAreEscapedInHumanOutput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		id, _ := hostileDeletion(t, d, f)
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result {
			r := cli(t, nil, append(args, dsn...)...)
			wantPrintable(t, strings.Join(args, " ")+" (stdout)", r.stdout)
			wantPrintable(t, strings.Join(args, " ")+" (stderr)", r.stderr)
			return r
		}
		escapes := []string{`\x1b[2J\x1b[H\x1b]0;pwned\x07`, `ok\nffffffff`, `forged\r\x7f\u0085\u009b31m`}

		// trash: one line per deletion, the hostile one's values escaped.
		r := run("trash")
		r.want(t, 0, append(escapes, `acme\u202eemca\t|\u200b`, `projects\x1b[31m\u2028evil\tcol`, "1–5 of 5 deletions.")...)
		if lines := strings.Count(r.stdout, "\n"); lines != 7 {
			t.Errorf("trash prints %d lines, want 7 (header, 5 deletions, total):\n%s", lines, r.stdout)
		}
		if strings.Contains(r.stdout, "\nffffffff") {
			t.Errorf("the reason forged a line:\n%s", r.stdout)
		}
		if d.IsSQLite() && !strings.Contains(r.stdout, `\xff\xfe`) {
			t.Errorf("invalid UTF-8 not escaped:\n%s", r.stdout)
		}
		// A filter is compared in the form the log stores (invalid UTF-8
		// as U+FFFD), which the tampered SQLite row's raw bytes are not.
		run("trash", "--actor", hostileActor).want(t, 0, map[bool]string{true: "No deletions found.", false: "1 deletion."}[d.IsSQLite()])
		run("trash", "--tenant", hostileTenant, "--table", hostileTable).want(t, 0, "1 deletion.")

		// show: every field, the per-table counts too.
		run("show", id).want(t, 0, append(escapes, `Tenant    acme\u202eemca\t|\u200b`,
			`Root      projects\x1b[31m\u2028evil\tcol (1 row)`)...)

		// --json stays exact.
		r = run("show", id, "--json")
		var got softcascade.Deletion
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		if got.Reason != hostileReason || got.Tenant != hostileTenant || got.Table != hostileTable ||
			(!d.IsSQLite() && got.Actor != hostileActor) {
			t.Errorf("show --json = %+v", got)
		}

		// Errors: hostile IDs and actors come back escaped on stderr.
		run("show", "\x1b[2J"+id).want(t, 3, "malformed ID")
		run("restore", id, "--actor", hostileActor).want(t, 0, "Restored ", `by user:eve\x1b[2J`)
		run("restore", id).want(t, 1, "was restored already", `by user:eve\x1b[2J\x1b[H\x1b]0;pwned\x07`)
		run("show", id).want(t, 0, `restored `, `by user:eve\x1b[2J`)
	})
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"user:ann":               "user:ann",
		"naïve 日本 🎉 \uFFFD":      "naïve 日本 🎉 \uFFFD",
		"a\x1b[2Jb":              `a\x1b[2Jb`,
		"a\nb\rc\td":             `a\nb\rc\td`,
		"\x00\x07\x7f":           `\x00\x07\x7f`,
		"\u0085\u009b":           `\u0085\u009b`,
		"\u202eevil\u2066\u200b": `\u202eevil\u2066\u200b`,
		"\u2028\u2029":           `\u2028\u2029`,
		"\U000e0041":             `\U000e0041`,
		"bad\xff\xc3":            `bad\xff\xc3`,
		`back\slash`:             `back\slash`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPrintable: whatever a value holds, its printable form has no control
// or format character and is valid UTF-8, and a value with none is shown
// as it is.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{hostileActor, hostileReason, hostileTenant, hostileTable, "user:ann", "bad\xff\xc3", "\U000e0041", "日本\u200d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := printable(s)
		for _, r := range out {
			if r == '\n' || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Fatalf("printable(%q) = %q holds %U", s, out, r)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("printable(%q) = %q is not UTF-8", s, out)
		}
		if !needsEscape(s) && out != s {
			t.Fatalf("printable(%q) = %q changed a safe value", s, out)
		}
		if needsEscape(s) == (out == s) {
			t.Fatalf("printable(%q) = %q, needsEscape %v", s, out, needsEscape(s))
		}

		// --json: printable too, and the same value once decoded.
		var buf strings.Builder
		if err := writeJSON(&buf, map[string]string{"v": s}); err != nil {
			t.Fatal(err)
		}
		js := buf.String()
		for _, r := range js {
			if r != '\n' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
				t.Fatalf("writeJSON(%q) = %s holds %U", s, js, r)
			}
		}
		var back, plain map[string]string
		raw, _ := json.Marshal(map[string]string{"v": s})
		if err := json.Unmarshal([]byte(js), &back); err != nil {
			t.Fatalf("writeJSON(%q) = %s: %v", s, js, err)
		}
		if err := json.Unmarshal(raw, &plain); err != nil || back["v"] != plain["v"] {
			t.Fatalf("writeJSON(%q) decodes to %q, encoding/json to %q", s, back["v"], plain["v"])
		}
	})
}
