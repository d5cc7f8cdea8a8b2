// Command bench measures softcascade against the limit, hand-written
// set-based SQL for the seed's schema, and against the row-by-row cascade
// it replaces, on trees of the seed's shape at several scales:
//
//	go run ./bench                          # PostgreSQL, scales 1 and 100
//	go run ./bench -db mysql -scale 10
//	go run ./bench -db sqlite -scale 1 -latency 1ms
//	go run ./bench -db sqlite,postgres,mysql -latency 0,1ms -scale 1,10
//
// -db and -latency take lists: every database is measured with every
// latency, one report each, in turn.
//
// Each scale gets a fresh schema (PostgreSQL), database (MySQL) or file
// (SQLite), dropped at the end. The report is one table of ratios, with
// the absolute medians as context; progress goes to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	db       string
	dsn      string
	scales   []int
	others   int
	rounds   int
	latency  time.Duration
	reads    int
	readRuns int
	only     map[string]bool
	ops      map[string]bool
	// purge: the least rows of the backlog, rows per batch, rounds
	purgeRows   int
	batch       int
	purgeRounds int
	explain     bool
	trace       int
	markdown    bool
	quiet       bool
}

func main() {
	var c config
	var scales, paths, ops, dbs, latencies string
	flag.StringVar(&dbs, "db", dialectPostgres, "databases, comma-separated: sqlite, postgres, mysql")
	flag.StringVar(&c.dsn, "dsn", "", "server DSN (default $SOFTCASCADE_POSTGRES_DSN or $SOFTCASCADE_MYSQL_DSN); each scale runs in a new schema or database created there")
	flag.StringVar(&scales, "scale", "1,100", "tree sizes, comma-separated multiples of the seed's project (500 tasks, 2,000 comments, 300 attachments)")
	flag.IntVar(&c.others, "others", 1, "trees of the same size beside the measured one")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds; every path runs once per round")
	flag.StringVar(&latencies, "latency", "0", "simulated latencies per round trip (cascade delete and restore), comma-separated: 0,1ms runs every database twice")
	flag.IntVar(&c.reads, "reads", 500, "queries per read path per round; 0 skips the reads")
	flag.IntVar(&c.readRuns, "read-rounds", 20, "rounds of the reads (cheap, and noisier than the cascades)")
	flag.StringVar(&paths, "paths", "", "comma-separated paths to run (plugin, hand-written, row-by-row); default all")
	flag.StringVar(&ops, "ops", "", "comma-separated operations to run (delete, restore, purge); default all")
	flag.IntVar(&c.purgeRows, "purge-rows", 1000000, "purge: the least rows of the expired backlog (trees of the scale, deleted by the plugin past the retention)")
	flag.IntVar(&c.batch, "batch", 1000, "purge: rows per batch, for the plugin and the hand-written loop")
	flag.IntVar(&c.purgeRounds, "purge-rounds", 3, "purge: rounds (each builds and deletes a fresh backlog, untimed)")
	flag.BoolVar(&c.explain, "explain", false, "PostgreSQL: print EXPLAIN ANALYZE of the plugin's and the hand-written cascade statements")
	flag.IntVar(&c.trace, "trace", 0, "print every round trip of the plugin's and the hand-written cascade delete and restore with its median time over this many runs")
	flag.BoolVar(&c.markdown, "markdown", false, "print the table as Markdown")
	flag.BoolVar(&c.quiet, "q", false, "no progress on stderr")
	flag.Parse()
	for _, s := range strings.Split(scales, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: bad -scale %q\n", scales)
			os.Exit(2)
		}
		c.scales = append(c.scales, n)
	}
	if paths != "" {
		c.only = map[string]bool{}
		for _, p := range strings.Split(paths, ",") {
			c.only[strings.TrimSpace(p)] = true
		}
	}
	if ops != "" {
		c.ops = map[string]bool{}
		for _, o := range strings.Split(ops, ",") {
			c.ops[strings.TrimSpace(o)] = true
		}
	}
	var lats []time.Duration
	for _, l := range strings.Split(latencies, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(l))
		if err != nil || d < 0 {
			fmt.Fprintf(os.Stderr, "bench: bad -latency %q\n", latencies)
			os.Exit(2)
		}
		lats = append(lats, d)
	}
	names := strings.Split(dbs, ",")
	if c.dsn != "" && len(names) > 1 {
		fmt.Fprintln(os.Stderr, "bench: -dsn needs a single -db")
		os.Exit(2)
	}
	c.rounds, c.purgeRounds, c.batch = max(c.rounds, 1), max(c.purgeRounds, 1), max(c.batch, 1)
	// Purge logs a line when it starts and ends: keep the progress readable.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dsn := c.dsn
	for i, name := range names {
		for j, lat := range lats {
			c.db, c.dsn, c.latency = strings.TrimSpace(name), dsn, lat
			if c.dsn == "" {
				c.dsn = defaultDSN(c.db)
			}
			if i+j > 0 {
				fmt.Println()
			}
			if err := run(ctx, c); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				os.Exit(1)
			}
		}
	}
}

