package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/dsn"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitNotFound = 3
)

// envDSN names the environment variable read when --dsn is not given.
const envDSN = "SOFTCASCADE_DSN"

// app is one run of the command: its output, environment, and the flags
// every command shares.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
	// purge is softcascade.Purge, or a test's fake.
	purge purgeFunc
	// terminal reports whether w is an interactive terminal.
	terminal func(w io.Writer) bool
	// canAsk reports whether a question can be asked on stdin and
	// answered (both stdin and stderr are terminals): erase, purge
	// --older-than and archive restore ask before they go on.
	canAsk func() bool
	// now is the clock for ages given on the command line (--since 7d).
	now func() time.Time

	dsn string
	// retention is the flag --retention, gone: given, it is refused.
	retention days
}

func newApp(stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{
		stdout: stdout, stderr: stderr, getenv: getenv,
		stdin:    os.Stdin,
		purge:    softcascade.Purge,
		terminal: isTerminal,
		canAsk:   func() bool { return isTerminal(os.Stdin) && isTerminal(stderr) },
		now:      time.Now,
	}
}

// run executes the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	// The library's errors start with "softcascade: " too. A message may
	// carry the DSN, and values from the database or the command line.
	msg := strings.TrimPrefix(err.Error(), "softcascade: ")
	for _, source := range []string{a.dsn, a.getenv(envDSN)} {
		msg = dsn.Scrub(msg, strings.TrimSpace(source))
	}
	msg = printable(msg)
	var h hinted
	if errors.As(err, &h) {
		msg += "\n" + h.hint
	}
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(a.stderr, "softcascade: %s\nRun '%s --help' for usage.\n", msg, cmd.CommandPath())
		return exitUsage
	case errors.Is(err, gorm.ErrRecordNotFound):
		// The message ends with "record not found" already.
		fmt.Fprintf(a.stderr, "softcascade: %s\n", msg)
		return exitNotFound
	default:
		fmt.Fprintf(a.stderr, "softcascade: %s\n", msg)
		return exitError
	}
}

// hinted is an error with advice, printed on a line of its own after the
// error (which is printed escaped, on one line).
type hinted struct {
	err  error
	hint string
}

func (e hinted) Error() string { return e.err.Error() }
func (e hinted) Unwrap() error { return e.err }

// withHint returns err with a line of advice.
func withHint(err error, hint string) error { return hinted{err, hint} }

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// withTenant is the command's context, with the tenant when --tenant was
// given, so that only that tenant's deletions are seen. --tenant "" is
// given too, and refused (ErrInvalidValue) where it is used: an empty
// tenant is no way of asking for the deletions without one.
func withTenant(cmd *cobra.Command, tenant string) context.Context {
	if cmd.Flags().Changed("tenant") {
		return softcascade.WithTenant(cmd.Context(), tenant)
	}
	return cmd.Context()
}
