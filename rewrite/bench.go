package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// bench runs the bench gate on package t: the baseline test binary (built once per kept state) against
// the candidate's, alternately.
func (e *engine) bench(ctx context.Context, t *target, fn string, ov *overlay) (report.Verdict, string, []benchstat.Metric, error) {
	if e.old == nil {
		keptOv, err := writeOverlay(e.tmp, e.kept)
		if err != nil {
			return "", "", nil, err
		}
		defer keptOv.remove()
		old := &oldBinary{path: filepath.Join(e.tmp, fmt.Sprintf("old-%d.test", len(e.rep.Candidates)))}
		if err := e.tool.testBinary(ctx, t.path, keptOv, old.path); err != nil {
			return "", "", nil, packageError{err.Error()}
		}
		old.hasBench, err = HasBenchmarks(ctx, t.dir, old.path, e.opts.Bench)
		if err != nil {
			return "", "", nil, packageError{err.Error()}
		}
		e.old = old
	}
	if !e.old.hasBench {
		return report.NoBenchmark, fmt.Sprintf("package %s has no benchmark matching -bench=%s: add one that calls %s", t.path, benchPattern(e.opts.Bench), fn), []benchstat.Metric{}, nil
	}
	newBin := filepath.Join(e.tmp, "new.test")
	defer os.Remove(newBin)
	if err := e.tool.testBinary(ctx, t.path, ov, newBin); err != nil {
		if ctx.Err() != nil {
			return "", "", nil, ctx.Err()
		}
		return report.BuildFailed, err.Error(), []benchstat.Metric{}, nil
	}
	e.logf("%s: benchmarking %s, %d rounds per side", t.path, fn, e.opts.Bench.Count)
	oldRes, newRes, err := RunBenchmarks(ctx, t.dir, e.old.path, newBin, e.opts.Bench)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", nil, ctx.Err()
		}
		return report.TestsFailed, "benchmark failed: " + err.Error(), []benchstat.Metric{}, nil
	}
	d := benchstat.Decide(oldRes, newRes, e.opts.Bench.thresholds())
	switch {
	case d.Regressed:
		return report.Regressed, d.Summary(), d.Metrics, nil
	case d.Improved:
		return report.Kept, d.Summary(), d.Metrics, nil
	default:
		return report.Rejected, "no significant improvement: " + d.Summary(), d.Metrics, nil
	}
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
	opts = opts.withDefaults()
	for round := 0; round < opts.Count; round++ {
		for _, side := range []struct {
			name string
			bin  string
			out  *[]*benchfmt.Result
		}{{"old", oldBin, &old}, {"new", newBin, &new}} {
			rs, err := runBenchOnce(ctx, dir, side.bin, opts)
			if err != nil {
				return nil, nil, fmt.Errorf("%s code, round %d: %v", side.name, round+1, err)
			}
			*side.out = append(*side.out, rs...)
		}
	}
	return old, new, nil
}

func runBenchOnce(ctx context.Context, dir, bin string, opts BenchOptions) ([]*benchfmt.Result, error) {
	// The test binary stops its -test.timeout alarm before it runs benchmarks, so a hung benchmark is
	// ours to stop: at Timeout ask it for a goroutine dump, as go test does; 30s later kill the group.
	// -test.v prints each benchmark's name before its first run, so that the name of one that hangs
	// there is known even when the dump has no stack for it (a goroutine running on another thread).
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"-test.run=^$", "-test.bench="+opts.Bench, "-test.benchmem", "-test.count=1", "-test.v",
		"-test.benchtime="+opts.Benchtime.String(), "-test.timeout="+opts.Timeout.String())
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroupOnCancel(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var hung atomic.Bool
	alarm := time.AfterFunc(opts.Timeout, func() {
		hung.Store(true)
		dumpAndStop(cmd.Process)
	})
	err := cmd.Wait()
	alarm.Stop()
	if err != nil {
		if hung.Load() {
			if name, stack, ok := hungBenchmark(out.Bytes()); ok {
				return nil, fmt.Errorf("%s hung: still running after %v\n%s", name, opts.Timeout, stack)
			}
			if name := lastBenchmark(out.Bytes()); name != "" {
				// A goroutine running on another thread has no stack in the dump; the testing
				// package printed the benchmark's name when it started it.
				return nil, fmt.Errorf("%s hung: still running after %v", name, opts.Timeout)
			}
			err = fmt.Errorf("hung: still running after %v", opts.Timeout)
		}
		return nil, fmt.Errorf("%v\n%s", err, failureOutput(out.Bytes()))
	}
	var rs []*benchfmt.Result
	r := benchfmt.NewReader(&out, bin)
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			rs = append(rs, res.Clone())
		}
	}
	return rs, r.Err()
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
	cmd := exec.CommandContext(ctx, bin, "-test.list="+opts.Bench)
	cmd.Dir = dir
	killGroupOnCancel(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("listing benchmarks: %v\n%s", err, tail(out, 20))
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			return true, nil
		}
	}
	return false, nil
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
