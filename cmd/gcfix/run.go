package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gcfix/gcfix/rewrite"
	"github.com/gcfix/gcfix/rewrite/profile"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules"
)

const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	usageHeader = `usage: gcfix [flags] [packages]
       gcfix -r [flags] [dir]
       gcfix explain [flags] file.go:line | [pkgpath.]Func
       gcfix check [-update] [flags] [packages]
       gcfix merge report.json...

gcfix finds code that the compiler reports as allocating or missing inlining (-gcflags=-m=2),
rewrites it, and keeps a rewrite only when the compiler confirms it, the tests pass and the
benchmarks improve significantly. Packages are go list patterns (default ./...).
Without -apply it prints the diff it would keep on stdout and a verdict per candidate on stderr.
With -r it runs on every module below dir (default .): the go.work's modules if dir has one.

flags:
`
)

// run is the whole command, testable in process.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

type config struct {
	apply     bool
	rules     string
	gate      string
	bench     string
	count     int
	benchtime time.Duration
	timeout   time.Duration
	json      bool
	format    string
	shard     string
	shardI    int
	shardN    int
	dir       string
	tags      string
	verbose   bool
	list      bool
	par       int
	recursive bool
	quiet     bool
	state     string
	emitTests bool
	pgo       string
	profile   string
	hot       float64
	// all holds every rule, its settings bound to the command line's flags; -rules selects from it.
	all []*rule.Rule
}

