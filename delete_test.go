package softcascade_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestDeleteCascadesEveryLevel(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "website", modelstest.Small)
		other := modelstest.SeedProject(t, db, "other", modelstest.Small)
		before := counts(t, db)

		ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), "user:42"), "customer request")
		ctx = softcascade.WithTenant(ctx, "acme")
		res := db.WithContext(ctx).Delete(&p)
		must(t, res.Error)
		eq(t, "RowsAffected", res.RowsAffected, int64(1))
		if !p.DeletedAt.Valid {
			t.Errorf("DeletedAt not set on the deleted value")
		}

		after := counts(t, db)
		// Small: 3 tasks + 2 levels of subtasks = 9 tasks, 18 comments,
		// 18 reactions, 9+18 attachments, 2 documents, 4 versions.
		want := map[string]int64{"projects": 1, "tasks": 9, "comments": 18, "reactions": 18, "attachments": 27, "documents": 2, "document_versions": 4}
		for table, n := range want {
			eq(t, table+" deleted", after[table].Deleted, n)
			eq(t, table+" live", after[table].Live, before[table].Live-n)
		}
		eq(t, "time entries live (not soft-deletable)", after["time_entries"].Live, before["time_entries"].Live)
		var members int64
		must(t, db.Table("project_members").Count(&members).Error)
		eq(t, "join rows kept", members, int64(4))
		eq(t, "users live", after["users"].Live, before["users"].Live)

		ds := deletions(t, db)
		if len(ds) != 1 {
			t.Fatalf("deletions = %d, want 1", len(ds))
		}
		del := ds[0]
		eq(t, "Table", del.Table, "projects")
		eq(t, "Actor", del.Actor, "user:42")
		eq(t, "Reason", del.Reason, "customer request")
		eq(t, "Tenant", del.Tenant, "acme")
		eq(t, "Rows", del.Rows, int64(79))
		for table, n := range want {
			eq(t, "Tables["+table+"]", del.Tables[table], n)
		}
		if !del.DeletedAt.Equal(p.DeletedAt.Time) {
			t.Errorf("log time %v != row time %v", del.DeletedAt, p.DeletedAt.Time)
		}
		var live modelstest.Project
		must(t, db.Preload("Tasks").First(&live, other.ID).Error)
		eq(t, "other project's tasks", len(live.Tasks), 9)
	})
}

func TestDeleteByKeySliceAndCondition(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		var ps []modelstest.Project
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			ps = append(ps, modelstest.SeedProject(t, db, n, modelstest.Shape{Tasks: 2, CommentsPerTask: 1}))
		}
		must(t, db.Delete(&modelstest.Project{}, ps[0].ID).Error)                        // by inline key
		must(t, db.Delete(&[]modelstest.Project{ps[1], ps[2]}).Error)                    // by slice
		res := db.Where("name IN ?", []string{"d", "zzz"}).Delete(&modelstest.Project{}) // by condition
		must(t, res.Error)
		eq(t, "RowsAffected by condition", res.RowsAffected, int64(1))

		c := counts(t, db)
		eq(t, "projects deleted", c["projects"].Deleted, int64(4))
		eq(t, "tasks deleted", c["tasks"].Deleted, int64(8))
		eq(t, "comments deleted", c["comments"].Deleted, int64(8))
		eq(t, "comments live", c["comments"].Live, int64(2))
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 3)
		eq(t, "slice deletion rows", ds[1].Rows, int64(2+4+4))
		eq(t, "slice deletion roots", ds[1].Roots, int64(2))
	})
}

func TestDeleteDeepSelfReference(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "deep", modelstest.Shape{Tasks: 2, SubtaskDepth: 6, CommentsPerTask: 1, ReactionsPerComment: 1})
		var root modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&root).Error)
		must(t, db.Delete(&root).Error) // a subtree: the task, 6 levels of subtasks, their comments and reactions
		c := counts(t, db)
		eq(t, "tasks deleted", c["tasks"].Deleted, int64(7))
		eq(t, "tasks live", c["tasks"].Live, int64(7))
		eq(t, "comments deleted", c["comments"].Deleted, int64(7))
		eq(t, "reactions deleted", c["reactions"].Deleted, int64(7))
		ds := deletions(t, db)
		eq(t, "Tables[tasks]", ds[0].Tables["tasks"], int64(7))
		eq(t, "Roots", ds[0].Roots, int64(1))
	})
}

