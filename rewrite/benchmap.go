package rewrite

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/tools/cover"
)

// Which benchmarks execute which functions. A rewrite moves code in the binary, and a nanosecond
// benchmark that never calls the rewritten function then shifts by a few percent, significantly;
// and every benchmark measured is one more member of the family that the correction divides alpha
// by. So the bench gate measures a candidate only on the benchmarks that execute a function it
// changes.
//
// Once per package and run, the package's test binary is built with coverage (-covermode=count, of
// the package and of the module's packages it imports) and each benchmark runs alone for
// coverIters iterations with -test.coverprofile. A block that the benchmark ran more often than
// the binary's start-up did (package initialisation, TestMain) belongs to a function the benchmark
// executes.
//
// The map is of the code on disk, as read before any rewrite: the go command builds coverage from
// the files on disk whatever -overlay says (golang.org/issue/73802), so the coverage binary is
// built without one. It stays true of the kept code, as a kept rewrite never changes what the
// program does: a function executes under the same benchmarks before and after. A function that a
// kept rewrite adds (an outlined slow path) is executed by the benchmarks that measured that
// rewrite. So the map is made once per package, and no kept rewrite makes it again.

// coverIters is how many iterations each benchmark runs in the coverage binary: enough for a
// benchmark that cycles through a table of inputs to reach each of them, few enough that a slow
// benchmark takes a moment. A fixed count, not a time, so that what a benchmark executes does not
// depend on the machine's speed.
const coverIters = 100

// funcRef names a function as the compiler does (diag.FuncName), in the file that declares it.
type funcRef struct{ file, name string }

// benchMap is which of a package's benchmarks execute which functions.
type benchMap struct {
	pkg     string               // the package whose benchmarks these are
	benches []string             // its top-level benchmarks that match -bench, as the test binary lists them
	leaves  map[string]int       // by benchmark: the results one run printed (1, or one per sub-benchmark)
	execs   map[funcRef][]string // by function: the benchmarks that execute it, in the order of benches
	known   map[funcRef]bool     // the functions of the covered packages, executed or not
	covered map[string]bool      // the packages whose functions are mapped, by import path
	// broken holds the benchmarks whose coverage run failed: they are measured for every
	// candidate, where they fail as they would have without the map.
	broken []string
	// unmapped says why there is no map (the coverage build failed): every candidate is then
	// measured on every benchmark, as if nothing were known.
	unmapped string
}

// selection is the benchmarks that measure one candidate.
type selection struct {
	benches []string // top-level benchmarks, in the package's order; empty: none to measure with
	// all: the map could not tell which benchmarks execute the change (why says why), and every
	// benchmark that matches -bench measures it, as in a package without a map.
	all bool
	why string
	// metrics is the size of the family the decision will correct for (3 units per result line
	// of the selected benchmarks), known before measuring; 0 when it is not (all).
	metrics int
	funcs   []string // the functions outside test files that the change touches, for messages
	pattern string   // -test.bench for the selected benchmarks
}

