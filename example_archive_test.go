package softcascade_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// memArchiver keeps each deletion's archive in memory, in the format
// RestoreArchive reads: an archiver for object storage has the same shape,
// with an upload where this one has a buffer.
type memArchiver map[string][]byte

type memWriter struct {
	softcascade.ArchiveWriter
	commit func()
}

func (m memArchiver) Archive(_ context.Context, d *softcascade.Deletion) (softcascade.ArchiveWriter, error) {
	buf := new(bytes.Buffer)
	enc, err := softcascade.NewArchiveEncoder(buf, d)
	if err != nil {
		return nil, err
	}
	return memWriter{enc, func() { m[d.ID] = buf.Bytes() }}, nil
}

// Commit keeps the archive (replacing an older one of the same deletion).
func (w memWriter) Commit() error {
	if err := w.ArchiveWriter.Commit(); err != nil {
		return err
	}
	w.commit()
	return nil
}

// A purge with an archiver archives each deletion before its rows go;
// RestoreArchive brings a purged deletion back into the trash, and
// RestoreDeletion brings it live.
func ExampleArchiver() {
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	db, done := openExample(&gorm.Config{NowFunc: func() time.Time { return now }}, &Project{}, &Task{}, &Comment{})
	defer done()
	if err := db.Use(softcascade.New()); err != nil {
		panic(err)
	}
	p := exampleProject(db)
	db.Delete(&p)
	now = now.Add(31 * 24 * time.Hour)

	archives := memArchiver{}
	rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Archive: archives})
	fmt.Println("purged:", rep.Rows, err)

	var d softcascade.Deletion
	db.Take(&d)
	back, err := softcascade.RestoreArchive(db, bytes.NewReader(archives[d.ID]))
	fmt.Println("back in the trash:", back.Tables, err)
	_, err = softcascade.RestoreDeletion(db, d.ID)
	var live int64
	db.Model(&Task{}).Count(&live)
	fmt.Println("live tasks:", live, err)
	// Output:
	// purged: 8 <nil>
	// back in the trash: map[comments:4 projects:1 tasks:3] <nil>
	// live tasks: 3 <nil>
}

// DirArchiver writes each purged deletion into a directory as
// <deletion-id>.jsonl.gz.
func ExampleDirArchiver() {
	_ = func(db *gorm.DB) error {
		_, err := softcascade.Purge(db, softcascade.PurgeOptions{
			Archive: softcascade.DirArchiver("/var/lib/app/trash-archive"),
		})
		return err
	}
}
