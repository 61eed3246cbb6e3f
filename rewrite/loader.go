package rewrite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// The loader gets everything about the packages from one `go list -export` run: their files, the
// compiled export data of every dependency and, when asked, the compiler's -m=2 diagnostics of the
// packages themselves. The compile that prints the diagnostics is the one that writes the export data,
// so a load costs what diagnosing costs, cold or warm. Only the packages gcfix may rewrite are parsed
// and type-checked from source (with their _test.go files of the same package), in parallel; every
// import comes from export data.

// listedPackage is one package as go list -json describes it.
type listedPackage struct {
	ImportPath      string
	Name            string
	Dir             string
	Export          string
	GoFiles         []string
	CgoFiles        []string
	CompiledGoFiles []string
	TestGoFiles     []string
	XTestGoFiles    []string
	TestImports     []string
	Imports         []string
	ImportMap       map[string]string
	Module          *struct {
		Path      string
		Main      bool
		Dir       string
		GoVersion string
	}
	DepOnly    bool
	Error      *struct{ Pos, Err string }
	DepsErrors []*struct{ Pos, Err string }
	// The files the go command hands to tools other than the compiler, and the embedded files:
	// compile.go's confirming compile.
	CFiles, CXXFiles, MFiles, FFiles, SFiles, SysoFiles, SwigFiles, SwigCXXFiles []string
	EmbedPatterns, EmbedFiles                                                    []string
}

// listFields are the fields that go list prints. BuildID is not decoded: the result cache's key
// hashes the whole output, and with it every package's build ID (resultKey).
const listFields = "ImportPath,Name,Dir,Export,BuildID,GoFiles,CgoFiles,CompiledGoFiles,TestGoFiles,XTestGoFiles,TestImports,Imports,ImportMap,Module,DepOnly,Error,DepsErrors,CFiles,CXXFiles,MFiles,FFiles,SFiles,SysoFiles,SwigFiles,SwigCXXFiles,EmbedPatterns,EmbedFiles"

// target is one package of the main module that gcfix may rewrite.
type target struct {
	path   string
	dir    string
	pkg    *packages.Package // its own files and its internal tests (_test.go of the same package), typed
	errors []string          // load, parse and type errors
	meta   *listedPackage
}

// LoadOptions says which packages Load loads, and how.
type LoadOptions struct {
	Dir      string   // where to run, as the go command would
	Tags     string   // build tags
	Patterns []string // go list patterns
	// PGO and Cache are Options.PGO and Options.Cache: the diagnostics are taken with the profile
	// that Run would use for the same packages.
	PGO, Cache string
}

// Loaded is what Load found.
type Loaded struct {
	Packages []*LoadedPackage // sorted by import path
	// PGO is the profile that the compiles were given: an absolute path, or "" or PGOOff for none.
	PGO string
	// PGOSummary says which profile the diagnostics were taken with, or why none was used, as
	// report.Report.PGOSummary does; "" when there was none to use.
	PGOSummary string
}

// LoadedPackage is one package of the main module that the patterns match.
type LoadedPackage struct {
	Path   string
	Errors []string // load, parse and type errors; Pass is nil when there are some
	Broken string   // why go list -export could not compile it; "" when it did
	// Pass is the package as a rule sees it (Pass.Module aside). Pass.Diags holds every diagnostic
	// of the compile, escape flows included, and in Lost the packages whose -m=2 lines name files
	// gcfix cannot find.
	Pass *rule.Pass
}

// ModuleRoot returns the root directory and the path of the main module that dir is in ("": the
// current directory), as the go command finds it.
func ModuleRoot(ctx context.Context, dir string) (root, path string, err error) {
	return moduleRoot(ctx, dir, nil)
}