// mapBenchmarks builds the map of package t for the kept code.
func (e *engine) mapBenchmarks(ctx context.Context, t *target) (*benchMap, error) {
	m := &benchMap{pkg: t.path, leaves: map[string]int{}, execs: map[funcRef][]string{}, known: map[funcRef]bool{}, covered: map[string]bool{}}
	for _, p := range e.coveredPackages(t) {
		m.covered[p] = true
	}
	bin := filepath.Join(e.tmp, "cover.test")
	defer os.Remove(bin)
	e.benchStep(BenchStep{Side: SideCoverage})
	pkgs := slices.Sorted(maps.Keys(m.covered))
	// The code on disk, with no overlay: see above.
	if err := e.tool.testBinary(ctx, t.path, nil, bin, "-cover", "-covermode=count", "-coverpkg="+strings.Join(pkgs, ",")); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m.unmapped = "the test binary does not build with coverage: " + err.Error()
		e.logf("%s: no map of what the benchmarks execute: %v", t.path, err)
		return m, nil
	}
	var err error
	m.benches, err = listBenchmarks(ctx, t.dir, bin, e.opts.Bench)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, packageError{err.Error()}
	}
	files, err := e.coverFiles(m.covered)
	if err != nil {
		return nil, err
	}
	for _, fs := range files {
		for _, s := range fs.spans {
			m.known[funcRef{fs.file, s.name}] = true
		}
	}
	prof := filepath.Join(e.tmp, "cover.out")
	defer os.Remove(prof)
	// What start-up executes (package initialisation, TestMain) is run by every benchmark's process
	// and measured by none: it is subtracted.
	start, err := coverRun(ctx, t.dir, bin, prof, e.opts.Bench, []string{"-test.bench=^$"})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m.unmapped = "the coverage binary fails with no benchmark: " + err.Error()
		return m, nil
	}
	startCounts := blockCounts(start)
	for i, b := range m.benches {
		e.benchStep(BenchStep{Side: SideCoverage, Benchmark: b, Round: i + 1, Rounds: len(m.benches)})
		pattern := benchPatternFor([]string{b}, e.opts.Bench.Bench)
		out, profs, err := coverRunOutput(ctx, t.dir, bin, prof, e.opts.Bench, []string{"-test.bench=" + pattern, fmt.Sprintf("-test.benchtime=%dx", coverIters), "-test.benchmem"})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			e.logf("%s: %s fails with coverage, so it measures every candidate: %v", t.path, b, err)
			m.broken = append(m.broken, b)
			continue
		}
		m.leaves[b] = countResults(out)
		for _, p := range profs {
			fns := files[p.FileName]
			if fns == nil {
				continue
			}
			for _, blk := range p.Blocks {
				if blk.Count <= startCounts[blockKey{p.FileName, blk.StartLine, blk.StartCol}] {
					continue
				}
				if fn, ok := fns.at(blk.StartLine, blk.StartCol); ok {
					if l := m.execs[fn]; len(l) == 0 || l[len(l)-1] != b {
						m.execs[fn] = append(l, b)
					}
				}
			}
		}
	}
	e.logf("%s: %d benchmarks execute %d functions (coverage, %d iterations each)", t.path, len(m.benches), len(m.execs), coverIters)
	return m, nil
}

// coveredPackages are the packages whose functions the map of t's benchmarks covers: t, and the
// module's packages that gcfix may rewrite and that t or its tests import, directly or not.
func (e *engine) coveredPackages(t *target) []string {
	seen := map[string]bool{t.path: true}
	queue := append(append([]string{}, t.meta.Imports...), t.meta.TestImports...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		u := e.targets[p]
		if seen[p] || u == nil || len(u.errors) > 0 || e.broken[p] != "" {
			continue
		}
		seen[p] = true
		queue = append(queue, u.meta.Imports...)
	}
	return slices.Sorted(maps.Keys(seen))
}

// funcSpans are the function declarations of one file, in order, where coverage blocks are placed.
type funcSpans struct {
	file  string
	spans []funcSpan
}

type funcSpan struct {
	from, to token.Position
	name     string
}

// at returns the function whose declaration holds line:col (a function literal belongs to the
// declaration it is in).
func (f *funcSpans) at(line, col int) (funcRef, bool) {
	i := sort.Search(len(f.spans), func(i int) bool {
		to := f.spans[i].to
		return to.Line > line || to.Line == line && to.Column >= col
	})
	if i == len(f.spans) {
		return funcRef{}, false
	}
	s := f.spans[i]
	if s.from.Line > line || s.from.Line == line && s.from.Column > col {
		return funcRef{}, false
	}
	return funcRef{f.file, s.name}, true
}

// coverFiles indexes the function declarations of the covered packages, as the files are on disk,
// by the names that coverage profiles give their files: the import path and the file's base name.
func (e *engine) coverFiles(covered map[string]bool) (map[string]*funcSpans, error) {
	out := map[string]*funcSpans{}
	for p := range covered {
		t := e.targets[p]
		if t == nil {
			continue
		}
		for _, f := range t.pkg.Syntax {
			name := e.fset.File(f.Pos()).Name()
			if strings.HasSuffix(name, "_test.go") {
				continue // not instrumented
			}
			src, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			fs := &funcSpans{file: name}
			for _, d := range af.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					fs.spans = append(fs.spans, funcSpan{fset.Position(fd.Pos()), fset.Position(fd.End()), diag.FuncName(fd)})
				}
			}
			out[path.Join(p, filepath.Base(name))] = fs
		}
	}
	return out, nil
}

type blockKey struct {
	file      string
	line, col int
}

