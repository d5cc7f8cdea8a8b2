package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/softcascade/softcascade"
)

// purgeProgress shows a purge's progress on stderr, and its log lines.
type purgeProgress struct {
	report func(softcascade.Progress) // nil: none
	log    io.Writer                  // where log lines go
	done   func()                     // ends the display
}

// logger writes the purge's log lines where they do not break the bar.
func (p purgeProgress) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(p.log, nil))
}

// newProgress returns the progress display --progress asks for: a bar
// with the total of rows (total: the due deletions' rows in the trash; it
// grows if the purge takes more, such as join rows), lines, or none.
func (a *app) newProgress(req *purgeRequest, total int64) purgeProgress {
	verb := "purged"
	if req.opts.DryRun {
		verb = "counted"
	}
	mode := req.progress
	if mode == "auto" {
		mode = "lines"
		if a.terminal(a.stderr) {
			mode = "bar"
		}
	}
	switch mode {
	case "none":
		return purgeProgress{log: a.stderr, done: func() {}}
	case "lines":
		return purgeProgress{log: a.stderr, done: func() {}, report: func(p softcascade.Progress) {
			fmt.Fprintf(a.stderr, "purge: %s %s of %s rows (%s)\n", verb, thousands(p.Rows), thousands(max(total, p.Rows)), printable(p.Table))
		}}
	}
	barMax := total
	if barMax <= 0 {
		barMax = -1 // a spinner: nothing known to go
	}
	bar := progressbar.NewOptions64(barMax,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(verb),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetSpinnerChangeInterval(0), // no rendering goroutine
	)
	above := &aboveBar{w: a.stderr, bar: bar}
	return purgeProgress{
		log: above,
		report: func(p softcascade.Progress) {
			above.mu.Lock()
			defer above.mu.Unlock()
			if barMax > 0 && p.Rows > bar.GetMax64() {
				bar.ChangeMax64(p.Rows)
			}
			bar.Describe(fmt.Sprintf("%s (%s)", verb, printable(p.Table)))
			_ = bar.Set64(p.Rows)
		},
		done: func() {
			above.mu.Lock()
			defer above.mu.Unlock()
			_ = bar.Clear()
			_ = bar.Exit()
		},
	}
}

// aboveBar writes log lines above the progress bar: it clears the bar,
// writes the line, and draws the bar again.
type aboveBar struct {
	mu  sync.Mutex
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (a *aboveBar) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_ = a.bar.Clear()
	n, err := a.w.Write(p)
	if !a.bar.IsFinished() && a.bar.IsStarted() {
		_ = a.bar.RenderBlank()
	}
	return n, err
}