// Load lists the packages that the patterns match in the module whose root is root (ModuleRoot),
// compiles them once with -m=2 and type-checks them, as Run does before it matches any rule: the
// start of the commands that read the compiler's verdicts without rewriting (gcfix check and
// gcfix explain).
func Load(ctx context.Context, root string, opts LoadOptions) (*Loaded, error) {
	tool := goTool{dir: root, tags: opts.Tags}
	inDir := tool
	inDir.dir = opts.Dir
	fset := token.NewFileSet()
	ld, ls, note, done, err := listDiagnosed(ctx, tool, &inDir, fset, opts.Patterns, opts.PGO, opts.Cache, nil)
	defer done()
	defer func() { ls.close() }()
	if err != nil {
		return nil, err
	}
	ls.full = true
	targets, diags, broken, err := ld.finish(ctx, inDir, ls)
	if err != nil {
		return nil, err
	}
	l := &Loaded{PGO: inDir.pgo, PGOSummary: pgoSummary(root, inDir.pgo, note)}
	for _, t := range targets {
		p := &LoadedPackage{Path: t.path, Errors: t.errors, Broken: broken[t.path]}
		if len(t.errors) == 0 {
			p.Pass = t.pass(fset, diags)
		}
		l.Packages = append(l.Packages, p)
	}
	return l, nil
}

// listDiagnosed lists the packages that patterns match where in runs the go command (in.dir) and
// compiles them with -m=2; when the main packages it lists choose a PGO profile (usePGO, which
// sets in's profile), a second listing compiles them with it. tool is the go command in the module
// root. done removes the profile's temporary copy; the listing is ls.close's to remove.
func listDiagnosed(ctx context.Context, tool goTool, in *goTool, fset *token.FileSet, patterns []string, pgo, cache string, progress func(n int, last string)) (ld *loader, ls *listing, note string, done func(), err error) {
	done = func() {}
	loadErr := func(err error) error { return fmt.Errorf("loading %s: %v", strings.Join(patterns, " "), err) }
	ld = newLoader(tool, fset)
	if ls, err = ld.list(ctx, *in, patterns, true, progress); err != nil {
		return ld, ls, "", done, loadErr(err)
	}
	if note, done, err = in.usePGO(pgo, in.dir, cache, ls.metas); err != nil {
		return ld, ls, "", done, err
	}
	if in.pgo != "" && in.pgo != PGOOff {
		// PGO changes inlining: the diagnostics are those of a compile with the profile.
		ls.close()
		ld = newLoader(tool, fset)
		if ls, err = ld.list(ctx, *in, patterns, true, progress); err != nil {
			return ld, ls, note, done, loadErr(err)
		}
	}
	return ld, ls, note, done, nil
}

// pass builds the rule's view of a loaded target.
func (t *target) pass(fset *token.FileSet, diags *diag.Diagnostics) *rule.Pass {
	p := &rule.Pass{Fset: fset, Info: t.pkg.TypesInfo, Types: t.pkg.Types, Sizes: t.pkg.TypesSizes, Diags: diags}
	for _, f := range t.pkg.Syntax {
		name := fset.File(f.Pos()).Name()
		if ast.IsGenerated(f) || filepath.Dir(name) != t.dir {
			continue
		}
		p.Files = append(p.Files, f)
	}
	return p
}

// loader type-checks packages against export data that the go command compiled.
type loader struct {
	fset  *token.FileSet
	sizes types.Sizes
	par   int

	mu      sync.Mutex
	exports map[string]string         // import path → export data file
	imports map[string]*types.Package // decoded export data, shared by every package checked
	deps    map[string][]string       // import path → the import paths it imports, of every package listed
}

func newLoader(g goTool, fset *token.FileSet) *loader {
	arch := os.Getenv("GOARCH")
	if arch == "" {
		arch = runtime.GOARCH
	}
	par := g.par
	if par <= 0 {
		par = runtime.NumCPU()
	}
	return &loader{
		fset:    fset,
		sizes:   types.SizesFor("gc", arch),
		par:     par,
		exports: map[string]string{},
		imports: map[string]*types.Package{},
		deps:    map[string][]string{},
	}
}

// listing is what one go list -export run said: the packages of the main module, the build errors,
// and the compiler's output.
type listing struct {
	metas    []*listedPackage
	broken   map[string]string
	stdout   []byte // the JSON, with every package's build ID
	stderr   string // the file holding the -m=2 text, when diagnosed; see close
	diagnose bool
	full     bool // keep every diagnostic, escape flows included (explain, check); else those rules read
}

