package rewrite

import (
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
	"golang.org/x/perf/benchfmt"
)

func TestBenchPatternFor(t *testing.T) {
	for _, c := range []struct{ user, want string }{
		{".", `^(BenchmarkA|BenchmarkB\.x)$`},
		{"", `^(BenchmarkA|BenchmarkB\.x)$`},
		{"A|B", `^(BenchmarkA|BenchmarkB\.x)$`},
		{"A/small", `^(BenchmarkA|BenchmarkB\.x)$/small`},
		{"A/[a/b]", `^(BenchmarkA|BenchmarkB\.x)$/[a/b]`},
		{"(A/x)", `^(BenchmarkA|BenchmarkB\.x)$`}, // a slash in parentheses is no level
		{`A\/x`, `^(BenchmarkA|BenchmarkB\.x)$`},
		{"A/x|B/y", ""}, // alternatives of levels: cannot be narrowed
	} {
		if got := benchPatternFor([]string{"BenchmarkA", "BenchmarkB.x"}, c.user); got != c.want {
			t.Errorf("benchPatternFor(-bench=%q) = %q, want %q", c.user, got, c.want)
		}
		if got := benchPatternFor([]string{"BenchmarkA"}, c.user); got != "" {
			if _, err := regexp.Compile(strings.Split(got, "$")[0] + "$"); err != nil {
				t.Errorf("%q: %v", got, err)
			}
		}
	}
}

const mapSrc = `package p

import "fmt"

// Key is a key.
func Key(a, b int) string {
	return fmt.Sprintf("%d:%d", a, b)
}

// clamp limits x.
//
//go:noinline
func clamp(x int) int {
	return min(max(x, 0), 9)
}

func (t *T) Name() string {
	return t.name
}
`

