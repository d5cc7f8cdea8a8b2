package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/softcascade/softcascade"
)

// unknownRetention is the retention the command installs the plugin
// with: it does not know the application's, so deletions logged before
// purge-after times were stored are never due for it (purge --older-than
// still purges them). Trash and show say "unknown" for them.
const unknownRetention = 200 * 365 * 24 * time.Hour

// purgeDue is when deletion d may be purged; nil for a deletion logged
// without a purge-after (the application's retention decides).
func purgeDue(d softcascade.Deletion) *time.Time {
	if d.PurgeAfter.IsZero() {
		return nil
	}
	t := d.PurgeAfter
	return &t
}

// thousands formats n with a comma every three digits: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// days is a duration flag that also takes whole days ("30d").
type days time.Duration

func (d *days) String() string {
	v := time.Duration(*d)
	if v%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", v/(24*time.Hour))
	}
	return v.String()
}

// Set parses "30d" or a Go duration ("336h").
func (d *days) Set(s string) error {
	v, err := parseAge(s)
	if err != nil {
		return err
	}
	if v <= 0 {
		return fmt.Errorf("must be positive")
	}
	*d = days(v)
	return nil
}

func (d *days) Type() string { return "duration" }

// Duration is the flag's value.
func (d days) Duration() time.Duration { return time.Duration(d) }

// parseAge parses "7d", "1.5d" or a Go duration ("36h", "90m").
func parseAge(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || f < 0 || f > math.MaxInt64/float64(24*time.Hour) {
			return 0, fmt.Errorf("invalid number of days %q", s)
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use e.g. 36h or 7d)", s)
	}
	return v, nil
}

// parseWhen parses a --since or --before value: a date or time, or an age
// ("7d", "36h") meaning that long before now. "" is the zero time.
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	// The absolute forms, in local time unless they carry a zone.
	layouts := []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if age, err := parseAge(s); err == nil && age >= 0 {
		return now.Add(-age), nil
	}
	return time.Time{}, usagef("invalid --%s %q: want a date (2026-11-01), a time (2026-11-01T15:04, RFC 3339) or an age (36h, 7d)", flag, s)
}

// purgeIn says how long until a deletion may be purged: "29d", "5h",
// "due", or "unknown" (nil due: logged without a purge-after).
func purgeIn(due *time.Time, now time.Time) string {
	if due == nil {
		return "unknown"
	}
	left := due.Sub(now)
	switch {
	case left <= 0:
		return "due"
	case left < time.Hour:
		return "<1h"
	case left < 24*time.Hour:
		return fmt.Sprintf("%dh", left/time.Hour)
	default:
		return fmt.Sprintf("%dd", left/(24*time.Hour))
	}
}

// timeFormat is how times are shown (local time).
const timeFormat = "2006-01-02 15:04"

func showTime(t time.Time) string { return t.Local().Format(timeFormat) }
