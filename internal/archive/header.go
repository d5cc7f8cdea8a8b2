package archive

import (
	"fmt"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
)

// Format names the archive format on an archive's first line.
const Format = "softcascade-archive"

// Version is the version of the format this package writes and reads.
const Version = 1

// Header is an archive's first line: the deletion's log row, its stamp and
// its stored plan (the two fields the log row's JSON form leaves out).
type Header struct {
	Format   string                `json:"format"`
	Version  int                   `json:"version"`
	Deletion *deletionlog.Deletion `json:"deletion"`
	Stamp    int64                 `json:"stamp"`
	Plan     *plan.Plan            `json:"plan"`
}

// NewHeader is the header of deletion d's archive.
func NewHeader(d *deletionlog.Deletion) Header {
	return Header{Format: Format, Version: Version, Deletion: d, Stamp: d.Stamp, Plan: d.Plan}
}

// Log returns the deletion the header describes, stamp and plan included.
func (h Header) Log() (*deletionlog.Deletion, error) {
	if h.Format != Format {
		return nil, fmt.Errorf("%w: not a softcascade archive (format %.40q)", errInvalid, h.Format)
	}
	if h.Version != Version {
		return nil, fmt.Errorf("%w: archive format version %d, this build reads version %d", errInvalid, h.Version, Version)
	}
	if h.Deletion == nil {
		return nil, fmt.Errorf("%w: archive without a deletion", errInvalid)
	}
	d := *h.Deletion
	d.Stamp, d.Plan = h.Stamp, h.Plan
	return &d, nil
}

// End is an archive's last line: it tells a complete archive from a cut
// one, and counts its rows.
type End struct {
	Rows int64 `json:"rows"`
}
