package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// line is one comparison of the report: path A against path B.
type line struct {
	scale int
	what  string // "cascade delete: plugin / hand-written"
	a, b  summary
	rows  int64 // rows one run removes (purge), for rows/s; 0 otherwise
}

// tree describes the measured tree at one scale.
type tree struct {
	scale int
	rows  string        // rows soft-deleted per table by one cascade
	built time.Duration // building every tree of the scale
	trees int
}

// report is everything the bench prints.
type report struct {
	version string
	rounds  int
	latency time.Duration
	reads   string // how the reads were measured, "" when they were not
	trees   []tree
	lines   []line
}

func (r *report) write(w io.Writer, markdown bool) error {
	fmt.Fprintf(w, "softcascade bench: %s; %s/%s, %d CPUs%s; %s\n", r.version, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version())
	fmt.Fprintf(w, "%d rounds, paths alternating; time A/B = median over rounds of A's time / B's time in the same round; medians; spread = half the range of the rounds over the median; stmts = round trips (BEGIN, COMMIT included); allocs = Go heap allocations; peak heap = live Go heap above the start, sampled every millisecond; simulated latency %v per round trip (cascade delete and restore)\n\n", r.rounds, r.latency)
	if r.reads != "" {
		fmt.Fprintf(w, "reads: %s\n", r.reads)
	}
	for _, t := range r.trees {
		fmt.Fprintf(w, "%dx tree: %s (built with %d trees in the database in %v)\n", t.scale, t.rows, t.trees, t.built.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	head := []string{"scale", "comparison (A / B)", "time A/B", "allocs A/B", "A median", "A spread", "B median", "B spread", "A stmts", "B stmts", "A allocs", "B allocs", "peak heap A/B", "A peak heap", "B peak heap"}
	var rows [][]string
	for _, l := range r.lines {
		scale := fmt.Sprintf("%dx", l.scale)
		rows = append(rows, []string{
			scale, l.what,
			fmt.Sprintf("%.2f", pairedRatio(l.a, l.b)), ratio(l.a.allocs, l.b.allocs),
			duration(l.a.median), l.a.spread(), duration(l.b.median), l.b.spread(),
			trips(l.a.trips), trips(l.b.trips), count(l.a.allocs), count(l.b.allocs),
			ratio(l.a.peak, l.b.peak), mib(l.a.peak), mib(l.b.peak),
		})
	}
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
		for _, row := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, l := range r.lines {
		if l.rows > 0 {
			fmt.Fprintf(w, "\n%dx %s: %s rows per run; throughput A %s rows/s, B %s rows/s (medians); throughput A/B %.2f (median over rounds of B's time / A's time)\n",
				l.scale, l.what, count(float64(l.rows)), count(perSecond(l.rows, l.a.median)), count(perSecond(l.rows, l.b.median)), pairedRatio(l.b, l.a))
		}
	}
	return nil
}

func perSecond(rows int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(rows) / d.Seconds()
}

// trips is a round-trip count; "-" where none went through the wire: Purge
// runs on a connection it takes from the pool (gorm's DB.Connection),
// which the wire does not see.
func trips(n float64) string {
	if n == 0 {
		return "-"
	}
	return count(n)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// count writes n with thousands separators, and one decimal below 100
// when it is not whole (per-query figures).
func count(n float64) string {
	if n < 100 && n != math.Trunc(n) {
		return fmt.Sprintf("%.1f", n)
	}
	s := fmt.Sprintf("%.0f", n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// cpuModel is ", <model name>" from /proc/cpuinfo where there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return " (" + strings.Join(strings.Fields(v), " ") + ")"
		}
	}
	return ""
}

// mib is bytes in MiB.
func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