func blockCounts(profs []*cover.Profile) map[blockKey]int {
	out := map[blockKey]int{}
	for _, p := range profs {
		for _, b := range p.Blocks {
			out[blockKey{p.FileName, b.StartLine, b.StartCol}] += b.Count
		}
	}
	return out
}

// coverRun runs the coverage binary with args and returns its profile.
func coverRun(ctx context.Context, dir, bin, prof string, opts BenchOptions, args []string) ([]*cover.Profile, error) {
	_, profs, err := coverRunOutput(ctx, dir, bin, prof, opts, args)
	return profs, err
}

func coverRunOutput(ctx context.Context, dir, bin, prof string, opts BenchOptions, args []string) ([]byte, []*cover.Profile, error) {
	os.Remove(prof)
	args = append([]string{"-test.run=^$", "-test.v", "-test.coverprofile=" + prof, "-test.timeout=" + opts.Timeout.String()}, args...)
	out, err := runTestBinary(ctx, dir, bin, args, opts.Timeout, nil)
	if err != nil {
		return nil, nil, err
	}
	profs, err := cover.ParseProfiles(prof)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the coverage profile: %v", err)
	}
	return out, profs, nil
}

// countResults counts the benchmark result lines of a test binary's output.
func countResults(out []byte) int {
	n := 0
	r := benchfmt.NewReader(bytes.NewReader(out), "")
	for r.Scan() {
		if _, ok := r.Result().(*benchfmt.Result); ok {
			n++
		}
	}
	return n
}

// listBenchmarks returns the top-level benchmarks of a test binary that match the first level of
// opts.Bench, as -test.list prints them.
func listBenchmarks(ctx context.Context, dir, bin string, opts BenchOptions) ([]string, error) {
	first, _, _ := splitBenchPattern(benchPattern(opts))
	out, err := runTestBinary(ctx, dir, bin, []string{"-test.list=" + first}, opts.Timeout, nil)
	if err != nil {
		return nil, fmt.Errorf("listing benchmarks: %v", err)
	}
	var bs []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			bs = append(bs, strings.TrimSpace(line))
		}
	}
	return bs, nil
}

// splitBenchPattern splits a -bench pattern at its first slash that separates levels (outside
// brackets and parentheses, as the testing package splits it): first matches top-level names,
// rest the sub-benchmarks'. ok is false when the pattern has alternatives at the top level and
// levels too ("A/x|B/y"), which cannot be narrowed to some top-level names by rewriting it.
func splitBenchPattern(p string) (first, rest string, ok bool) {
	brackets, parens := 0, 0
	slash, bar := -1, false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '[':
			brackets++
		case ']':
			brackets = max(brackets-1, 0)
		case '(':
			if brackets == 0 {
				parens++
			}
		case ')':
			if brackets == 0 {
				parens--
			}
		case '\\':
			i++
		case '/':
			if brackets == 0 && parens == 0 && slash < 0 {
				slash = i
			}
		case '|':
			if brackets == 0 && parens == 0 {
				bar = true
			}
		}
	}
	if slash < 0 {
		return p, "", true
	}
	return p[:slash], p[slash+1:], !bar
}

// benchPatternFor is the -test.bench pattern that runs the benchmarks benches, with the levels
// below the top of the user's pattern user; "" when user cannot be narrowed (splitBenchPattern).
func benchPatternFor(benches []string, user string) string {
	if user == "" {
		user = "."
	}
	_, rest, ok := splitBenchPattern(user)
	if !ok {
		return ""
	}
	quoted := make([]string, len(benches))
	for i, b := range benches {
		quoted[i] = regexp.QuoteMeta(b)
	}
	p := "^(" + strings.Join(quoted, "|") + ")$"
	if rest != "" {
		p += "/" + rest
	}
	return p
}

