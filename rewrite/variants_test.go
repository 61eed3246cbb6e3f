package rewrite

import (
	"fmt"
	"go/ast"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dave/dst"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// The bench gate keeps the simplest variant that is not significantly worse than the best, on
// measurements made up here: each variant's results against the kept code's (2 allocs/op, 150
// ns/op) and, taken in the same rounds, against each other's.
func TestChooseVariant(t *testing.T) {
	const count = 10
	flat := []float64{100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100}
	slower := []float64{120, 121, 119, 122, 118, 120.5, 119.5, 121.5, 118.5, 120} // 20% slower, every sample
	slowest := []float64{150, 151, 149, 152, 148, 150.5, 149.5, 151.5, 148.5, 150}
	sel := &selection{benches: []string{"BenchmarkKey"}, metrics: 3}
	thr := BenchOptions{}.withDefaults().thresholds()
	old := parseResults(t, benchLines("Key", slowest, 2, count))
	variant := func(name string, ns []float64, allocs int) measuredVariant {
		rs := parseResults(t, benchLines("Key", ns, allocs, count))
		v, _, _ := decide(sel, old, rs, thr)
		return measuredVariant{name: name, verdict: v, results: rs}
	}
	for _, c := range []struct {
		name     string
		variants []measuredVariant
		want     int
		why      string
	}{
		{"the simplest is not worse", []measuredVariant{variant("pieces", flat, 1), variant("one-write", flat, 1)},
			0, "the simplest of the variants that improve; one-write is not significantly better"},
		{"the simplest allocates more", []measuredVariant{variant("pieces", flat, 1), variant("one-write", flat, 0)},
			1, "the best: pieces is significantly worse: BenchmarkKey-2 B/op 0 → 16 (from zero"},
		{"the simplest is slower", []measuredVariant{variant("pieces", slower, 1), variant("one-write", flat, 1)},
			1, "the best: pieces is significantly worse: BenchmarkKey-2 sec/op 100.0ns → 120.0ns (+20.00%"},
		// Faster but allocating more: neither is better on every metric, and the simpler stays.
		{"a trade between them", []measuredVariant{variant("pieces", slower, 0), variant("one-write", flat, 1)},
			0, "the simplest of the variants that improve; one-write is better on some metrics and worse on others: BenchmarkKey-2 sec/op 120.0ns → 100.0ns"},
		{"the best of three", []measuredVariant{variant("a", slower, 1), variant("b", flat, 1), variant("c", flat, 0)},
			2, "the best: a is significantly worse"},
		{"only one improves", []measuredVariant{variant("pieces", flat, 3), variant("one-write", flat, 1)},
			1, "the only variant that improves on the kept code: pieces regressed"},
		{"none improves", []measuredVariant{variant("pieces", slowest, 2), variant("one-write", slowest, 3)}, -1, ""},
	} {
		got, why := chooseVariant(sel, c.variants, thr)
		if got != c.want || !strings.HasPrefix(why, c.why) {
			t.Errorf("%s: chose %d (%s); want %d (%s…)", c.name, got, why, c.want, c.why)
		}
	}
}

// allocRule offers variants for the call of twoAllocs in Work: calls of functions that allocate
// less. Each variant is named after the function it calls; a variant whose name starts with
// "broken" fails its Confirm.
func allocRule(def int, variants ...string) *rule.Rule {
	return &rule.Rule{Name: "allocs", Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Name.Name != "Work" {
					continue
				}
				ev, ok := pass.Diags.Inline(pass.Position(fd.Pos()).Filename, "Work")
				if !ok {
					continue
				}
				var call *ast.Ident
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok && id.Name == "twoAllocs" {
						call = id
					}
					return true
				})
				if call == nil {
					continue
				}
				c := &rule.Candidate{Pos: call.Pos(), Func: fd, Evidence: []diag.Diagnostic{ev}, Summary: "fewer allocations", Default: def}
				for _, name := range variants {
					v := rule.Variant{Name: name, Summary: "call " + name,
						Fix: func(fix *rule.Fix) error {
							fix.Dst(call).(*dst.Ident).Name = strings.TrimPrefix(name, "broken-")
							return nil
						},
					}
					if strings.HasPrefix(name, "broken") {
						v.Confirm = func(*rule.Confirm) error { return fmt.Errorf("a promise it does not keep") }
					}
					c.Variants = append(c.Variants, v)
				}
				out = append(out, c)
			}
		}
		return out
	}}
}

