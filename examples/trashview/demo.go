package main

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// shape is the size of a demo project.
func shape() modelstest.Shape {
	return modelstest.Shape{Tasks: 12, SubtaskDepth: 1, CommentsPerTask: 3, ReactionsPerComment: 1,
		AttachmentsPerTask: 1, TimeEntriesPerTask: 2, Documents: 3, VersionsPerDocument: 2, Members: 3}
}

// seed creates four projects, then deletes two of them and one task of a
// third, at different times in the past days.
func seed(db *gorm.DB, now time.Time) error {
	projects := map[string]modelstest.Project{}
	for _, name := range []string{"Website relaunch", "Mobile app", "Quarterly report", "Onboarding"} {
		p, err := modelstest.CreateProject(db, name, shape())
		if err != nil {
			return err
		}
		projects[name] = p
	}
	var task modelstest.Task
	if err := db.Where("project_id = ? AND parent_id IS NULL", projects["Quarterly report"].ID).Order("id").First(&task).Error; err != nil {
		return err
	}
	for _, d := range []struct {
		ago           time.Duration
		actor, reason string
		value         any
	}{
		{9 * 24 * time.Hour, "user:ann", "customer request", ptr(projects["Mobile app"])},
		{26 * time.Hour, "user:bob", "duplicate", ptr(projects["Onboarding"])},
		{40 * time.Minute, "user:ann", "", &task},
	} {
		at := now.Add(-d.ago)
		ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), d.actor), d.reason)
		tx := db.Session(&gorm.Session{NowFunc: func() time.Time { return at }, Context: ctx})
		if err := tx.Delete(d.value).Error; err != nil {
			return err
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
