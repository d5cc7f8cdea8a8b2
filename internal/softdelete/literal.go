package softdelete

import (
	"fmt"
	"strconv"

	"gorm.io/gorm/clause"
)

// AliveLiteral is IsAlive with the alive value written into the SQL as a
// constant instead of a bind variable: for DDL, which cannot take bind
// variables (a partial index's WHERE, a generated column's expression), and
// for queries that should match such an index's predicate. table may be ""
// for an unqualified column, as DDL wants.
//
// The constant is NULL, an integer, or the zeroValue tag's time text. A zero
// value holding anything but letters, digits, space and - : . + / is
// refused with an error on the builder rather than quoted.
func (m Marker) AliveLiteral(table string) clause.Expression {
	return aliveLiteral{column: col(table, m.Column), value: m.aliveValue()}
}

type aliveLiteral struct {
	column clause.Column
	value  any
}

// Build writes "column IS NULL", "column = 0" or "column = 'zero value'".
func (a aliveLiteral) Build(b clause.Builder) {
	b.WriteQuoted(a.column)
	switch v := a.value.(type) {
	case nil:
		_, _ = b.WriteString(" IS NULL")
	case int:
		_, _ = b.WriteString(" = " + strconv.Itoa(v))
	case string:
		if !plainText(v) {
			_ = b.AddError(fmt.Errorf("softdelete: column %s: zero value %q cannot be written as an SQL constant", a.column.Name, v))
			return
		}
		_, _ = b.WriteString(" = '" + v + "'")
	default:
		_ = b.AddError(fmt.Errorf("softdelete: column %s: alive value %v (%T) has no SQL constant", a.column.Name, v, v))
	}
}

// plainText reports whether s holds only characters that need no escaping
// inside a single-quoted SQL string on any dialect.
func plainText(s string) bool {
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r == ' ' || r == '-' || r == ':' || r == '.' || r == '+' || r == '/':
		default:
			return false
		}
	}
	return true
}
