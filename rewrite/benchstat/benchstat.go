// Package benchstat decides whether a rewrite changed a package's benchmarks: it compares the
// samples of the old and the new code per benchmark and unit (sec/op, B/op, allocs/op) with the
// Mann–Whitney U test, corrects for the number of metrics compared (Holm–Bonferroni), and asks a
// time difference to be large enough to matter. It measures nothing itself: the bench gate runs the
// benchmarks and gives it their results.
//
// With n samples per side, the U test's smallest p-value is 2/C(2n, n): 0.0286 at n=4, 0.0022 at
// n=6, 1.1e-5 at n=10. Holm over m metrics needs p < Alpha/m for the first, so the family is what was
// actually measured, and many benchmarks cannot make a win by chance.
//
// # The decision rule
//
// For every benchmark and each of sec/op, B/op and allocs/op, the old and new
// samples are compared with the Mann–Whitney U test (golang.org/x/perf/benchmath, as benchstat does).
// The p-values of all the metrics given are corrected together with Holm–Bonferroni at α = 0.05 (the
// family; Decision.Family, and Decision.Threshold, α over the family, for the smallest p-value), so
// that ten benchmarks cannot manufacture a win by chance. The bench gate gives only the benchmarks that
// execute the rewritten code: a benchmark that never calls it can neither keep a rewrite (moving code
// shifts an unrelated nanosecond benchmark by a few percent, significantly) nor make the family larger
// and the threshold smaller. A sec/op difference counts only
// when it is also at least 5% (the effect-size floor): identical binaries on a busy machine drift by a
// few percent, while allocs/op and B/op do not drift at all. A candidate is `kept` when some metric is
// significantly lower and none is significantly higher; `regressed` when one is significantly higher;
// `rejected` when nothing changed significantly.
//
// Whether a count can decide at all is known before measuring (Decidable, CountFor): with the default
// 10 rounds per side the smallest possible p-value is 1.1e-5, so a real allocation win clears the
// correction across up to 4618 metrics; 6 rounds decide up to 23 metrics (7 benchmarks), 5 up to 6, 4
// only one, 3 none. A test runs the gate on two copies of one binary and checks that it keeps nothing.
package benchstat

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

// Thresholds say when a difference counts.
type Thresholds struct {
	Alpha     float64 // significance level after correction (default 0.05)
	MinEffect float64 // sec/op effect floor, a fraction (default 0.05)
}

func (t Thresholds) withDefaults() Thresholds {
	if t.Alpha == 0 {
		t.Alpha = 0.05
	}
	if t.MinEffect == 0 {
		t.MinEffect = 0.05
	}
	return t
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
	// Family is the number of metrics corrected for together, and Alpha the level: the smallest
	// p-value counts only at or below Alpha/Family (Threshold), the next at Alpha/(Family-1), and so on.
	Family int
	Alpha  float64
}

// Threshold is the p-value at or below which the smallest p-value of the family is significant,
// Holm's first step: Alpha/Family. 0 when there is nothing to compare.
func (d Decision) Threshold() float64 {
	if d.Family == 0 {
		return 0
	}
	return d.Alpha / float64(d.Family)
}

// gateUnits are the metrics the gate compares; lower is better for each.
var gateUnits = []string{"sec/op", "B/op", "allocs/op"}

// Decide compares old and new per benchmark and unit with the Mann–Whitney U test (benchmath's
// AssumeNothing, as benchstat does). A difference is significant when it survives the Holm–Bonferroni
// correction across every metric of the run at level Alpha, so that many benchmarks cannot make a win
// by chance, and, for sec/op, when it is also at least MinEffect: identical binaries on a noisy
// machine differ by a few percent, never by a significant allocs/op or B/op.
func Decide(old, new []*benchfmt.Result, opts Thresholds) Decision {
	opts = opts.withDefaults()
	oldS, newS := samples(old), samples(new)
	d := Decision{Alpha: opts.Alpha}
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
	d.Family = len(d.Metrics)
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

// MinP is the smallest p-value that the Mann–Whitney U test can give for samples of n1 and n2
// values, when every value of one is below every value of the other: 2/C(n1+n2, n1). 1 when a
// sample is empty.
func MinP(n1, n2 int) float64 {
	if n1 < 1 || n2 < 1 {
		return 1
	}
	// C(n1+n2, n1) as a product of ratios, which stays exact enough in float64 for any count gcfix
	// runs.
	c := 1.0
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}

// Decidable reports whether a family of metrics compared with count samples per side can show a
// difference at all at level alpha (default 0.05): whether MinP(count, count) passes Holm's first
// step, alpha/metrics. When it cannot, measuring only spends time: whatever the effect, nothing
// is significant.
func Decidable(count, metrics int, alpha float64) bool {
	if metrics < 1 {
		return true
	}
	if alpha == 0 {
		alpha = Thresholds{}.withDefaults().Alpha
	}
	return MinP(count, count) <= alpha/float64(metrics)
}

// CountFor is the smallest count of samples per side with which a family of metrics can show a
// difference at level alpha (default 0.05): 4 for one metric, 5 for up to 6, 6 for up to 23, 7 for
// up to 85, 8 for up to 321, 10 for up to 4618.
func CountFor(metrics int, alpha float64) int {
	n := 1
	for !Decidable(n, metrics, alpha) {
		n++
	}
	return n
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
