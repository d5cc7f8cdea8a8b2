package main

import (
	"fmt"

	"gorm.io/gorm"
)

// The example's domain: a project has tasks, documents and members; a task
// has comments, attachments and time entries. Every model with a
// gorm.DeletedAt is soft-deletable; the constraint tags say which
// relations cascade.

// Project is the root of the cascade.
type Project struct {
	ID        uint
	Name      string
	Tasks     []Task         `gorm:"constraint:OnDelete:CASCADE"`
	Documents []Document     `gorm:"constraint:OnDelete:CASCADE"`
	Members   []User         `gorm:"many2many:project_members"` // kept while the project is in the trash
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Task belongs to a project.
type Task struct {
	ID          uint
	ProjectID   uint `gorm:"index"`
	Title       string
	Comments    []Comment      `gorm:"constraint:OnDelete:CASCADE"`
	Attachments []Attachment   `gorm:"polymorphic:Owner" softcascade:"cascade"`
	TimeEntries []TimeEntry    `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt   gorm.DeletedAt `gorm:"index"`
}

// Comment is on a task.
type Comment struct {
	ID          uint
	TaskID      uint `gorm:"index"`
	Body        string
	Attachments []Attachment   `gorm:"polymorphic:Owner" softcascade:"cascade"`
	DeletedAt   gorm.DeletedAt `gorm:"index"`
}

// Attachment hangs off a task or a comment (polymorphic).
type Attachment struct {
	ID        uint
	OwnerID   uint   `gorm:"index:idx_attachment_owner,priority:2"`
	OwnerType string `gorm:"size:32;index:idx_attachment_owner,priority:1"`
	Name      string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// TimeEntry is not soft-deletable: it stays while its task is in the
// trash, and goes when the task is purged.
type TimeEntry struct {
	ID      uint
	TaskID  uint `gorm:"index"`
	Minutes int
}

// Document belongs to a project.
type Document struct {
	ID        uint
	ProjectID uint `gorm:"index"`
	Title     string
	Versions  []DocumentVersion `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt    `gorm:"index"`
}

// DocumentVersion belongs to a document.
type DocumentVersion struct {
	ID         uint
	DocumentID uint `gorm:"index"`
	Number     int
	DeletedAt  gorm.DeletedAt `gorm:"index"`
}

// User is a project member (many-to-many); deleting a project never
// deletes its members.
type User struct {
	ID        uint
	Name      string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// models are the domain's models, parents first.
func models() []any {
	return []any{&User{}, &Project{}, &Task{}, &Comment{}, &Attachment{}, &TimeEntry{}, &Document{}, &DocumentVersion{}}
}

// size is how big createProject makes a project.
type size struct {
	Tasks, CommentsPerTask, AttachmentsPerTask, AttachmentsPerComment, TimeEntriesPerTask int
	Documents, VersionsPerDocument, Members                                               int
}

// createProject creates a project of the given size with batched inserts.
func createProject(db *gorm.DB, name string, s size) (Project, error) {
	const batch = 500
	p := Project{Name: name}
	if err := db.Create(&p).Error; err != nil {
		return p, err
	}
	tasks := make([]Task, s.Tasks)
	for i := range tasks {
		tasks[i] = Task{ProjectID: p.ID, Title: fmt.Sprintf("task %d", i+1)}
	}
	if err := createAll(db, &tasks, batch); err != nil {
		return p, err
	}
	var comments []Comment
	var attachments []Attachment
	var entries []TimeEntry
	for _, t := range tasks {
		for i := 0; i < s.CommentsPerTask; i++ {
			comments = append(comments, Comment{TaskID: t.ID, Body: fmt.Sprintf("comment %d on %s", i+1, t.Title)})
		}
		for i := 0; i < s.AttachmentsPerTask; i++ {
			attachments = append(attachments, Attachment{OwnerID: t.ID, OwnerType: "tasks", Name: "spec.pdf"})
		}
		for i := 0; i < s.TimeEntriesPerTask; i++ {
			entries = append(entries, TimeEntry{TaskID: t.ID, Minutes: 30})
		}
	}
	if err := createAll(db, &comments, batch); err != nil {
		return p, err
	}
	for _, c := range comments {
		for i := 0; i < s.AttachmentsPerComment; i++ {
			attachments = append(attachments, Attachment{OwnerID: c.ID, OwnerType: "comments", Name: "image.png"})
		}
	}
	docs := make([]Document, s.Documents)
	for i := range docs {
		docs[i] = Document{ProjectID: p.ID, Title: fmt.Sprintf("document %d", i+1)}
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
		users[i] = User{Name: fmt.Sprintf("member %d of %s", i+1, name)}
	}
	for _, err := range []error{
		createAll(db, &attachments, batch), createAll(db, &entries, batch),
		createAll(db, &versions, batch), createAll(db, &users, batch),
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

// createAll inserts rows in batches, setting their IDs.
func createAll[T any](db *gorm.DB, rows *[]T, batch int) error {
	if len(*rows) == 0 {
		return nil
	}
	return db.CreateInBatches(rows, batch).Error
}