func parseFlags(args []string, stderr io.Writer) (*config, []string, error) {
	c := &config{all: rules.All()}
	fs := flag.NewFlagSet("gcfix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.apply, "apply", false, "write the kept rewrites (default: dry run)")
	fs.StringVar(&c.rules, "rules", "", "comma-separated rules to run (default: all; -list shows them)")
	fs.StringVar(&c.gate, "gate", "bench", "proof a rewrite needs: bench (-m, build, tests, benchmarks), test (-m, build, tests), build (-m, build)")
	fs.StringVar(&c.bench, "bench", ".", "benchmarks for the gate, a regexp as for go test -bench")
	fs.IntVar(&c.count, "count", 10, "benchmark rounds per side")
	fs.DurationVar(&c.benchtime, "benchtime", 100*time.Millisecond, "benchmark time per round")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "a test or benchmark run that takes longer has hung and fails its candidate")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON on stdout (-format json)")
	fs.StringVar(&c.format, "format", "", "report on stdout: diff, json, markdown (a pull-request description) or sarif (SARIF 2.1.0) (default diff)")
	fs.StringVar(&c.shard, "shard", "", "process only shard `i/n` of the matched packages (1 ≤ i ≤ n); gcfix merge combines the shards' -json reports")
	fs.StringVar(&c.dir, "C", "", "run as if gcfix were started in `dir`")
	fs.StringVar(&c.tags, "tags", "", "build tags, as for go build")
	fs.IntVar(&c.par, "p", runtime.NumCPU(), "how many packages to type-check and match, and builds and tests the go command runs, at once; benchmarks always run one at a time")
	fs.BoolVar(&c.verbose, "v", false, "show evidence, steps and a verdict for every candidate, declined and unconfirmed ones too")
	fs.BoolVar(&c.list, "list", false, "list the rules and exit (with -v, each rule's documentation)")
	fs.BoolVar(&c.emitTests, "emit-tests", false, "with the bench gate: add gcfix_allocs_test.go to each package where a kept rewrite lowered allocs/op, a test per benchmark that fails when it allocates more again")
	fs.StringVar(&c.pgo, "pgo", "", "a pprof CPU profile `file` that every go command gcfix runs builds with (go build -pgo); off: none (default: the default.pgo of the main package being diagnosed)")
	fs.StringVar(&c.profile, "profile", "", "a pprof CPU or allocation profile `file`: candidates are tried hottest function first, and those in cold functions (-hot) are skipped")
	fs.Float64Var(&c.hot, "hot", rewrite.DefaultHot, "with -profile: skip candidates in functions with less than `pct` percent of the profile's samples (cumulative)")
	fs.BoolVar(&c.quiet, "q", false, "no progress line on stderr")
	fs.StringVar(&c.state, "state", "", "record each measured verdict in `file` and reuse the recorded ones for unchanged candidates")
	fs.BoolVar(&c.recursive, "r", false, "run on every module below the directory argument (default .), each with its own go.mod; a go.work there names the modules")
	// Each rule's settings are its flags (-allow-api-change, -ptrvalue-max-size), under their own names.
	for _, r := range c.all {
		r.Flags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHeader)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	switch c.gate {
	case "bench", "test", "build":
	default:
		return nil, nil, fmt.Errorf("-gate=%s: want bench, test or build", c.gate)
	}
	if c.par < 1 {
		return nil, nil, fmt.Errorf("-p=%d: want at least 1", c.par)
	}
	hotSet := false
	fs.Visit(func(f *flag.Flag) { hotSet = hotSet || f.Name == "hot" })
	if hotSet && c.profile == "" {
		return nil, nil, errors.New("-hot needs -profile")
	}
	if c.hot < 0 || c.hot > 100 {
		return nil, nil, fmt.Errorf("-hot=%g: want a percentage, 0 to 100", c.hot)
	}
	if c.emitTests && c.gate != "bench" {
		return nil, nil, fmt.Errorf("-emit-tests needs -gate=bench: the budgets are the benchmarks' allocs/op")
	}
	if c.count < 1 {
		return nil, nil, fmt.Errorf("-count=%d: want at least 1", c.count)
	}
	if c.benchtime <= 0 || c.timeout <= 0 {
		return nil, nil, errors.New("-benchtime and -timeout must be positive")
	}
	if _, err := regexp.Compile(c.bench); err != nil {
		return nil, nil, fmt.Errorf("-bench: %v", err)
	}
	if err := c.checkFormat(); err != nil {
		return nil, nil, err
	}
	if err := c.parseShard(); err != nil {
		return nil, nil, err
	}
	patterns := fs.Args()
	if len(patterns) == 0 && !c.recursive {
		patterns = []string{"./..."}
	}
	return c, patterns, nil
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "explain" {
		return runExplain(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "check" {
		return runCheck(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(args[1:], stdout, stderr)
	}
	c, patterns, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), "flag provided but not defined") && !strings.Contains(err.Error(), "invalid") {
			fmt.Fprintf(stderr, "gcfix: %v\n", err)
		}
		fmt.Fprintln(stderr, "run 'gcfix -h' for usage")
		return exitUsage
	}
	selected := c.all
	if c.rules != "" {
		selected, err = rules.Select(c.all, strings.Split(c.rules, ","))
		if err != nil {
			fmt.Fprintf(stderr, "gcfix: -rules: %v\n", err)
			return exitUsage
		}
	}
	if c.list {
		listRules(stdout, selected, c.verbose)
		return exitOK
	}
	opts, err := c.options(patterns, selected)
	if err != nil {
		fmt.Fprintf(stderr, "gcfix: %v\n", err)
		return exitFailed
	}
	if c.verbose {
		opts.Log = func(format string, args ...any) { fmt.Fprintf(stderr, "gcfix: "+format+"\n", args...) }
	}
	root := ""
	if c.recursive {
		if root, err = recursiveRoot(c.dir, patterns); err != nil {
			fmt.Fprintf(stderr, "gcfix: %v\nrun 'gcfix -h' for usage\n", err)
			return exitUsage
		}
	}
	if c.state != "" {
		st, err := rewrite.OpenState(c.state)
		if err != nil {
			fmt.Fprintf(stderr, "gcfix: -state: %v\n", err)
			return exitFailed
		}
		defer st.Close()
		opts.State = st
	}
	rep, err := c.run(ctx, root, opts, stderr)
	switch {
	case ctx.Err() != nil && rep != nil:
		return c.interrupted(rep, opts, selected, stdout, stderr)
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "gcfix: interrupted; no file was written")
		return exitFailed
	case err != nil:
		fmt.Fprintf(stderr, "gcfix: %v\n", err)
		return exitFailed
	}
	return c.finish(rep, opts, selected, stdout, stderr)
}

