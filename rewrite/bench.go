package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/report"
	"golang.org/x/perf/benchfmt"
)

// The bench gate runs a package's benchmarks, the test binary of the kept code against the
// candidate's, alternately, and keeps the rewrite when benchstat finds a significant improvement
// and no significant regression.

// BenchOptions configures the bench gate.
type BenchOptions struct {
	Bench     string        // -test.bench regexp; "" means "."
	Count     int           // rounds per side (default 10)
	Benchtime time.Duration // per round (default 100ms)
	Timeout   time.Duration // per benchmark process: a run that takes longer has hung (default 10m)
	Alpha     float64       // significance level after correction (default 0.05)
	MinEffect float64       // sec/op effect floor, a fraction (default 0.05)
}

func (o BenchOptions) withDefaults() BenchOptions {
	if o.Bench == "" {
		o.Bench = "."
	}
	if o.Count == 0 {
		o.Count = 10
	}
	if o.Benchtime == 0 {
		o.Benchtime = 100 * time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Minute
	}
	return o
}

// thresholds are the options that decide which differences count.
func (o BenchOptions) thresholds() benchstat.Thresholds {
	return benchstat.Thresholds{Alpha: o.Alpha, MinEffect: o.MinEffect}
}

// benchCost adds up where the bench gate's time goes, for the -v log: mapping what the benchmarks
// execute, building test binaries, running benchmarks; and the selected benchmarks' own time, the
// part that no gate can save: -count rounds of -benchtime per side and benchmark result.
type benchCost struct {
	wall, cpu [costKinds]time.Duration
	n         [costKinds]int
	own       time.Duration
	measured  int // candidates measured
}

const (
	costMap = iota
	costBuild
	costRun
	costKinds
)

func (c *benchCost) add(kind, n int, t timer) {
	wall, cpu := t.since()
	c.wall[kind] += wall
	c.cpu[kind] += cpu
	c.n[kind] += n
}