const allocModule = `package a

var n = 8

var sinkA, sinkB []byte

func twoAllocs() int {
	sinkA, sinkB = make([]byte, n), make([]byte, n)
	return len(sinkA) + len(sinkB)
}

func oneAlloc() int {
	sinkA = make([]byte, n)
	return 2 * len(sinkA)
}

func noAlloc() int { return 2 * n }

// Work is what the benchmark measures.
func Work() int { return twoAllocs() }
`

const allocModuleTest = `package a

import "testing"

func TestWork(t *testing.T) {
	if Work() != 16 {
		t.Fatal(Work())
	}
}

var total int

func BenchmarkWork(b *testing.B) {
	for range b.N {
		total += Work()
	}
}
`

// A rule offers variants for one site: the build and test gates apply its default; the bench gate
// measures each against the kept code and keeps the simplest that is not significantly worse than
// the best. Here the simplest, oneAlloc, is worse by one allocation: noAlloc is kept, and the report
// says which and why. A variant that the compiler does not confirm is reported, not measured. A
// rerun with -state reuses the verdict with its variant.
func TestVariantsBenchGate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds, tests and benchmarks a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.26\n",
		"a/a.go":      allocModule,
		"a/a_test.go": allocModuleTest,
	})
	r := allocRule(0, "oneAlloc", "noAlloc", "broken-noAlloc")
	run := func(g Gate, st *State) *report.Result {
		t.Helper()
		var log []string
		rep, err := Run(t.Context(), Options{
			Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{r}, Gate: g,
			Bench: BenchOptions{Count: 6, Benchtime: 20 * time.Millisecond}, State: st,
			Log: func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Candidates) != 1 {
			t.Fatalf("gate %s: %d candidates; want 1\n%s", g, len(rep.Candidates), strings.Join(log, "\n"))
		}
		c := rep.Candidates[0]
		t.Logf("gate %s: %s: %s (%s); variant %s: %s", g, c.Verdict, c.Reason, c.Summary, c.Variant, c.VariantReason)
		for _, v := range c.Variants {
			t.Logf("  %s: %s: %s", v.Name, v.Verdict, v.Reason)
		}
		if c.Verdict != report.Kept {
			t.Fatalf("gate %s: %s: %s\n%s", g, c.Verdict, c.Reason, strings.Join(log, "\n"))
		}
		if want := "call " + c.Variant; c.Summary != want {
			t.Errorf("gate %s: summary %q; want the variant's, %q", g, c.Summary, want)
		}
		if !strings.Contains(string(rep.Rewritten()["a/a.go"]), "return "+c.Variant+"()") {
			t.Errorf("gate %s: variant %s reported, but the rewrite is\n%s", g, c.Variant, rep.Rewritten()["a/a.go"])
		}
		return c
	}
	for _, g := range []Gate{GateBuild, GateTest} {
		if c := run(g, nil); c.Variant != "oneAlloc" || !strings.Contains(c.VariantReason, "the rule's default of oneAlloc, noAlloc, broken-noAlloc") || c.Variants != nil {
			t.Errorf("gate %s: variant %s (%s), variants %v; want the default, oneAlloc, alone", g, c.Variant, c.VariantReason, c.Variants)
		}
	}
	st, err := OpenState(filepath.Join(t.TempDir(), "state.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := run(GateBench, st)
	if c.Variant != "noAlloc" || !strings.HasPrefix(c.VariantReason, "the best: oneAlloc is significantly worse: BenchmarkWork") ||
		!strings.HasSuffix(c.VariantReason, "; not measured: broken-noAlloc (unconfirmed)") {
		t.Errorf("bench gate kept variant %s: %s; want noAlloc, the best, with oneAlloc worse and broken-noAlloc not measured", c.Variant, c.VariantReason)
	}
	want := map[string]report.Verdict{"oneAlloc": report.Kept, "noAlloc": report.Kept, "broken-noAlloc": report.Unconfirmed}
	if len(c.Variants) != 3 {
		t.Fatalf("variants %+v; want 3", c.Variants)
	}
	for _, v := range c.Variants {
		if v.Verdict != want[v.Name] {
			t.Errorf("variant %s: %s (%s); want %s", v.Name, v.Verdict, v.Reason, want[v.Name])
		}
	}
	again := run(GateBench, st)
	if st.Reused() != 1 || again.Variant != c.Variant || again.VariantReason != c.VariantReason || len(again.Variants) != 3 {
		t.Errorf("-state: %d reused, variant %s (%s); want 1, and %s as recorded", st.Reused(), again.Variant, again.VariantReason, c.Variant)
	}
}
