package benchstat

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// results parses benchmark lines: one sample per entry of each slice, for benchmarks named by the map.
func results(t *testing.T, lines []string) []*benchfmt.Result {
	t.Helper()
	var rs []*benchfmt.Result
	r := benchfmt.NewReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), "test")
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			rs = append(rs, res.Clone())
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rs
}

// series makes n benchmark lines for name with the given ns/op values (cycled) and fixed B/op, allocs/op.
func series(name string, ns []float64, bytes, allocs int, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("Benchmark%s-2\t1000000\t%g ns/op\t%d B/op\t%d allocs/op", name, ns[i%len(ns)], bytes, allocs))
	}
	return out
}

func metric(d Decision, bench, unit string) Metric {
	for _, m := range d.Metrics {
		if m.Bench == bench && m.Unit == unit {
			return m
		}
	}
	return Metric{}
}

func TestDecide(t *testing.T) {
	jitter := []float64{100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100}
	opts := Thresholds{}
	t.Run("fewer allocs", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 24, 1, 10)), opts)
		if !d.Improved || d.Regressed || !metric(d, "BenchmarkKey-2", "allocs/op").Significant {
			t.Errorf("decision = %+v; want improved allocs/op", d)
		}
		if m := metric(d, "BenchmarkKey-2", "allocs/op"); m.Old != 2 || m.New != 1 || m.DeltaPct != -50 {
			t.Errorf("allocs/op metric = %+v", m)
		}
	})
	t.Run("identical", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 48, 2, 10)), opts)
		if d.Improved || d.Regressed {
			t.Errorf("decision = %+v; want nothing", d)
		}
	})
	t.Run("sec/op below the effect floor", func(t *testing.T) {
		faster := make([]float64, len(jitter))
		for i, v := range jitter {
			faster[i] = v - 4 // 4% faster, every sample: significant by p, below the 5% floor
		}
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", faster, 48, 2, 10)), opts)
		m := metric(d, "BenchmarkKey-2", "sec/op")
		if d.Improved || m.Significant || m.P > 0.05 {
			t.Errorf("decision = %+v; want p < 0.05 but not significant under the floor", d)
		}
	})
	t.Run("Holm-Bonferroni", func(t *testing.T) {
		// Ten benchmarks; one differs slightly in sec/op, enough for p < 0.05 alone, not after correction.
		var old, new []string
		for i := 0; i < 10; i++ {
			name := fmt.Sprintf("B%d", i)
			old = append(old, series(name, jitter, 48, 2, 10)...)
			if i == 3 {
				shifted := []float64{103, 120, 97, 118, 99.2, 115, 101.8, 117, 104, 119}
				new = append(new, series(name, shifted, 48, 2, 10)...)
				continue
			}
			new = append(new, series(name, jitter, 48, 2, 10)...)
		}
		d := Decide(results(t, old), results(t, new), opts)
		m := metric(d, "BenchmarkB3-2", "sec/op")
		if m.P >= 0.05 {
			t.Fatalf("constructed p = %v; the case needs p < 0.05", m.P)
		}
		if m.Significant || d.Improved || d.Regressed {
			t.Errorf("decision = %+v; one raw p=%.4f among 30 must not count", d, m.P)
		}
	})
	t.Run("from zero", func(t *testing.T) {
		// A rewrite that makes an allocation-free benchmark allocate: regressed, and the report must
		// still encode (a +Inf delta does not).
		d := Decide(results(t, series("Key", jitter, 0, 0, 10)), results(t, series("Key", jitter, 16, 1, 10)), opts)
		if !d.Regressed || d.Improved {
			t.Errorf("decision = %+v; want regressed", d)
		}
		if m := metric(d, "BenchmarkKey-2", "allocs/op"); m.DeltaPct != 0 || !strings.Contains(m.String(), "0 → 1 (from zero") {
			t.Errorf("allocs/op metric = %+v, %q", m, m.String())
		}
		if _, err := json.Marshal(d.Metrics); err != nil {
			t.Errorf("metrics do not encode: %v", err)
		}
	})
	t.Run("more bytes", func(t *testing.T) {
		d := Decide(results(t, series("Key", jitter, 48, 2, 10)), results(t, series("Key", jitter, 64, 2, 10)), opts)
		if !d.Regressed || d.Improved {
			t.Errorf("decision = %+v; want regressed B/op", d)
		}
	})
}

// MinP is what the U test gives when the samples do not overlap, with ties (allocs/op: every old
// sample 2, every new one 1) or without.
func TestMinP(t *testing.T) {
	for n := 2; n <= 12; n++ {
		ties := Decide(results(t, series("Key", []float64{100}, 48, 2, n)), results(t, series("Key", []float64{100}, 24, 1, n)), Thresholds{})
		if got, want := metric(ties, "BenchmarkKey-2", "allocs/op").P, MinP(n, n); math.Abs(got-want) > 1e-12*want {
			t.Errorf("n=%d: U test p = %g, MinP = %g", n, got, want)
		}
	}
	for _, c := range []struct {
		n    int
		want float64
	}{{4, 0.0286}, {6, 0.0022}, {10, 1.1e-5}} {
		if got := MinP(c.n, c.n); math.Abs(got-c.want)/c.want > 0.05 {
			t.Errorf("MinP(%d, %d) = %.3g, want %.2g", c.n, c.n, got, c.want)
		}
	}
	if MinP(0, 5) != 1 {
		t.Errorf("MinP of an empty sample = %g, want 1", MinP(0, 5))
	}
}

func TestCountFor(t *testing.T) {
	for _, c := range []struct{ metrics, count int }{
		{1, 4}, {2, 5}, {6, 5}, {7, 6}, {23, 6}, {24, 7}, {85, 7}, {86, 8}, {321, 8}, {4618, 10}, {4619, 11},
	} {
		if got := CountFor(c.metrics, 0); got != c.count {
			t.Errorf("CountFor(%d metrics) = %d, want %d", c.metrics, got, c.count)
		}
		if !Decidable(c.count, c.metrics, 0) || Decidable(c.count-1, c.metrics, 0) {
			t.Errorf("Decidable around count %d for %d metrics is not a threshold", c.count, c.metrics)
		}
	}
}

// The case: at -count=6 nothing among 24 metrics can be significant, not even a halved
// allocs/op in every sample, and the decision says which threshold it missed.
func TestDecideUndecidable(t *testing.T) {
	jitter := []float64{100, 101, 99, 102, 98, 100.5}
	var old, new []string
	for i := range 8 {
		name := fmt.Sprintf("B%d", i)
		old = append(old, series(name, jitter, 48, 2, 6)...)
		if i == 0 {
			new = append(new, series(name, jitter, 24, 1, 6)...)
			continue
		}
		new = append(new, series(name, jitter, 48, 2, 6)...)
	}
	d := Decide(results(t, old), results(t, new), Thresholds{})
	m := metric(d, "BenchmarkB0-2", "allocs/op")
	if d.Family != 24 || math.Abs(d.Threshold()-0.05/24) > 1e-15 {
		t.Errorf("family %d, threshold %g; want 24 and 0.05/24", d.Family, d.Threshold())
	}
	if m.P != MinP(6, 6) || m.Significant || d.Improved {
		t.Errorf("allocs/op 2 → 1 at -count=6 among 24 metrics: %+v, improved %v; want p = MinP, not significant", m, d.Improved)
	}
	if Decidable(6, 24, 0) || !Decidable(7, 24, 0) {
		t.Errorf("Decidable(6, 24) = %v, Decidable(7, 24) = %v; want false, true", Decidable(6, 24, 0), Decidable(7, 24, 0))
	}
}
