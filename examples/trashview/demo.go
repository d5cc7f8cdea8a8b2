package main

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// demoSize is the size of a demo project.
func demoSize() size {
	return size{Tasks: 12, CommentsPerTask: 3, AttachmentsPerTask: 1, AttachmentsPerComment: 1,
		TimeEntriesPerTask: 2, Documents: 3, VersionsPerDocument: 2, Members: 3}
}

// seed creates four projects, then deletes two of them and one task of a
// third, at different times in the past days.
func seed(db *gorm.DB, now time.Time) error {
	projects := map[string]Project{}
	for _, name := range []string{"Website relaunch", "Mobile app", "Quarterly report", "Onboarding"} {
		p, err := createProject(db, name, demoSize())
		if err != nil {
			return err
		}
		projects[name] = p
	}
	var task Task
	if err := db.Where("project_id = ?", projects["Quarterly report"].ID).Order("id").First(&task).Error; err != nil {
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
