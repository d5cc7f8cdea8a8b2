package softcascade_test

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A property test: a seeded random walk (deterministic per seed) over
// random trees of the seed's models and of every soft-delete kind, made of
// creates, deletes (by key, by condition, of subtrees, restricted),
// restores (of rows, of whole deletions) and purges (the clock moved past
// the retention of a random deletion). After every step:
//
//   - no live row has a soft-deleted cascading parent;
//   - the log agrees with the rows (checkLog), and nothing of a purged
//     deletion is left;
//   - a step that failed changed nothing;
//   - a delete, restore or purge changed no row of a tree it did not
//     touch (checkOtherRoots); a purge removed no live row (checkPurge);
//   - deletes, restores and purges run as the operator (no tenant) or as
//     one of two tenants; a tenant changes, sees and restores nothing of
//     another tenant's deletions or the operator's (checkOthers, and the
//     "probe another tenant" step);
//
// after every purge, that it removed no live row and changed no row, and
// that its report, the rows gone and the log agree (see (*walk).purge);
// and every few steps, inside a transaction that is rolled back,
// restoring every deletion still in the trash, newest first, gives back
// the database's content with every row ever created live, byte for byte
// (see undoAll for what purge takes out of that content).
//
// SOFTCASCADE_WALK_STEPS and SOFTCASCADE_WALK_SEEDS (comma-separated)
// make it longer; -short shorter.

// walkKind is one model of the walk.
type walkKind struct {
	table string
	proto any // pointer to a zero value
}

var walkKinds = []walkKind{
	{"clients", &modelstest.Client{}}, {"users", &modelstest.User{}},
	{"projects", &modelstest.Project{}}, {"tasks", &modelstest.Task{}}, {"comments", &modelstest.Comment{}},
	{"reactions", &modelstest.Reaction{}}, {"attachments", &modelstest.Attachment{}},
	{"documents", &modelstest.Document{}}, {"document_versions", &modelstest.DocumentVersion{}},
	{"folders", &modelstest.Folder{}}, {"notes", &modelstest.Note{}}, {"pages", &modelstest.Page{}},
	{"lines", &modelstest.Line{}}, {"marks", &modelstest.Mark{}}, {"stamps", &modelstest.Stamp{}},
}

func (k walkKind) typ() reflect.Type { return reflect.TypeOf(k.proto).Elem() }

// one is a pointer to a value of the kind with primary key id.
func (k walkKind) one(id uint) any {
	v := reflect.New(k.typ())
	v.Elem().FieldByName("ID").SetUint(uint64(id))
	return v.Interface()
}

// many is a pointer to a slice of values with the given keys.
func (k walkKind) many(ids []uint) any {
	s := reflect.MakeSlice(reflect.SliceOf(k.typ()), len(ids), len(ids))
	for i, id := range ids {
		s.Index(i).FieldByName("ID").SetUint(uint64(id))
	}
	p := reflect.New(s.Type())
	p.Elem().Set(s)
	return p.Interface()
}

func (k walkKind) model() any { return reflect.New(k.typ()).Interface() }

type walk struct {
	t     *testing.T
	db    *gorm.DB
	seed  uint64
	rng   *rand.Rand
	es    edgeSet
	now   time.Time
	trail []string
	// expected is every row ever created, live: table -> key -> dump line.
	expected map[string]map[string]string
	verified map[string]bool // deletions checked restored for good
	// purged counts the purge steps, the rows they removed, the
	// deletions they finished, and the times one was held.
	purged struct{ steps, rows, deletions, held int }
}

// step is one kind of move; run returns a description, and whether the
// database may have changed.
type step struct {
	name   string
	weight int
	run    func(w *walk) string
}

