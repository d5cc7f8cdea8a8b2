package softcascade

import (
	"context"

	"github.com/softcascade/softcascade/internal/deletionlog"
)

// WithActor returns a context whose deletions and restores record actor
// (for example "user:42"). Invalid UTF-8 and NUL bytes are stored as
// U+FFFD: an actor is data, not a key. A nil ctx is taken as
// context.Background().
func WithActor(ctx context.Context, actor string) context.Context {
	return deletionlog.WithActor(orBackground(ctx), actor)
}

// WithReason returns a context whose deletions record reason. A nil ctx
// is taken as context.Background().
func WithReason(ctx context.Context, reason string) context.Context {
	return deletionlog.WithReason(orBackground(ctx), reason)
}

// WithTenant returns a context whose deletions record tenant; with a tenant
// in the context, Restore, RestoreDeletion, FindDeletion, Trash and Purge
// reach only that tenant's deletions (anything else is
// gorm.ErrRecordNotFound). Tenants are compared exactly. An empty tenant,
// invalid UTF-8, a NUL byte or more than 191 characters is ErrInvalidValue
// where the context is used, never rewritten. An operator, who sees every
// deletion, has no WithTenant at all. See docs/security.md. A nil ctx is
// taken as context.Background().
func WithTenant(ctx context.Context, tenant string) context.Context {
	return deletionlog.WithTenant(orBackground(ctx), tenant)
}

// orBackground is ctx, or context.Background() when ctx is nil (which
// context.WithValue refuses with a panic).
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
