package modelstest

import (
	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"
)

// Models with unique-while-live indexes (softcascade:"unique"): a
// workspace's slug (gorm.DeletedAt); a label's name within its workspace
// (flag mode, composite); an account's email (unix seconds).

// Workspace has a slug unique among live workspaces, and labels.
type Workspace struct {
	ID        uint
	Slug      string         `gorm:"size:64" softcascade:"unique"`
	Labels    []Label        `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Label's name is unique among the live labels of its workspace.
type Label struct {
	ID          uint
	WorkspaceID uint                  `gorm:"index" softcascade:"unique:idx_labels_workspace_name"`
	Name        string                `gorm:"size:64" softcascade:"unique:idx_labels_workspace_name"`
	IsDel       soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// Account's email is unique among live accounts.
type Account struct {
	ID        uint
	Email     string `gorm:"size:128;softcascade:unique"`
	DeletedAt soft_delete.DeletedAt
}

// UniqueModels are the models with unique-while-live indexes, parents first.
func UniqueModels() []any {
	return []any{&Workspace{}, &Label{}, &Account{}}
}