// list runs go list -export over patterns; progress, when not nil, hears of each package whose
// compiler output the go command prints.
func (l *loader) list(ctx context.Context, g goTool, patterns []string, diagnose bool, progress func(n int, last string)) (*listing, error) {
	args := []string{"list", "-e", "-export", "-compiled", "-deps", "-json=" + listFields}
	args = append(args, g.buildFlags()...)
	args = append(args, g.pgoListFlags()...)
	if diagnose {
		for _, p := range patterns {
			args = append(args, "-gcflags="+p+"=-m=2"+g.pgoCompileFlag())
		}
	}
	args = append(args, "--")
	args = append(args, patterns...)
	g.compiling()
	stdout, stderr, err := g.runStderrFile(ctx, progress, args...)
	if err != nil {
		b, _ := os.ReadFile(stderr)
		os.Remove(stderr)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("go list: %s", tail(b, 20))
	}
	ls := &listing{broken: map[string]string{}, stdout: stdout, stderr: stderr, diagnose: diagnose}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	for dec.More() {
		p := &listedPackage{}
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("go list -json: %v", err)
		}
		if p.Export != "" {
			l.exports[p.ImportPath] = p.Export
		}
		deps := make([]string, len(p.Imports))
		for i, imp := range p.Imports {
			if m, ok := p.ImportMap[imp]; ok {
				imp = m
			}
			deps[i] = imp
		}
		l.deps[p.ImportPath] = deps
		if p.DepOnly || p.Module == nil || !p.Module.Main {
			continue
		}
		ls.metas = append(ls.metas, p)
		switch {
		case p.Error != nil:
			ls.broken[p.ImportPath] = strings.TrimSpace(p.Error.Err)
		case len(p.DepsErrors) > 0:
			ls.broken[p.ImportPath] = strings.TrimSpace(p.DepsErrors[0].Err)
		}
	}
	return ls, nil
}

// close removes the listing's temporary file.
func (ls *listing) close() {
	if ls != nil {
		os.Remove(ls.stderr)
	}
}

// finish parses the diagnostics of a listing and type-checks its packages.
func (l *loader) finish(ctx context.Context, g goTool, ls *listing) ([]*target, *diag.Diagnostics, map[string]string, error) {
	// The go command compiles what only tests import while the diagnostics are read.
	imported := make(chan error, 1)
	go func() { imported <- l.listTestImports(ctx, g, ls.metas) }()
	var diags *diag.Diagnostics
	if ls.diagnose {
		dir, err := filepath.Abs(g.dir)
		if err != nil {
			<-imported
			return nil, nil, nil, err
		}
		f, err := os.Open(ls.stderr)
		if err != nil {
			<-imported
			return nil, nil, nil, err
		}
		ds, lost, err := diag.ParsePackages(bufio.NewReaderSize(f, 1<<20), []string{dir}, filesOf(ls.metas), nil, ls.full)
		f.Close()
		if err != nil {
			<-imported
			return nil, nil, nil, err
		}
		diags = diag.New(ds)
		diags.Lost = lost
	}
	if err := <-imported; err != nil {
		return nil, nil, nil, err
	}
	return l.check(ctx, ls.metas, nil), diags, ls.broken, nil
}

