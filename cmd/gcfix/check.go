package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gcfix/gcfix/rewrite"
)

const checkUsage = `usage: gcfix check [flags] [packages]

check is a CI gate for the compiler's inlining and escape verdicts. It compiles the packages once
with -gcflags=-m=2 and compares every function of their non-test files with the baseline file:
it fails when a function that inlined no longer does, or when a function of the baseline gets a
new heap allocation. It prints what improved too. Functions that are not in the baseline are not
compared. Packages are go list patterns (default ./...).

It also enforces two directives in a function's doc comment, with or without a baseline:
  //gcfix:inline     the function must be inlinable
  //gcfix:noescape   nothing in the function may allocate on the heap

Exit status: 0 clean, 1 a regression, a violated directive or a build failure, 2 usage.

flags:
`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gcfix check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", "", "run as if gcfix were started in `dir`")
	tags := fs.String("tags", "", "build tags, as for go build")
	baseline := fs.String("baseline", "", "the baseline `file` (default gcfix.baseline in the module root)")
	update := fs.Bool("update", false, "write the baseline from the current code instead of comparing with it")
	pgo := fs.String("pgo", "", "a pprof CPU profile `file` that the diagnostics are taken with (go build -pgo); off: none (default: the default.pgo of the main package checked)")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if *pgo != "" && *pgo != rewrite.PGOOff {
		if err := rewrite.CheckPGOProfile(inDir(*dir, *pgo)); err != nil {
			fmt.Fprintf(stderr, "gcfix check: -pgo: %v\n", err)
			return exitFailed
		}
	}
	res, err := rewrite.Check(ctx, rewrite.CheckOptions{
		Dir: *dir, Tags: *tags, Patterns: fs.Args(), Baseline: *baseline, Update: *update,
		PGO: *pgo, Cache: rewrite.DefaultCacheDir(),
	})
	if err != nil {
		fmt.Fprintf(stderr, "gcfix check: %v\n", err)
		return exitFailed
	}
	if !res.Updated && !res.NoBaseline && !res.BaselineToolchain.Known() {
		fmt.Fprintf(stderr, "gcfix check: the baseline does not record the compiler that wrote it: 'gcfix check -update' records %s, so that an upgrade is told apart from the code's regressions\n", res.Toolchain)
	}
	if res.PGO != "" {
		fmt.Fprintf(stderr, "gcfix check: %s\n", res.PGO)
	}
	for _, b := range res.Broken {
		fmt.Fprintf(stdout, "does not build: %s\n", b)
	}
	for _, u := range res.Unreadable {
		fmt.Fprintf(stderr, "gcfix check: %s\n", u)
	}
	for _, v := range res.Violations {
		fmt.Fprintln(stdout, v)
	}
	for _, r := range res.Regressions {
		fmt.Fprintln(stdout, r)
	}
	if len(res.Improvements) > 0 {
		fmt.Fprintln(stdout, "improved:")
		for _, i := range res.Improvements {
			fmt.Fprintf(stdout, "  %s\n", i)
		}
	}
	switch {
	case res.Updated:
		fmt.Fprintf(stderr, "gcfix check: wrote %s (%d functions)\n", res.Baseline, res.Functions)
	case res.NoBaseline:
		fmt.Fprintf(stderr, "gcfix check: no baseline %s: only //gcfix: directives checked; run 'gcfix check -update' to write one\n", res.Baseline)
	}
	if res.Failed() {
		fmt.Fprintf(stderr, "gcfix check: FAIL: %d regressions, %d directive violations, %d packages that do not build",
			len(res.Regressions), len(res.Violations), len(res.Broken))
		if len(res.Unreadable) > 0 {
			fmt.Fprintf(stderr, ", %d packages whose diagnostics gcfix cannot read", len(res.Unreadable))
		}
		fmt.Fprintln(stderr)
		if len(res.Improvements) > 0 {
			fmt.Fprintln(stderr, "gcfix check: once the failures are fixed, run 'gcfix check -update' to record the improvements")
		}
		return exitFailed
	}
	if len(res.Improvements) > 0 {
		fmt.Fprintln(stderr, "gcfix check: ok, with improvements: run 'gcfix check -update' to record them in the baseline")
	} else if !res.Updated {
		fmt.Fprintf(stderr, "gcfix check: ok (%d functions)\n", res.Functions)
	}
	return exitOK
}