// steps is the walk's menu, in one place.
var steps = []step{
	{"create project", 1, (*walk).createProject},
	{"create folder tree", 1, (*walk).createFolder},
	{"create child", 5, (*walk).createChild},
	{"create under a deleted parent", 1, (*walk).createUnderDeleted},
	{"delete by key", 4, (*walk).deleteByKey},
	{"delete by condition", 2, (*walk).deleteByCondition},
	{"delete slice", 1, (*walk).deleteSlice},
	{"restore rows", 3, (*walk).restoreRows},
	{"restore deletion", 3, (*walk).restoreDeletion},
	{"purge", 1, (*walk).purge},
	{"probe another tenant", 1, (*walk).probeTenant},
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestRandomWalk(t *testing.T) {
	t.Parallel()
	seeds := []uint64{1, 2, 3}
	if s := os.Getenv("SOFTCASCADE_WALK_SEEDS"); s != "" {
		seeds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("SOFTCASCADE_WALK_SEEDS: %v", err)
			}
			seeds = append(seeds, n)
		}
	}
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		n := envInt("SOFTCASCADE_WALK_STEPS", 300)
		runSeeds := seeds
		if !d.IsSQLite() {
			n = max(n/3, 20)
			if os.Getenv("SOFTCASCADE_WALK_SEEDS") == "" {
				runSeeds = seeds[:1]
			}
		}
		if testing.Short() {
			n = max(n/5, 10)
		}
		for _, seed := range runSeeds {
			t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { runWalk(t, d, seed, n) })
		}
	})
}

// The same seed makes the same walk.
func TestRandomWalkIsDeterministic(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		if !d.IsSQLite() {
			t.Skip("once is enough")
		}
		a, b := runWalk(t, d, 7, 60), runWalk(t, d, 7, 60)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("two walks of seed 7 differ:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	})
}

// runWalk walks n steps from seed and returns what each step did.
func runWalk(t *testing.T, d modelstest.Dialect, seed uint64, n int) []string {
	w := &walk{t: t, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed)), now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
		expected: map[string]map[string]string{}, verified: map[string]bool{}}
	w.db = open(t, d, &gorm.Config{NowFunc: func() time.Time { return w.now }}, softcascade.GuardChildren())
	w.es = seedEdges(t, w.db)
	for i := 0; i < 2; i++ {
		w.createProject()
	}
	w.createFolder()
	total := 0
	for _, s := range steps {
		total += s.weight
	}
	for i := 1; i <= n; i++ {
		w.now = w.now.Add(time.Duration(w.rng.IntN(3)) * time.Millisecond) // 0: clashing stamps
		r := w.rng.IntN(total)
		var s step
		for _, s = range steps {
			if r < s.weight {
				break
			}
			r -= s.weight
		}
		what := s.run(w)
		w.trail = append(w.trail, fmt.Sprintf("%d %s: %s", i, s.name, what))
		w.check(i)
		if i%25 == 0 || i == n {
			w.undoAll(i)
		}
	}
	t.Logf("seed %d: %d steps, %d deletions; %d purges removed %d rows and finished %d deletions, %d held",
		seed, n, len(deletions(t, w.db)), w.purged.steps, w.purged.rows, w.purged.deletions, w.purged.held)
	return w.trail
}

// fail reports the seed and the last steps.
func (w *walk) fail(format string, args ...any) {
	w.t.Helper()
	from := max(0, len(w.trail)-15)
	w.t.Fatalf("seed %d: %s\nlast steps:\n  %s", w.seed, fmt.Sprintf(format, args...), strings.Join(w.trail[from:], "\n  "))
}

// check runs the invariants after step i.
func (w *walk) check(i int) {
	w.t.Helper()
	checkNoOrphans(w.t, w.db, w.es)
	checkLogCached(w.t, w.db, w.verified)
	if w.t.Failed() {
		w.fail("invariant broken after step %d", i)
	}
}

