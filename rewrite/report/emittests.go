package report

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AllocTestsFile is the file, in each package directory, that holds the allocation budgets of
// EmitAllocTests.
const AllocTestsFile = "gcfix_allocs_test.go"

// An AllocBudget is the most allocations per operation that a benchmark may make: what the bench
// gate measured after the kept rewrites that lowered it.
type AllocBudget struct {
	Bench  string // the benchmark function, "BenchmarkKey"
	Allocs int64
}

// EmitAllocTests adds to the report's change, for each package where a kept rewrite lowered a
// benchmark's allocs/op, the file gcfix_allocs_test.go with one test per such benchmark: it runs
// the benchmark with testing.Benchmark and fails when it allocates more than the gate measured, so
// that a later change that allocates again fails `go test`. The file is written with the rewrites
// (Apply) and is part of the diff. An existing file is merged: the budgets measured now replace
// those of the same benchmarks and the others stay; a file holding anything that gcfix did not
// write is left alone and reported in the error. Sub-benchmarks ("BenchmarkX/case") get no budget:
// testing.Benchmark runs only whole benchmark functions.
func (r *Report) EmitAllocTests() error {
	var errs []string
	for _, p := range r.Packages {
		budgets := r.allocBudgets(p.Path)
		if len(budgets) == 0 {
			continue
		}
		dir := filepath.Join(r.root, filepath.FromSlash(p.Dir))
		if err := r.emitAllocTests(p.Path, dir, budgets); err != nil {
			errs = append(errs, fmt.Sprintf("%s: -emit-tests: %v", p.Path, err))
		}
	}
	r.Diff = Diff(r.root, r.files)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// allocBudgets returns the budgets of the benchmarks of pkg whose allocs/op some kept candidate
// lowered. A later kept candidate measures on top of the earlier ones, so the last measurement of a
// benchmark is its budget.
func (r *Report) allocBudgets(pkg string) []AllocBudget {
	last := map[string]float64{}
	lowered := map[string]bool{}
	for _, c := range r.Candidates {
		if c.Package != pkg || c.Verdict != Kept {
			continue
		}
		for _, m := range c.Metrics {
			name, ok := benchFunc(m.Bench)
			if m.Unit != "allocs/op" || !ok {
				continue
			}
			last[name] = m.New
			if m.New < m.Old {
				lowered[name] = true
			}
		}
	}
	var out []AllocBudget
	for name := range lowered {
		out = append(out, AllocBudget{Bench: name, Allocs: int64(math.Ceil(last[name]))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Bench < out[j].Bench })
	return out
}

// benchFunc returns the benchmark function of a benchmark's full name, "BenchmarkKey-2" →
// "BenchmarkKey"; ok is false for a sub-benchmark.
func benchFunc(full string) (string, bool) {
	if strings.Contains(full, "/") {
		return "", false
	}
	if i := strings.LastIndexByte(full, '-'); i > 0 && strings.Trim(full[i+1:], "0123456789") == "" {
		full = full[:i]
	}
	return full, token.IsIdentifier(full) && strings.HasPrefix(full, "Benchmark")
}

func (r *Report) emitAllocTests(pkgPath, dir string, budgets []AllocBudget) error {
	name := filepath.Join(dir, AllocTestsFile)
	old, fc, exists, err := r.allocTestsNow(name)
	if err != nil {
		return err
	}
	all := map[string]budgetEntry{}
	pkgName := ""
	if exists {
		var err error
		pkgName, all, err = parseAllocTests(old)
		if err != nil {
			return fmt.Errorf("%s: %v; not updated", RelPath(r.root, name), err)
		}
	}
	// Where each benchmark is declared decides how the test names it: in the package's own test
	// files, as is; in its external _test package, which the package's tests cannot see, the file
	// goes into that package and names the others through an import.
	decl, base, err := r.benchmarkPackages(dir)
	if err != nil {
		return err
	}
	for _, b := range budgets {
		if _, ok := decl[b.Bench]; !ok {
			return fmt.Errorf("benchmark %s is not declared in a _test.go file of %s", b.Bench, RelPath(r.root, dir))
		}
		all[b.Bench] = budgetEntry{allocs: b.Allocs}
	}
	if pkgName == "" {
		pkgName = base
		for _, b := range budgets {
			if p := decl[b.Bench]; strings.HasSuffix(p, "_test") {
				pkgName = p
			}
		}
	}
	external := strings.HasSuffix(pkgName, "_test")
	var names []string
	for n := range all {
		if _, ok := decl[n]; !ok {
			// The benchmark is gone: so is its budget.
			continue
		}
		if !external && strings.HasSuffix(decl[n], "_test") {
			return fmt.Errorf("%s is in package %s, which %s (package %s) cannot see", n, decl[n], AllocTestsFile, pkgName)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if external && usesBase(names, decl) && base == "" {
		base = importName(pkgPath)
	}
	src, err := allocTestsSource(pkgName, pkgPath, base, names, decl, all)
	if err != nil {
		return err
	}
	if exists && bytes.Equal(src, old) {
		return nil
	}
	if fc != nil {
		fc.New, fc.Emitted = src, true
		return nil
	}
	r.files = append(r.files, &FileChange{Path: name, Old: old, New: src, Create: !exists, Emitted: true})
	return nil
}

// allocTestsNow returns the allocation tests file name as the report leaves it: as a kept rewrite
// changed it (fc), or as it is on disk; exists is false when there is none.
func (r *Report) allocTestsNow(name string) (src []byte, fc *FileChange, exists bool, err error) {
	if fc := r.changeOf(name); fc != nil {
		return fc.New, fc, true, nil
	}
	b, err := os.ReadFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, err
	}
	return b, nil, true, nil
}

// allocTestsSource writes the allocation tests of package pkgName: a test for each benchmark of
// names, with its budget in all. In an external test package (pkgName_test), a benchmark that the
// package itself declares (decl) is named through the import of pkgPath as base.
func allocTestsSource(pkgName, pkgPath, base string, names []string, decl map[string]string, all map[string]budgetEntry) ([]byte, error) {
	external := strings.HasSuffix(pkgName, "_test")
	var b bytes.Buffer
	fmt.Fprintf(&b, allocTestsHeader, pkgName)
	if external && usesBase(names, decl) {
		fmt.Fprintf(&b, "import (\n\t\"testing\"\n\n\t%s %q\n)\n", base, pkgPath)
	} else {
		b.WriteString("import \"testing\"\n")
	}
	for _, n := range names {
		ref := n
		if external && !strings.HasSuffix(decl[n], "_test") {
			ref = base + "." + n
		}
		fmt.Fprintf(&b, "\nfunc TestGcfixAllocs%s(t *testing.T) {\n\tgcfixAllocBudget(t, %q, %s, %d)\n}\n",
			strings.TrimPrefix(n, "Benchmark"), n, ref, all[n].allocs)
	}
	b.WriteString(allocTestsHelper)
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %v", AllocTestsFile, err)
	}
	return src, nil
}

func usesBase(names []string, decl map[string]string) bool {
	for _, n := range names {
		if !strings.HasSuffix(decl[n], "_test") {
			return true
		}
	}
	return false
}

type budgetEntry struct{ allocs int64 }

// changeOf returns the report's change of file name, nil when it has none.
func (r *Report) changeOf(name string) *FileChange {
	for _, c := range r.files {
		if c.Path == name {
			return c
		}
	}
	return nil
}

// benchmarkPackages maps each benchmark function declared in the _test.go files of dir to the
// package clause of its file, reading the kept rewrites of those files where there are some. base
// is the package's own name when a test file in the package itself says it.
func (r *Report) benchmarkPackages(dir string) (benches map[string]string, base string, err error) {
	names, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, "", err
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range names {
		if filepath.Base(name) == AllocTestsFile {
			continue
		}
		var src []byte
		if fc := r.changeOf(name); fc != nil {
			src = fc.New
		} else if src, err = os.ReadFile(name); err != nil {
			return nil, "", err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, "", err
		}
		if !strings.HasSuffix(f.Name.Name, "_test") {
			base = f.Name.Name
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Benchmark") {
				out[fd.Name.Name] = f.Name.Name
			}
		}
	}
	return out, base, nil
}

// importName is a name for the package under test in its external test package when no test file
// of the package itself says its name: the last element of its path, made an identifier.
func importName(pkgPath string) string {
	n := pkgPath[strings.LastIndexByte(pkgPath, '/')+1:]
	n = strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, n)
	if !token.IsIdentifier(n) || token.IsKeyword(n) {
		return "pkg"
	}
	return n
}

