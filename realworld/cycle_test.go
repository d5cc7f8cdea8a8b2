package realworld_test

import (
	"testing"

	"gorm.io/gorm"
)

// Self-referencing cycles inside one deletion (ann's boss is bob, bob's
// boss is ann; eve is her own boss), behind every kind of foreign key:
// none, ON DELETE CASCADE (TestShapes' "cycle"), RESTRICT and NO ACTION.
// No row of a cycle is a leaf, yet Purge must take them all, and keep
// those a live row still references.

// Officer: a cycle behind an ON DELETE RESTRICT foreign key (MySQL and
// SQLite check it row by row, within the statement).
type Officer struct {
	ID        uint
	Name      string
	BossID    *uint
	Reports   []Officer `gorm:"foreignKey:BossID;constraint:OnDelete:RESTRICT" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// Clerk: a cycle behind an ON DELETE NO ACTION foreign key (PostgreSQL
// and SQLite check it at the end of the statement, MySQL row by row).
type Clerk struct {
	ID        uint
	Name      string
	BossID    *uint
	Reports   []Clerk `gorm:"foreignKey:BossID;constraint:OnDelete:NO ACTION" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// Desk is not soft-deletable and belongs to an officer: a live desk keeps
// its officer, and so the officer's whole cycle.
type Desk struct {
	ID        uint
	OfficerID uint
	Officer   Officer
}

// seedCycles seeds, for each pair, a root a whose boss is b, b whose boss
// is a, and b's aide (a leaf); for each loop, a root that is her own boss,
// with an aide. mk makes a row (and returns its ID's address).
func seedCycles[T any](pairs [][2]string, loops []string, mk func(name string, boss *uint) (*T, *uint)) func(*testing.T, *gorm.DB, *seeder) {
	return func(t *testing.T, db *gorm.DB, s *seeder) {
		setBoss := func(row *T, boss uint) {
			if err := db.Model(row).Update("boss_id", boss).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, pair := range pairs {
			a, aID := mk(pair[0], nil)
			s.root(pair[0], a, func() {
				create(t, db, a)
				b, bID := mk(pair[1], aID)
				create(t, db, b)
				aide, _ := mk(pair[1]+"'s aide", bID)
				create(t, db, aide)
				setBoss(a, *bID)
			})
		}
		for _, name := range loops {
			a, aID := mk(name, nil)
			s.root(name, a, func() {
				create(t, db, a)
				setBoss(a, *aID)
				aide, _ := mk(name+"'s aide", aID)
				create(t, db, aide)
			})
		}
	}
}

func newAgent(name string, boss *uint) (*Agent, *uint) {
	a := &Agent{Name: name, BossID: boss}
	return a, &a.ID
}

func newOfficer(name string, boss *uint) (*Officer, *uint) {
	o := &Officer{Name: name, BossID: boss}
	return o, &o.ID
}

func newClerk(name string, boss *uint) (*Clerk, *uint) {
	c := &Clerk{Name: name, BossID: boss}
	return c, &c.ID
}

var cyclePairs = [][2]string{{"ann", "bob"}, {"cat", "dan"}}

func TestCycles(t *testing.T) {
	three := func(bool) map[string]int { return map[string]int{"agents": 3} }
	runSets(t,
		set{
			name:          "no foreign key",
			models:        []any{&Agent{}},
			noForeignKeys: true,
			seed:          seedCycles(cyclePairs, nil, newAgent),
			trashed:       three,
		},
		set{
			name:    "ON DELETE RESTRICT",
			models:  []any{&Officer{}},
			seed:    seedCycles(cyclePairs, nil, newOfficer),
			trashed: func(bool) map[string]int { return map[string]int{"officers": 3} },
		},
		set{
			name:    "ON DELETE NO ACTION",
			models:  []any{&Clerk{}},
			seed:    seedCycles(cyclePairs, nil, newClerk),
			trashed: func(bool) map[string]int { return map[string]int{"clerks": 3} },
		},
		set{
			name:    "own boss, ON DELETE RESTRICT",
			models:  []any{&Officer{}},
			seed:    seedCycles(nil, []string{"eve", "fay"}, newOfficer),
			trashed: func(bool) map[string]int { return map[string]int{"officers": 2} },
		},
		set{
			name:    "own boss, ON DELETE CASCADE",
			models:  []any{&Agent{}},
			seed:    seedCycles(nil, []string{"eve", "fay"}, newAgent),
			trashed: func(bool) map[string]int { return map[string]int{"agents": 2} },
		},
		set{
			name:   "held by a live desk",
			models: []any{&Officer{}, &Desk{}},
			seed: func(t *testing.T, db *gorm.DB, s *seeder) {
				seedCycles(cyclePairs, nil, newOfficer)(t, db, s)
				// ann's desk stays live: it keeps ann, and so bob, whose
				// report ann is; bob's aide goes.
				s.link(0, func() { create(t, db, &Desk{OfficerID: 1}) })
			},
			trashed: func(bool) map[string]int { return map[string]int{"officers": 3} },
			held:    func(bool) map[string]int { return map[string]int{"officers": 2} },
		},
		set{
			name:          "held by a live desk, no foreign key",
			models:        []any{&Officer{}, &Desk{}},
			noForeignKeys: true,
			seed: func(t *testing.T, db *gorm.DB, s *seeder) {
				seedCycles(cyclePairs, nil, newOfficer)(t, db, s)
				s.link(0, func() { create(t, db, &Desk{OfficerID: 1}) })
			},
			trashed: func(bool) map[string]int { return map[string]int{"officers": 3} },
			held:    func(bool) map[string]int { return map[string]int{"officers": 2} },
		},
	)
}