// listTestImports compiles the packages that only the targets' tests import (testing, helpers), so
// that the tests type-check against export data too.
func (l *loader) listTestImports(ctx context.Context, g goTool, metas []*listedPackage) error {
	missing := map[string]bool{}
	for _, m := range metas {
		for _, imp := range m.TestImports {
			if path := m.resolve(imp); l.exports[path] == "" && path != "C" && path != "unsafe" {
				missing[path] = true
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return l.listExports(ctx, g, sortedKeys(missing))
}

// listExports compiles the packages paths and their dependencies that lack export data, and
// records it.
func (l *loader) listExports(ctx context.Context, g goTool, paths []string) error {
	args := []string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export"}
	args = append(args, g.buildFlags()...)
	args = append(args, "--")
	args = append(args, paths...)
	g.compiling()
	stdout, stderr, err := g.run(ctx, args...)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("go list: %s", tail(stderr, 20))
	}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	for dec.More() {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("go list -json: %v", err)
		}
		if p.Export != "" && l.exports[p.ImportPath] == "" {
			l.exports[p.ImportPath] = p.Export
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (m *listedPackage) resolve(imp string) string {
	if p, ok := m.ImportMap[imp]; ok {
		return p
	}
	return imp
}

// filesOf returns the files of the packages, by import path, for resolving their -m lines: their
// own, cgo and compiled files, and their tests'.
func filesOf(metas []*listedPackage) diag.PackageFiles {
	pf := diag.PackageFiles{}
	for _, m := range metas {
		var files []string
		for _, list := range [][]string{m.GoFiles, m.CgoFiles, m.CompiledGoFiles, m.TestGoFiles, m.XTestGoFiles} {
			for _, name := range list {
				if f := m.abs(name); !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
		}
		pf[m.ImportPath] = files
	}
	return pf
}

func (m *listedPackage) abs(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(m.Dir, name)
}

// check parses and type-checks the packages in parallel; files overrides file contents.
func (l *loader) check(ctx context.Context, metas []*listedPackage, files map[string][]byte) []*target {
	out := make([]*target, len(metas))
	parallel(l.par, len(metas), func(i int) { out[i] = l.checkOne(metas[i], files) })
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func (l *loader) checkOne(m *listedPackage, files map[string][]byte) *target {
	t := &target{path: m.ImportPath, dir: m.Dir, meta: m}
	pkg := &packages.Package{
		ID:         m.ImportPath,
		Name:       m.Name,
		PkgPath:    m.ImportPath,
		Fset:       l.fset,
		TypesSizes: l.sizes,
	}
	if mod := m.Module; mod != nil {
		pkg.Module = &packages.Module{Path: mod.Path, Main: mod.Main, Dir: mod.Dir, GoVersion: mod.GoVersion}
	}
	t.pkg = pkg
	if m.Error != nil && len(m.CompiledGoFiles)+len(m.GoFiles) == 0 {
		t.errors = []string{listError(m)}
		return t
	}
	names := m.CompiledGoFiles
	if len(names) == 0 {
		names = m.GoFiles
	}
	for _, n := range names {
		pkg.CompiledGoFiles = append(pkg.CompiledGoFiles, m.abs(n))
	}
	for _, n := range m.GoFiles {
		pkg.GoFiles = append(pkg.GoFiles, m.abs(n))
	}
	for _, n := range m.TestGoFiles {
		pkg.GoFiles = append(pkg.GoFiles, m.abs(n))
		pkg.CompiledGoFiles = append(pkg.CompiledGoFiles, m.abs(n))
	}
	if len(pkg.GoFiles) > 0 {
		t.dir = filepath.Dir(pkg.GoFiles[0])
	}
	l.parse(t, files)
	if len(t.errors) > 0 {
		return t
	}
	l.typeCheck(t)
	if len(t.errors) == 0 && m.Error != nil {
		t.errors = []string{listError(m)}
	}
	return t
}

// parse parses the compiled files of t, as files holds them or else as read from disk.
func (l *loader) parse(t *target, files map[string][]byte) {
	for _, name := range t.pkg.CompiledGoFiles {
		src, ok := files[name]
		var err error
		if !ok {
			src, err = os.ReadFile(name)
		}
		if err != nil {
			t.errors = append(t.errors, err.Error())
			continue
		}
		f, err := parser.ParseFile(l.fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					t.errors = append(t.errors, e.Error())
				}
			} else {
				t.errors = append(t.errors, err.Error())
			}
		}
		if f != nil {
			t.pkg.Syntax = append(t.pkg.Syntax, f)
		}
	}
}

// typeCheck type-checks the parsed files of t against the export data of its imports.
func (l *loader) typeCheck(t *target) {
	info := &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
	cfg := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return l.importPath(t.meta.resolve(path)) }),
		Sizes:    l.sizes,
		Error:    func(err error) { t.errors = append(t.errors, err.Error()) },
	}
	if mod := t.pkg.Module; mod != nil && mod.GoVersion != "" {
		cfg.GoVersion = "go" + mod.GoVersion
	}
	t.pkg.Types, _ = cfg.Check(t.path, l.fset, t.pkg.Syntax, info)
	t.pkg.TypesInfo = info
}

func listError(m *listedPackage) string {
	msg := strings.TrimSpace(m.Error.Err)
	if m.Error.Pos != "" && !strings.HasPrefix(msg, m.Error.Pos) {
		msg = m.Error.Pos + ": " + msg
	}
	return msg
}

// parallel calls f(0), …, f(n-1), at most par at a time, and returns when all have returned.
func parallel(par, n int, f func(i int)) {
	sem := make(chan struct{}, max(par, 1))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importPath returns the package from its export data, decoded once for every package checked.
func (l *loader) importPath(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.imports[path]; p != nil && p.Complete() {
		return p, nil
	}
	file := l.exports[path]
	if file == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := exportData(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("reading export data for %s: %v", path, err)
	}
	p, err := gcexportdata.Read(r, l.fset, l.imports, path)
	if err != nil {
		return nil, fmt.Errorf("reading export data for %s: %v", path, err)
	}
	return p, nil
}

// exportData returns the export data in a file that go list -export names. Through Go 1.27 that
// file is the compiler's archive, whose first member, __.PKGDEF, holds header lines, "$$B\n", the
// unified export data and "\n$$\n"; from Go 1.28 it is the export data alone (cmd/export).
// gcexportdata.Read decodes the export data itself and, from Go 1.29, no longer finds it in an
// archive, so the archive is opened here.
func exportData(r *bufio.Reader) (io.Reader, error) {
	const magic = "!<arch>\n"
	if b, err := r.Peek(len(magic)); err != nil || string(b) != magic {
		return r, nil
	}
	r.Discard(len(magic))
	// An archive member's header: name (16 bytes), modification time (12), owner (6), group (6),
	// mode (8), size (10) and "`\n".
	var hdr [60]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("archive header: %v", err)
	}
	if name := strings.TrimSpace(string(hdr[:16])); name != "__.PKGDEF" {
		return nil, fmt.Errorf("archive starts with %q, not __.PKGDEF", name)
	}
	size, err := strconv.Atoi(strings.TrimSpace(string(hdr[48:58])))
	if err != nil {
		return nil, fmt.Errorf("archive header: size %q", hdr[48:58])
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("no export data in __.PKGDEF: %v", err)
		}
		size -= len(line)
		if line == "$$B\n" {
			break
		}
	}
	const end = "\n$$\n"
	if size < len(end) {
		return nil, fmt.Errorf("__.PKGDEF is shorter than its headers")
	}
	return io.LimitReader(r, int64(size-len(end))), nil
}

