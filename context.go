package softcascade

import (
	"context"

	"github.com/softcascade/softcascade/deletionlog"
)

// WithActor returns a context whose deletions and restores record actor
// (for example "user:42"). Invalid UTF-8 is stored with U+FFFD.
func WithActor(ctx context.Context, actor string) context.Context {
	return deletionlog.WithActor(ctx, actor)
}

// WithReason returns a context whose deletions record reason.
func WithReason(ctx context.Context, reason string) context.Context {
	return deletionlog.WithReason(ctx, reason)
}

// WithTenant returns a context whose deletions record tenant; with a tenant
// in the context, RestoreDeletion and the plugin's trash listings see only
// that tenant's deletions.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return deletionlog.WithTenant(ctx, tenant)
}
