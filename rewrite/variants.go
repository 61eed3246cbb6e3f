package rewrite

import (
	"context"
	"fmt"
	"strings"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
	"golang.org/x/perf/benchfmt"
)

// A rule may offer several variants for one site (rule.Candidate.Variants), simplest first, where
// a readable form and a faster one differ by what only measurement can judge. The build and test
// gates apply the rule's default; the bench gate measures every variant against the kept code and
// keeps the simplest that is not significantly worse than the best.

// defaultVariant says why the build and test gates apply c's default variant.
func defaultVariant(c *rule.Candidate) string {
	if len(c.Variants) == 1 {
		return "the rule's only variant"
	}
	return "the rule's default of " + variantNames(c) + ": only the bench gate (-gate=bench) measures which to keep"
}

func variantNames(c *rule.Candidate) string {
	names := make([]string, len(c.Variants))
	for i, v := range c.Variants {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// How far a variant got under the bench gate.
const (
	stageMade      = iota // made, and not confirmed (or it changed nothing): its result says why
	stageConfirmed        // the compiler confirmed it; its tests fail, or none of it was measured
	stageTested           // its tests pass; its test binary does not build, or the measurement stopped
	stageMeasured         // measured against the kept code
)

// variantTry is one variant of a candidate on its way through the bench gate.
type variantTry struct {
	rc    ruleCandidate // with rc.v the variant
	res   *report.Result
	m     *made
	s     *side // once its tests pass
	stage int
}

func (v *variantTry) name() string { return v.rc.variant().Name }

// tryVariants takes a candidate with several variants through the bench gate. Each variant is
// made and confirmed; the benchmarks that execute any of them are chosen once; the tests run
// with each confirmed one; the test binary of each that passes is built, and the kept code's test
// binary runs against all of them in the same rounds, so that they can be compared with each
// other as well as with the kept code without more builds or runs. Each is judged against the
// kept code as a candidate is, and of those that improve, chooseVariant picks the one to keep.
// fixes, when not nil, are the variants' rewrites, already made.
func (e *engine) tryVariants(ctx context.Context, rc ruleCandidate, fixes []map[string][]byte) (*report.Result, *attempt, error) {
	if err := e.testBaseline(ctx, rc.t.path); err != nil {
		return nil, nil, err
	}
	vs := make([]*variantTry, len(rc.c.Variants))
	defer func() {
		for _, v := range vs {
			if v == nil {
				continue
			}
			v.m.remove()
			if v.s != nil {
				v.s.removeBinary()
			}
		}
	}()
	for i := range rc.c.Variants {
		rcv := rc
		rcv.v = i
		v := &variantTry{rc: rcv, res: e.newResult(rcv)}
		vs[i] = v
		var fixed map[string][]byte
		if fixes != nil {
			fixed = fixes[i]
		}
		m, err := e.rewriteAndConfirm(ctx, rcv, fixed, v.res)
		if err != nil {
			return nil, nil, err
		}
		if v.m = m; m.att != nil {
			v.stage = stageConfirmed
		}
	}
	confirmed := reached(vs, stageConfirmed)
	if len(confirmed) == 0 {
		return e.variantOutcome(rc, vs), nil, nil
	}
	var changes []map[string][]byte
	for _, v := range confirmed {
		changes = append(changes, v.m.changes)
	}
	lead := confirmed[0]
	if def := vs[rc.c.Default]; def.stage == stageConfirmed {
		lead = def
	}
	sel, err := e.benchSelect(ctx, rc, lead.res, changes...)
	if err != nil {
		return nil, nil, err
	}
	if sel == nil {
		// No benchmark executes any variant, or their benchmarks cannot decide: none is measured.
		for _, v := range confirmed {
			v.res.Verdict, v.res.Reason = lead.res.Verdict, lead.res.Reason
		}
		return e.variantOutcome(rc, vs), nil, nil
	}
	for _, v := range confirmed {
		e.prog.phase(PhaseTesting)
		if _, err := e.tool.test(ctx, v.m.affected, v.m.ov, e.opts.TestTimeout); err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			v.res.Verdict, v.res.Reason = report.TestsFailed, err.Error()
			continue
		}
		v.stage = stageTested
	}
	tested := reached(vs, stageTested)
	if len(tested) == 0 {
		return e.variantOutcome(rc, vs), nil, nil
	}
	e.prog.phase(PhaseBenchmarking)
	var sides []*side
	for _, v := range tested {
		v.s = &side{variant: v.name(), ov: v.m.ov}
		sides = append(sides, v.s)
	}
	all, why, err := e.measure(ctx, rc.t, lead.res.Func, sides, sel)
	if err != nil {
		return nil, nil, err
	}
	var measured []measuredVariant
	var from []*variantTry
	for _, v := range tested {
		switch {
		case all != "":
			v.res.Verdict, v.res.Reason = all, why
		case v.s.verdict == report.BuildFailed:
			v.res.Verdict, v.res.Reason = v.s.verdict, v.s.reason
		default:
			v.res.Verdict, v.res.Reason, v.res.Metrics = v.s.verdict, v.s.reason, v.s.metrics()
			v.stage = stageMeasured
			measured = append(measured, measuredVariant{name: v.name(), verdict: v.s.verdict, results: v.s.results})
			from = append(from, v)
		}
	}
	i, why := chooseVariant(sel, measured, e.opts.Bench.thresholds())
	if i < 0 {
		return e.variantOutcome(rc, vs), nil, nil
	}
	k := from[i]
	if others := unmeasured(vs); others != "" {
		why += "; not measured: " + others
	}
	res := k.res
	res.VariantReason, res.Variants = why, variantResults(vs)
	e.logf("%s: %s %s: kept variant %s: %s", rc.t.path, rc.rule.Name, res.Func, res.Variant, why)
	e.keepBinary(k.s)
	added, err := e.addedFuncs(k.m.changes)
	if err != nil {
		return nil, nil, err
	}
	e.bmap.inherit(added, sel)
	return res, k.m.att, nil
}

// reached returns the variants that got at least to stage, simplest first.
func reached(vs []*variantTry, stage int) []*variantTry {
	var out []*variantTry
	for _, v := range vs {
		if v.stage >= stage {
			out = append(out, v)
		}
	}
	return out
}

// variantOutcome is the result of a candidate none of whose variants is kept: the result of the
// rule's default when it got as far as any other variant, else of the simplest that got furthest.
func (e *engine) variantOutcome(rc ruleCandidate, vs []*variantTry) *report.Result {
	def := vs[rc.c.Default]
	lead := def
	for _, v := range vs {
		if v.stage > lead.stage {
			lead = v
		}
	}
	res := lead.res
	if lead == def {
		res.VariantReason = "the rule's default; no variant was kept"
	} else {
		res.VariantReason = fmt.Sprintf("the simplest that got furthest; the rule's default, %s, was %s", def.name(), def.res.Verdict)
	}
	res.Variants = variantResults(vs)
	return res
}

// unmeasured lists the variants that were not measured, with their verdicts: "one-write
// (unconfirmed)".
func unmeasured(vs []*variantTry) string {
	var out []string
	for _, v := range vs {
		if v.stage < stageMeasured {
			out = append(out, fmt.Sprintf("%s (%s)", v.name(), v.res.Verdict))
		}
	}
	return strings.Join(out, ", ")
}

// variantResults is what became of each variant, for the report.
func variantResults(vs []*variantTry) []report.VariantResult {
	out := make([]report.VariantResult, len(vs))
	for i, v := range vs {
		out[i] = report.VariantResult{Name: v.name(), Summary: v.res.Summary, Verdict: v.res.Verdict, Reason: v.res.Reason}
		if len(v.res.Metrics) > 0 {
			out[i].Metrics = v.res.Metrics
		}
	}
	return out
}

// measuredVariant is a variant measured against the kept code: its verdict, and its results,
// taken in the same rounds as every other variant's.
type measuredVariant struct {
	name    string
	verdict report.Verdict
	results []*benchfmt.Result
}

// chooseVariant picks the variant to keep among vs, measured variants simplest first, and says
// why; -1 when none improved significantly on the kept code (none has the verdict kept). Of those
// that did, the best is found by comparing each, in order, with the best so far: a variant that
// is significantly better on some metric and worse on none becomes the best. The simplest variant
// that is not significantly worse than the best (on the benchmarks sel selected, as a candidate
// is judged) is kept; the best itself when every simpler one is worse. Where the comparisons
// cannot order two variants (each better on a metric of its own), the simpler stays the best.
// With two variants: the simpler is kept unless the other is significantly better and worse on no
// metric.
func chooseVariant(sel *selection, vs []measuredVariant, thr benchstat.Thresholds) (int, string) {
	var improved []int
	var others []string
	for i, v := range vs {
		if v.verdict == report.Kept {
			improved = append(improved, i)
		} else {
			others = append(others, fmt.Sprintf("%s %s", v.name, v.verdict))
		}
	}
	switch len(improved) {
	case 0:
		return -1, ""
	case 1:
		why := "the only variant that improves on the kept code"
		if len(others) > 0 {
			why += ": " + strings.Join(others, ", ")
		}
		return improved[0], why
	}
	best := improved[0]
	var notBetter []string // while the simplest is the best: why each other variant is not
	for _, i := range improved[1:] {
		_, _, d := decide(sel, vs[best].results, vs[i].results, thr)
		switch {
		case d.Improved && !d.Regressed:
			best = i
		case d.Improved:
			notBetter = append(notBetter, fmt.Sprintf("%s is better on some metrics and worse on others: %s", vs[i].name, d.Summary()))
		default:
			notBetter = append(notBetter, vs[i].name+" is not significantly better")
		}
	}
	var worse []string
	for _, i := range improved {
		if i == best {
			break
		}
		_, _, d := decide(sel, vs[best].results, vs[i].results, thr)
		if !d.Regressed {
			why := fmt.Sprintf("not significantly worse than %s (best)", vs[best].name)
			if len(worse) > 0 {
				why += "; " + strings.Join(worse, "; ")
			}
			return i, why
		}
		worse = append(worse, fmt.Sprintf("%s is significantly worse: %s", vs[i].name, d.Summary()))
	}
	if best == improved[0] {
		return best, "the simplest of the variants that improve; " + strings.Join(notBetter, "; ")
	}
	return best, "the best: " + strings.Join(worse, "; ")
}
