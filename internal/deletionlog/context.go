package deletionlog

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/softcascade/softcascade/internal/errs"
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
// restores and trash listings see only that tenant's deletions. The tenant
// is checked where it is used (see Tenant): an empty one, or one that the
// log cannot store exactly, is an error there.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey, tenant)
}

// Actor is the context's actor, "" when none. Invalid UTF-8 and NUL bytes
// are replaced with U+FFFD, so that every database stores it (PostgreSQL
// refuses both in text): the actor is data the log keeps, not a key it
// compares.
func Actor(ctx context.Context) string { return value(ctx, actorKey) }

// Reason is the context's reason, "" when none, stored like Actor.
func Reason(ctx context.Context) string { return value(ctx, reasonKey) }

// Tenant is the context's tenant and whether one is set. A tenant that is
// set but empty, longer than TenantSize characters, or not storable
// exactly (invalid UTF-8, a NUL byte) is errs.ErrInvalidValue: it is never
// rewritten, since two tenants must never become one.
func Tenant(ctx context.Context) (string, bool, error) {
	s, ok := ctx.Value(tenantKey).(string)
	if !ok {
		return "", false, nil
	}
	if err := ValidTenant(s); err != nil {
		return "", true, err
	}
	return s, true, nil
}

// ValidTenant checks that tenant can be stored and compared exactly: not
// empty (no tenant is expressed by no WithTenant at all), at most
// TenantSize characters, valid UTF-8 without NUL bytes.
func ValidTenant(tenant string) error {
	switch {
	case tenant == "":
		return fmt.Errorf("%w: empty tenant (a context without a tenant has no WithTenant at all)", errs.ErrInvalidValue)
	case !utf8.ValidString(tenant):
		return fmt.Errorf("%w: tenant %.40q is not valid UTF-8", errs.ErrInvalidValue, tenant)
	case strings.IndexByte(tenant, 0) >= 0:
		return fmt.Errorf("%w: tenant %.40q has a NUL byte", errs.ErrInvalidValue, tenant)
	}
	if n := utf8.RuneCountInString(tenant); n > TenantSize {
		return fmt.Errorf("%w: tenant of %d characters (at most %d)", errs.ErrInvalidValue, n, TenantSize)
	}
	return nil
}

// Stored is the form in which the log stores an actor or reason s: what
// a filter on those columns must compare with.
func Stored(s string) string { return storable(s) }

func value(ctx context.Context, key ctxKey) string {
	s, _ := ctx.Value(key).(string)
	return storable(s)
}

// storable replaces invalid UTF-8 and NUL bytes with U+FFFD.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