// interrupted reports an interrupted run (Ctrl-C, or a CI job's time limit): the verdicts decided
// before it stopped and the report in its format, marked incomplete. Nothing is written, -apply or
// not: a rewrite is applied only from a complete run.
func (c *config) interrupted(rep *report.Report, opts rewrite.Options, selected []*rule.Rule, stdout, stderr io.Writer) int {
	rep.Incomplete = true
	printVerdicts(stderr, rep, c.verbose)
	if opts.State != nil {
		fmt.Fprintf(stderr, "gcfix: %d reused from -state\n", opts.State.Reused())
	}
	if err := printReport(stdout, c, rep, selected); err != nil {
		fmt.Fprintf(stderr, "gcfix: %v\n", err)
	}
	fmt.Fprintf(stderr, "gcfix: interrupted: the report is incomplete, of the %d candidates decided before the run stopped; no file was written\n", len(rep.Candidates))
	return exitFailed
}

// options are the engine's options for the flags; the profiles that -pgo and -profile name are
// read here, before any build.
func (c *config) options(patterns []string, selected []*rule.Rule) (rewrite.Options, error) {
	opts := rewrite.Options{
		Dir:         c.dir,
		Patterns:    patterns,
		Rules:       selected,
		Gate:        rewrite.Gate(c.gate),
		Bench:       rewrite.BenchOptions{Bench: c.bench, Count: c.count, Benchtime: c.benchtime, Timeout: c.timeout},
		TestTimeout: c.timeout,
		Tags:        c.tags,
		Shard:       c.shardI,
		Shards:      c.shardN,
		Parallel:    c.par,
		Cache:       rewrite.DefaultCacheDir(),
		PGO:         c.pgo,
	}
	if c.pgo != "" && c.pgo != rewrite.PGOOff {
		if err := rewrite.CheckPGOProfile(inDir(c.dir, c.pgo)); err != nil {
			return opts, fmt.Errorf("-pgo: %v", err)
		}
	}
	if c.profile != "" {
		prof, err := profile.Load(inDir(c.dir, c.profile))
		if err != nil {
			return opts, fmt.Errorf("-profile: %v", err)
		}
		opts.Profile, opts.Hot = prof, c.hot
	}
	return opts, nil
}

// run runs the engine on the patterns, or with -r on every module below root, with the progress
// line on stderr unless -q.
func (c *config) run(ctx context.Context, root string, opts rewrite.Options, stderr io.Writer) (*report.Report, error) {
	var prog *progressLine
	if !c.quiet {
		prog = newProgressLine(stderr, isTerminal(stderr), time.Now)
		opts.Progress = prog.update
		if c.verbose {
			opts.Log = prog.logf
		}
		stop := make(chan struct{})
		go prog.run(stop)
		defer close(stop)
	}
	var rep *report.Report
	var err error
	if c.recursive {
		var onModule func(i, n int)
		if prog != nil {
			onModule = prog.startModule
		}
		rep, err = runModules(ctx, root, opts, onModule)
	} else {
		rep, err = rewrite.Run(ctx, opts)
	}
	if prog != nil {
		prog.stop()
	}
	return rep, err
}

// finish reports a run: the modules and packages that failed, the verdicts, the report in its
// format; -emit-tests adds the allocation tests and -apply writes the files. It returns the exit
// code.
func (c *config) finish(rep *report.Report, opts rewrite.Options, selected []*rule.Rule, stdout, stderr io.Writer) int {
	code := exitOK
	for _, m := range rep.Modules {
		if m.Error != "" {
			fmt.Fprintf(stderr, "gcfix: module %s: %s\n", m.Dir, m.Error)
			code = exitFailed
		}
	}
	for _, p := range rep.Packages {
		if p.Unresolved > 0 && p.Error == "" {
			fmt.Fprintf(stderr, "gcfix: %d diagnostics of %s name files gcfix cannot find: %s\n", p.Unresolved, p.Path, strings.Join(p.UnresolvedFiles, ", "))
		}
		if p.Error != "" && len(rep.Modules) > 0 {
			// Many modules: name the directory too, as the error's positions are relative to it.
			fmt.Fprintf(stderr, "gcfix: %s (in %s): %s\n", p.Path, p.Dir, p.Error)
			code = exitFailed
		} else if p.Error != "" {
			fmt.Fprintf(stderr, "gcfix: %s: %s\n", p.Path, p.Error)
			code = exitFailed
		}
	}
	if c.emitTests {
		if err := rep.EmitAllocTests(); err != nil {
			fmt.Fprintf(stderr, "gcfix: %v\n", err)
			code = exitFailed
		}
	}
	printVerdicts(stderr, rep, c.verbose)
	if opts.State != nil {
		fmt.Fprintf(stderr, "gcfix: %d reused from -state\n", opts.State.Reused())
	}
	if err := printReport(stdout, c, rep, selected); err != nil {
		fmt.Fprintf(stderr, "gcfix: %v\n", err)
		return exitFailed
	}
	if c.apply {
		// Each file is written on its own: the files written are named even when another is not.
		err := rep.ApplyEach(func(name string) { fmt.Fprintf(stderr, "gcfix: wrote %s\n", name) })
		if err != nil {
			fmt.Fprintf(stderr, "gcfix: %v\n", err)
			return exitFailed
		}
	}
	return code
}