func TestDeleteLeavesEarlierDeletionsAlone(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 3, CommentsPerTask: 1})
		var first modelstest.Task
		must(t, db.Where("project_id = ?", p.ID).Order("id").First(&first).Error)
		must(t, db.Delete(&first).Error)
		var stamped modelstest.Task
		must(t, db.Unscoped().First(&stamped, first.ID).Error)

		must(t, db.Delete(&p).Error)
		var again modelstest.Task
		must(t, db.Unscoped().First(&again, first.ID).Error)
		if !again.DeletedAt.Time.Equal(stamped.DeletedAt.Time) {
			t.Errorf("an earlier deletion was re-stamped: %v -> %v", stamped.DeletedAt.Time, again.DeletedAt.Time)
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 2)
		eq(t, "project deletion tasks", ds[1].Tables["tasks"], int64(2))
		eq(t, "project deletion comments", ds[1].Tables["comments"], int64(2))

		// Deleting what is already deleted matches nothing and records nothing.
		res := db.Delete(&p)
		must(t, res.Error)
		eq(t, "RowsAffected", res.RowsAffected, int64(0))
		eq(t, "deletions", len(deletions(t, db)), 2)
	})
}

func TestDeleteRestricted(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		c := modelstest.Client{Name: "acme"}
		must(t, db.Create(&c).Error)
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 1})
		must(t, db.Model(&p).Update("client_id", c.ID).Error)

		err := db.Delete(&c).Error
		if !errors.Is(err, softcascade.ErrRestricted) {
			t.Fatalf("err = %v, want ErrRestricted", err)
		}
		eq(t, "client live", modelstest.CountRows(t, db, &modelstest.Client{}).Live, int64(1))
		eq(t, "deletions", len(deletions(t, db)), 0)

		must(t, db.Delete(&p).Error)
		must(t, db.Delete(&c).Error) // its only project is in the trash
		eq(t, "client deleted", modelstest.CountRows(t, db, &modelstest.Client{}).Deleted, int64(1))
	})
}

func TestDeleteRollsBackOnFailure(t *testing.T) {
	t.Parallel()
	for _, skipTx := range []bool{false, true} {
		modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
			db := open(t, d, &gorm.Config{SkipDefaultTransaction: skipTx})
			p := modelstest.SeedProject(t, db, "p", modelstest.Small)
			before := counts(t, db)

			// A failure in the middle of the cascade: a table it must update is gone.
			must(t, db.Migrator().DropTable(&modelstest.Reaction{}))
			if err := db.Delete(&p).Error; err == nil {
				t.Fatal("delete succeeded without the reactions table")
			}
			must(t, db.AutoMigrate(&modelstest.Reaction{}))
			after := counts(t, db)
			for table, n := range before {
				if table != "reactions" && after[table] != n {
					t.Errorf("%s: %+v, want %+v (skip tx %v)", table, after[table], n, skipTx)
				}
			}
			eq(t, "deletions", len(deletions(t, db)), 0)

			// A failing AfterDelete hook, after the whole cascade ran.
			f := modelstest.SeedProject(t, db, modelstest.FailAfterDelete, modelstest.Small)
			if err := db.Delete(&f).Error; err == nil {
				t.Fatal("delete succeeded despite the hook")
			}
			eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(0))
			eq(t, "deletions", len(deletions(t, db)), 0)
		})
	}
}