// changedFuncs returns the functions whose declarations a rewrite changes, in the files as they
// are kept: those with a changed line (in the doc comment too, which holds the directives), and
// those that lines are added inside. A function the rewrite adds is not among them: it is new, and
// reached only through a changed one (addedFuncs).
func (e *engine) changedFuncs(changes map[string][]byte) ([]changedFunc, error) {
	var out []changedFunc
	for _, name := range sortedNames(changes) {
		cur, err := e.current(name)
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, cur, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return nil, err
		}
		pkg := ""
		if t := e.targetOf(name); t != nil {
			pkg = t.path
		}
		hunks := linediff.Hunks(cur, changes[name])
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			start := fd.Pos()
			if fd.Doc != nil {
				start = fd.Doc.Pos() // its directives too: //go:noinline
			}
			from, to := fset.Position(start).Line, fset.Position(fd.End()).Line
			for _, h := range hunks {
				touched := h.OldLen > 0 && h.OldStart <= to && h.OldStart+h.OldLen-1 >= from ||
					h.OldLen == 0 && from < h.OldStart && h.OldStart <= to // lines added inside
				if touched {
					out = append(out, changedFunc{funcRef{name, diag.FuncName(fd)}, pkg})
					break
				}
			}
		}
	}
	return out, nil
}

type changedFunc struct {
	funcRef
	pkg string
}

// selectFor returns the benchmarks that measure a change to the functions changed.
func (m *benchMap) selectFor(changed []changedFunc, opts BenchOptions) *selection {
	sel := &selection{}
	for _, c := range changed {
		if !strings.HasSuffix(c.file, "_test.go") && !slices.Contains(sel.funcs, c.name) {
			sel.funcs = append(sel.funcs, c.name)
		}
	}
	all := func(why string) *selection {
		sel.all, sel.why, sel.benches, sel.metrics = true, why, m.benches, 0
		sel.pattern = benchPattern(opts)
		return sel
	}
	switch {
	case m.unmapped != "":
		return all(m.unmapped)
	case !slices.ContainsFunc(changed, func(c changedFunc) bool { return !strings.HasSuffix(c.file, "_test.go") }):
		return all("the rewrite changes no function outside the tests")
	}
	in := map[string]bool{}
	for _, b := range m.broken {
		in[b] = true
	}
	for _, c := range changed {
		if strings.HasSuffix(c.file, "_test.go") {
			// Coverage does not instrument test files. A changed benchmark (a call site the
			// rewrite changed in it) executes itself; a test or a helper is a call site of a
			// changed function of the package, which says what executes it.
			if slices.Contains(m.benches, c.name) {
				in[c.name] = true
			}
			continue
		}
		if !m.covered[c.pkg] {
			return all(fmt.Sprintf("%s is in %s, which the benchmarks of %s do not cover", c.name, c.pkg, m.pkg))
		}
		if !m.known[c.funcRef] {
			return all(fmt.Sprintf("%s was not in the code the benchmarks were mapped on", c.name))
		}
		for _, b := range m.execs[c.funcRef] {
			in[b] = true
		}
	}
	for _, b := range m.benches {
		if in[b] {
			sel.benches = append(sel.benches, b)
			sel.metrics += 3 * m.leaves[b]
		}
	}
	if len(sel.benches) == 0 {
		return sel
	}
	sel.pattern = benchPatternFor(sel.benches, opts.Bench)
	if sel.pattern == "" {
		// -bench has levels and top-level alternatives: run it as given, and decide on the
		// selected benchmarks' results only.
		sel.pattern = benchPattern(opts)
	}
	return sel
}

// addedFuncs returns the functions that a rewrite adds to the files as they are kept.
func (e *engine) addedFuncs(changes map[string][]byte) ([]funcRef, error) {
	var out []funcRef
	for _, name := range sortedNames(changes) {
		cur, err := e.current(name)
		if err != nil {
			return nil, err
		}
		before, err := funcNames(name, cur)
		if err != nil {
			return nil, err
		}
		after, err := funcNames(name, changes[name])
		if err != nil {
			return nil, err
		}
		for _, fn := range after {
			if !slices.Contains(before, fn) {
				out = append(out, funcRef{name, fn})
			}
		}
	}
	return out, nil
}

// funcNames returns the names of the functions declared in a file, as the compiler names them.
func funcNames(name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			out = append(out, diag.FuncName(fd))
		}
	}
	return out, nil
}

// inherit records that the functions a kept rewrite added are executed by the benchmarks that
// measured it: they run code that the functions it changed ran before.
func (m *benchMap) inherit(added []funcRef, sel *selection) {
	if sel == nil || sel.all {
		return
	}
	for _, fn := range added {
		m.known[fn] = true
		m.execs[fn] = slices.Clone(sel.benches)
	}
}