// reloaded returns a loader for packages that kept rewrites changed: exports replaces the export
// data of the packages the confirm step compiled, and nothing decoded before is shared.
func (l *loader) reloaded(exports map[string]string) *loader {
	n := &loader{fset: l.fset, sizes: l.sizes, par: l.par, exports: map[string]string{}, imports: map[string]*types.Package{}, deps: l.deps}
	for k, v := range l.exports {
		n.exports[k] = v
	}
	for k, v := range exports {
		n.exports[k] = v
	}
	return n
}

// dependsOn reports whether package path imports, directly or not, one of the packages in set.
// memo holds the answers found so far for the same set.
func (l *loader) dependsOn(path string, set map[string]bool, memo map[string]bool) bool {
	if v, ok := memo[path]; ok {
		return v
	}
	memo[path] = false // an import cycle (not a valid build) ends here
	for _, imp := range l.deps[path] {
		if set[imp] || l.dependsOn(imp, set, memo) {
			memo[path] = true
			return true
		}
	}
	return false
}

// importsAny reports whether the package path imports a package of set directly.
func (l *loader) importsAny(path string, set map[string]bool) bool {
	return slices.ContainsFunc(l.deps[path], func(imp string) bool { return set[imp] })
}

// closure returns how many of the packages in set the packages paths import, directly or not,
// themselves included.
func (l *loader) closure(paths []string, set map[string]*target) int {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, imp := range l.deps[p] {
			walk(imp)
		}
	}
	for _, p := range paths {
		walk(p)
	}
	n := 0
	for p := range seen {
		if set[p] != nil {
			n++
		}
	}
	return n
}