func TestDeleteInCallersTransaction(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		rollback := errors.New("changed my mind")
		err := db.Transaction(func(tx *gorm.DB) error {
			must(t, tx.Delete(&p).Error)
			eq(t, "tasks deleted inside", modelstest.CountRows(t, tx, &modelstest.Task{}).Deleted, int64(9))
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(0))
		eq(t, "deletions", len(deletions(t, db)), 0)

		must(t, db.Transaction(func(tx *gorm.DB) error { return tx.Delete(&q).Error }))
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(9))
		eq(t, "deletions", len(deletions(t, db)), 1)
	})
}

func TestDeleteLeavesGORMsOwnCasesAlone(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)

		// A zero primary key never widens a delete.
		err := db.Delete(&modelstest.Project{}).Error
		if !errors.Is(err, gorm.ErrMissingWhereClause) {
			t.Errorf("zero key: err = %v, want ErrMissingWhereClause", err)
		}
		err = db.Delete(&modelstest.Folder{}).Error
		if !errors.Is(err, gorm.ErrMissingWhereClause) {
			t.Errorf("zero key (ledger kind): err = %v, want ErrMissingWhereClause", err)
		}
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(0))

		// Not soft-deletable: a plain hard delete.
		var e modelstest.TimeEntry
		must(t, db.First(&e).Error)
		must(t, db.Delete(&e).Error)
		var n int64
		must(t, db.Unscoped().Model(&modelstest.TimeEntry{}).Where("id = ?", e.ID).Count(&n).Error)
		eq(t, "time entry gone", n, int64(0))

		// Unscoped stays GORM's permanent delete, with no soft cascade.
		var task modelstest.Task
		must(t, db.Where("parent_id IS NULL").First(&task).Error)
		must(t, db.Unscoped().Select(clause.Associations).Delete(&task).Error)
		must(t, db.Unscoped().Model(&modelstest.Task{}).Where("id = ?", task.ID).Count(&n).Error)
		eq(t, "task gone", n, int64(0))
		eq(t, "deletions", len(deletions(t, db)), 0)

		// DryRun builds the statement and changes nothing.
		stmt := db.Session(&gorm.Session{DryRun: true}).Delete(&p).Statement
		if stmt.SQL.Len() == 0 {
			t.Error("DryRun built no SQL")
		}
		eq(t, "projects deleted after dry run", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(0))
		eq(t, "deletions", len(deletions(t, db)), 0)
	})
}

func TestDeleteSelectKeepsGORMMeaning(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Select("Members", "Tasks").Delete(&p).Error)
		var members int64
		must(t, db.Table("project_members").Count(&members).Error)
		eq(t, "join rows removed by GORM", members, int64(0))
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		eq(t, "tasks taken by the deletion", ds[0].Tables["tasks"], int64(9))
		eq(t, "comments taken by the deletion", ds[0].Tables["comments"], int64(18))

		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		must(t, db.Select(clause.Associations).Delete(&q).Error)
		eq(t, "deletions", len(deletions(t, db)), 2)
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(18))
	})
}

func TestDeleteReturning(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		if d.IsMySQL() {
			t.Skip("MySQL has no RETURNING")
		}
		db := open(t, d, nil)
		modelstest.SeedProject(t, db, "a", modelstest.Small)
		modelstest.SeedProject(t, db, "b", modelstest.Small)
		var got []modelstest.Project
		must(t, db.Clauses(clause.Returning{}).Where("name = ?", "b").Delete(&got).Error)
		if len(got) != 1 || got[0].Name != "b" || !got[0].DeletedAt.Valid {
			t.Fatalf("returned %+v", got)
		}
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(9))
	})
}

func TestDeleteStoresHostileStringsVerbatim(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, &gorm.Config{PrepareStmt: true})
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 1})
		actor := `robert'); DROP TABLE projects; -- "x" \ ` + "ünïcødé ☃"
		reason := "line1\nline2\t`backtick` $1 ? %s"
		ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), actor), reason+"\xff")
		must(t, db.WithContext(ctx).Delete(&p).Error)
		ds := deletions(t, db)
		eq(t, "Actor", ds[0].Actor, actor)
		eq(t, "Reason (invalid UTF-8 replaced)", ds[0].Reason, reason+"\uFFFD")
	})
}
