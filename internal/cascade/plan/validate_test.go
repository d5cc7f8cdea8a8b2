package plan_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// A stored plan as the delete path writes it: a stamped root, a stamped
// child, a flag (ledger) grandchild, a polymorphic child and a join table.
const validPlan = `{"root":"order","tables":[
 {"name":"order","pk":["id"],"intKey":true,"marker":{"column":"deleted_at","kind":"time","aliveNull":true}},
 {"name":"project list","pk":["id"],"intKey":true,"marker":{"column":"deleted_at","kind":"time","aliveNull":true},"unique":[{"name":"u","columns":["select"]}]},
 {"name":"User","pk":["id"],"intKey":true,"marker":{"column":"is_del","kind":"flag","deleted":1}},
 {"name":"app.notes","pk":["id","lang"],"marker":{"column":"deleted_at","kind":"unix","unit":"ms","atColumn":"at","atKind":"time","atNullable":true}}],
 "edges":[{"parent":"order","child":"project list","parentKeys":["id"],"childKeys":["order_id"],"name":"Order.Lines"},
  {"parent":"project list","child":"User","parentKeys":["id"],"childKeys":["line_id"],"name":"Line.Users"},
  {"parent":"order","child":"app.notes","parentKeys":["id"],"childKeys":["owner_id"],"typeColumn":"owner_type","typeValue":"order","name":"Order.Notes"}],
 "restricts":[{"parent":"order","child":"client","parentKeys":["client_id"],"childKeys":["id"],"name":"Order.Client"}],
 "others":[{"name":"client","pk":["id"],"intKey":true}],
 "incoming":[{"parent":"client","child":"order","parentKeys":["id"],"childKeys":["client_id"],"name":"Client.Orders"}],
 "joins":[{"table":"order tags","owner":"order","ownerKeys":["id"],"joinKeys":["order_id"]}]}`

func TestValidPlan(t *testing.T) {
	var p plan.Plan
	if err := json.Unmarshal([]byte(validPlan), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var nilPlan *plan.Plan
	if err := nilPlan.Validate(); !errors.Is(err, errs.ErrInvalidPlan) {
		t.Fatalf("nil plan: %v", err)
	}
}

// FuzzStoredPlan decodes a stored plan and validates it, as restore and
// purge do before using it: it never panics, a plan it accepts names only
// tables it holds, and every name it accepts is quoted by GORM's
// PostgreSQL and MySQL/SQLite quoting into identifiers that read back as
// the same name (no SQL can escape the quotes).
func FuzzStoredPlan(f *testing.F) {
	f.Add(validPlan)
	for _, tampered := range []string{
		strings.Replace(validPlan, `"name":"project list"`, `"name":"project list\" WHERE 1=1; --"`, 1),
		strings.Replace(validPlan, `"child":"User"`, `"child":"nowhere"`, 1),
		strings.Replace(validPlan, `"kind":"flag"`, `"kind":"bogus"`, 1),
		strings.Replace(validPlan, `"pk":["id"]`, `"pk":[]`, 1),
		strings.Replace(validPlan, `"root":"order"`, `"root":"client"`, 1),
		strings.Replace(validPlan, `"table":"order tags"`, "\"table\":\"`order` tags; DROP TABLE x\"", 1),
		strings.Replace(validPlan, `"name":"order"`, `"name":"\"order\""`, 1),
		strings.Replace(validPlan, `"name":"app.notes"`, `"name":"a.b.c"`, 1),
		strings.Replace(validPlan, `"childKeys":["order_id"]`, `"childKeys":["order_id","x"]`, 1),
		strings.Replace(validPlan, `"column":"is_del"`, `"column":"is_del\u0000"`, 1),
		`{"root":"x","tables":[{"name":"x","pk":["id"],"marker":null}],"edges":null}`,
		`{"root":"x","tables":[{"name":"x","pk":["id"]},{"name":"x","pk":["id"]}]}`,
		`null`, `{}`, `[]`, `{"tables":[{}]}`,
	} {
		f.Add(tampered)
	}
	pg := postgres.New(postgres.Config{})
	my := mysql.New(mysql.Config{})
	f.Fuzz(func(t *testing.T, stored string) {
		var p *plan.Plan
		if json.Unmarshal([]byte(stored), &p) != nil {
			return
		}
		if err := p.Validate(); err != nil {
			if !errors.Is(err, errs.ErrInvalidPlan) {
				t.Fatalf("Validate: %v does not wrap ErrInvalidPlan", err)
			}
			return
		}
		for _, es := range [][]plan.Edge{p.Edges, p.Restricts, p.Incoming} {
			for _, e := range es {
				if _, ok := p.Table(e.Parent); !ok {
					t.Fatalf("accepted edge %q from a table not in the plan", e.Name)
				}
				if _, ok := p.Table(e.Child); !ok {
					t.Fatalf("accepted edge %q to a table not in the plan", e.Name)
				}
			}
		}
		for _, name := range names(p) {
			for _, d := range []struct {
				dialector gorm.Dialector
				quote     byte
			}{{pg, '"'}, {my, '`'}} {
				var b strings.Builder
				d.dialector.QuoteTo(&b, name)
				if got, ok := unquote(b.String(), d.quote); !ok || got != name {
					t.Fatalf("%s quotes %q as %s, which reads back as %q", d.dialector.Name(), name, b.String(), got)
				}
			}
		}
	})
}

// names lists every table and column name of p.
func names(p *plan.Plan) []string {
	var out []string
	for _, ts := range [][]plan.Table{p.Tables, p.Others} {
		for _, t := range ts {
			out = append(append(out, t.Name), t.PrimaryKeys...)
			if t.Marker != nil {
				out = append(out, t.Marker.Column, t.Marker.AtColumn)
			}
			for _, u := range t.Unique {
				out = append(out, u.Columns...)
			}
		}
	}
	for _, es := range [][]plan.Edge{p.Edges, p.Restricts, p.Incoming} {
		for _, e := range es {
			out = append(append(append(out, e.ParentKeys...), e.ChildKeys...), e.TypeColumn)
		}
	}
	for _, j := range p.Joins {
		out = append(append(append(out, j.Table), j.OwnerKeys...), j.JoinKeys...)
	}
	var nonEmpty []string
	for _, n := range out {
		if n != "" {
			nonEmpty = append(nonEmpty, n)
		}
	}
	return nonEmpty
}

// unquote reads a quoted, possibly dotted, identifier: parts in quote
// characters, a doubled quote standing for one, separated by dots. It
// reports false when s is anything else.
func unquote(s string, q byte) (string, bool) {
	var out strings.Builder
	i := 0
	for {
		if i >= len(s) || s[i] != q {
			return out.String(), false
		}
		i++
		for {
			if i >= len(s) {
				return out.String(), false
			}
			if s[i] == q {
				if i+1 < len(s) && s[i+1] == q {
					out.WriteByte(q)
					i += 2
					continue
				}
				i++
				break
			}
			out.WriteByte(s[i])
			i++
		}
		if i == len(s) {
			return out.String(), true
		}
		if s[i] != '.' {
			return out.String(), false
		}
		out.WriteByte('.')
		i++
	}
}
