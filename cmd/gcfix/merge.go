package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gcfix/gcfix/rewrite/report"
)

const mergeUsage = `usage: gcfix merge report.json...

merge combines the -json reports of runs over disjoint packages of one module (or of the modules
of one gcfix -r run), such as the shards of gcfix -shard i/n, and prints the combined report as JSON: packages and candidates sorted by
package, file and line, and the diffs recombined.
`

func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gcfix merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, mergeUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, mergeUsage)
		return exitUsage
	}
	var reps []*report.Report
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "gcfix merge: %v\n", err)
			return exitFailed
		}
		r, err := report.ReadReport(data)
		if err != nil {
			fmt.Fprintf(stderr, "gcfix merge: %s: %v\n", name, err)
			return exitFailed
		}
		reps = append(reps, r)
	}
	merged, err := report.Merge(reps)
	if err != nil {
		fmt.Fprintf(stderr, "gcfix merge: %v\n", err)
		return exitFailed
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(merged); err != nil {
		fmt.Fprintf(stderr, "gcfix merge: %v\n", err)
		return exitFailed
	}
	code := exitOK
	if merged.Failed() {
		code = exitFailed
	}
	return code
}
