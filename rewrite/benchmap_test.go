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
	run := func(count int) map[string]*report.Result {
		t.Helper()
		var log []string
		rep, err := Run(t.Context(), Options{
			Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{renameRule}, Gate: GateBench,
			Bench: BenchOptions{Count: count, Benchtime: time.Millisecond},
			Log:   func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) },
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

	// Measured, OldOne is compared on the benchmark that executes it alone.
	got := run(5)
	for fn, want := range map[string]string{
		"OldLonely": "no-benchmark no benchmark executes OldLonely: add one that calls it",
		"OldInit":   "no-benchmark no benchmark executes OldInit or init: add one that calls it",
	} {
		if c := got[fn]; string(c.Verdict)+" "+c.Reason != want {
			t.Errorf("%s: %s %s; want %s", fn, c.Verdict, c.Reason, want)
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
