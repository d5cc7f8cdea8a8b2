package softdelete

import (
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm/clause"
)

// builder is a clause.Builder that quotes with backticks and records vars
// and errors.
type builder struct {
	strings.Builder
	vars []any
	err  error
}

func (b *builder) WriteQuoted(v any) {
	if c, ok := v.(clause.Column); ok {
		if c.Table != "" {
			fmt.Fprintf(b, "`%s`.", c.Table)
		}
		v = c.Name
	}
	fmt.Fprintf(b, "`%v`", v)
}
func (b *builder) AddVar(_ clause.Writer, vs ...any) { b.vars = append(b.vars, vs...) }
func (b *builder) AddError(err error) error          { b.err = err; return err }

func TestAliveLiteral(t *testing.T) {
	for _, c := range []struct {
		m    Marker
		want string
	}{
		{Marker{Column: "deleted_at", Kind: Time, AliveNull: true}, "`t`.`deleted_at` IS NULL"},
		{Marker{Column: "deleted_at", Kind: Time, ZeroValue: "1970-01-01 00:00:00"}, "`t`.`deleted_at` = '1970-01-01 00:00:00'"},
		{Marker{Column: "deleted_at", Kind: Unix, Unit: Second}, "`t`.`deleted_at` = 0"},
		{Marker{Column: "is_del", Kind: Flag, Deleted: 1, AtColumn: "deleted_at", AtKind: Time}, "`t`.`is_del` = 0"},
	} {
		var b builder
		c.m.AliveLiteral("t").Build(&b)
		if b.String() != c.want || b.vars != nil || b.err != nil {
			t.Errorf("%+v: %q vars %v err %v, want %q", c.m, b.String(), b.vars, b.err, c.want)
		}
	}
	var b builder
	Marker{Column: "deleted_at", Kind: Time, ZeroValue: "1970' OR '1'='1"}.AliveLiteral("").Build(&b)
	if b.err == nil {
		t.Errorf("unsafe zero value written: %s", b.String())
	}
}