// undoAll restores every deletion still in the trash, newest first, in a
// transaction it rolls back, and compares the content with w.expected.
//
// Purge takes two things out of "every row ever created, live": the rows
// it removed are gone for good (the purge step drops them from
// w.expected), and a deletion whose purge began but could not finish
// (held: a restricting child is still there) cannot be restored, so its
// rows stay in the trash exactly as that purge left them (the purge step
// records those lines in w.expected). Every other row must come back
// byte for byte, as before.
func (w *walk) undoAll(i int) {
	w.t.Helper()
	errRollback := errors.New("rollback")
	var diff string
	err := w.db.Transaction(func(tx *gorm.DB) error {
		var ds []softcascade.Deletion
		if err := tx.Where("restored_at IS NULL AND purged_at IS NULL AND purge_started_at IS NULL").Order("stamp DESC").Find(&ds).Error; err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := softcascade.RestoreDeletion(tx, d.ID); err != nil {
				return fmt.Errorf("restore deletion %s of %s (%v): %w", d.ID, d.Table, d.Tables, err)
			}
		}
		diff = w.diffExpected(tx)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		w.fail("after step %d, undoing every deletion: %v", i, err)
	}
	if diff != "" {
		w.fail("after step %d, undoing every deletion does not give back the content:\n%s", i, diff)
	}
}

// rowKey is a row's key in a dump line: its id, or the whole line (join
// tables).
func rowKey(line string) string {
	if rest, ok := strings.CutPrefix(line, "id="); ok {
		return strings.SplitN(rest, " ", 2)[0]
	}
	return line
}

// learnCreated adds the rows that are not in w.expected yet.
func (w *walk) learnCreated() {
	for table, lines := range dumpDB(w.t, w.db, false) {
		m := w.expected[table]
		if m == nil {
			m = map[string]string{}
			w.expected[table] = m
		}
		for _, l := range lines {
			if _, ok := m[rowKey(l)]; !ok {
				m[rowKey(l)] = l
			}
		}
	}
}

func (w *walk) diffExpected(tx *gorm.DB) string {
	want := map[string][]string{}
	for table, m := range w.expected {
		for _, l := range m {
			want[table] = append(want[table], l)
		}
		slices.Sort(want[table])
	}
	return sameDump(want, dumpDB(w.t, tx, false))
}

// ids returns the primary keys of a kind's rows: live, trashed or all.
func (w *walk) ids(k walkKind, which string) []uint {
	var ids []uint
	q := w.db.Model(k.model())
	switch which {
	case "trashed":
		q = w.db.Scopes(softcascade.Trashed).Model(k.model())
	case "all":
		q = w.db.Unscoped().Model(k.model())
	}
	if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
		w.fail("ids of %s: %v", k.table, err)
	}
	return ids
}

func (w *walk) pick(ids []uint) uint { return ids[w.rng.IntN(len(ids))] }

func (w *walk) pickN(ids []uint, n int) []uint {
	var out []uint
	for _, i := range w.rng.Perm(len(ids))[:min(n, len(ids))] {
		out = append(out, ids[i])
	}
	return out
}

func (w *walk) kind(table string) walkKind {
	for _, k := range walkKinds {
		if k.table == table {
			return k
		}
	}
	panic(table)
}

// --- creates ---

func (w *walk) createProject() string {
	r := w.rng.IntN
	shape := modelstest.Shape{Tasks: r(3), SubtaskDepth: r(3), CommentsPerTask: r(3), ReactionsPerComment: r(2),
		AttachmentsPerTask: r(2), AttachmentsPerCmt: r(2), TimeEntriesPerTask: r(2), Documents: r(3), VersionsPerDocument: r(3), Members: r(3)}
	p, err := modelstest.CreateProject(w.db, fmt.Sprint("p", w.rng.IntN(1000)), shape)
	if err != nil {
		w.fail("create project: %v", err)
	}
	if w.rng.IntN(2) == 0 {
		c := modelstest.Client{Name: "c"}
		if err := w.db.Create(&c).Error; err != nil {
			w.fail("create client: %v", err)
		}
		if err := w.db.Model(&p).Update("client_id", c.ID).Error; err != nil {
			w.fail("set client: %v", err)
		}
	}
	w.learnCreated()
	return fmt.Sprintf("project %d %+v", p.ID, shape)
}