// String is the -v line: "bench gate: 41.0s (CPU 30.2s) for 9 candidates measured; …".
func (c *benchCost) String() string {
	var wall, cpu time.Duration
	for k := range costKinds {
		wall += c.wall[k]
		cpu += c.cpu[k]
	}
	d := func(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
	return fmt.Sprintf("bench gate: %s (CPU %s) for %d candidates measured: mapping the benchmarks %s (CPU %s), %d test binaries built in %s (CPU %s), %d benchmark runs in %s (CPU %s); the selected benchmarks' own time %s",
		d(wall), d(cpu), c.measured, d(c.wall[costMap]), d(c.cpu[costMap]), c.n[costBuild], d(c.wall[costBuild]), d(c.cpu[costBuild]),
		c.n[costRun], d(c.wall[costRun]), d(c.cpu[costRun]), d(c.own))
}

// benchSelect chooses the benchmarks that measure candidate rc's change (benchmap.go; for a
// candidate with variants, the changes of them all), before anything is measured or tested. A
// candidate that no benchmark executes is no-benchmark, one that its family of metrics cannot
// decide at -count is undecided: res says so and nil is returned.
func (e *engine) benchSelect(ctx context.Context, rc ruleCandidate, res *report.Result, changes ...map[string][]byte) (*selection, error) {
	t := rc.t
	if e.bmap == nil {
		start := startTimer()
		m, err := e.mapBenchmarks(ctx, t)
		if err != nil {
			return nil, err
		}
		e.cost.add(costMap, 1, start)
		e.bmap = m
	}
	m := e.bmap
	if m.unmapped == "" && len(m.benches) == 0 {
		res.Verdict, res.Reason = report.NoBenchmark, fmt.Sprintf("package %s has no benchmark matching -bench=%s: add one that calls %s", t.path, benchPattern(e.opts.Bench), res.Func)
		return nil, nil
	}
	var changed []changedFunc
	for _, c := range changes {
		fs, err := e.changedFuncs(c)
		if err != nil {
			return nil, err
		}
		changed = append(changed, fs...)
	}
	sel := m.selectFor(changed, e.opts.Bench)
	if sel.all {
		e.logf("%s: %s %s: measured on every benchmark: %s", t.path, rc.rule.Name, res.Func, sel.why)
		return sel, nil
	}
	if len(sel.benches) == 0 {
		matching := ""
		if p := benchPattern(e.opts.Bench); p != "." {
			matching = " matching -bench=" + p
		}
		// The candidate's own function first, then the others it changes (its call sites).
		funcs := sel.funcs
		if i := slices.Index(funcs, res.Func); i > 0 {
			funcs = slices.Concat([]string{res.Func}, funcs[:i], funcs[i+1:])
		}
		res.Verdict, res.Reason = report.NoBenchmark, fmt.Sprintf("no benchmark%s executes %s: add one that calls it", matching, strings.Join(funcs, " or "))
		return nil, nil
	}
	e.logf("%s: %s %s: measured on %s (%d metrics)", t.path, rc.rule.Name, res.Func, strings.Join(sel.benches, ", "), sel.metrics)
	if reason := undecidable(e.opts.Bench, sel.metrics); reason != "" {
		res.Verdict, res.Reason = report.Undecided, reason
		return nil, nil
	}
	return sel, nil
}

// undecidable says why a family of metrics cannot show a difference at -count, or "" when it can.
func undecidable(o BenchOptions, metrics int) string {
	if benchstat.Decidable(o.Count, metrics, o.Alpha) {
		return ""
	}
	return fmt.Sprintf("-count %d cannot show a difference across %d metrics: use -count ≥ %d", o.Count, metrics, benchstat.CountFor(metrics, o.Alpha))
}

// bench runs the bench gate on package t: the baseline test binary (built once per kept state)
// against the candidate's, alternately, on the benchmarks sel selected.
func (e *engine) bench(ctx context.Context, t *target, fn string, ov *overlay, sel *selection) (report.Verdict, string, []benchstat.Metric, error) {
	s := &side{ov: ov}
	defer s.removeBinary()
	all, why, err := e.measure(ctx, t, fn, []*side{s}, sel)
	if err != nil || all != "" {
		return all, why, []benchstat.Metric{}, err
	}
	if s.verdict == report.Kept {
		e.keepBinary(s)
	}
	return s.verdict, s.reason, s.metrics(), nil
}

// A side is one rewrite of a candidate measured against the kept code: the overlay that holds it,
// and, once measured, its test binary, its results and its verdict against the kept code.
type side struct {
	variant string // the variant's name; "" for a candidate without variants
	ov      *overlay
	bin     string
	results []*benchfmt.Result
	verdict report.Verdict
	reason  string
	d       benchstat.Decision
}

// metrics are the side's metrics against the kept code, never nil (the JSON report prints []).
func (s *side) metrics() []benchstat.Metric {
	if s.d.Metrics == nil {
		return []benchstat.Metric{}
	}
	return s.d.Metrics
}

func (s *side) removeBinary() {
	if s.bin != "" {
		os.Remove(s.bin)
	}
}

// keepBinary makes the test binary of side s, whose rewrite is being kept, the test binary of the
// code kept now: the next candidates' old one.
func (e *engine) keepBinary(s *side) {
	e.keptBin = e.binaryName("old")
	if err := os.Rename(s.bin, e.keptBin); err != nil {
		e.keptBin = ""
		return
	}
	s.bin = ""
}

// measure builds the test binary of each side and runs the kept code's test binary against them
// on the benchmarks sel selected, round after round: the old side, then each side in turn. Each
// side measured gets its verdict against the old side (a side whose binary does not build:
// build-failed). A verdict on every side, before any is measured (no benchmark, undecided), is
// returned as all, with why; err is an engine failure or ctx's. The caller removes the sides'
// binaries.
func (e *engine) measure(ctx context.Context, t *target, fn string, sides []*side, sel *selection) (all report.Verdict, why string, err error) {
	e.benchStep(BenchStep{})
	if e.old == nil {
		keptOv, err := writeOverlay(e.tmp, e.kept)
		if err != nil {
			return "", "", err
		}
		defer keptOv.remove()
		old := &oldBinary{path: e.binaryName("old")}
		start := startTimer()
		if err := e.tool.testBinary(ctx, t.path, keptOv, old.path); err != nil {
			return "", "", packageError{err.Error()}
		}
		e.cost.add(costBuild, 1, start)
		old.hasBench = len(e.bmap.benches) > 0
		if e.bmap.unmapped != "" {
			old.hasBench, err = HasBenchmarks(ctx, t.dir, old.path, e.opts.Bench)
			if err != nil {
				return "", "", packageError{err.Error()}
			}
		}
		e.old = old
	}
	if !e.old.hasBench {
		return report.NoBenchmark, fmt.Sprintf("package %s has no benchmark matching -bench=%s: add one that calls %s", t.path, benchPattern(e.opts.Bench), fn), nil
	}
	var built []*side
	for _, s := range sides {
		s.bin = e.binaryName("new")
		start := startTimer()
		if err := e.tool.testBinary(ctx, t.path, s.ov, s.bin); err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			s.bin = ""
			s.verdict, s.reason = report.BuildFailed, err.Error()
			continue
		}
		e.cost.add(costBuild, 1, start)
		built = append(built, s)
	}
	if len(built) == 0 {
		return "", "", nil
	}
	e.cost.measured++
	start := startTimer()
	e.logf("%s: benchmarking %s, %d rounds per side", t.path, fn, e.opts.Bench.Count)
	opts := e.opts.Bench
	opts.Bench = sel.pattern
	var undecided string
	runs := e.benchRuns(sel)
	bins := []sideBinary{{side: SideOld, bin: e.old.path}}
	for _, s := range built {
		bins = append(bins, sideBinary{side: SideNew, variant: s.variant, bin: s.bin})
	}
	results, err := runSides(ctx, t.dir, bins, opts, runs, roundHooks{
		started: func(side, variant string, round int, bench string) {
			e.benchStep(BenchStep{Side: side, Variant: variant, Benchmark: bench, Round: round, Rounds: opts.Count})
		},
		firstRound: func(old, new []*benchfmt.Result) bool {
			if sel.all {
				// The family was not known before measuring: it is now.
				undecided = undecidable(opts, benchstat.Decide(old, new, opts.thresholds()).Family)
			}
			return undecided == ""
		},
	})
	oldRes := results[0]
	rounds := len(oldRes) / max(countLeaves(oldRes), 1)
	e.cost.add(costRun, len(bins)*rounds*len(runs), start)
	e.cost.own += time.Duration(len(bins)*len(oldRes)) * opts.Benchtime
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return report.TestsFailed, "benchmark failed: " + err.Error(), nil
	}
	if undecided != "" {
		return report.Undecided, undecided, nil
	}
	for i, s := range built {
		s.results = results[i+1]
		s.verdict, s.reason, s.d = decide(sel, oldRes, s.results, opts.thresholds())
	}
	return "", "", nil
}

