package deletionlog

import (
	"context"
	"strings"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	reasonKey
	tenantKey
)

// WithActor returns a context whose deletions and restores record actor.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey, actor)
}

// WithReason returns a context whose deletions record reason.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey, reason)
}

// WithTenant returns a context whose deletions record tenant, and whose
// restores and trash listings see only that tenant's deletions.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey, tenant)
}

// Actor is the context's actor, "" when none. Invalid UTF-8 and NUL bytes
// are replaced with U+FFFD, so that every database stores it (PostgreSQL
// refuses both in text).
func Actor(ctx context.Context) string { return value(ctx, actorKey) }

// Reason is the context's reason, "" when none.
func Reason(ctx context.Context) string { return value(ctx, reasonKey) }

// Tenant is the context's tenant and whether one is set.
func Tenant(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(tenantKey).(string)
	return storable(s), ok
}

func value(ctx context.Context, key ctxKey) string {
	s, _ := ctx.Value(key).(string)
	return storable(s)
}

// storable replaces invalid UTF-8 and NUL bytes with U+FFFD.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