func (w *walk) createFolder() string {
	f := modelstest.Folder{Name: "f"}
	for i := w.rng.IntN(3); i > 0; i-- {
		n := modelstest.Note{}
		for j := w.rng.IntN(3); j > 0; j-- {
			pg := modelstest.Page{}
			for k := w.rng.IntN(3); k > 0; k-- {
				pg.Lines = append(pg.Lines, modelstest.Line{Marks: make([]modelstest.Mark, w.rng.IntN(2)), Stamps: make([]modelstest.Stamp, w.rng.IntN(2))})
			}
			n.Pages = append(n.Pages, pg)
		}
		f.Notes = append(f.Notes, n)
	}
	if err := w.db.Create(&f).Error; err != nil {
		w.fail("create folder: %v", err)
	}
	w.learnCreated()
	return fmt.Sprint("folder ", f.ID)
}

// child returns a new row of child under parent id, or nil.
func (w *walk) child(parentTable, childTable string, id uint) any {
	switch parentTable + ">" + childTable {
	case "projects>tasks":
		return &modelstest.Task{ProjectID: id, Title: "t"}
	case "tasks>tasks":
		var parent modelstest.Task
		w.db.Unscoped().First(&parent, id)
		return &modelstest.Task{ProjectID: parent.ProjectID, ParentID: &id, Title: "sub"}
	case "tasks>comments":
		return &modelstest.Comment{TaskID: id, Body: "c"}
	case "comments>reactions":
		return &modelstest.Reaction{CommentID: id, Emoji: "+1"}
	case "tasks>attachments":
		return &modelstest.Attachment{OwnerID: id, OwnerType: "tasks", Name: "a"}
	case "comments>attachments":
		return &modelstest.Attachment{OwnerID: id, OwnerType: "comments", Name: "a"}
	case "tasks>time_entries":
		return &modelstest.TimeEntry{TaskID: id, Minutes: 5}
	case "projects>documents":
		return &modelstest.Document{ProjectID: id, Title: "d"}
	case "documents>document_versions":
		return &modelstest.DocumentVersion{DocumentID: id, Number: 1}
	case "folders>notes":
		return &modelstest.Note{FolderID: id}
	case "notes>pages":
		return &modelstest.Page{NoteID: id}
	case "pages>lines":
		return &modelstest.Line{PageID: id}
	case "lines>marks":
		return &modelstest.Mark{LineID: id}
	case "lines>stamps":
		return &modelstest.Stamp{LineID: id}
	}
	return nil
}

func (w *walk) createChild() string {
	e := w.es.edges[w.rng.IntN(len(w.es.edges))]
	parents := w.ids(w.kind(e.Parent), "live")
	if len(parents) == 0 {
		return "no live " + e.Parent
	}
	id := w.pick(parents)
	row := w.child(e.Parent, e.Child, id)
	if err := w.db.Create(row).Error; err != nil {
		w.fail("create %s under live %s %d: %v", e.Child, e.Parent, id, err)
	}
	w.learnCreated()
	return fmt.Sprintf("%s under %s %d", e.Child, e.Parent, id)
}

func (w *walk) createUnderDeleted() string {
	e := w.es.edges[w.rng.IntN(len(w.es.edges))]
	parents := w.ids(w.kind(e.Parent), "trashed")
	if len(parents) == 0 {
		return "no trashed " + e.Parent
	}
	id := w.pick(parents)
	before := dumpDB(w.t, w.db, true)
	err := w.db.Create(w.child(e.Parent, e.Child, id)).Error
	if !errors.Is(err, softcascade.ErrParentDeleted) {
		w.fail("create %s under trashed %s %d: %v, want ErrParentDeleted", e.Child, e.Parent, id, err)
	}
	w.unchanged("a refused create", before)
	return fmt.Sprintf("%s under trashed %s %d: refused", e.Child, e.Parent, id)
}

func (w *walk) unchanged(what string, before map[string][]string) {
	w.t.Helper()
	if diff := sameDump(before, dumpDB(w.t, w.db, true)); diff != "" {
		w.fail("%s changed the database:\n%s", what, diff)
	}
}

// --- deletes ---

// deletable are the kinds the walk deletes (not the seeds' time entries,
// which are not soft-deletable).
func (w *walk) randomKind() walkKind { return walkKinds[w.rng.IntN(len(walkKinds))] }

