package plan

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// Validate checks the plan's own shape (errs.ErrInvalidPlan), before any name in it reaches SQL:
// every name is a valid identifier (see Ident), the root is the first
// table, table names are unique, every table has primary keys, every
// marker has a known kind and unit, every edge and join names tables of
// the plan with as many keys on each side, and every table an edge or join
// names is in the plan. It does not look at the database: CheckLive does.
func (p *Plan) Validate() error {
	if p == nil {
		return fmt.Errorf("%w: no plan", errs.ErrInvalidPlan)
	}
	if len(p.Tables) == 0 || p.Tables[0].Name != p.Root {
		return fmt.Errorf("%w: root %q is not the first table", errs.ErrInvalidPlan, p.Root)
	}
	inTables, known := map[string]bool{}, map[string]bool{}
	for i, ts := range [][]Table{p.Tables, p.Others} {
		for _, t := range ts {
			if err := t.validate(); err != nil {
				return err
			}
			if known[t.Name] {
				return fmt.Errorf("%w: table %q listed twice", errs.ErrInvalidPlan, t.Name)
			}
			known[t.Name], inTables[t.Name] = true, i == 0
		}
	}
	for _, e := range p.Edges {
		if err := e.validate(inTables, "edge"); err != nil {
			return err
		}
	}
	for _, es := range [][]Edge{p.Restricts, p.Incoming} {
		for _, e := range es {
			if err := e.validate(known, "edge"); err != nil {
				return err
			}
		}
	}
	for _, j := range p.Joins {
		if err := j.validate(inTables); err != nil {
			return err
		}
	}
	return nil
}

func (t Table) validate() error {
	if err := Ident(t.Name); err != nil {
		return fmt.Errorf("%w: table name: %w", errs.ErrInvalidPlan, err)
	}
	if len(t.PrimaryKeys) == 0 {
		return fmt.Errorf("%w: table %q has no primary key", errs.ErrInvalidPlan, t.Name)
	}
	if t.IntKey && len(t.PrimaryKeys) != 1 {
		return fmt.Errorf("%w: table %q: an integer key is a single column", errs.ErrInvalidPlan, t.Name)
	}
	if err := columns(t.Name, t.PrimaryKeys); err != nil {
		return err
	}
	if t.Marker != nil {
		if err := validMarker(t.Name, *t.Marker); err != nil {
			return err
		}
	}
	for _, u := range t.Unique {
		if len(u.Columns) == 0 {
			return fmt.Errorf("%w: table %q: unique index %q has no columns", errs.ErrInvalidPlan, t.Name, u.Name)
		}
		if err := columns(t.Name, u.Columns); err != nil {
			return err
		}
	}
	return nil
}

func validMarker(table string, m softdelete.Marker) error {
	kindUnit := func(k softdelete.Kind, u softdelete.Unit) bool {
		switch k {
		case softdelete.Time, softdelete.Flag:
			return u == ""
		case softdelete.Unix:
			return u == softdelete.Second || u == softdelete.Milli || u == softdelete.Nano
		}
		return false
	}
	if !kindUnit(m.Kind, m.Unit) {
		return fmt.Errorf("%w: table %q: unknown soft-delete kind %q (unit %q)", errs.ErrInvalidPlan, table, m.Kind, m.Unit)
	}
	cols := []string{m.Column}
	if m.AtColumn != "" {
		if m.AtKind == softdelete.Flag || !kindUnit(m.AtKind, m.AtUnit) {
			return fmt.Errorf("%w: table %q: unknown deleted-at kind %q (unit %q)", errs.ErrInvalidPlan, table, m.AtKind, m.AtUnit)
		}
		cols = append(cols, m.AtColumn)
	}
	return columns(table, cols)
}

func (e Edge) validate(tables map[string]bool, what string) error {
	for _, name := range []string{e.Parent, e.Child} {
		if !tables[name] {
			return fmt.Errorf("%w: %s %q names table %q, which the plan does not hold", errs.ErrInvalidPlan, what, e.Name, name)
		}
	}
	if len(e.ParentKeys) == 0 || len(e.ParentKeys) != len(e.ChildKeys) {
		return fmt.Errorf("%w: %s %q has %d parent and %d child keys", errs.ErrInvalidPlan, what, e.Name, len(e.ParentKeys), len(e.ChildKeys))
	}
	if err := columns(e.Parent, e.ParentKeys); err != nil {
		return err
	}
	if err := columns(e.Child, e.ChildKeys); err != nil {
		return err
	}
	if e.TypeColumn != "" {
		return columns(e.Child, []string{e.TypeColumn})
	}
	return nil
}

func (j Join) validate(tables map[string]bool) error {
	if err := Ident(j.Table); err != nil {
		return fmt.Errorf("%w: join table name: %w", errs.ErrInvalidPlan, err)
	}
	if !tables[j.Owner] {
		return fmt.Errorf("%w: join table %q names owner %q, which the plan does not hold", errs.ErrInvalidPlan, j.Table, j.Owner)
	}
	if len(j.OwnerKeys) == 0 || len(j.OwnerKeys) != len(j.JoinKeys) {
		return fmt.Errorf("%w: join table %q has %d owner and %d join keys", errs.ErrInvalidPlan, j.Table, len(j.OwnerKeys), len(j.JoinKeys))
	}
	if err := columns(j.Owner, j.OwnerKeys); err != nil {
		return err
	}
	if err := columns(j.Table, j.JoinKeys); err != nil {
		return err
	}
	if j.TypeColumn != "" {
		return columns(j.Table, []string{j.TypeColumn})
	}
	return nil
}

// columns checks column names of table.
func columns(table string, names []string) error {
	for _, c := range names {
		if err := Ident(c); err != nil {
			return fmt.Errorf("%w: table %q: column name: %w", errs.ErrInvalidPlan, table, err)
		}
		if strings.Contains(c, ".") {
			return fmt.Errorf("%w: table %q: column name %q holds a dot", errs.ErrInvalidPlan, table, c)
		}
	}
	return nil
}

// Ident checks a table or column name before it is quoted into SQL: valid
// UTF-8, no control characters (NUL included), at most 64 bytes per part
// of a name "schema.table" with at most one dot and no empty part, and no
// part that begins with a quote character (GORM's quoting treats such a
// part as already quoted).
func Ident(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%q is not valid UTF-8", name)
	}
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return fmt.Errorf("%q has more than one dot (schema.table at most)", name)
	}
	for _, part := range parts {
		switch {
		case part == "":
			return fmt.Errorf("%q has an empty part", name)
		case len(part) > 64:
			return fmt.Errorf("%q is longer than 64 bytes", name)
		case part[0] == '"' || part[0] == '`':
			return fmt.Errorf("%q begins with a quote character", name)
		case strings.IndexFunc(part, unicode.IsControl) >= 0:
			return fmt.Errorf("%q holds a control character", name)
		}
	}
	return nil
}