// binaryName returns a new file name in the run's directory for a test binary.
func (e *engine) binaryName(kind string) string {
	e.binaries++
	return filepath.Join(e.tmp, fmt.Sprintf("%s-%d.test", kind, e.binaries))
}

// benchRuns are the processes of a round for selection sel: one per selected benchmark, or one
// for all of them when the -bench pattern cannot be narrowed to some (nil: opts.Bench as given).
func (e *engine) benchRuns(sel *selection) []benchRun {
	if sel.all || sel.pattern == benchPattern(e.opts.Bench) {
		return []benchRun{{pattern: sel.pattern}}
	}
	var runs []benchRun
	for _, b := range sel.benches {
		runs = append(runs, benchRun{pattern: benchPatternFor([]string{b}, e.opts.Bench.Bench), bench: b, single: e.bmap.leaves[b] == 1})
	}
	return runs
}

// decide judges the measurement of a candidate on the benchmarks sel selected: only they are the
// family the correction counts, and only they can justify keeping it (a result of another
// benchmark, which a -bench pattern that cannot be narrowed ran too, is left out).
func decide(sel *selection, old, new []*benchfmt.Result, thr benchstat.Thresholds) (report.Verdict, string, benchstat.Decision) {
	if !sel.all {
		old, new = onlyBenchmarks(old, sel.benches), onlyBenchmarks(new, sel.benches)
	}
	d := benchstat.Decide(old, new, thr)
	switch {
	case d.Regressed:
		return report.Regressed, d.Summary(), d
	case d.Improved:
		return report.Kept, d.Summary(), d
	case d.Family == 0:
		return report.Rejected, "no significant improvement: " + d.Summary(), d
	default:
		return report.Rejected, fmt.Sprintf("no significant improvement (%d metrics; the smallest p must be ≤ %.2g): %s", d.Family, d.Threshold(), d.Summary()), d
	}
}