// printVerdicts writes the verdict table. Declined, unconfirmed and skipped candidates show only
// with -v; the summary line counts them.
func printVerdicts(w io.Writer, rep *report.Report, verbose bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	hidden := 0
	for _, c := range rep.Candidates {
		quiet := c.Verdict == report.Unconfirmed || c.Verdict == report.Skipped || (c.Verdict == report.Rejected && strings.HasPrefix(c.Reason, "declined:"))
		if quiet && !verbose {
			if c.Verdict != report.Skipped {
				hidden++
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s:%d:%d\t%s\t%s\t%s\n", c.Rule, c.File, c.Line, c.Col, c.Func, c.Verdict, firstLine(c.Reason))
		if c.Variant != "" && (len(c.Variants) > 0 || verbose) {
			// The bench gate chose among the rule's variants; the other gates apply its default.
			fmt.Fprintf(tw, "\t\t\t\t  variant %s: %s\n", c.Variant, c.VariantReason)
		}
		if verbose {
			for _, e := range c.Evidence {
				fmt.Fprintf(tw, "\t\t\t\t  evidence: %s\n", e)
			}
			for _, n := range c.Notes {
				fmt.Fprintf(tw, "\t\t\t\t  note: %s\n", n)
			}
		} else {
			for _, n := range c.Notes {
				fmt.Fprintf(tw, "\t\t\t\t  note: %s\n", n)
			}
		}
	}
	tw.Flush()
	if s := rep.PGOSummary(); s != "" {
		fmt.Fprintf(w, "gcfix: %s\n", s)
	}
	fmt.Fprintf(w, "gcfix: %d candidates, %d kept", len(rep.Candidates), rep.Kept())
	if n := rep.Skipped(); n > 0 {
		fmt.Fprintf(w, ", %d skipped as cold in the profile", n)
		if !verbose {
			fmt.Fprint(w, " (-v shows them)")
		}
	}
	if hidden > 0 {
		fmt.Fprintf(w, ", %d declined or unconfirmed (-v shows them)", hidden)
	}
	fmt.Fprintln(w)
	if n, why := undecided(rep); n > 0 {
		fmt.Fprintf(w, "gcfix: %d undecided: %s\n", n, why)
	}
}

// undecided counts the candidates that the bench gate could not decide at the -count given, and
// says why: the reason of the one that needs the highest count.
func undecided(rep *report.Report) (n int, why string) {
	most := 0
	for _, c := range rep.Candidates {
		if c.Verdict != report.Undecided {
			continue
		}
		n++
		need := 0
		if i := strings.LastIndex(c.Reason, "≥ "); i >= 0 {
			need, _ = strconv.Atoi(strings.TrimSpace(c.Reason[i+len("≥ "):]))
		}
		if why == "" || need > most {
			most, why = need, c.Reason
		}
	}
	return n, why
}

// inDir resolves a file name given on the command line against -C, as the go command does.
func inDir(dir, name string) string {
	if dir == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// listRules writes each rule's name and title; verbose, each rule's documentation as go doc shows
// it (both come from the package comment of the rule's doc.go).
func listRules(w io.Writer, rs []*rule.Rule, verbose bool) {
	if verbose {
		for i, r := range rs {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s: %s\n\n%s\n", r.Name, r.Doc.Title, r.Doc.Text)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\n", r.Name, r.Doc.Title)
	}
	tw.Flush()
}
