package rewrite

import (
	"bytes"
	"context"
	"sync/atomic"
	"time"

	"github.com/gcfix/gcfix/rewrite/report"
)

// Phase is the step a run is in, for progress reports.
type Phase string

const (
	PhaseLoading      Phase = "loading" // listing, diagnosing and type-checking the packages
	PhaseMatching     Phase = "matching"
	PhaseConfirming   Phase = "confirming"
	PhaseTesting      Phase = "testing"
	PhaseBenchmarking Phase = "benchmarking"
)

// Progress is where a run is: Options.Progress receives one at every change of phase, package or
// verdict.
type Progress struct {
	Phase    Phase
	Package  string // the package being processed; "" while loading
	Index    int    // its position, from 1, among the Total packages to process; 0 before the first
	Total    int
	Kept     int // candidates kept so far
	Rejected int // candidates decided otherwise so far, declined ones included
	// Step: Index and Total count the packages of one compile (loading, or a build-gate round's
	// confirming compile), not of the run: an estimate from them is of the step's time left.
	Step bool
	// Bench is where the bench gate is, in PhaseBenchmarking.
	Bench BenchStep
}

// BenchStep is what the bench gate is doing for one candidate.
type BenchStep struct {
	// Candidate is the candidate's position, from 1, among the Candidates of its package tried or
	// left to try; Func is its function.
	Candidate, Candidates int
	Func                  string
	// Side is SideOld or SideNew while a round runs, SideCoverage while the benchmarks run with
	// coverage to find which execute what (Round of Rounds counts benchmarks then), "" while the
	// test binaries are built.
	Side string
	// Variant is the variant of the candidate on the new side, when its rule offered several
	// (rule.Candidate.Variants).
	Variant string
	// Benchmark is the benchmark running, when known.
	Benchmark     string
	Round, Rounds int
}

// The sides of BenchStep.
const (
	SideOld      = "old"
	SideNew      = "new"
	SideCoverage = "coverage"
)

// progress keeps the state that Options.Progress reports; its methods are no-ops without a callback.
type progress struct {
	report   func(Progress)
	cur      Progress
	followed bool // Index, Total and Package count the packages of a compile (compiling)
}

func newProgress(opts Options) *progress { return &progress{report: opts.Progress} }

func (p *progress) send() {
	if p != nil && p.report != nil {
		p.report(p.cur)
	}
}

func (p *progress) phase(ph Phase) {
	if p == nil || p.cur.Phase == ph {
		return
	}
	if p.followed {
		p.cur.Index, p.cur.Total, p.cur.Package, p.cur.Step = 0, 0, "", false // the packages a compile went through
		p.followed = false
	}
	p.cur.Phase = ph
	p.cur.Bench = BenchStep{}
	p.send()
}

// bench reports a step of the bench gate.
func (p *progress) bench(s BenchStep) {
	if p == nil {
		return
	}
	if p.followed {
		p.cur.Index, p.cur.Total, p.cur.Package, p.cur.Step = 0, 0, "", false
		p.followed = false
	}
	p.cur.Phase, p.cur.Bench = PhaseBenchmarking, s
	p.send()
}

// listing returns what follows a go list -export over patterns for the progress line: each package
// whose compiler output it prints is one more of the packages that patterns match, which a quick
// go list -find counts meanwhile, unless the listing is over within followDelay (a warm build cache
// answers a large module in well under a second: counting would only slow it). nil without a
// progress callback. done ends the count.
func (p *progress) listing(ctx context.Context, g goTool, patterns []string) (follow func(n int, last string), done func()) {
	if p == nil || p.report == nil {
		return nil, func() {}
	}
	var total atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		select {
		case <-ctx.Done():
			return
		case <-time.After(followDelay):
		}
		args := append([]string{"list", "-e", "-find", "-f={{.ImportPath}}"}, g.buildFlags()...)
		if out, _, err := g.run(ctx, append(append(args, "--"), patterns...)...); err == nil {
			total.Store(int64(bytes.Count(out, []byte("\n"))))
		}
	}()
	return func(n int, last string) {
		if p.cur.Phase == PhaseLoading {
			p.compiled(n, max(int(total.Load()), n), last)
		}
	}, func() { cancel(); <-counted }
}

// compiling returns what follows a diagnosing compile in the current phase, which prints the
// compiler output of total packages; nil without a progress callback.
func (p *progress) compiling(total int) func(n int, last string) {
	if p == nil || p.report == nil {
		return nil
	}
	return func(n int, last string) { p.compiled(n, max(total, n), last) }
}

// compiled reports that a compile went through n packages of total, the last one last.
func (p *progress) compiled(n, total int, last string) {
	if total == 0 {
		return
	}
	p.cur.Index, p.cur.Total, p.cur.Package, p.cur.Step = n, total, last, true
	p.followed = true
	p.send()
}

func (p *progress) pkg(i, total int, path string) {
	if p == nil {
		return
	}
	p.cur.Index, p.cur.Total, p.cur.Package, p.cur.Phase = i, total, path, PhaseMatching
	p.send()
}

func (p *progress) verdict(v report.Verdict) {
	if p == nil {
		return
	}
	if v == report.Kept {
		p.cur.Kept++
	} else {
		p.cur.Rejected++
	}
	p.send()
}