// countLeaves counts the benchmarks (top-level or sub-benchmarks) that have results.
func countLeaves(rs []*benchfmt.Result) int {
	seen := map[string]bool{}
	for _, r := range rs {
		seen[string(r.Name.Full())] = true
	}
	return len(seen)
}

// onlyBenchmarks keeps the results of the top-level benchmarks benches and of their sub-benchmarks.
func onlyBenchmarks(rs []*benchfmt.Result, benches []string) []*benchfmt.Result {
	var out []*benchfmt.Result
	for _, r := range rs {
		if slices.Contains(benches, "Benchmark"+string(r.Name.Base())) {
			out = append(out, r)
		}
	}
	return out
}

func benchPattern(o BenchOptions) string {
	if o.Bench == "" {
		return "."
	}
	return o.Bench
}

// RunBenchmarks runs the two test binaries alternately, old then new, Count rounds each, in dir, so
// that a drift in the machine's load touches both sides alike. A run that fails, panics or hangs past
// Timeout is an error that names its side and quotes the end of its output.
func RunBenchmarks(ctx context.Context, dir, oldBin, newBin string, opts BenchOptions) (old, new []*benchfmt.Result, err error) {
	return runRounds(ctx, dir, oldBin, newBin, opts, nil, roundHooks{})
}

// benchRun is one process of a round, on each side: the benchmarks that pattern runs.
type benchRun struct {
	pattern string // -test.bench
	// bench is the one top-level benchmark that pattern runs, or "" when it may run several. A
	// benchmark with one result (no sub-benchmarks) runs, from the second round on, the number of
	// iterations that its first round's old side ran per -benchtime: a fixed -test.benchtime=Nx
	// spares each process the testing package's ramp-up, about half a -benchtime more.
	bench  string
	single bool // bench has no sub-benchmarks
	iters  int  // the fixed iterations, once known
}

// roundHooks follow runSides: started hears of each benchmark as it starts; firstRound, after the
// first round of every side, may stop the measurement there by returning false (it gets the
// results of the old side and of the first new one).
type roundHooks struct {
	started    func(side, variant string, round int, bench string)
	firstRound func(old, new []*benchfmt.Result) bool
}

// sideBinary is a test binary that runSides runs: the old side's first, then one per rewrite
// measured (a variant's, with its name).
type sideBinary struct {
	side, variant string
	bin           string
}

func (s sideBinary) String() string {
	if s.variant != "" {
		return fmt.Sprintf("%s code (variant %s)", s.side, s.variant)
	}
	return s.side + " code"
}

