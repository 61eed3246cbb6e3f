package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/check"
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

The baseline records the compiler that wrote it: the Go version, GOOS/GOARCH and the PGO
profile. When another one compiles (after a Go upgrade), the differences are the compiler's,
not the code's: check lists and counts them, passes, and suggests -update; -strict-toolchain
fails on them as on regressions. Directive violations and packages that do not build fail
whatever the compiler.

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
	strict := fs.Bool("strict-toolchain", false, "fail on the differences from a baseline that another Go version, GOOS/GOARCH or PGO profile wrote, as on regressions (default: list them as the compiler's and pass)")
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
	res, err := check.Run(ctx, check.Options{
		Dir: *dir, Tags: *tags, Patterns: fs.Args(), Baseline: *baseline, Update: *update,
		StrictToolchain: *strict, PGO: *pgo, Cache: rewrite.DefaultCacheDir(),
	})
	if err != nil {
		fmt.Fprintf(stderr, "gcfix check: %v\n", err)
		return exitFailed
	}
	// Which compiler wrote the baseline comes first: it says how to read everything below.
	printCheckCompiler(stderr, res, *strict)
	if res.PGO != "" {
		fmt.Fprintf(stderr, "gcfix check: %s\n", res.PGO)
	}
	printCheckFindings(stdout, stderr, res, *strict)
	return checkDone(stderr, res, *strict)
}

// compilerChanged reports whether the differences of a check are the compiler's: another compiler
// wrote the baseline, and -strict-toolchain does not ask to fail on them.
func compilerChanged(res *check.Result, strict bool) bool {
	return res.ToolchainChanged() && !res.Updated && !strict
}

// printCheckCompiler says which compiler wrote the baseline when it is not this check's, or that
// the baseline does not say.
func printCheckCompiler(stderr io.Writer, res *check.Result, strict bool) {
	switch {
	case res.ToolchainChanged():
		fmt.Fprintf(stderr, "gcfix check: the baseline was written by %s, this check compiles with %s", res.BaselineToolchain, res.Toolchain)
		switch {
		case res.Updated:
			fmt.Fprintln(stderr)
		case strict:
			fmt.Fprintln(stderr, ": -strict-toolchain fails on the differences")
		default:
			fmt.Fprintln(stderr, ": the differences are the compiler's, not the code's")
		}
	case !res.Updated && !res.NoBaseline && !res.BaselineToolchain.Known():
		fmt.Fprintf(stderr, "gcfix check: the baseline does not record the compiler that wrote it: 'gcfix check -update' records %s, so that an upgrade is told apart from the code's regressions\n", res.Toolchain)
	}
}

// printCheckFindings prints what the check found: the packages that do not build or whose
// diagnostics gcfix cannot read, the violations, regressions and improvements, and the
// compiler's changes.
func printCheckFindings(stdout, stderr io.Writer, res *check.Result, strict bool) {
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
	if len(res.CompilerChanges) > 0 {
		fmt.Fprintf(stdout, "changed by the compiler (%s):\n", res.ToolchainChange())
		for _, c := range res.CompilerChanges {
			fmt.Fprintf(stdout, "  %s\n", c)
		}
	}
	if compilerChanged(res, strict) {
		fmt.Fprintf(stderr, "gcfix check: %s\n", res.CompilerSummary())
	}
}

// checkDone says what the check wrote or lacked and whether it passed, with what to do next, and
// returns the exit code.
func checkDone(stderr io.Writer, res *check.Result, strict bool) int {
	switch {
	case res.Updated:
		fmt.Fprintf(stderr, "gcfix check: wrote %s (%d functions)\n", res.Baseline, res.Functions)
		if len(res.OldVerdicts) > 0 {
			fmt.Fprintf(stderr, "gcfix check: packages not checked keep the verdicts of %s: %s; 'gcfix check -update ./...' records them with the new compiler\n",
				res.BaselineToolchain, strings.Join(res.OldVerdicts, ", "))
		}
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
		switch {
		case compilerChanged(res, strict):
			fmt.Fprintln(stderr, "gcfix check: once the failures are fixed, run 'gcfix check -update' to record the new compiler's verdicts")
		case res.ToolchainChanged() && len(res.Regressions) > 0:
			fmt.Fprintln(stderr, "gcfix check: if the regressions are the compiler's and accepted, run 'gcfix check -update' to record its verdicts")
		case len(res.Improvements) > 0:
			fmt.Fprintln(stderr, "gcfix check: once the failures are fixed, run 'gcfix check -update' to record the improvements")
		}
		return exitFailed
	}
	if compilerChanged(res, strict) {
		fmt.Fprintf(stderr, "gcfix check: ok (%d functions): run 'gcfix check -update' to record the new compiler's verdicts (-strict-toolchain fails on its differences)\n", res.Functions)
	} else if len(res.Improvements) > 0 {
		fmt.Fprintln(stderr, "gcfix check: ok, with improvements: run 'gcfix check -update' to record them in the baseline")
	} else if !res.Updated {
		fmt.Fprintf(stderr, "gcfix check: ok (%d functions)\n", res.Functions)
	}
	return exitOK
}