func run(ctx context.Context, c config) error {
	progress := func(s string) {
		if !c.quiet {
			fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), s)
		}
	}
	r := &report{rounds: c.rounds, latency: c.latency}
	if c.reads > 0 {
		r.reads = fmt.Sprintf("%d rounds of %d queries per read and database, alternating every %d queries, no simulated latency", c.readRuns, c.reads, readChunk)
	}
	for _, scale := range c.scales {
		if err := runScale(ctx, c, scale, r, func(s string) { progress(fmt.Sprintf("%dx: %s", scale, s)) }); err != nil {
			return err
		}
	}
	return r.write(os.Stdout, c.markdown)
}

// runScale measures one scale in a fresh database, dropped at the end.
func runScale(ctx context.Context, c config, scale int, r *report, progress func(string)) (err error) {
	f, err := createFresh(ctx, c.db, c.dsn)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.drop()) }()
	e, err := connect(c.db, f.db)
	if err != nil {
		return err
	}
	e.plugin, e.plain = e.plugin.WithContext(ctx), e.plain.WithContext(ctx)
	e.scale, e.purgeRows, e.batch = scale, c.purgeRows, c.batch
	r.version = e.version

	start := time.Now()
	if err := build(e, scale, c.others); err != nil {
		return err
	}
	t := tree{scale: scale, built: time.Since(start), trees: 1 + c.others}
	progress(fmt.Sprintf("built %d trees in %v", t.trees, t.built.Round(time.Millisecond)))

	for _, o := range ops() {
		if c.ops != nil && !c.ops[o.key] {
			continue
		}
		rounds := c.rounds
		if o.key == "purge" {
			rounds = c.purgeRounds
		}
		res, did, err := runOp(e, o, rounds, c.latency, c.only, progress)
		if err != nil {
			return err
		}
		if o.name == "cascade delete" {
			t.rows = did
		}
		for _, cmp := range o.compare {
			a, okA := res[cmp[0]]
			b, okB := res[cmp[1]]
			if okA && okB {
				l := line{scale: scale, what: o.name + ": " + cmp[0] + " / " + cmp[1], a: a, b: b}
				if o.rows != nil {
					l.rows = o.rows(e)
				}
				r.lines = append(r.lines, l)
			}
		}
	}
	r.trees = append(r.trees, t)

	if c.reads > 0 {
		progress("reads")
		res, err := runReads(e, c.readRuns, c.reads)
		if err != nil {
			return err
		}
		for _, rd := range reads {
			r.lines = append(r.lines, line{scale: scale, what: "read " + rd.name + ": plugin / plain", a: res[rd.name]["plugin"], b: res[rd.name]["plain"]})
		}
	}
	if c.trace > 0 {
		if err := trace(e, os.Stdout, c.trace, progress); err != nil {
			return err
		}
	}
	if c.explain {
		if err := explain(e, os.Stdout, progress); err != nil {
			return err
		}
	}
	return ctx.Err()
}
