// Command gcfix rewrites Go code that the compiler reports as allocating or missing inlining,
// confirms each rewrite with the compiler, the package's tests and its benchmarks, and keeps only
// the rewrites that measurably improve.
//
// Usage:
//
//	gcfix [flags] [packages]
//
// With no flags it is a dry run: the unified diff of the kept rewrites on stdout, a verdict per
// candidate on stderr. -apply writes the kept rewrites. See the README for the flags and the report.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// gcfix's heap is mostly syntax that lives for a whole run (decorated files, types,
		// diagnostics), so collecting at 100% growth spends a fifth of its CPU in the collector;
		// at 200% it spends half that, for about 40% more peak memory. GOGC set by the user wins.
		debug.SetGCPercent(200)
		if os.Getenv("GOMEMLIMIT") == "" {
			// The growth is bounded where a large module would pass 1 GiB (golang.org/x/tools
			// peaked at 1.1 GiB): near the limit the collector runs sooner. GOMEMLIMIT wins.
			debug.SetMemoryLimit(768 << 20)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
