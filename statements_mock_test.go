package softcascade_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/require"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
)

// Statement-shape tests: the SQL the plugin sends to PostgreSQL and to
// MySQL (MariaDB), checked with go-sqlmock, no database server needed.
// They pin the shape of each statement family — the parts that matter,
// written as a pattern where "…" stands for anything — and its order
// within the transaction. What the statements do is tested on real
// databases (modelstest.Each).

// Models of the mocked schema: projects cascade to tasks; workspaces have
// a unique-while-live slug.
type mockProject struct {
	ID        uint
	Name      string
	Tasks     []mockTask `gorm:"foreignKey:ProjectID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

func (mockProject) TableName() string { return "projects" }

type mockTask struct {
	ID        uint
	ProjectID uint
	Title     string
	DeletedAt gorm.DeletedAt
}

func (mockTask) TableName() string { return "tasks" }

type mockWorkspace struct {
	ID        uint
	Slug      string `gorm:"size:191" softcascade:"unique"`
	DeletedAt gorm.DeletedAt
}

func (mockWorkspace) TableName() string { return "workspaces" }

// mockDialect is one database as sqlmock plays it.
type mockDialect struct {
	name string
	open func(gorm.ConnPool) gorm.Dialector
	// timeType is the data_type information_schema gives a deleted_at
	// column.
	timeType string
}

var (
	mockPostgres = mockDialect{name: "postgres", timeType: "timestamp with time zone",
		open: func(c gorm.ConnPool) gorm.Dialector { return postgres.New(postgres.Config{Conn: c}) }}
	// The MySQL dialector asks the server's version (setupConn answers
	// MariaDB's, as on the servers the tests run against) and writes
	// MariaDB's SQL: LOCK IN SHARE MODE for FOR SHARE.
	mockMySQL = mockDialect{name: "mysql", timeType: "datetime",
		open: func(c gorm.ConnPool) gorm.Dialector { return mysql.New(mysql.Config{Conn: c}) }}
)

// sent is one statement the operation under test must send, in order: a
// query with the rows it gets, an exec with the rows it affects, or a
// transaction boundary.
type sent struct {
	kind  string // "query", "exec", "begin", "commit", "rollback"
	shape string // the statement; "…" matches anything
	rows  *sqlmock.Rows
	n     int64
}

func wantQuery(shape string, rows *sqlmock.Rows) sent {
	return sent{kind: "query", shape: shape, rows: rows}
}
func wantExec(shape string, n int64) sent { return sent{kind: "exec", shape: shape, n: n} }

var (
	txBegin    = sent{kind: "begin"}
	txCommit   = sent{kind: "commit"}
	txRollback = sent{kind: "rollback"}
)

// oneRow is a single-row, single-column answer.
func oneRow(v any) *sqlmock.Rows { return sqlmock.NewRows([]string{"v"}).AddRow(v) }

// noRows is an answer with no rows.
func noRows() *sqlmock.Rows { return sqlmock.NewRows([]string{"v"}) }

// shapeMatcher matches a statement against a shape: the shape's text
// literally, "…" as anything; runs of white space count as one space.
var shapeMatcher = sqlmock.QueryMatcherFunc(func(shape, got string) error {
	parts := strings.Split(shape, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("(?s)^" + strings.Join(parts, ".*") + "$")
	got = strings.Join(strings.Fields(got), " ")
	if !re.MatchString(got) {
		return fmt.Errorf("statement\n\t%s\ndoes not have the shape\n\t%s", got, shape)
	}
	return nil
})

// catalog says what the database's catalog answers during the plugin's
// setup: the precision of the deleted_at columns.
type catalog struct{ precision int }

// mockDB opens d on sqlmock, installs the plugin (which migrates its
// tables and reads the catalog, answered generically by setupConn), then
// moves the *gorm.DB to a second, strict mock that expects steps, in
// order, and nothing else: the operation under test runs there.
func mockDB(t *testing.T, d mockDialect, cat catalog, models []any, steps []sent) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(d.open(setupConn(t, d, cat)), &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return mockNow },
	})
	require.NoError(t, err)
	require.NoError(t, db.Use(softcascade.New(softcascade.WithModels(models...))))

	conn, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(shapeMatcher))
	require.NoError(t, err)
	mock.MatchExpectationsInOrder(true)
	for _, s := range steps {
		switch s.kind {
		case "begin":
			mock.ExpectBegin()
		case "commit":
			mock.ExpectCommit()
		case "rollback":
			mock.ExpectRollback()
		case "query":
			mock.ExpectQuery(s.shape).WillReturnRows(s.rows)
		case "exec":
			mock.ExpectExec(s.shape).WillReturnResult(sqlmock.NewResult(0, s.n))
		}
	}
	t.Cleanup(func() {
		require.NoError(t, mock.ExpectationsWereMet())
		conn.Close()
	})
	db.ConnPool, db.Statement.ConnPool = conn, conn
	return db
}

// mockNow is the clock of every mocked database.
var mockNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// setupConn answers every statement of the plugin's setup: its catalog
// reads get what cat says, any other query no rows, any other statement
// succeeds. Unused answers are left over, unchecked.
func setupConn(t *testing.T, d mockDialect, cat catalog) gorm.ConnPool {
	t.Helper()
	const anything = ""
	conn, mock, err := sqlmock.New(sqlmock.QueryMatcherOption(sqlmock.QueryMatcherFunc(func(want, got string) error {
		if strings.Contains(strings.ToLower(got), want) {
			return nil
		}
		return fmt.Errorf("not a %q statement", want)
	})))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	mock.MatchExpectationsInOrder(false)
	for range 50 { // more than any setup sends
		mock.ExpectQuery("select version()").WillReturnRows(oneRow("10.11.6-MariaDB"))
		mock.ExpectQuery("information_schema.collations").WillReturnRows(oneRow("utf8mb4_bin"))
		mock.ExpectQuery("datetime_precision").WillReturnRows(
			sqlmock.NewRows([]string{"data_type", "datetime_precision", "numeric_precision", "numeric_scale"}).
				AddRow(d.timeType, cat.precision, nil, nil))
		mock.ExpectQuery(anything).WillReturnRows(noRows())
		mock.ExpectExec(anything).WillReturnResult(sqlmock.NewResult(0, 0))
		mock.ExpectBegin()
		mock.ExpectCommit()
	}
	return conn
}

// The deletion the restore, purge and unique tests find in the log, with
// its plan as the plugin stores it.
const (
	mockDeletionID = "01a24dc0-0aa0-72bc-b600-87d90d17c45f"
	projectPlan    = `{"root":"projects","tables":[` +
		`{"name":"projects","pk":["id"],"intKey":true,"marker":{"column":"deleted_at","kind":"time","aliveNull":true}},` +
		`{"name":"tasks","pk":["id"],"intKey":true,"marker":{"column":"deleted_at","kind":"time","aliveNull":true}}],` +
		`"edges":[` + projectTasks + `],"incoming":[` + projectTasks + `],"references":[` + projectTasks + `]}`
	projectTasks  = `{"parent":"projects","child":"tasks","parentKeys":["id"],"childKeys":["project_id"],"name":"mockProject.Tasks"}`
	workspacePlan = `{"root":"workspaces","tables":[{"name":"workspaces","pk":["id"],"intKey":true,` +
		`"marker":{"column":"deleted_at","kind":"time","aliveNull":true},` +
		`"unique":[{"name":"idx_workspaces_slug_live","columns":["slug"]}]}],"edges":null}`
)

var mockDeletedAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// deletionRow is the deletion log's row of a deletion with plan that took
// tables' rows.
func deletionRow(root, plan, tables string, rows int64) *sqlmock.Rows {
	return sqlmock.NewRows([]string{"id", "root_table", "actor", "reason", "tenant", "deleted_at", "rows", "tables",
		"roots", "restored_rows", "restored_at", "restored_by", "purged_at", "purge_started_at", "purge_after", "stamp", "plan"}).
		AddRow(mockDeletionID, root, "", "", "", mockDeletedAt, rows, tables,
			1, 0, nil, "", nil, nil, mockDeletedAt.Add(softcascade.DefaultRetention), mockDeletedAt.UnixMilli(), plan)
}

// A cascade delete: lock the roots and claim the deletion's log row in
// one statement (the row is written only when the locked roots count more
// than none), stamp the roots, stamp the children through their parents (a
// semi-join on PostgreSQL, a STRAIGHT_JOIN UPDATE on MySQL), then complete
// the log row (counts, root keys and labels) where the stamp finds the
// roots again. The roots' keys and labels come from the value passed to
// Delete when it carries them, else from one bounded SELECT of the roots. A column too coarse
// for the millisecond stamp records its rows in the ledger first.
func TestDeleteStatements(t *testing.T) {
	loaded := &mockProject{ID: 7, Name: "Website relaunch"} // its key and label in hand
	byKey := &mockProject{ID: 7}                            // its label read back
	tests := []struct {
		name  string
		d     mockDialect
		cat   catalog
		value *mockProject
		steps []sent
	}{{
		name: "postgres", d: mockPostgres, cat: catalog{precision: 6}, value: loaded,
		steps: []sent{
			txBegin,
			wantExec(`INSERT INTO "softcascade_deletions" ("id",…,"plan",…) SELECT $1,… FROM (SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "projects" WHERE "projects"."id" = $… AND "projects"."deleted_at" IS NULL … FOR UPDATE) "sc_roots") "sc_n" WHERE "sc_n"."n" > 0 ON CONFLICT DO NOTHING`, 1),
			wantExec(`UPDATE "projects" SET "deleted_at"=$1 WHERE "projects"."id" = $2 AND "projects"."deleted_at" IS NULL`, 1),
			wantExec(`UPDATE "tasks" SET "deleted_at"=$1 WHERE "tasks"."deleted_at" IS NULL AND "tasks"."project_id" IN (SELECT "sc_p"."id" FROM "projects" "sc_p" WHERE "sc_p"."deleted_at" = $2)`, 2),
			wantExec(`UPDATE "softcascade_deletions" SET "rows"=$1,"tables"=$2,"roots"=$3,"root_keys"=$4,"labels"=$5,"label_search"=$6 WHERE (SELECT COUNT(*) FROM "projects" "sc_p" WHERE "sc_p"."deleted_at" = $7) = $8 AND "id" = $9`, 1),
			txCommit,
		},
	}, {
		name: "mysql", d: mockMySQL, cat: catalog{precision: 6}, value: loaded,
		steps: []sent{
			txBegin,
			wantExec("INSERT INTO `softcascade_deletions` (`id`,…,`plan`,…) SELECT ?,… FROM (SELECT COUNT(*) AS `n` FROM (SELECT 1 FROM `projects` WHERE `projects`.`id` = ? AND `projects`.`deleted_at` IS NULL … FOR UPDATE) `sc_roots`) `sc_n` WHERE `sc_n`.`n` > 0 ON DUPLICATE KEY UPDATE `id`=`id`", 1),
			wantExec("UPDATE `projects` SET `deleted_at`=? WHERE `projects`.`id` = ? AND `projects`.`deleted_at` IS NULL", 1),
			wantExec("UPDATE `projects` `sc_p` STRAIGHT_JOIN `tasks` ON (`sc_p`.`id` = `tasks`.`project_id` AND `sc_p`.`deleted_at` = ?) SET `tasks`.`deleted_at`=? WHERE `tasks`.`deleted_at` IS NULL", 2),
			wantExec("UPDATE `softcascade_deletions` SET `rows`=?,`tables`=?,`roots`=?,`root_keys`=?,`labels`=?,`label_search`=? WHERE (SELECT COUNT(*) FROM `projects` `sc_p` WHERE `sc_p`.`deleted_at` = ?) = ? AND `id` = ?", 1),
			txCommit,
		},
	}, {
		name: "postgres, coarse column: ledger", d: mockPostgres, cat: catalog{precision: 0}, value: byKey,
		steps: []sent{
			txBegin,
			wantExec(`INSERT INTO "softcascade_deletions" … FROM (SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "projects" … FOR UPDATE) "sc_roots") "sc_n" WHERE "sc_n"."n" > 0 ON CONFLICT DO NOTHING`, 1),
			wantExec(`INSERT INTO "softcascade_ledger" ("deletion_id","table_name","key_int") SELECT $1,$2,"projects"."id" FROM "projects" WHERE ("projects"."id" = $3 AND "projects"."deleted_at" IS NULL) FOR UPDATE`, 1),
			wantExec(`DELETE FROM "softcascade_ledger" WHERE ("table_name" = $1 AND "deletion_id" <> $2) AND "key_int" IN (SELECT "sc_x"."k" FROM (SELECT DISTINCT "key_int" AS "k" FROM "softcascade_ledger" WHERE …) "sc_x")`, 0),
			wantExec(`UPDATE "projects" SET "deleted_at"=$1 WHERE … AND "projects"."id" IN (SELECT "sc_l"."key_int" FROM "softcascade_ledger" "sc_l" WHERE ("sc_l"."deletion_id" = $3 AND "sc_l"."table_name" = $4))`, 1),
			wantExec(`INSERT INTO "softcascade_ledger" ("deletion_id","table_name","key_int") SELECT $1,$2,"tasks"."id" FROM "tasks" WHERE ("tasks"."deleted_at" IS NULL AND "tasks"."project_id" IN (SELECT "sc_p"."id" FROM "projects" "sc_p" WHERE ("sc_p"."deleted_at" IS NOT NULL AND "sc_p"."id" IN (SELECT "sc_l"."key_int" FROM "softcascade_ledger" "sc_l" WHERE …)))) FOR UPDATE`, 2),
			wantExec(`DELETE FROM "softcascade_ledger" WHERE ("table_name" = $1 AND "deletion_id" <> $2) AND "key_int" IN (SELECT "sc_x"."k" FROM (SELECT DISTINCT "key_int" AS "k" FROM "softcascade_ledger" WHERE …) "sc_x")`, 0),
			wantExec(`UPDATE "tasks" SET "deleted_at"=$1 WHERE "tasks"."deleted_at" IS NULL AND "tasks"."id" IN (SELECT "sc_l"."key_int" FROM "softcascade_ledger" "sc_l" WHERE ("sc_l"."deletion_id" = $2 AND "sc_l"."table_name" = $3))`, 2),
			wantQuery(`SELECT "projects"."id","projects"."name" FROM "projects" WHERE "projects"."deleted_at" IS NOT NULL AND "projects"."id" IN (SELECT "sc_l"."key_int" FROM "softcascade_ledger" "sc_l" WHERE ("sc_l"."deletion_id" = $1 AND "sc_l"."table_name" = $2)) ORDER BY "projects"."id" LIMIT $3`, sqlmock.NewRows([]string{"id", "name"}).AddRow(7, "Website relaunch")),
			wantExec(`UPDATE "softcascade_deletions" SET "rows"=$1,"tables"=$2,"roots"=$3,"root_keys"=$4,"labels"=$5,"label_search"=$6 WHERE (SELECT COUNT(*) FROM "projects" "sc_p" WHERE ("sc_p"."deleted_at" IS NOT NULL AND "sc_p"."id" IN (SELECT "sc_l"."key_int" FROM "softcascade_ledger" "sc_l" WHERE …))) = $9 AND "id" = $10`, 1),
			txCommit,
		},
	}, {
		name: "mysql, coarse column: ledger", d: mockMySQL, cat: catalog{precision: 0}, value: byKey,
		steps: []sent{
			txBegin,
			wantExec("INSERT INTO `softcascade_deletions` … FROM (SELECT COUNT(*) AS `n` FROM (SELECT 1 FROM `projects` … FOR UPDATE) `sc_roots`) `sc_n` WHERE `sc_n`.`n` > 0 ON DUPLICATE KEY UPDATE `id`=`id`", 1),
			wantExec("INSERT INTO `softcascade_ledger` (`deletion_id`,`table_name`,`key_int`) SELECT ?,?,`projects`.`id` FROM `projects` WHERE (`projects`.`id` = ? AND `projects`.`deleted_at` IS NULL) FOR UPDATE", 1),
			wantExec("DELETE FROM `softcascade_ledger` WHERE (`table_name` = ? AND `deletion_id` <> ?) AND `key_int` IN (SELECT `sc_x`.`k` FROM (SELECT DISTINCT `key_int` AS `k` FROM `softcascade_ledger` WHERE …) `sc_x`)", 0),
			wantExec("UPDATE `projects` SET `deleted_at`=? WHERE … AND `projects`.`id` IN (SELECT `sc_l`.`key_int` FROM `softcascade_ledger` `sc_l` WHERE (`sc_l`.`deletion_id` = ? AND `sc_l`.`table_name` = ?))", 1),
			wantExec("INSERT INTO `softcascade_ledger` (`deletion_id`,`table_name`,`key_int`) SELECT ?,?,`tasks`.`id` FROM `tasks` WHERE (`tasks`.`deleted_at` IS NULL AND `tasks`.`project_id` IN (SELECT `sc_p`.`id` FROM `projects` `sc_p` WHERE …)) FOR UPDATE", 2),
			wantExec("DELETE FROM `softcascade_ledger` WHERE (`table_name` = ? AND `deletion_id` <> ?) AND `key_int` IN (SELECT `sc_x`.`k` FROM (SELECT DISTINCT `key_int` AS `k` FROM `softcascade_ledger` WHERE …) `sc_x`)", 0),
			wantExec("UPDATE `softcascade_ledger` `sc_l` STRAIGHT_JOIN `tasks` ON (`sc_l`.`key_int` = `tasks`.`id` AND `sc_l`.`deletion_id` = ? AND `sc_l`.`table_name` = ?) SET `tasks`.`deleted_at`=? WHERE `tasks`.`deleted_at` IS NULL", 2),
			wantQuery("SELECT `projects`.`id`,`projects`.`name` FROM `projects` WHERE `projects`.`deleted_at` IS NOT NULL AND `projects`.`id` IN (SELECT `sc_l`.`key_int` FROM `softcascade_ledger` `sc_l` WHERE (`sc_l`.`deletion_id` = ? AND `sc_l`.`table_name` = ?)) ORDER BY `projects`.`id` LIMIT ?", sqlmock.NewRows([]string{"id", "name"}).AddRow(7, "Website relaunch")),
			wantExec("UPDATE `softcascade_deletions` SET `rows`=?,`tables`=?,`roots`=?,`root_keys`=?,`labels`=?,`label_search`=? WHERE (SELECT COUNT(*) FROM `projects` `sc_p` WHERE (`sc_p`.`deleted_at` IS NOT NULL AND `sc_p`.`id` IN (SELECT `sc_l`.`key_int` FROM `softcascade_ledger` `sc_l` WHERE …))) = ? AND `id` = ?", 1),
			txCommit,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := mockDB(t, tt.d, tt.cat, []any{&mockProject{}, &mockTask{}}, tt.steps)
			require.NoError(t, db.Delete(tt.value).Error)
		})
	}
}

// Restores. Of a whole deletion (RestoreDeletion): lock its log row,
// check that the tables still have the plan's columns (a SELECT that reads
// no row, carried by the parent check when there is one; on PostgreSQL
// without a savepoint: a missing column fails the restore, and the table
// at fault is named after the rollback),
// clear the stamp table by table, count the restored rows in the log. Of
// a row (Restore): find its deletion by the row's stamp and lock it, move
// the row's part to a mark of its own (a new log row), check under a
// shared lock (FOR SHARE; LOCK IN SHARE MODE on MariaDB) that no parent of
// it is in the trash, restore the part, update the deletion's log row and
// drop the part's.
func TestRestoreStatements(t *testing.T) {
	deletion := func(db *gorm.DB) (softcascade.Report, error) { return softcascade.RestoreDeletion(db, mockDeletionID) }
	task := func(db *gorm.DB) (softcascade.Report, error) { return softcascade.Restore(db, &mockTask{ID: 3}) }
	taskRow := func() *sqlmock.Rows {
		return sqlmock.NewRows([]string{"id", "project_id", "title", "deleted_at"}).AddRow(3, 7, "t", mockDeletedAt)
	}
	tests := []struct {
		name    string
		d       mockDialect
		restore func(*gorm.DB) (softcascade.Report, error)
		rows    int64
		steps   []sent
	}{{
		name: "postgres: RestoreDeletion", d: mockPostgres, restore: deletion, rows: 3,
		steps: []sent{
			txBegin,
			wantQuery(`SELECT * FROM "softcascade_deletions" WHERE "id" = $1 LIMIT $2 FOR UPDATE`, deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery(`SELECT CASE WHEN EXISTS (SELECT "sc_t0"."id","sc_t0"."deleted_at" FROM "projects" "sc_t0" WHERE 1 = 0) OR EXISTS (SELECT "sc_t1"."id","sc_t1"."deleted_at","sc_t1"."project_id" FROM "tasks" "sc_t1" WHERE 1 = 0) THEN 0 ELSE 0 END`, oneRow(0)),
			wantExec(`UPDATE "projects" SET "deleted_at"=$1 WHERE "projects"."deleted_at" = $2`, 1),
			wantExec(`UPDATE "tasks" SET "deleted_at"=$1 WHERE "tasks"."deleted_at" = $2`, 2),
			wantExec(`UPDATE "softcascade_deletions" SET "restored_rows"=$1,"restored_at"=$2,"restored_by"=$3 WHERE "id" = $4`, 1),
			txCommit,
		},
	}, {
		name: "mysql: RestoreDeletion", d: mockMySQL, restore: deletion, rows: 3,
		steps: []sent{
			txBegin,
			wantQuery("SELECT * FROM `softcascade_deletions` WHERE `id` = ? LIMIT ? FOR UPDATE", deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery("SELECT CASE WHEN EXISTS (SELECT `sc_t0`.`id`,`sc_t0`.`deleted_at` FROM `projects` `sc_t0` WHERE 1 = 0) OR EXISTS (SELECT `sc_t1`.`id`,`sc_t1`.`deleted_at`,`sc_t1`.`project_id` FROM `tasks` `sc_t1` WHERE 1 = 0) THEN 0 ELSE 0 END", oneRow(0)),
			wantExec("UPDATE `projects` SET `deleted_at`=? WHERE `projects`.`deleted_at` = ?", 1),
			wantExec("UPDATE `tasks` SET `deleted_at`=? WHERE `tasks`.`deleted_at` = ?", 2),
			wantExec("UPDATE `softcascade_deletions` SET `restored_rows`=?,`restored_at`=?,`restored_by`=? WHERE `id` = ?", 1),
			txCommit,
		},
	}, {
		name: "postgres: Restore of a row, part of a deletion", d: mockPostgres, restore: task, rows: 1,
		steps: []sent{
			txBegin,
			wantQuery(`SELECT COUNT(*), COUNT(CASE WHEN "tasks"."deleted_at" IS NOT NULL THEN 1 END) FROM "tasks" WHERE "tasks"."id" = $1`, sqlmock.NewRows([]string{"n", "deleted"}).AddRow(1, 1)),
			wantQuery(`SELECT * FROM "tasks" WHERE "tasks"."id" = $1`, taskRow()),
			wantQuery(`SELECT * FROM "softcascade_deletions" WHERE "stamp" = $1 FOR UPDATE`, deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery(`SELECT CASE WHEN EXISTS (SELECT "sc_t0"."id",… FROM "projects" "sc_t0" WHERE 1 = 0) OR EXISTS (SELECT "sc_t1"."id",… FROM "tasks" "sc_t1" WHERE 1 = 0) THEN 0 ELSE 0 END`, oneRow(0)),
			wantExec(`INSERT INTO "softcascade_deletions" … ON CONFLICT DO NOTHING`, 1),
			wantExec(`UPDATE "tasks" SET "deleted_at"=$1 WHERE "tasks"."id" = $2 AND "tasks"."deleted_at" = $3`, 1),
			wantQuery(`SELECT MAX("sc_d"."sc_gone") FROM (SELECT CASE WHEN "sc_p"."deleted_at" IS NOT NULL THEN 1 ELSE 0 END AS "sc_gone" FROM "projects" AS "sc_p" WHERE "sc_p"."id" IN (SELECT "tasks"."project_id" FROM "tasks" "tasks" WHERE "tasks"."deleted_at" = $1) AND … FOR SHARE) AS "sc_d"`, oneRow(0)),
			wantExec(`UPDATE "tasks" SET "deleted_at"=$1 WHERE "tasks"."deleted_at" = $2`, 1),
			wantQuery(`SELECT 1 FROM "projects" WHERE "projects"."deleted_at" = $1 LIMIT $2`, noRows()),
			wantQuery(`SELECT 1 FROM "tasks" WHERE "tasks"."deleted_at" = $1 LIMIT $2`, noRows()),
			wantExec(`UPDATE "softcascade_deletions" SET "restored_rows"=$1,"restored_at"=$2,"restored_by"=$3 WHERE "id" = $4`, 1),
			wantExec(`DELETE FROM "softcascade_deletions" WHERE "softcascade_deletions"."id" = $1`, 1),
			txCommit,
		},
	}, {
		name: "mysql: Restore of a row, part of a deletion", d: mockMySQL, restore: task, rows: 1,
		steps: []sent{
			txBegin,
			wantQuery("SELECT COUNT(*), COUNT(CASE WHEN `tasks`.`deleted_at` IS NOT NULL THEN 1 END) FROM `tasks` WHERE `tasks`.`id` = ?", sqlmock.NewRows([]string{"n", "deleted"}).AddRow(1, 1)),
			wantQuery("SELECT * FROM `tasks` WHERE `tasks`.`id` = ?", taskRow()),
			wantQuery("SELECT * FROM `softcascade_deletions` WHERE `stamp` = ? FOR UPDATE", deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery("SELECT CASE WHEN EXISTS (SELECT `sc_t0`.`id`,… FROM `projects` `sc_t0` WHERE 1 = 0) OR EXISTS (SELECT `sc_t1`.`id`,… FROM `tasks` `sc_t1` WHERE 1 = 0) THEN 0 ELSE 0 END", oneRow(0)),
			wantExec("INSERT INTO `softcascade_deletions` … ON DUPLICATE KEY UPDATE `id`=`id`", 1),
			wantExec("UPDATE `tasks` SET `deleted_at`=? WHERE `tasks`.`id` = ? AND `tasks`.`deleted_at` = ?", 1),
			wantQuery("SELECT MAX(`sc_d`.`sc_gone`) FROM (SELECT CASE WHEN `sc_p`.`deleted_at` IS NOT NULL THEN 1 ELSE 0 END AS `sc_gone` FROM `projects` AS `sc_p` WHERE `sc_p`.`id` IN (SELECT `tasks`.`project_id` FROM `tasks` `tasks` WHERE `tasks`.`deleted_at` = ?) AND … LOCK IN SHARE MODE) AS `sc_d`", oneRow(0)),
			wantExec("UPDATE `tasks` SET `deleted_at`=? WHERE `tasks`.`deleted_at` = ?", 1),
			wantQuery("SELECT 1 FROM `projects` WHERE `projects`.`deleted_at` = ? LIMIT ?", noRows()),
			wantQuery("SELECT 1 FROM `tasks` WHERE `tasks`.`deleted_at` = ? LIMIT ?", noRows()),
			wantExec("UPDATE `softcascade_deletions` SET `restored_rows`=?,`restored_at`=?,`restored_by`=? WHERE `id` = ?", 1),
			wantExec("DELETE FROM `softcascade_deletions` WHERE `softcascade_deletions`.`id` = ?", 1),
			txCommit,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := mockDB(t, tt.d, catalog{precision: 6}, []any{&mockProject{}, &mockTask{}}, tt.steps)
			rep, err := tt.restore(db)
			require.NoError(t, err)
			require.Equal(t, tt.rows, rep.Rows)
		})
	}
}

// The unique check of a restore: one SELECT ... LIMIT 1 per
// unique-while-live index, joining the rows to restore to a live row with
// the same values, before any row changes. On MySQL the live side is
// joined through the generated live columns once MigrateUnique has made
// them (the catalog says whether it has). A live row found is a
// UniqueConflictError and a rollback.
func TestUniqueCheckStatements(t *testing.T) {
	// Answers are read once: each test gets its own.
	conflict := func() *sqlmock.Rows {
		return sqlmock.NewRows([]string{"sc_k0", "sc_l0", "sc_r0"}).AddRow("acme", 4, 3)
	}
	pgHead := func() []sent {
		return []sent{
			txBegin,
			wantQuery(`SELECT * FROM "softcascade_deletions" WHERE "id" = $1 LIMIT $2 FOR UPDATE`, deletionRow("workspaces", workspacePlan, `{"workspaces":1}`, 1)),
			wantQuery(`SELECT CASE WHEN EXISTS (SELECT "sc_t0"."id","sc_t0"."deleted_at","sc_t0"."slug" FROM "workspaces" "sc_t0" WHERE 1 = 0) THEN 0 ELSE 0 END`, oneRow(0)),
		}
	}
	const pgCheck = `SELECT "sc_u"."slug" AS "sc_k0","sc_u"."id" AS "sc_l0","workspaces"."id" AS "sc_r0" FROM "workspaces" INNER JOIN "workspaces" "sc_u" ON "sc_u"."slug" = "workspaces"."slug" WHERE "workspaces"."deleted_at" = $1 AND "sc_u"."deleted_at" IS NULL AND "sc_u"."id" <> "workspaces"."id" LIMIT $2`
	myHead := func(generated int) []sent {
		return []sent{
			txBegin,
			wantQuery("SELECT * FROM `softcascade_deletions` WHERE `id` = ? LIMIT ? FOR UPDATE", deletionRow("workspaces", workspacePlan, `{"workspaces":1}`, 1)),
			wantQuery("SELECT CASE WHEN EXISTS (SELECT `sc_t0`.`id`,`sc_t0`.`deleted_at`,`sc_t0`.`slug` FROM `workspaces` `sc_t0` WHERE 1 = 0) THEN 0 ELSE 0 END", oneRow(0)),
			wantQuery("SELECT DATABASE()", oneRow("app")),
			wantQuery("SELECT SCHEMA_NAME from Information_schema.SCHEMATA …", oneRow("app")),
			wantQuery("SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?", oneRow(generated)),
		}
	}
	const myCheck = "SELECT `sc_u`.`slug` AS `sc_k0`,`sc_u`.`id` AS `sc_l0`,`workspaces`.`id` AS `sc_r0` FROM `workspaces` INNER JOIN `workspaces` `sc_u` ON `sc_u`.%s = `workspaces`.`slug` WHERE `workspaces`.`deleted_at` = ? AND `sc_u`.`deleted_at` IS NULL AND `sc_u`.`id` <> `workspaces`.`id` LIMIT ?"
	restorePG := []sent{
		wantExec(`UPDATE "workspaces" SET "deleted_at"=$1 WHERE "workspaces"."deleted_at" = $2`, 1),
		wantExec(`UPDATE "softcascade_deletions" SET "restored_rows"=$1,… WHERE "id" = $4`, 1),
		txCommit,
	}
	restoreMy := []sent{
		wantExec("UPDATE `workspaces` SET `deleted_at`=? WHERE `workspaces`.`deleted_at` = ?", 1),
		wantExec("UPDATE `softcascade_deletions` SET `restored_rows`=?,… WHERE `id` = ?", 1),
		txCommit,
	}
	tests := []struct {
		name     string
		d        mockDialect
		steps    []sent
		conflict bool
	}{{
		name: "postgres: partial index, plain columns", d: mockPostgres,
		steps: concat(pgHead(), []sent{wantQuery(pgCheck, noRows())}, restorePG),
	}, {
		name: "postgres: conflict", d: mockPostgres, conflict: true,
		steps: concat(pgHead(), []sent{wantQuery(pgCheck, conflict()), txRollback}),
	}, {
		name: "mysql: generated live columns", d: mockMySQL,
		steps: concat(myHead(1), []sent{wantQuery(fmt.Sprintf(myCheck, "`slug_live`"), noRows())}, restoreMy),
	}, {
		name: "mysql: before MigrateUnique, plain columns", d: mockMySQL,
		steps: concat(myHead(0), []sent{wantQuery(fmt.Sprintf(myCheck, "`slug`"), noRows())}, restoreMy),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := mockDB(t, tt.d, catalog{precision: 6}, []any{&mockWorkspace{}}, tt.steps)
			_, err := softcascade.RestoreDeletion(db, mockDeletionID)
			if !tt.conflict {
				require.NoError(t, err)
				return
			}
			var ce *softcascade.UniqueConflictError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "idx_workspaces_slug_live", ce.Index)
		})
	}
}

// batch is the answer to a PostgreSQL purge batch: rows deleted, keys
// seen, the last key.
func batch(deleted, seen int64, last any) *sqlmock.Rows {
	return sqlmock.NewRows([]string{"deleted", "seen", "last"}).AddRow(deleted, seen, last)
}

// concat joins lists of statements.
func concat(lists ...[]sent) []sent {
	var out []sent
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// A purge batch: under the purge's advisory lock, mark the deletion as
// being purged, then delete its rows children first, in batches of
// BatchSize — on PostgreSQL one statement per batch that picks the keys in
// a MATERIALIZED CTE (key order, by ctid) and reports what it deleted; on
// MySQL a DELETE ... LIMIT and a count of what is left. A parent row still
// referenced by a child is kept (NOT EXISTS).
func TestPurgeStatements(t *testing.T) {
	tests := []struct {
		name  string
		d     mockDialect
		steps []sent
	}{{
		name: "postgres", d: mockPostgres,
		steps: []sent{
			wantQuery(`SELECT pg_try_advisory_lock(hashtextextended('softcascade.purge.' || coalesce(current_schema(), ''), 0))`, oneRow(true)),
			// Deletions logged before purge-after was stored, then those due by it.
			wantQuery(`SELECT * FROM "softcascade_deletions" WHERE "purged_at" IS NULL AND "purge_after" IS NULL AND "stamp" < $1 ORDER BY "stamp" LIMIT $2`, noRows()),
			wantQuery(`SELECT * FROM "softcascade_deletions" WHERE "purged_at" IS NULL AND "purge_after" <= $1 ORDER BY "purge_after","stamp" LIMIT $2`, deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery(`SELECT CASE WHEN EXISTS (SELECT "sc_t0"."id",… FROM "projects" "sc_t0" WHERE 1 = 0) OR EXISTS (SELECT "sc_t1"."id",… FROM "tasks" "sc_t1" WHERE 1 = 0) THEN 0 ELSE 0 END`, oneRow(0)),
			wantExec(`UPDATE "softcascade_deletions" SET "purge_started_at"=$1 WHERE "id" = $2 AND "purged_at" IS NULL AND "held_at" IS NULL AND "purge_started_at" IS NULL`, 1),
			wantQuery(`SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA() AND table_type = $1`, sqlmock.NewRows([]string{"table_name"}).AddRow("projects").AddRow("tasks")),
			// The database's foreign keys, every table's, read once per run.
			wantQuery(`SELECT p.relname, con.oid::text, c.relname, a.attname, pa.attname, con.confdeltype::text FROM pg_constraint con … WHERE con.contype = 'f' AND pn.nspname = current_schema() AND cn.nspname = current_schema() ORDER BY p.relname, con.oid, k.ord`, noRows()),
			wantQuery(`WITH "sc_k" AS MATERIALIZED (SELECT "tasks"."id", "tasks".ctid AS "sc_at" FROM "tasks" WHERE "tasks"."deleted_at" = $1 ORDER BY "tasks"."id" LIMIT 2), `+
				`"sc_d" AS (DELETE FROM "tasks" WHERE "tasks".ctid = ANY(ARRAY(SELECT "sc_k"."sc_at" FROM "sc_k")) AND "tasks"."deleted_at" = $2 RETURNING 1) `+
				`SELECT (SELECT count(*) FROM "sc_d"), (SELECT count(*) FROM "sc_k"), (SELECT "sc_k"."id" FROM "sc_k" ORDER BY "sc_k"."id" DESC LIMIT 1)`, batch(2, 2, 12)),
			wantQuery(`WITH "sc_k" AS MATERIALIZED (SELECT "tasks"."id", "tasks".ctid AS "sc_at" FROM "tasks" WHERE ("tasks"."deleted_at" = $1 AND "tasks"."id" > $2) ORDER BY "tasks"."id" LIMIT 2), …`, batch(0, 0, nil)),
			wantQuery(`WITH "sc_k" AS MATERIALIZED (SELECT "projects"."id", … LIMIT 2), `+
				`"sc_d" AS (DELETE FROM "projects" WHERE "projects".ctid = ANY(ARRAY(SELECT "sc_k"."sc_at" FROM "sc_k")) AND ("projects"."deleted_at" = $2 AND NOT EXISTS (SELECT 1 FROM "tasks" "sc_c" WHERE "sc_c"."project_id" = "projects"."id")) RETURNING 1) …`, batch(1, 1, 7)),
			wantExec(`UPDATE "softcascade_deletions" SET "purged_at"=$1 WHERE "id" = $2 AND "purged_at" IS NULL`, 1),
			wantQuery(`SELECT pg_advisory_unlock(…)`, oneRow(true)),
		},
	}, {
		name: "mysql", d: mockMySQL,
		steps: []sent{
			wantQuery("SELECT GET_LOCK(CONCAT('softcascade.purge.', MD5(COALESCE(DATABASE(), ''))), 0)", oneRow(1)),
			wantQuery("SELECT * FROM `softcascade_deletions` WHERE `purged_at` IS NULL AND `purge_after` IS NULL AND `stamp` < ? ORDER BY `stamp` LIMIT ?", noRows()),
			wantQuery("SELECT * FROM `softcascade_deletions` WHERE `purged_at` IS NULL AND `purge_after` <= ? ORDER BY `purge_after`,`stamp` LIMIT ?", deletionRow("projects", projectPlan, `{"projects":1,"tasks":2}`, 3)),
			wantQuery("SELECT CASE WHEN EXISTS (SELECT `sc_t0`.`id`,… FROM `projects` `sc_t0` WHERE 1 = 0) OR EXISTS (SELECT `sc_t1`.`id`,… FROM `tasks` `sc_t1` WHERE 1 = 0) THEN 0 ELSE 0 END", oneRow(0)),
			wantExec("UPDATE `softcascade_deletions` SET `purge_started_at`=? WHERE `id` = ? AND `purged_at` IS NULL AND `held_at` IS NULL AND `purge_started_at` IS NULL", 1),
			wantQuery("SELECT DATABASE()", oneRow("app")),
			wantQuery("SELECT SCHEMA_NAME from Information_schema.SCHEMATA …", oneRow("app")),
			wantQuery("SELECT TABLE_NAME FROM information_schema.tables where TABLE_SCHEMA=?", sqlmock.NewRows([]string{"TABLE_NAME"}).AddRow("projects").AddRow("tasks")),
			// The database's foreign keys, every table's, read once per run.
			wantQuery("SELECT k.REFERENCED_TABLE_NAME, k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k … WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE() ORDER BY …", noRows()),
			wantExec("DELETE FROM `tasks` WHERE `tasks`.`deleted_at` = ? LIMIT 2", 2),
			wantExec("DELETE FROM `tasks` WHERE `tasks`.`deleted_at` = ? LIMIT 2", 0),
			wantQuery("SELECT count(*) FROM `tasks` WHERE `tasks`.`deleted_at` = ?", oneRow(0)),
			wantExec("DELETE FROM `projects` WHERE (`projects`.`deleted_at` = ? AND NOT EXISTS (SELECT 1 FROM `tasks` `sc_c` WHERE `sc_c`.`project_id` = `projects`.`id`)) LIMIT 2", 1),
			wantQuery("SELECT count(*) FROM `projects` WHERE `projects`.`deleted_at` = ?", oneRow(0)),
			wantExec("UPDATE `softcascade_deletions` SET `purged_at`=? WHERE `id` = ? AND `purged_at` IS NULL", 1),
			wantQuery("SELECT RELEASE_LOCK(…)", oneRow(1)),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := mockDB(t, tt.d, catalog{precision: 6}, []any{&mockProject{}, &mockTask{}}, tt.steps)
			rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 2})
			require.NoError(t, err)
			require.Equal(t, int64(3), rep.Rows)
		})
	}
}

// MigrateUnique's DDL: a partial unique index over the live rows on
// PostgreSQL; on MySQL a virtual generated column per indexed column, NULL
// while the row is deleted, under a unique index. What exists is skipped.
func TestUniqueMigrateStatements(t *testing.T) {
	tests := []struct {
		name  string
		d     mockDialect
		steps []sent
	}{{
		name: "postgres", d: mockPostgres,
		steps: []sent{
			wantQuery(`SELECT count(*) FROM pg_indexes WHERE tablename = $1 AND indexname = $2 AND schemaname = CURRENT_SCHEMA()`, oneRow(0)),
			wantExec(`CREATE UNIQUE INDEX "idx_workspaces_slug_live" ON "workspaces" ("slug") WHERE "deleted_at" IS NULL`, 0),
		},
	}, {
		name: "mysql", d: mockMySQL,
		steps: []sent{
			wantQuery("SELECT DATABASE()", oneRow("app")),
			wantQuery("SELECT SCHEMA_NAME from Information_schema.SCHEMATA …", oneRow("app")),
			wantQuery("SELECT count(*) FROM INFORMATION_SCHEMA.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?", oneRow(0)),
			wantExec("ALTER TABLE `workspaces` ADD COLUMN `slug_live` varchar(191) GENERATED ALWAYS AS (CASE WHEN `deleted_at` IS NULL THEN `slug` END) VIRTUAL", 0),
			wantQuery("SELECT DATABASE()", oneRow("app")),
			wantQuery("SELECT SCHEMA_NAME from Information_schema.SCHEMATA …", oneRow("app")),
			wantQuery("SELECT count(*) FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND index_name = ?", oneRow(0)),
			wantExec("CREATE UNIQUE INDEX `idx_workspaces_slug_live` ON `workspaces` (`slug_live`)", 0),
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := mockDB(t, tt.d, catalog{precision: 6}, []any{&mockWorkspace{}}, tt.steps)
			require.NoError(t, softcascade.MigrateUnique(db, &mockWorkspace{}))
		})
	}
}
