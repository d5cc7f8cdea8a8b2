package softcascade

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// WithRetentionFor keeps the deletions whose root is model (the model a
// Delete call matched) for d instead of the plugin's retention, like
// Laravel's prunable(): WithRetentionFor(&AuditEntry{}, 7*24*time.Hour).
// The retention is stored with each deletion when it is made (its
// PurgeAfter), so every purger honours it, whatever its own options. A
// nil model, a model GORM cannot parse or a d that is not positive makes
// Initialize (db.Use) fail with ErrInvalidValue. Given twice for one
// model, the last one counts.
func WithRetentionFor(model any, d time.Duration) Option {
	return func(p *Plugin) { p.retentions = append(p.retentions, modelRetention{model, d}) }
}

// modelRetention is one WithRetentionFor.
type modelRetention struct {
	model     any
	retention time.Duration
}

// retentionByTable checks the WithRetentionFor options and returns their
// retentions by table.
func (p *Plugin) retentionByTable(db *gorm.DB) (map[string]time.Duration, error) {
	out := make(map[string]time.Duration, len(p.retentions))
	for i, r := range p.retentions {
		if r.model == nil {
			return nil, fmt.Errorf("%w: WithRetentionFor: model %d is nil", errs.ErrInvalidValue, i)
		}
		if r.retention <= 0 {
			return nil, fmt.Errorf("%w: WithRetentionFor(%T): retention must be positive, got %s", errs.ErrInvalidValue, r.model, r.retention)
		}
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(r.model); err != nil {
			return nil, fmt.Errorf("%w: WithRetentionFor(%T): %w", errs.ErrInvalidValue, r.model, err)
		}
		if _, ok := softdelete.Of(stmt.Schema); !ok {
			return nil, fmt.Errorf("%w: WithRetentionFor(%T): table %s is not soft-deletable: none of its rows is ever in the trash", errs.ErrInvalidValue, r.model, stmt.Schema.Table)
		}
		if prev, ok := out[stmt.Schema.Table]; ok && prev != r.retention {
			return nil, fmt.Errorf("%w: WithRetentionFor: table %s is given two retentions, %s and %s", errs.ErrInvalidValue, stmt.Schema.Table, prev, r.retention)
		}
		out[stmt.Schema.Table] = r.retention
	}
	return out, nil
}

// retentionFor is how long deletions of root table are kept: its
// WithRetentionFor, else the plugin's retention.
func (p *Plugin) retentionFor(table string) time.Duration {
	if d, ok := p.byTable[table]; ok {
		return d
	}
	return p.retention
}