// runRounds runs Count rounds of the old and the new test binary, as runSides does.
func runRounds(ctx context.Context, dir, oldBin, newBin string, opts BenchOptions, runs []benchRun, hooks roundHooks) (old, new []*benchfmt.Result, err error) {
	rs, err := runSides(ctx, dir, []sideBinary{{side: SideOld, bin: oldBin}, {side: SideNew, bin: newBin}}, opts, runs, hooks)
	if err != nil {
		return nil, nil, err
	}
	return rs[0], rs[1], nil
}

// runSides runs Count rounds; each runs every benchRun (nil: one run of opts.Bench) on each side
// in turn, the old one first, and the results come back by side.
func runSides(ctx context.Context, dir string, sides []sideBinary, opts BenchOptions, runs []benchRun, hooks roundHooks) ([][]*benchfmt.Result, error) {
	opts = opts.withDefaults()
	if runs == nil {
		runs = []benchRun{{pattern: opts.Bench}}
	}
	out := make([][]*benchfmt.Result, len(sides))
	for round := 0; round < opts.Count; round++ {
		for i := range runs {
			r := &runs[i]
			for k, side := range sides {
				var started func(string)
				if hooks.started != nil {
					hooks.started(side.side, side.variant, round+1, r.bench)
					if r.bench == "" {
						started = func(bench string) { hooks.started(side.side, side.variant, round+1, bench) }
					}
				}
				o := opts
				o.Bench = r.pattern
				benchtime := opts.Benchtime.String()
				if r.iters > 0 {
					benchtime = fmt.Sprintf("%dx", r.iters)
				}
				rs, err := runBenchOnce(ctx, dir, side.bin, o, benchtime, started)
				if err != nil {
					return out, fmt.Errorf("%s, round %d: %v", side, round+1, err)
				}
				out[k] = append(out[k], rs...)
				if round == 0 && k == 0 && r.single && len(rs) == 1 {
					if sec, ok := rs[0].Value("sec/op"); ok && sec > 0 {
						r.iters = int(min(max(opts.Benchtime.Seconds()/sec, 1), 1e9))
					}
				}
			}
		}
		if round == 0 && hooks.firstRound != nil && len(sides) > 1 && !hooks.firstRound(out[0], out[1]) {
			break
		}
	}
	return out, nil
}

// runBenchOnce runs the benchmarks once, each for benchtime (a -test.benchtime); started, when not
// nil, hears the name of each as it starts.
func runBenchOnce(ctx context.Context, dir, bin string, opts BenchOptions, benchtime string, started func(bench string)) ([]*benchfmt.Result, error) {
	args := []string{"-test.run=^$", "-test.bench=" + opts.Bench, "-test.benchmem", "-test.count=1", "-test.v",
		"-test.benchtime=" + benchtime, "-test.timeout=" + opts.Timeout.String()}
	var onLine func(string)
	if started != nil {
		// With -test.v the testing package prints each benchmark's name alone on a line before
		// its first run.
		onLine = func(line string) {
			if strings.HasPrefix(line, "Benchmark") && !strings.ContainsAny(line, " \t") {
				started(line)
			}
		}
	}
	out, err := runTestBinary(ctx, dir, bin, args, opts.Timeout, onLine)
	if err != nil {
		return nil, err
	}
	var rs []*benchfmt.Result
	r := benchfmt.NewReader(bytes.NewReader(out), bin)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			rs = append(rs, res.Clone())
		}
	}
	return rs, r.Err()
}