// changedFuncs names the functions whose declarations a rewrite changes: a body, a directive in
// the doc comment, lines added inside; not a function the rewrite adds.
func TestChangedFuncs(t *testing.T) {
	const file = "/m/p/p.go"
	e := &engine{orig: map[string][]byte{file: []byte(mapSrc)}, kept: map[string][]byte{}, targets: map[string]*target{}}
	for _, c := range []struct {
		name, old, new string
		want           []string
	}{
		{"body", `	return fmt.Sprintf("%d:%d", a, b)`, `	return strconv.Itoa(a) + ":" + strconv.Itoa(b)`, []string{"Key"}},
		{"directive", "// clamp limits x.\n//\n//go:noinline\n", "// clamp limits x.\n", []string{"clamp"}},
		{"added inside", "\treturn t.name\n", "\tn := t.name\n\treturn n\n", []string{"(*T).Name"}},
		{"added function", "func (t *T) Name() string {\n\treturn t.name\n}\n", "func (t *T) Name() string {\n\treturn t.name\n}\n\nfunc nameSlow() {}\n", nil},
		{"import", `import "fmt"`, "import (\n\t\"fmt\"\n\t\"strconv\"\n)", nil},
	} {
		if !strings.Contains(mapSrc, c.old) {
			t.Fatalf("%s: %q is not in the source", c.name, c.old)
		}
		changed, err := e.changedFuncs(map[string][]byte{file: []byte(strings.Replace(mapSrc, c.old, c.new, 1))})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range changed {
			got = append(got, f.name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: changed %q, want %q", c.name, got, c.want)
		}
	}
	added, err := e.addedFuncs(map[string][]byte{file: []byte(mapSrc + "\nfunc keySlow() {}\n")})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || added[0] != (funcRef{file, "keySlow"}) {
		t.Errorf("added %v, want keySlow", added)
	}
}

func TestFuncSpansAt(t *testing.T) {
	fs := &funcSpans{file: "p.go", spans: []funcSpan{
		{from: pos(5, 1), to: pos(7, 2), name: "Key"},
		{from: pos(12, 1), to: pos(14, 2), name: "clamp"},
	}}
	for _, c := range []struct {
		line, col int
		want      string
	}{{5, 30, "Key"}, {7, 2, "Key"}, {6, 1, "Key"}, {3, 1, ""}, {9, 1, ""}, {13, 5, "clamp"}, {20, 1, ""}} {
		fn, ok := fs.at(c.line, c.col)
		if ok != (c.want != "") || fn.name != c.want {
			t.Errorf("at(%d:%d) = %v, %v; want %q", c.line, c.col, fn, ok, c.want)
		}
	}
}

// testMap: BenchmarkKey executes Key and fmt's callers; BenchmarkLookup executes Lookup and Key;
// nothing executes Banner.
func testMap() *benchMap {
	key, lookup, banner := funcRef{"/m/p/p.go", "Key"}, funcRef{"/m/p/p.go", "Lookup"}, funcRef{"/m/p/p.go", "Banner"}
	return &benchMap{
		pkg:     "example.com/p",
		benches: []string{"BenchmarkKey", "BenchmarkLookup", "BenchmarkTable"},
		leaves:  map[string]int{"BenchmarkKey": 1, "BenchmarkLookup": 1, "BenchmarkTable": 4},
		execs:   map[funcRef][]string{key: {"BenchmarkKey", "BenchmarkLookup"}, lookup: {"BenchmarkLookup"}},
		known:   map[funcRef]bool{key: true, lookup: true, banner: true},
		covered: map[string]bool{"example.com/p": true},
	}
}

func changedIn(pkg string, names ...string) []changedFunc {
	var out []changedFunc
	for _, n := range names {
		out = append(out, changedFunc{funcRef{"/m/p/p.go", n}, pkg})
	}
	return out
}

func TestSelectFor(t *testing.T) {
	const p = "example.com/p"
	opts := BenchOptions{}.withDefaults()
	for _, c := range []struct {
		name    string
		changed []changedFunc
		want    []string
		all     bool
		metrics int
	}{
		{"one function", changedIn(p, "Lookup"), []string{"BenchmarkLookup"}, false, 3},
		{"callers", changedIn(p, "Key"), []string{"BenchmarkKey", "BenchmarkLookup"}, false, 6},
		{"any of them", changedIn(p, "Banner", "Lookup"), []string{"BenchmarkLookup"}, false, 3},
		{"none", changedIn(p, "Banner"), nil, false, 0},
		{"no function", nil, []string{"BenchmarkKey", "BenchmarkLookup", "BenchmarkTable"}, true, 0},
		{"not mapped", changedIn(p, "Fresh"), []string{"BenchmarkKey", "BenchmarkLookup", "BenchmarkTable"}, true, 0},
		{"another package", changedIn("example.com/q", "Key"), []string{"BenchmarkKey", "BenchmarkLookup", "BenchmarkTable"}, true, 0},
	} {
		sel := testMap().selectFor(c.changed, opts)
		if !slices.Equal(sel.benches, c.want) || sel.all != c.all || sel.metrics != c.metrics {
			t.Errorf("%s: selected %v (all %v, %d metrics: %s), want %v (all %v, %d metrics)", c.name, sel.benches, sel.all, sel.metrics, sel.why, c.want, c.all, c.metrics)
		}
	}
	m := testMap()
	m.broken = []string{"BenchmarkTable"}
	if sel := m.selectFor(changedIn(p, "Lookup"), opts); !slices.Equal(sel.benches, []string{"BenchmarkLookup", "BenchmarkTable"}) {
		t.Errorf("a benchmark that failed with coverage is not measured for every candidate: %v", sel.benches)
	}
	// A function that a kept rewrite added runs under the benchmarks that measured that rewrite.
	m = testMap()
	m.inherit([]funcRef{{"/m/p/p.go", "lookupSlow"}}, &selection{benches: []string{"BenchmarkLookup"}})
	if sel := m.selectFor(changedIn(p, "lookupSlow"), opts); sel.all || !slices.Equal(sel.benches, []string{"BenchmarkLookup"}) {
		t.Errorf("added function: selected %v (all %v: %s), want BenchmarkLookup", sel.benches, sel.all, sel.why)
	}
}

// benchLines makes count result lines for benchmark name, with ns/op cycling through ns.
func benchLines(name string, ns []float64, allocs, count int) []string {
	var out []string
	for i := range count {
		out = append(out, fmt.Sprintf("Benchmark%s-2\t1000000\t%g ns/op\t%d B/op\t%d allocs/op", name, ns[i%len(ns)], 16*allocs, allocs))
	}
	return out
}

func parseResults(t *testing.T, lines []string) []*benchfmt.Result {
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

// The layout effect: changing a function moves code, and a nanosecond benchmark that never calls
// it shifts, significantly. Only the benchmarks that execute the change can keep it, and the
// others do not weaken the decision: however many there are and however they move, the verdict
// and the threshold of the family stay what the executing benchmark alone gives.
func TestDecideOnExecutingBenchmarks(t *testing.T) {
	const count = 10
	flat := []float64{100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100}
	shifted := []float64{92, 93, 91, 94, 90, 92.5, 91.5, 93.5, 90.5, 92} // 8% faster, every sample
	thr := BenchOptions{}.withDefaults().thresholds()

	// The rewritten function runs under no benchmark: nothing is selected, and results of the
	// benchmarks that moved cannot keep it.
	sel := testMap().selectFor(changedIn("example.com/p", "Banner"), BenchOptions{})
	if len(sel.benches) != 0 || sel.all {
		t.Fatalf("Banner: selected %v (all %v); want none", sel.benches, sel.all)
	}
	moved := append(benchLines("Other", flat, 2, count), benchLines("Parse", flat, 0, count)...)
	better := append(benchLines("Other", shifted, 1, count), benchLines("Parse", shifted, 0, count)...)
	if v, reason, _ := decide(sel, parseResults(t, moved), parseResults(t, better), thr); v == report.Kept {
		t.Errorf("kept on benchmarks that do not execute the change: %s", reason)
	}
	if _, _, d := decide(&selection{all: true}, parseResults(t, moved), parseResults(t, better), thr); !d.Improved {
		t.Fatalf("the constructed results do not show an improvement to an unselected gate: %+v", d)
	}

	// One executing benchmark, unchanged; then twenty more that do not execute the function and
	// all move (faster, fewer allocations).
	sel = &selection{benches: []string{"BenchmarkKey"}, metrics: 3}
	old, new := benchLines("Key", flat, 1, count), benchLines("Key", flat, 1, count)
	v1, _, d1 := decide(sel, parseResults(t, old), parseResults(t, new), thr)
	for i := range 20 {
		old = append(old, benchLines(fmt.Sprintf("Unrelated%d", i), flat, 2, count)...)
		new = append(new, benchLines(fmt.Sprintf("Unrelated%d", i), shifted, 1, count)...)
	}
	v2, reason, d2 := decide(sel, parseResults(t, old), parseResults(t, new), thr)
	if v1 != report.Rejected || v2 != v1 {
		t.Errorf("verdict %s with the executing benchmark alone, %s with 20 more (%s); want rejected both", v1, v2, reason)
	}
	if d1.Family != 3 || d2.Family != d1.Family || d2.Threshold() != d1.Threshold() {
		t.Errorf("family %d (threshold %g) alone, %d (threshold %g) with 20 more; want 3 and the same", d1.Family, d1.Threshold(), d2.Family, d2.Threshold())
	}
	for _, m := range d2.Metrics {
		if m.Bench != "BenchmarkKey-2" {
			t.Errorf("metric of a benchmark that does not execute the change: %s", m)
		}
	}

	// The executing benchmark halves its allocations: kept, at the same threshold whatever else
	// the package has.
	old, new = benchLines("Key", flat, 2, count), benchLines("Key", flat, 1, count)
	_, _, alone := decide(sel, parseResults(t, old), parseResults(t, new), thr)
	for i := range 20 {
		old = append(old, benchLines(fmt.Sprintf("Unrelated%d", i), flat, 2, count)...)
		new = append(new, benchLines(fmt.Sprintf("Unrelated%d", i), flat, 3, count)...) // even worse
	}
	v, reason, withOthers := decide(sel, parseResults(t, old), parseResults(t, new), thr)
	if !alone.Improved || v != report.Kept || withOthers.Threshold() != alone.Threshold() {
		t.Errorf("allocs/op 2 → 1 on the executing benchmark: %s (%s), threshold %g, alone %g", v, reason, withOthers.Threshold(), alone.Threshold())
	}
}

// Before measuring, a family that the count cannot decide is said so, with the count that can.
func TestUndecidable(t *testing.T) {
	o := BenchOptions{Count: 6}.withDefaults()
	if got, want := undecidable(o, 24), "-count 6 cannot show a difference across 24 metrics: use -count ≥ 7"; got != want {
		t.Errorf("undecidable(-count 6, 24 metrics) = %q, want %q", got, want)
	}
	if got := undecidable(o, 23); got != "" {
		t.Errorf("undecidable(-count 6, 23 metrics) = %q, want \"\"", got)
	}
	if got := undecidable(BenchOptions{Count: 10}.withDefaults(), 3*32); got != "" {
		t.Errorf("the default count cannot decide 32 benchmarks: %q", got)
	}
}

func pos(line, col int) (p token.Position) {
	p.Line, p.Column = line, col
	return p
}

// The map of a real package: each benchmark runs with coverage, and a candidate is measured on
// the benchmarks that execute the function it changes, or on none.
func TestBenchSelection(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs benchmarks")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": `package a

var table = map[string]int{"x": 1}

func init() { table["y"] = OldInit() }

// OldOne is one.
func OldOne() int { return table["x"] }

// OldLonely is called by tests only.
func OldLonely() int { return 2 }

// OldInit runs when the package starts, and in no benchmark.
func OldInit() int { return 3 }

func Pad(s string) string { return s + "." }
`,
		"a/a_test.go": `package a

import "testing"

func TestA(t *testing.T) {
	if OldOne()+OldLonely() != 3 || Pad("a") != "a." {
		t.Fatal("wrong")
	}
}

var sink int

func BenchmarkOne(b *testing.B) {
	for range b.N {
		sink += OldOne()
	}
}

func BenchmarkPad(b *testing.B) {
	for range b.N {
		sink += len(Pad("abc"))
	}
}
`,
	})
	var steps []BenchStep
	run := func(count int) map[string]*report.Result {
		t.Helper()
		var log []string
		steps = nil
		rep, err := Run(t.Context(), Options{
			Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{renameRule}, Gate: GateBench,
			Bench: BenchOptions{Count: count, Benchtime: time.Millisecond},
			Log:   func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) },
			Progress: func(p Progress) {
				if p.Phase == PhaseBenchmarking && p.Bench.Candidate > 0 {
					steps = append(steps, p.Bench)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed() {
			t.Fatalf("packages failed: %+v", rep.Packages)
		}
		byFunc := map[string]*report.Result{}
		for _, c := range rep.Candidates {
			byFunc[c.Func] = c
		}
		if len(byFunc) != 3 {
			t.Fatalf("candidates %v; want OldOne, OldLonely, OldInit\n%s", rep.Candidates, strings.Join(log, "\n"))
		}
		return byFunc
	}

	// -count 4 cannot decide even one benchmark's three metrics: said before anything runs.
	got := run(4)
	for fn, want := range map[string]string{
		"OldOne":    "undecided -count 4 cannot show a difference across 3 metrics: use -count ≥ 5",
		"OldLonely": "no-benchmark no benchmark executes OldLonely: add one that calls it",
		"OldInit":   "no-benchmark no benchmark executes OldInit or init: add one that calls it",
	} {
		if c := got[fn]; string(c.Verdict)+" "+c.Reason != want {
			t.Errorf("-count 4: %s: %s %s; want %s", fn, c.Verdict, c.Reason, want)
		}
	}

	// Measured, OldOne is compared on the benchmark that executes it alone.
	got = run(5)
	// The progress line heard of each round of each side, naming the candidate and the benchmark.
	for _, side := range []string{SideOld, SideNew} {
		for round := 1; round <= 5; round++ {
			want := BenchStep{Func: "OldOne", Side: side, Benchmark: "BenchmarkOne", Round: round, Rounds: 5}
			if !slices.ContainsFunc(steps, func(s BenchStep) bool {
				s.Candidate, s.Candidates = 0, 0
				return s == want
			}) {
				t.Errorf("no progress step %+v among %+v", want, steps)
			}
		}
	}
	one := got["OldOne"]
	if len(one.Metrics) != 3 {
		t.Fatalf("OldOne: %s %s, metrics %v; want 3 metrics of BenchmarkOne", one.Verdict, one.Reason, one.Metrics)
	}
	for _, m := range one.Metrics {
		if !strings.HasPrefix(m.Bench, "BenchmarkOne") {
			t.Errorf("OldOne compared on %s", m)
		}
	}
}
