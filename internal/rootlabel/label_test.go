package rootlabel

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/errs"
)

type twoTags struct {
	ID   uint
	A, B string `softcascade:"label"`
}

type notColumn struct {
	ID   uint
	Name string `gorm:"-" softcascade:"label"`
}

type combined struct {
	ID    uint
	Slug  string `softcascade:"unique,label"`
	Title string
}

type titled struct {
	ID    uint
	Name  int // not a string: skipped
	Title string
}

func parse(t *testing.T, v any) *schema.Schema {
	t.Helper()
	s, err := schema.Parse(v, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOf(t *testing.T) {
	for _, v := range []any{&twoTags{}, &notColumn{}} {
		if _, err := Of(parse(t, v)); !errors.Is(err, errs.ErrInvalidValue) {
			t.Errorf("%T: %v, want ErrInvalidValue", v, err)
		}
	}
	src, err := Of(parse(t, &combined{}))
	if err != nil || src.Field == nil || src.Field.Name != "Slug" {
		t.Errorf("unique,label: %+v, %v", src, err)
	}
	if got := src.Label(reflect.ValueOf(&combined{Slug: "acme"})); got != "acme" {
		t.Errorf("label %q", got)
	}
	src, err = Of(parse(t, &titled{}))
	if err != nil || src.Field == nil || src.Field.Name != "Title" {
		t.Errorf("Title after a non-string Name: %+v, %v", src, err)
	}
}

func TestKey(t *testing.T) {
	u := uuid.MustParse("0190f5a4-8c1e-7d3a-9b2f-4e5d6c7b8a90")
	cases := []struct {
		key  []any
		want string
	}{
		{[]any{uint(42)}, "42"},
		{[]any{int64(-3)}, "-3"},
		{[]any{"inv-7"}, "inv-7"},
		{[]any{[]byte("b")}, "b"},
		{[]any{u}, u.String()},
		{[]any{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}, "2026-01-02T02:04:05Z"},
		{[]any{"eu", 3}, `["eu",3]`},
		{[]any{`a"b`, `<&>`}, `["a\"b","\u003c\u0026\u003e"]`},
		{[]any{"a\x00\xff"}, "a\uFFFD\uFFFD"},
		{[]any{strings.Repeat("k", 300)}, strings.Repeat("k", 199) + "…"},
	}
	for _, c := range cases {
		if got := Key(c.key); got != c.want {
			t.Errorf("Key(%v) = %q, want %q", c.key, got, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	cases := []struct {
		keys, labels []string
		roots        int64
		want         string
	}{
		{nil, nil, 1, "projects · 1 row"},
		{nil, nil, 3, "projects · 3 rows"},
		{[]string{"42"}, []string{"Website relaunch"}, 1, "projects #42 · Website relaunch"},
		{[]string{"42"}, []string{""}, 1, "projects #42"},
		{[]string{"42", "43"}, nil, 50, "projects #42 and 49 more"},
		{[]string{"42"}, []string{strings.Repeat("x", 50)}, 1, "projects #42 · " + strings.Repeat("x", 19) + "…"},
	}
	for _, c := range cases {
		if got := Summary("projects", c.keys, c.labels, c.roots, 20); got != c.want {
			t.Errorf("Summary(%v, %v, %d) = %q, want %q", c.keys, c.labels, c.roots, got, c.want)
		}
	}
}