// parseAllocTests reads a gcfix_allocs_test.go that gcfix wrote: its package and its budgets. A
// file with anything else in it is an error.
func parseAllocTests(src []byte) (pkg string, budgets map[string]budgetEntry, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), AllocTestsFile, src, parser.SkipObjectResolution)
	if err != nil {
		return "", nil, err
	}
	budgets = map[string]budgetEntry{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
		case *ast.FuncDecl:
			if d.Name.Name == "gcfixAllocBudget" {
				continue
			}
			if bench, n, ok := budgetTest(d); ok {
				budgets[bench] = budgetEntry{allocs: n}
				continue
			}
		}
		return "", nil, fmt.Errorf("it holds code that gcfix did not write")
	}
	return f.Name.Name, budgets, nil
}

// budgetTest recognizes func TestGcfixAllocsX(t *testing.T) { gcfixAllocBudget(t, "BenchmarkX", …, N) }.
func budgetTest(fd *ast.FuncDecl) (bench string, n int64, ok bool) {
	if !strings.HasPrefix(fd.Name.Name, "TestGcfixAllocs") || fd.Body == nil || len(fd.Body.List) != 1 {
		return "", 0, false
	}
	es, isExpr := fd.Body.List[0].(*ast.ExprStmt)
	if !isExpr {
		return "", 0, false
	}
	call, isCall := es.X.(*ast.CallExpr)
	if !isCall || len(call.Args) != 4 {
		return "", 0, false
	}
	if id, isIdent := call.Fun.(*ast.Ident); !isIdent || id.Name != "gcfixAllocBudget" {
		return "", 0, false
	}
	name, isLit := call.Args[1].(*ast.BasicLit)
	num, isNum := call.Args[3].(*ast.BasicLit)
	if !isLit || !isNum || name.Kind != token.STRING || num.Kind != token.INT {
		return "", 0, false
	}
	bench, err1 := strconv.Unquote(name.Value)
	n, err2 := strconv.ParseInt(num.Value, 10, 64)
	return bench, n, err1 == nil && err2 == nil
}

const allocTestsHeader = `// gcfix wrote this file (gcfix -apply -emit-tests): each test runs a benchmark and fails when it
// allocates more per operation than it did after gcfix's rewrites. Run gcfix -apply -emit-tests
// again to update the budgets, or lower a budget by hand; gcfix rewrites this file, so keep other
// tests in other files. The budgets hold for a plain go test; -race or -gcflags=-N change what
// allocates.

package %s

`

const allocTestsHelper = `
// gcfixAllocBudget runs bench as go test -bench would and fails t when it allocates more than
// budget times per operation.
func gcfixAllocBudget(t *testing.T, name string, bench func(*testing.B), budget int64) {
	t.Helper()
	r := testing.Benchmark(bench)
	if r.N == 0 {
		t.Fatalf("%s did not run: it failed or skipped", name)
	}
	if got := r.AllocsPerOp(); got > budget {
		t.Errorf("%s: %d allocs/op, budget %d (set by gcfix; a change made it allocate again)", name, got, budget)
	}
}
`
