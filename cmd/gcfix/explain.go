package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/explain"
	"github.com/gcfix/gcfix/rules"
)

const explainUsage = `usage: gcfix explain [flags] file.go:line | [pkgpath.]Func

explain shows every heap allocation in one function with the compiler's reasons (-m=2 flow) in
plain words, in source order, its inlining cost against the budget, and the gcfix rule that would
address each allocation. Func is named as the compiler names it: F, T.M or (*T).M.

flags:
`

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gcfix explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", "", "run as if gcfix were started in `dir`")
	tags := fs.String("tags", "", "build tags, as for go build")
	asJSON := fs.Bool("json", false, "print the explanation as JSON")
	pgo := fs.String("pgo", "", "a pprof CPU profile `file` that the diagnostics are taken with (go build -pgo); off: none (default: a default.pgo beside the target, when it is a main package)")
	fs.Usage = func() {
		fmt.Fprint(stderr, explainUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	if *pgo != "" && *pgo != rewrite.PGOOff {
		if err := rewrite.CheckPGOProfile(inDir(*dir, *pgo)); err != nil {
			fmt.Fprintf(stderr, "gcfix explain: -pgo: %v\n", err)
			return exitFailed
		}
	}
	x, err := explain.Run(ctx, explain.Options{Dir: *dir, Tags: *tags, Rules: rules.All(), Target: fs.Arg(0),
		PGO: *pgo, Cache: rewrite.DefaultCacheDir()})
	if err != nil {
		fmt.Fprintf(stderr, "gcfix explain: %v\n", err)
		return exitFailed
	}
	if x.PGO != "" {
		fmt.Fprintf(stderr, "gcfix explain: %s\n", x.PGO)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(x); err != nil {
			fmt.Fprintf(stderr, "gcfix explain: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "%s (%s:%d): %s\n", x.Func, x.File, x.Line, x.Inline)
	switch len(x.Allocs) {
	case 0:
		fmt.Fprintln(stdout, "no heap allocation")
	case 1:
		fmt.Fprintln(stdout, "1 heap allocation:")
	default:
		fmt.Fprintf(stdout, "%d heap allocations:\n", len(x.Allocs))
	}
	for _, a := range x.Allocs {
		fmt.Fprintf(stdout, "\n%s: %s\n", a.Pos, a.Message)
		for _, s := range a.Steps {
			fmt.Fprintf(stdout, "    %s\n", s)
		}
		for _, r := range a.Rules {
			fmt.Fprintf(stdout, "  gcfix rule %s\n", r)
		}
	}
	return exitOK
}
