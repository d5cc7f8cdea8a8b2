package deletionlog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/errs"
)

// ParseID never panics; it gives the one stored form of a UUID (36
// characters, lower case, which ParseID keeps as it is) or
// gorm.ErrRecordNotFound.
func FuzzParseID(f *testing.F) {
	const id = "01937a2e-5c3d-7f00-8a1b-0c2d3e4f5a6b"
	for _, s := range []string{
		id, strings.ToUpper(id), "{" + id + "}", "urn:uuid:" + id, strings.ReplaceAll(id, "-", ""),
		id + " ", " " + id, id + "\x00", id[:35], id + "0", "", "\x00", "\xff", "bob\xff",
		"' OR '1'='1", id + "' OR '1'='1", "00000000-0000-0000-0000-000000000000",
		"urn:uuid:{" + id + "}", "{" + id, strings.Repeat("a", 36), "ｆ" + id[1:],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseID(s)
		if err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				t.Fatalf("ParseID(%q): %v, want ErrRecordNotFound", s, err)
			}
			return
		}
		if len(got) != 36 || strings.ToLower(got) != got || !utf8.ValidString(got) {
			t.Fatalf("ParseID(%q) = %q: not a stored form", s, got)
		}
		if again, err := ParseID(got); err != nil || again != got {
			t.Fatalf("ParseID(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}

// A tenant is exact or refused: Tenant gives back the very string
// WithTenant was given, or ErrInvalidValue, exactly when ValidTenant
// says so. Actor and reason are always stored as valid UTF-8 without NUL,
// and unchanged when they were so already.
func FuzzContextValues(f *testing.F) {
	for _, s := range []string{
		"acme", "ACME", "Acme", "acme ", "acmé", "acme\u0301", "bob\xff", "bob\uFFFD", "", " ", "\x00",
		"acme\x00", "\xc3", "\xed\xa0\x80", "😀", strings.Repeat("t", TenantSize), strings.Repeat("t", TenantSize+1),
		strings.Repeat("é", TenantSize), "\x1b[2J", "a\r\nb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ctx := WithReason(WithActor(WithTenant(context.Background(), s), s), s)
		got, ok, err := Tenant(ctx)
		if !ok {
			t.Fatalf("Tenant(%q): not set", s)
		}
		valid := ValidTenant(s)
		switch {
		case valid != nil && !errors.Is(valid, errs.ErrInvalidValue):
			t.Fatalf("ValidTenant(%q): %v", s, valid)
		case valid != nil && !errors.Is(err, errs.ErrInvalidValue):
			t.Fatalf("Tenant(%q): %v, want ErrInvalidValue", s, err)
		case valid == nil && (err != nil || got != s):
			t.Fatalf("Tenant(%q) = %q, %v; want it unchanged", s, got, err)
		}
		wantValid := s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, 0) && utf8.RuneCountInString(s) <= TenantSize
		if (valid == nil) != wantValid {
			t.Fatalf("ValidTenant(%q) = %v", s, valid)
		}
		for _, v := range []string{Actor(ctx), Reason(ctx)} {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				t.Fatalf("stored %q as %q", s, v)
			}
			if utf8.ValidString(s) && !strings.ContainsRune(s, 0) && v != s {
				t.Fatalf("stored %q as %q", s, v)
			}
		}
	})
}
