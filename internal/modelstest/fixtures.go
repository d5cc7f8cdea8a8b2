package modelstest

import (
	"fmt"
	"testing"

	"gorm.io/gorm"
)

// Shape is the size of a seeded project.
type Shape struct {
	Tasks               int // top-level tasks
	SubtaskDepth        int // each top-level task has a chain of this many subtasks
	CommentsPerTask     int // on every task, subtasks included
	ReactionsPerComment int
	AttachmentsPerTask  int // on every task
	AttachmentsPerCmt   int // on every comment
	Attachments         int // one more on each of the first this many top-level tasks
	TimeEntriesPerTask  int
	Documents           int
	VersionsPerDocument int
	Members             int
}

// Small is a project that touches every table and edge.
var Small = Shape{Tasks: 3, SubtaskDepth: 2, CommentsPerTask: 2, ReactionsPerComment: 1, AttachmentsPerTask: 1, AttachmentsPerCmt: 1, TimeEntriesPerTask: 1, Documents: 2, VersionsPerDocument: 2, Members: 2}

// Seed is the seed's project: 500 tasks, 2,000 comments, 300 attachments.
var Seed = Shape{Tasks: 500, CommentsPerTask: 4, Attachments: 300, TimeEntriesPerTask: 2, Documents: 20, VersionsPerDocument: 5, Members: 5}

// SeedProject creates a project of the given shape with batched inserts
// and returns it with its ID set.
func SeedProject(t testing.TB, db *gorm.DB, name string, s Shape) Project {
	t.Helper()
	p, err := CreateProject(db, name, s)
	if err != nil {
		t.Fatalf("seed project %q: %v", name, err)
	}
	return p
}

// CreateProject is SeedProject for code that has no testing.TB (examples,
// benchmarks' set-up).
func CreateProject(db *gorm.DB, name string, s Shape) (Project, error) {
	const batch = 500
	p := Project{Name: name}
	if err := db.Create(&p).Error; err != nil {
		return p, err
	}
	var all []Task
	level := make([]Task, s.Tasks)
	for i := range level {
		level[i] = Task{ProjectID: p.ID, Title: fmt.Sprintf("task %d", i)}
	}
	for depth := 0; len(level) > 0; depth++ {
		if err := db.CreateInBatches(&level, batch).Error; err != nil {
			return p, err
		}
		all = append(all, level...)
		if depth == s.SubtaskDepth {
			break
		}
		next := make([]Task, len(level))
		for i, parent := range level {
			id := parent.ID
			next[i] = Task{ProjectID: p.ID, ParentID: &id, Title: fmt.Sprintf("%s.%d", parent.Title, depth)}
		}
		level = next
	}
	var comments []Comment
	var attachments []Attachment
	var entries []TimeEntry
	for i := 0; i < s.Attachments && i < len(all); i++ {
		attachments = append(attachments, Attachment{OwnerID: all[i].ID, OwnerType: "tasks", Name: "spec.pdf"})
	}
	for _, task := range all {
		for i := 0; i < s.CommentsPerTask; i++ {
			comments = append(comments, Comment{TaskID: task.ID, Body: fmt.Sprintf("comment %d on %s", i, task.Title)})
		}
		for i := 0; i < s.AttachmentsPerTask; i++ {
			attachments = append(attachments, Attachment{OwnerID: task.ID, OwnerType: "tasks", Name: "file.pdf"})
		}
		for i := 0; i < s.TimeEntriesPerTask; i++ {
			entries = append(entries, TimeEntry{TaskID: task.ID, Minutes: 30})
		}
	}
	if err := createAll(db, &comments, batch); err != nil {
		return p, err
	}
	var reactions []Reaction
	for _, c := range comments {
		for i := 0; i < s.ReactionsPerComment; i++ {
			reactions = append(reactions, Reaction{CommentID: c.ID, Emoji: "+1"})
		}
		for i := 0; i < s.AttachmentsPerCmt; i++ {
			attachments = append(attachments, Attachment{OwnerID: c.ID, OwnerType: "comments", Name: "image.png"})
		}
	}
	docs := make([]Document, s.Documents)
	for i := range docs {
		docs[i] = Document{ProjectID: p.ID, Title: fmt.Sprintf("doc %d", i)}
	}
	if err := createAll(db, &docs, batch); err != nil {
		return p, err
	}
	var versions []DocumentVersion
	for _, d := range docs {
		for i := 0; i < s.VersionsPerDocument; i++ {
			versions = append(versions, DocumentVersion{DocumentID: d.ID, Number: i + 1})
		}
	}
	users := make([]User, s.Members)
	for i := range users {
		users[i] = User{Name: fmt.Sprintf("member %d of %s", i, name)}
	}
	for _, err := range []error{
		createAll(db, &reactions, batch), createAll(db, &attachments, batch),
		createAll(db, &entries, batch), createAll(db, &versions, batch), createAll(db, &users, batch),
	} {
		if err != nil {
			return p, err
		}
	}
	if len(users) > 0 {
		if err := db.Model(&p).Association("Members").Append(users); err != nil {
			return p, err
		}
	}
	return p, nil
}

func createAll[T any](db *gorm.DB, rows *[]T, batch int) error {
	if len(*rows) == 0 {
		return nil
	}
	return db.CreateInBatches(rows, batch).Error
}

// Count is the number of live and soft-deleted rows of a model.
type Count struct{ Live, Deleted int64 }

// CountRows counts a model's live and soft-deleted rows.
func CountRows(t testing.TB, db *gorm.DB, model any) Count {
	t.Helper()
	var live, all int64
	if err := db.Model(model).Count(&live).Error; err != nil {
		t.Fatalf("count %T: %v", model, err)
	}
	if err := db.Unscoped().Model(model).Count(&all).Error; err != nil {
		t.Fatalf("count %T: %v", model, err)
	}
	return Count{Live: live, Deleted: all - live}
}