// runTestBinary runs a test binary with args in dir and returns its output (stdout and stderr);
// onLine, when not nil, hears each line as it is printed. A run that fails, panics or hangs is an
// error that quotes the end of its output.
func runTestBinary(ctx context.Context, dir, bin string, args []string, timeout time.Duration, onLine func(string)) ([]byte, error) {
	// The test binary stops its -test.timeout alarm before it runs benchmarks, so a hung benchmark is
	// ours to stop: at timeout ask it for a goroutine dump, as go test does; 30s later kill the group.
	// -test.v prints each benchmark's name before its first run, so that the name of one that hangs
	// there is known even when the dump has no stack for it (a goroutine running on another thread).
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out := &lineWriter{onLine: onLine}
	cmd.Stdout, cmd.Stderr = out, out
	killGroupOnCancel(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var hung atomic.Bool
	alarm := time.AfterFunc(timeout, func() {
		hung.Store(true)
		dumpAndStop(cmd.Process)
	})
	err := cmd.Wait()
	alarm.Stop()
	if err != nil {
		if hung.Load() {
			if name, stack, ok := hungBenchmark(out.Bytes()); ok {
				return nil, fmt.Errorf("%s hung: still running after %v\n%s", name, timeout, stack)
			}
			if name := lastBenchmark(out.Bytes()); name != "" {
				// A goroutine running on another thread has no stack in the dump; the testing
				// package printed the benchmark's name when it started it.
				return nil, fmt.Errorf("%s hung: still running after %v", name, timeout)
			}
			err = fmt.Errorf("hung: still running after %v", timeout)
		}
		return nil, fmt.Errorf("%v\n%s", err, failureOutput(out.Bytes()))
	}
	return out.Bytes(), nil
}

// lineWriter collects a process's output and calls onLine with each complete line. The process
// writes stdout and stderr through it from one goroutine each: mu orders them.
type lineWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func(string)
	done   int // the length of buf up to the end of the last line given to onLine
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.onLine != nil {
		for {
			i := bytes.IndexByte(w.buf.Bytes()[w.done:], '\n')
			if i < 0 {
				break
			}
			w.onLine(string(w.buf.Bytes()[w.done : w.done+i]))
			w.done += i + 1
		}
	}
	return len(p), nil
}

func (w *lineWriter) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Bytes()
}

// hungBenchmark finds, in the goroutine dump of a run stopped for hanging, the goroutine that runs
// the benchmark, so the error says which benchmark hung and where: the tail of the dump is the
// runtime's own goroutines and registers. ok is false when there is no dump (no SIGQUIT on the OS).
func hungBenchmark(out []byte) (name, stack string, ok bool) {
	for _, block := range strings.Split(string(out), "\n\n") {
		if !strings.Contains(block, "testing.(*B).runN(") {
			continue
		}
		for _, line := range strings.Split(block, "\n") {
			if i := strings.Index(line, ".Benchmark"); i >= 0 && !strings.HasPrefix(line, "\t") {
				name, _, _ := strings.Cut(line[i+1:], "(")
				return name, block, true
			}
		}
	}
	return "", "", false
}

// lastBenchmark returns the name of the last benchmark the test binary started, as it printed it
// (with -test.v, alone on a line before its first run; then before its results, on their line),
// without its -GOMAXPROCS suffix.
func lastBenchmark(out []byte) string {
	name := ""
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
			name = f[0]
		}
	}
	if i := strings.LastIndexByte(name, '-'); i > 0 && strings.Trim(name[i+1:], "0123456789") == "" {
		name = name[:i]
	}
	return name
}

// HasBenchmarks reports whether the test binary has a benchmark that matches opts.Bench.
func HasBenchmarks(ctx context.Context, dir, bin string, opts BenchOptions) (bool, error) {
	opts = opts.withDefaults()
	bs, err := listBenchmarks(ctx, dir, bin, opts)
	return len(bs) > 0, err
}

// failureOutput is the end of a failed run's output, preceded by the line that says why it failed
// (a panic, a timeout, a --- FAIL) when a long goroutine dump has pushed that line out of the tail.
func failureOutput(out []byte) string {
	t := tail(out, 20)
	for _, line := range strings.Split(string(out), "\n") {
		if isFailureLine(line) {
			if !strings.Contains(t, line) {
				return line + "\n...\n" + t
			}
			break
		}
	}
	return t
}

func isFailureLine(line string) bool {
	for _, p := range []string{"panic: ", "fatal error: ", "--- FAIL"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