// runDelete deletes the rows ids of k with del, and checks the outcome
// against the live rows among them.
//
// One delete in four runs inside a transaction of the walk's own, which
// it commits whatever the delete returned.
func (w *walk) runDelete(k walkKind, ids []uint, how string, del func(db *gorm.DB) *gorm.DB) string {
	live := map[uint]bool{}
	for _, id := range w.ids(k, "live") {
		live[id] = true
	}
	var n int64
	for _, id := range ids {
		if live[id] {
			n++
		}
	}
	restricted := false
	if k.table == "clients" {
		var projects int64
		w.db.Model(&modelstest.Project{}).Where("client_id IN ?", ids).Count(&projects)
		restricted = n > 0 && projects > 0
	}
	before := dumpDB(w.t, w.db, true)
	logBefore := len(deletions(w.t, w.db))
	tenant := w.tenant()
	how += tenantNote(tenant)
	var res *gorm.DB
	if w.rng.IntN(4) == 0 {
		how += " in a transaction"
		must(w.t, w.db.Transaction(func(tx *gorm.DB) error {
			res = del(as(tenant, tx))
			return nil
		}))
	} else {
		res = del(as(tenant, w.db))
	}
	w.otherRoots("delete "+k.table, before, k.table, ids)
	switch {
	case restricted:
		if !errors.Is(res.Error, softcascade.ErrRestricted) {
			w.fail("delete %s %v (%s) with live projects: %v, want ErrRestricted", k.table, ids, how, res.Error)
		}
		w.unchanged("a restricted delete", before)
		return fmt.Sprintf("%s %v %s: restricted", k.table, ids, how)
	case res.Error != nil:
		w.fail("delete %s %v (%s): %v", k.table, ids, how, res.Error)
	case res.RowsAffected != n:
		w.fail("delete %s %v (%s): RowsAffected %d, %d of them live", k.table, ids, how, res.RowsAffected, n)
	}
	ds := deletions(w.t, w.db)
	switch {
	case n == 0 && len(ds) != logBefore:
		w.fail("delete of nothing recorded a deletion")
	case n == 0:
		w.unchanged("a delete of nothing", before)
	case len(ds) != logBefore+1:
		w.fail("delete of %d rows recorded %d deletions", n, len(ds)-logBefore)
	case ds[len(ds)-1].Roots != n:
		w.fail("deletion roots %d, want %d", ds[len(ds)-1].Roots, n)
	case ds[len(ds)-1].Tenant != tenant:
		w.fail("deletion tenant %q, want %q", ds[len(ds)-1].Tenant, tenant)
	}
	return fmt.Sprintf("%s %v %s: %d rows", k.table, ids, how, n)
}

func (w *walk) deleteByKey() string {
	k := w.randomKind()
	all := w.ids(k, "all")
	if len(all) == 0 {
		return "no " + k.table
	}
	id := w.pick(all)
	return w.runDelete(k, []uint{id}, "by key", func(db *gorm.DB) *gorm.DB { return db.Delete(k.one(id)) })
}

func (w *walk) deleteByCondition() string {
	k := w.randomKind()
	all := w.ids(k, "all")
	if len(all) == 0 {
		return "no " + k.table
	}
	ids := w.pickN(all, 1+w.rng.IntN(3))
	return w.runDelete(k, ids, "by condition", func(db *gorm.DB) *gorm.DB { return db.Where("id IN ?", ids).Delete(k.model()) })
}

func (w *walk) deleteSlice() string {
	k := w.randomKind()
	all := w.ids(k, "all")
	if len(all) == 0 {
		return "no " + k.table
	}
	ids := w.pickN(all, 1+w.rng.IntN(3))
	return w.runDelete(k, ids, "slice", func(db *gorm.DB) *gorm.DB { return db.Delete(k.many(ids)) })
}

// --- restores ---

// restoreOutcome accepts a restore's refusal (and checks it changed
// nothing) or its success.
func (w *walk) restoreOutcome(what string, before map[string][]string, err error, allowed ...error) string {
	if err == nil {
		return what + ": restored"
	}
	for _, a := range allowed {
		if errors.Is(err, a) {
			w.unchanged("a refused restore", before)
			return fmt.Sprintf("%s: refused (%v)", what, a)
		}
	}
	w.fail("%s: %v", what, err)
	return ""
}

