// Command softcascade looks into the softcascade trash of a database and
// restores or purges deletions, without the application's Go models:
//
//	softcascade trash --dsn postgres://… --table projects
//	softcascade show 0190f5a4-…
//	softcascade restore 0190f5a4-…
//	softcascade purge --dry-run
//
// The database comes from --dsn or SOFTCASCADE_DSN. Exit codes: 0 done,
// 1 error, 2 wrong usage, 3 deletion not found.
//
// Install it with
//
//	go install github.com/softcascade/softcascade/cmd/softcascade@latest
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdout, os.Stderr, os.Getenv).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
