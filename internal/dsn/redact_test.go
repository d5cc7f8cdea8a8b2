package dsn

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// redactCases are DSNs in every form with their redacted text; they seed
// the fuzz targets too.
var redactCases = []struct{ dsn, want string }{
	{"postgres://user:pw@localhost/db", "postgres://user:xxxxx@localhost/db"},
	{"postgress://user:s3cret@db.example:5432/app?sslmode=disable", "postgress://user:xxxxx@db.example:5432/app?sslmode=disable"},
	{"postgresql://user:p%40ss%2Fw@host/db", "postgresql://user:xxxxx@host/db"},
	{"postgres://user:p@ss/w@host/db", "postgres://user:xxxxx@host/db"},
	{"postgres://user@host/db?password=hunter2&sslmode=disable", "postgres://user@host/db?password=xxxxx&sslmode=disable"},
	{"postgres://host/db", "postgres://host/db"},
	{"mysql://root:pw@tcp(127.0.0.1:3306)/test", "mysql://root:xxxxx@tcp(127.0.0.1:3306)/test"},
	{"host=127.0.0.1 user=postgres password=hunter2 dbname=test", "host=127.0.0.1 user=postgres password=xxxxx dbname=test"},
	{"host=h password = 'it\\'s a secret' dbname=d", "host=h password = xxxxx dbname=d"},
	{"password='unterminated dbname=d", "password=xxxxx"},
	{"host=h sslpassword=keypass PASSWORD=Upper", "host=h sslpassword=xxxxx PASSWORD=xxxxx"},
	{"root:pw@tcp(127.0.0.1:3306)/test?parseTime=true", "root:xxxxx@tcp(127.0.0.1:3306)/test?parseTime=true"},
	{"root:p@ss:w rd/x@unix(/run/mysqld.sock)/test", "root:xxxxx@unix(/run/mysqld.sock)/test"},
	{"root:pw@/test", "root:xxxxx@/test"},
	{"root@tcp(127.0.0.1:3306)/test", "root@tcp(127.0.0.1:3306)/test"},
	{"root:@tcp(h)/db", "root:@tcp(h)/db"},
	{"./app.db", "./app.db"},
	{"file:app.db?_pragma=foreign_keys(1)", "file:app.db?_pragma=foreign_keys(1)"},
	{"", ""},
}

func TestRedact(t *testing.T) {
	for _, c := range redactCases {
		if got := Redact(c.dsn); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.dsn, got, c.want)
		}
	}
}

func TestScrubMasksThePasswordAnywhere(t *testing.T) {
	dsn := "postgres://user:p%40ssword@host/db"
	msg := `cannot parse "postgres://user:p%40ssword@host/db": password "p@ssword" rejected; again p%40ssword`
	got := Scrub(msg, dsn)
	if strings.Contains(got, "p%40ss") || strings.Contains(got, "p@ss") {
		t.Errorf("Scrub = %q", got)
	}
	if !strings.Contains(got, "postgres://user:xxxxx@host/db") {
		t.Errorf("Scrub does not show the DSN redacted: %q", got)
	}
	// Short passwords are masked in the DSN, not in free text.
	if got := Scrub("ab: root:ab@/db", "root:ab@/db"); got != "ab: root:xxxxx@/db" {
		t.Errorf("Scrub with a short password = %q", got)
	}
}

func TestUnknownSchemeIsAnErrorWithoutThePassword(t *testing.T) {
	for _, s := range []string{
		"postgress://user:hunter2@localhost/db",
		"mariadb://root:hunter2@localhost/db",
		"postgress:user:hunter2@localhost/db",
		"user:hunter2@localhost/db",
		"http://user:hunter2@x/",
	} {
		_, err := Dialector(s)
		if !errors.Is(err, ErrBadDSN) {
			t.Errorf("Dialector(%q): %v, want ErrBadDSN", s, err)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "hunter2") || !strings.Contains(msg, "unknown scheme") || !strings.Contains(msg, "postgres://") {
			t.Errorf("Dialector(%q): %s", s, msg)
		}
	}
}

func TestErrorsShowTheDSNRedacted(t *testing.T) {
	for _, s := range []string{
		"root:hunter2@tcp(127.0.0.1:3306)/x?badoption=%zz",
		"mysql://root:hunter2@tcp(127.0.0.1:3306)/x?timeout=never",
		"file:?password=hunter2",
		"root:hunter2@localhost",
	} {
		_, err := Dialector(s)
		if err == nil {
			t.Errorf("Dialector(%q): no error", s)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Dialector(%q): %s", s, err)
		}
	}
}

// FuzzRedact builds a DSN of each form around a fuzzed password and checks
// that Redact, Scrub and Dialector's errors never show it.
func FuzzRedact(f *testing.F) {
	for i, c := range []string{"pw", "hunter2", "p@ss/w?rd", "it's", `back\slash`, "sp ace", "per%41cent", "x", "\x00\xff", "u:v@tcp("} {
		f.Add(c, uint8(i))
	}
	f.Fuzz(func(t *testing.T, pw string, form uint8) {
		if pw == "" || strings.ContainsRune(pw, 0) {
			return
		}
		var dsn, shown string
		switch form % 5 {
		case 0, 1: // URL, as url.URL writes it; 1: an unknown scheme
			scheme := "postgres"
			if form%5 == 1 {
				scheme = "postgress"
			}
			u := url.URL{Scheme: scheme, User: url.UserPassword("user", pw), Host: "localhost", Path: "/db"}
			dsn = u.String()
			shown = strings.TrimSuffix(strings.TrimPrefix(u.User.String(), "user:"), "@")
		case 2: // keyword/value, quoted as libpq wants
			shown = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'"
			dsn = "host=localhost user=u password=" + shown + " dbname=db"
		case 3: // MySQL, the password as written
			dsn, shown = "root:"+pw+"@tcp(127.0.0.1:3306)/test", pw
		case 4: // URL query
			shown = url.QueryEscape(pw)
			dsn = "postgres://user@localhost/db?password=" + shown + "&sslmode=disable"
		}
		skeleton := strings.Replace(dsn, shown, "\x00", 1)
		for _, secret := range []string{pw, shown} {
			if strings.Contains(skeleton, secret) || strings.Contains(Mask, secret) {
				return // the password is also part of the rest: nothing to check
			}
		}
		red := Redact(dsn)
		if strings.Contains(red, shown) || strings.Contains(red, pw) {
			t.Fatalf("Redact(%q) = %q", dsn, red)
		}
		if len(pw) >= minScrub && len(shown) >= minScrub {
			msg := Scrub("error: "+dsn+": password "+pw+" (as written "+shown+")", dsn)
			if strings.Contains(msg, pw) || strings.Contains(msg, shown) {
				t.Fatalf("Scrub(…%q…) = %q", dsn, msg)
			}
			if _, err := Dialector(dsn); err != nil && (strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), shown)) {
				t.Fatalf("Dialector(%q): %v", dsn, err)
			}
		}
	})
}

// FuzzDialector feeds any text to Dialector and Redact: no panic, and no
// error that shows a password Secrets finds.
func FuzzDialector(f *testing.F) {
	for _, c := range redactCases {
		f.Add(c.dsn)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Redact(s)
		_, err := Dialector(s)
		if err == nil {
			return
		}
		for _, secret := range Secrets(s) {
			if len(secret) >= minScrub && strings.Contains(err.Error(), secret) && !strings.Contains(Mask, secret) {
				t.Fatalf("Dialector(%q): %v shows %q", s, err, secret)
			}
		}
	})
}