func (w *walk) restoreRows() string {
	k := w.randomKind()
	trashed := w.ids(k, "trashed")
	if len(trashed) == 0 {
		return "no trashed " + k.table
	}
	ids := w.pickN(trashed, 1+w.rng.IntN(2))
	before := dumpDB(w.t, w.db, true)
	value := k.one(ids[0])
	if len(ids) > 1 {
		value = k.many(ids)
	}
	tenant := w.tenant()
	others := w.othersOf(tenant)
	rep, err := softcascade.Restore(as(tenant, w.db), value)
	allowed := []error{softcascade.ErrParentDeleted}
	if w.held() > 0 || tenant != "" { // the rows may be a held deletion's, or not the tenant's
		allowed = append(allowed, gorm.ErrRecordNotFound)
	}
	w.checkOthers(tenant, before, others)
	w.otherRoots("restore "+k.table, before, k.table, ids)
	out := w.restoreOutcome(fmt.Sprintf("%s %v%s", k.table, ids, tenantNote(tenant)), before, err, allowed...)
	if err == nil {
		if rep.Tables[k.table] < int64(len(ids)) {
			w.fail("restore %s %v: report %v", k.table, ids, rep.Tables)
		}
		live := map[uint]bool{}
		for _, id := range w.ids(k, "live") {
			live[id] = true
		}
		for _, id := range ids {
			if !live[id] {
				w.fail("restore %s %v: %d still in the trash", k.table, ids, id)
			}
		}
	}
	return out
}

func (w *walk) restoreDeletion() string {
	ds := deletions(w.t, w.db)
	if len(ds) == 0 {
		return "no deletions"
	}
	d := ds[w.rng.IntN(len(ds))]
	before := dumpDB(w.t, w.db, true)
	tenant := w.tenant()
	others := w.othersOf(tenant)
	var touched map[string]bool
	if d.PurgedAt == nil {
		touched = w.rootsOfMembers(before, []softcascade.Deletion{d})
	}
	_, err := softcascade.RestoreDeletion(as(tenant, w.db), d.ID)
	w.checkOthers(tenant, before, others)
	checkOtherRoots(w.t, "restore deletion", before, dumpDB(w.t, w.db, true), touched)
	what := fmt.Sprintf("deletion of %s (%d rows, tenant %q)%s", d.Table, d.Rows, d.Tenant, tenantNote(tenant))
	if tenant != "" && d.Tenant != tenant {
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			w.fail("restore deletion %s of tenant %q as %q: %v, want gorm.ErrRecordNotFound", d.ID, d.Tenant, tenant, err)
		}
		w.unchanged("another tenant's restore", before)
		return what + ": not found"
	}
	if err != nil && errors.Is(err, softcascade.ErrNotDeleted) && d.RestoredAt == nil {
		w.fail("restore deletion %s: ErrNotDeleted but not marked restored", d.ID)
	}
	if d.PurgedAt != nil || d.PurgeStartedAt != nil {
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			w.fail("restore deletion %s, purged or being purged: %v, want gorm.ErrRecordNotFound", d.ID, err)
		}
		w.unchanged("a refused restore", before)
		return what + ": refused (purged)"
	}
	return w.restoreOutcome(what, before, err, softcascade.ErrParentDeleted, softcascade.ErrNotDeleted)
}

// checkLogCached is checkLog, skipping deletions already seen restored
// for good (nothing can bring their stamp back).
func checkLogCached(t testing.TB, db *gorm.DB, verified map[string]bool) {
	t.Helper()
	var restored []string
	db.Model(&softcascade.Deletion{}).Where("restored_at IS NOT NULL").Pluck("id", &restored)
	skip := map[string]bool{}
	for _, id := range restored {
		if verified[id] {
			skip[id] = true
		}
	}
	checkLogSkipping(t, db, skip)
	if !t.Failed() {
		for _, id := range restored {
			verified[id] = true
		}
	}
}

// --- purge ---

