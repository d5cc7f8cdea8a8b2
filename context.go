package softcascade

import (
	"context"

	"github.com/softcascade/softcascade/deletionlog"
)

// WithActor returns a context whose deletions and restores record actor
// (for example "user:42"). Invalid UTF-8 and NUL bytes are stored as
// U+FFFD: an actor is data, not a key.
func WithActor(ctx context.Context, actor string) context.Context {
	return deletionlog.WithActor(ctx, actor)
}

// WithReason returns a context whose deletions record reason.
func WithReason(ctx context.Context, reason string) context.Context {
	return deletionlog.WithReason(ctx, reason)
}

// WithTenant returns a context whose deletions record tenant; with a tenant
// in the context, Restore, RestoreDeletion, FindDeletion, Trash and Purge
// reach only that tenant's deletions (anything else is
// gorm.ErrRecordNotFound). Tenants are compared exactly. An empty tenant,
// invalid UTF-8, a NUL byte or more than 191 characters is ErrInvalidValue
// where the context is used, never rewritten. An operator, who sees every
// deletion, has no WithTenant at all. See docs/security.md.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return deletionlog.WithTenant(ctx, tenant)
}
