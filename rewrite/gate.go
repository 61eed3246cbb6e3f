package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

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
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MinEffect == 0 {
		o.MinEffect = 0.05
	}
	return o
}

// Metric is one benchmark metric, old against new.
type Metric struct {
	Bench       string  `json:"bench"`
	Unit        string  `json:"unit"` // sec/op, B/op, allocs/op
	Old         float64 `json:"old"`  // median of the old samples
	New         float64 `json:"new"`
	DeltaPct    float64 `json:"delta_pct"` // (new-old)/old*100
	P           float64 `json:"p"`         // Mann–Whitney U, before correction
	Significant bool    `json:"significant"`
}

// Decision is the bench gate's verdict on one candidate.
type Decision struct {
	Improved  bool // some metric is significantly lower
	Regressed bool // some metric is significantly higher
	Metrics   []Metric
}

// gateUnits are the metrics the gate compares; lower is better for each.
var gateUnits = []string{"sec/op", "B/op", "allocs/op"}

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

// Decide compares old and new per benchmark and unit with the Mann–Whitney U test (benchmath's
// AssumeNothing, as benchstat does). A difference is significant when it survives the Holm–Bonferroni
// correction across every metric of the run at level Alpha, so that many benchmarks cannot make a win
// by chance, and, for sec/op, when it is also at least MinEffect: identical binaries on a noisy
// machine differ by a few percent, never by a significant allocs/op or B/op.
func Decide(old, new []*benchfmt.Result, opts BenchOptions) Decision {
	opts = opts.withDefaults()
	oldS, newS := samples(old), samples(new)
	var d Decision
	for key, ov := range oldS {
		nv, ok := newS[key]
		if !ok {
			continue
		}
		thr := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
		os, ns := benchmath.NewSample(ov, thr), benchmath.NewSample(nv, thr)
		cmp := benchmath.AssumeNothing.Compare(os, ns)
		m := Metric{
			Bench: key.bench,
			Unit:  key.unit,
			Old:   benchmath.AssumeNothing.Summary(os, 0.95).Center,
			New:   benchmath.AssumeNothing.Summary(ns, 0.95).Center,
			P:     cmp.P,
		}
		// From zero no percentage means anything, and +Inf would make the JSON report unencodable:
		// DeltaPct stays 0 and Old, New carry the change.
		if m.Old != 0 {
			m.DeltaPct = (m.New - m.Old) / m.Old * 100
		}
		d.Metrics = append(d.Metrics, m)
	}
	sort.Slice(d.Metrics, func(i, j int) bool {
		a, b := d.Metrics[i], d.Metrics[j]
		if a.Bench != b.Bench {
			return a.Bench < b.Bench
		}
		return unitRank(a.Unit) < unitRank(b.Unit)
	})
	holm(d.Metrics, opts.Alpha)
	for i := range d.Metrics {
		m := &d.Metrics[i]
		if m.Significant && m.Unit == "sec/op" && math.Abs(m.DeltaPct) < opts.MinEffect*100 {
			m.Significant = false
		}
		if m.Significant && m.New < m.Old {
			d.Improved = true
		}
		if m.Significant && m.New > m.Old {
			d.Regressed = true
		}
	}
	return d
}

// holm marks the metrics whose p-values the Holm–Bonferroni step-down procedure rejects at alpha.
func holm(ms []Metric, alpha float64) {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ms[idx[a]].P < ms[idx[b]].P })
	for rank, i := range idx {
		if ms[i].P > alpha/float64(len(ms)-rank) {
			return // this and every larger p-value stand
		}
		ms[i].Significant = true
	}
}

type sampleKey struct{ bench, unit string }

func samples(rs []*benchfmt.Result) map[sampleKey][]float64 {
	out := map[sampleKey][]float64{}
	for _, r := range rs {
		for _, unit := range gateUnits {
			if v, ok := r.Value(unit); ok {
				k := sampleKey{"Benchmark" + string(r.Name.Full()), unit}
				out[k] = append(out[k], v)
			}
		}
	}
	return out
}

func unitRank(u string) int {
	for i, g := range gateUnits {
		if g == u {
			return i
		}
	}
	return len(gateUnits)
}

// Summary puts the significant metrics (or, when none is, each benchmark's allocs/op and sec/op) on
// one line: "BenchmarkKey allocs/op 3 → 1 (-66.67%, p=0.002)".
func (d Decision) Summary() string {
	var parts []string
	for _, m := range d.Metrics {
		if m.Significant {
			parts = append(parts, m.String())
		}
	}
	if len(parts) == 0 {
		for _, m := range d.Metrics {
			if m.Unit != "B/op" {
				parts = append(parts, m.String())
			}
		}
	}
	if len(parts) == 0 {
		return "no benchmark results to compare"
	}
	return strings.Join(parts, "; ")
}

func (m Metric) String() string {
	delta := fmt.Sprintf("%+.2f%%", m.DeltaPct)
	if m.Old == 0 && m.New != 0 {
		delta = "from zero"
	}
	return fmt.Sprintf("%s %s %s → %s (%s, p=%.3f)", m.Bench, m.Unit, formatValue(m.Old, m.Unit), formatValue(m.New, m.Unit), delta, m.P)
}

func formatValue(v float64, unit string) string {
	if unit == "allocs/op" || unit == "B/op" {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return benchunit.Scale(v, benchunit.Decimal) + "s"
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