// held counts the deletions whose purge began and has not finished.
func (w *walk) held() int64 {
	var n int64
	if err := w.db.Model(&softcascade.Deletion{}).Where("purge_started_at IS NOT NULL AND purged_at IS NULL").Count(&n).Error; err != nil {
		w.fail("count held deletions: %v", err)
	}
	return n
}

// trashOf counts, per table, the rows each deletion has in the trash.
func (w *walk) trashOf(ds []softcascade.Deletion) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, d := range ds {
		out[d.ID] = map[string]int64{}
		mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
		for _, tb := range d.Plan.Tables {
			if tb.Marker != nil {
				if n := memberCount(w.t, w.db, tb, mark); n > 0 {
					out[d.ID][tb.Name] = n
				}
			}
		}
	}
	return out
}

// purge moves the clock past the retention of a random deletion still in
// the log and purges, sometimes with an explicit Before, small batches or
// a dry run first. It checks that the purge removed no live row and
// changed no row (checkPurge); that its report counts exactly the rows
// gone; that the rows gone from soft-deletable tables are exactly what the
// expired deletions had in the trash, less what is held; that the
// deletions it finished have nothing left and the ones it could not
// finish are reported; and that a dry run changed nothing and counted
// what the real run removed plus what it had to keep.
func (w *walk) purge() string {
	var ds []softcascade.Deletion
	if err := w.db.Where("purged_at IS NULL").Order("stamp").Find(&ds).Error; err != nil {
		w.fail("read log: %v", err)
	}
	if len(ds) == 0 {
		return "no deletions"
	}
	// One of the older half, so that the trash keeps deletions for
	// undoAll to restore.
	d := ds[w.rng.IntN((len(ds)+1)/2)]
	cutoff := d.DeletedAt.Add(time.Millisecond) // d and every older deletion expire
	if due := cutoff.Add(softcascade.DefaultRetention); w.now.Before(due) {
		w.now = due
	}
	var opts softcascade.PurgeOptions
	how := "retention"
	tenant := ""
	if w.rng.IntN(3) == 0 {
		tenant = w.tenant()
		how += tenantNote(tenant)
	}
	pdb := as(tenant, w.db)
	if w.rng.IntN(3) == 0 {
		opts.Before, opts.OverrideRetention, how = cutoff, true, "Before, overriding the stored retention"
	} else {
		cutoff = w.now.Add(-softcascade.DefaultRetention)
	}
	if w.rng.IntN(2) == 0 {
		opts.BatchSize = 1 + w.rng.IntN(4)
	}
	var expired []softcascade.Deletion
	for _, x := range ds {
		// A stored purge-after is due at now itself; an override's Before is strict.
		due := x.Stamp < cutoff.UnixMilli() || (!opts.OverrideRetention && x.Stamp == cutoff.UnixMilli())
		if due && (tenant == "" || x.Tenant == tenant) {
			expired = append(expired, x)
		}
	}
	trash := w.trashOf(expired)
	before := takeSnapshot(w.t, w.db, w.es)
	var dry softcascade.Report
	dryRun := w.rng.IntN(4) == 0
	if dryRun {
		withLog := dumpDB(w.t, w.db, true)
		var err error
		dryOpts := opts
		dryOpts.DryRun = true
		if dry, err = softcascade.Purge(pdb, dryOpts); err != nil {
			w.fail("dry run: %v", err)
		}
		w.unchanged("a dry run", withLog)
	}
	others := w.othersOf(tenant)
	withLog := dumpDB(w.t, w.db, true)
	touched := w.rootsOfMembers(withLog, expired)
	rep, err := softcascade.Purge(pdb, opts)
	if err != nil {
		w.fail("purge (%s, batch %d): %v", how, opts.BatchSize, err)
	}
	w.checkOthers(tenant, withLog, others)
	checkOtherRoots(w.t, "purge", withLog, dumpDB(w.t, w.db, true), touched)
	removed := checkPurge(w.t, w.es, before, dumpDB(w.t, w.db, false))

	// The report, the rows gone and the log agree.
	gone := map[string]int64{}
	for table, lines := range removed {
		gone[table] = int64(len(lines))
	}
	var finished, kept int
	fromTrash := map[string]int64{}
	left := w.trashOf(expired)
	for _, x := range expired {
		for table, n := range trash[x.ID] {
			fromTrash[table] += n - left[x.ID][table]
		}
		var now softcascade.Deletion
		must(w.t, w.db.First(&now, "id = ?", x.ID).Error)
		switch {
		case now.PurgedAt != nil:
			finished++
			if len(left[x.ID]) > 0 {
				w.fail("purged deletion %s has rows left: %v", x.ID, left[x.ID])
			}
		case now.PurgeStartedAt == nil:
			w.fail("expired deletion %s (%s) not purged nor started", x.ID, x.Table)
		default:
			kept++
		}
	}
	if kept > 0 && len(rep.Skipped) == 0 {
		w.fail("%d expired deletions kept, none reported as skipped", kept)
	}
	for table, n := range gone {
		if _, soft := w.es.tables[table]; soft && w.es.tables[table].Marker != nil && fromTrash[table] != n {
			w.fail("purge removed %d rows of %s, the expired deletions had %d fewer in the trash", n, table, fromTrash[table])
		}
	}
	for table, n := range fromTrash {
		if gone[table] != n {
			w.fail("the expired deletions had %d fewer rows of %s in the trash, %d rows are gone", n, table, gone[table])
		}
	}
	if !maps.Equal(rep.Tables, gone) {
		w.fail("purge report %v, rows gone %v", rep.Tables, gone)
	}
	if dryRun {
		joins := map[string]bool{}
		for _, j := range w.es.joins {
			joins[j.Table] = true
		}
		for table := range mergeKeys(dry.Tables, rep.Tables, rep.Skipped) {
			// A join row whose two owners both go (a trashed project and
			// a trashed member) is counted by a dry run once per owner,
			// and removed once.
			if joins[table] && dry.Tables[table] >= rep.Tables[table] {
				continue
			}
			if dry.Tables[table] != rep.Tables[table]+rep.Skipped[table] {
				w.fail("dry run counted %d rows of %s; the purge removed %d and kept %d", dry.Tables[table], table, rep.Tables[table], rep.Skipped[table])
			}
		}
	}

	// What w.expected holds from now on (see undoAll).
	for table, lines := range removed {
		for _, l := range lines {
			delete(w.expected[table], rowKey(l))
		}
	}
	var held []softcascade.Deletion
	must(w.t, w.db.Where("purge_started_at IS NOT NULL AND purged_at IS NULL").Find(&held).Error)
	if len(held) > 0 {
		now := dumpDB(w.t, w.db, false)
		for table, keys := range w.membersOf(held) {
			for _, l := range now[table] {
				if keys[rowKey(l)] {
					w.expected[table][rowKey(l)] = l
				}
			}
		}
	}
	w.purged.steps++
	w.purged.rows += int(rep.Rows)
	w.purged.deletions += finished
	w.purged.held += kept
	return fmt.Sprintf("%s %s, batch %d, dry run %v: %d rows, %d deletions purged, %d held, skipped %v",
		how, cutoff.Format(time.RFC3339Nano), opts.BatchSize, dryRun, rep.Rows, finished, kept, rep.Skipped)
}

// membersOf returns the keys of the rows the deletions have in the trash,
// per table.
func (w *walk) membersOf(ds []softcascade.Deletion) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, d := range ds {
		mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
		for _, tb := range d.Plan.Tables {
			if tb.Marker == nil {
				continue
			}
			var ids []uint
			if err := w.db.Table(tb.Name).Where(cascade.Member(tb, tb.Name, mark)).Pluck("id", &ids).Error; err != nil {
				w.fail("members of %s in %s: %v", d.ID, tb.Name, err)
			}
			for _, id := range ids {
				if out[tb.Name] == nil {
					out[tb.Name] = map[string]bool{}
				}
				out[tb.Name][fmt.Sprint(id)] = true
			}
		}
	}
	return out
}

// mergeKeys is the set of keys of the maps.
func mergeKeys(ms ...map[string]int64) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}
