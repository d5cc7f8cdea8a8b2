package modelstest

import (
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"
)

// The seed's domain: a client owns projects; a project has tasks (with
// subtasks to any depth), comments, reactions, attachments (polymorphic,
// on tasks and comments), time entries (not soft-deletable), documents
// with versions, and members (many-to-many).

// Client owns projects; it may not be deleted while it has live projects.
type Client struct {
	ID        uint
	Name      string
	Projects  []Project      `softcascade:"restrict"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Project is the root of the seed's cascade.
type Project struct {
	ID        uint
	ClientID  *uint `gorm:"index"`
	Name      string
	Tasks     []Task         `gorm:"constraint:OnDelete:CASCADE"`
	Documents []Document     `gorm:"constraint:OnDelete:CASCADE"`
	Members   []User         `gorm:"many2many:project_members"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// FailAfterDelete makes Project's AfterDelete hook fail for a project of that name.
const FailAfterDelete = "fail-after-delete"

// AfterDelete fails for projects named FailAfterDelete, to test rollback.
func (p *Project) AfterDelete(tx *gorm.DB) error {
	if p.Name == FailAfterDelete {
		return errors.New("hook refused")
	}
	return nil
}

// Task belongs to a project and may have a parent task.
type Task struct {
	ID          uint
	ProjectID   uint  `gorm:"index"`
	ParentID    *uint `gorm:"index"`
	Title       string
	Subtasks    []Task         `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
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
	Reactions   []Reaction     `gorm:"constraint:OnDelete:CASCADE"`
	Attachments []Attachment   `gorm:"polymorphic:Owner" softcascade:"cascade"`
	DeletedAt   gorm.DeletedAt `gorm:"index"`
}

// Reaction is on a comment.
type Reaction struct {
	ID        uint
	CommentID uint `gorm:"index"`
	Emoji     string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Attachment hangs off a task or a comment (polymorphic).
type Attachment struct {
	ID        uint
	OwnerID   uint   `gorm:"index:idx_attachment_owner,priority:2"`
	OwnerType string `gorm:"size:32;index:idx_attachment_owner,priority:1"`
	Name      string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// TimeEntry is not soft-deletable: it stays while its task is in the trash.
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

// User is a project member (many-to-many), soft-deletable, never cascaded.
type User struct {
	ID        uint
	Name      string
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// SeedModels are the seed domain's models, parents first.
func SeedModels() []any {
	return []any{&Client{}, &User{}, &Project{}, &Task{}, &Comment{}, &Reaction{}, &Attachment{}, &TimeEntry{}, &Document{}, &DocumentVersion{}}
}

// The soft_delete plugin's kinds, chained: a unix-second folder has
// milli notes, which have nano pages, which have flag lines, which have
// mixed-mode (flag + time) marks and mixed-mode (flag + milli) stamps.

// Folder uses unix seconds.
type Folder struct {
	ID        uint
	Name      string
	Notes     []Note `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt soft_delete.DeletedAt
}

// Note uses unix milliseconds.
type Note struct {
	ID        uint
	FolderID  uint
	Pages     []Page                `softcascade:"cascade"`
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli"`
}

// Page uses unix nanoseconds.
type Page struct {
	ID        uint
	NoteID    uint
	Lines     []Line                `softcascade:"cascade"`
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:nano"`
}

// Line uses a flag.
type Line struct {
	ID     uint
	PageID uint
	Marks  []Mark                `softcascade:"cascade"`
	Stamps []Stamp               `softcascade:"cascade"`
	IsDel  soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// Mark uses a flag plus a time deleted-at field (mixed mode).
type Mark struct {
	ID        uint
	LineID    uint
	DeletedAt *time.Time
	IsDel     soft_delete.DeletedAt `gorm:"softDelete:flag,DeletedAtField:DeletedAt"`
}

// Stamp uses a flag plus a unix-milli deleted-at field (mixed mode).
type Stamp struct {
	ID        uint
	LineID    uint
	DeletedAt uint
	IsDel     soft_delete.DeletedAt `gorm:"softDelete:flag,DeletedAtField:DeletedAt,DeletedAtFieldUnit:milli"`
}

// KindModels are the soft_delete kinds' models, parents first.
func KindModels() []any {
	return []any{&Folder{}, &Note{}, &Page{}, &Line{}, &Mark{}, &Stamp{}}
}
