package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
	"github.com/gcfix/gcfix/rewrite/profile"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// Gate says how much proof a rewrite needs before it is kept.
type Gate string

const (
	GateBuild Gate = "build" // -m confirms the promise and the package compiles
	GateTest  Gate = "test"  // and its tests pass
	GateBench Gate = "bench" // and its benchmarks improve significantly
)

// Options configures a run.
type Options struct {
	Dir         string   // where to run, as the go command would; the module root is found from it
	Patterns    []string // go list patterns
	Rules       []*rule.Rule
	Gate        Gate
	Bench       BenchOptions
	TestTimeout time.Duration // for go test; a hang beyond it fails the candidate
	Tags        string
	// Parallel bounds how many packages are type-checked, and how many builds and tests the go
	// command runs, at once (-p); 0 means the number of CPUs. Benchmarks always run one at a time.
	Parallel int
	// Shard and Shards, when Shards > 0, process only shard Shard (1..Shards) of the matched
	// packages; the shards partition them. Every package is still loaded, for rules that reach
	// across packages.
	Shard, Shards int
	// Cache, when set, is the directory of the build gate's result cache (see resultKey): a rerun of
	// -gate=build over code the go command compiled before is answered from it.
	Cache string
	// Select, when set, picks the packages to process, as Shard does (gcfix -r shards the
	// packages of all modules together).
	Select func(pkgPath string) bool
	// Profile, when set, orders the candidates hottest function first; those in functions with less
	// than Hot percent of its samples (cumulative) are skipped. See hot.go.
	Profile *profile.Profile
	Hot     float64
	// PGO is a profile that every go command of the run builds with, as go build -pgo; "" uses the
	// default.pgo of the main package being diagnosed, PGOOff none. See pgo.go.
	PGO string
	// Log, when set, receives one line per step (the -v view).
	Log func(format string, args ...any)
	// Progress, when set, receives the run's phase, package and counts as they change.
	Progress func(Progress)
	// State, when set, records each measured verdict and reuses recorded ones (gcfix -state).
	State *State
	// Env is added to the environment of every go command and package load, e.g. GOWORK=off.
	Env []string
}

// Run takes every package that the patterns match through the loop: diagnose, match, rewrite,
// confirm, test, measure, decide. It never writes the user's files; see report.Report.Apply.
// When ctx ends after the packages are loaded, Run returns ctx's error and, with it, the report of
// the candidates decided so far, marked Incomplete.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	opts = opts.withDefaults()
	// The module root is asked for while the packages compile: it is only needed after.
	modc := make(chan moduleAnswer, 1)
	go func() {
		root, path, err := moduleRoot(ctx, opts.Dir, opts.Env)
		modc <- moduleAnswer{root, path, err}
	}()
	tmp, err := os.MkdirTemp("", "gcfix-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// The go command's own work directories go inside ours, so that an interrupted run, which can
	// stop the go command before it cleans up, leaves nothing behind.
	gotmp := filepath.Join(tmp, "gotmp")
	if err := os.Mkdir(gotmp, 0o755); err != nil {
		return nil, err
	}
	tool := goTool{tags: opts.Tags, env: append([]string{"GOTMPDIR=" + gotmp}, opts.Env...), par: opts.Parallel, tmp: tmp, compiles: new(atomic.Int64)}
	fset := token.NewFileSet()
	prog := newProgress(opts)
	steps := &stepLog{log: opts.Log, start: startTimer()}
	l, err := list(ctx, opts, tool, fset, prog, steps)
	defer l.close()
	mod := <-modc
	if mod.err != nil {
		return nil, mod.err
	}
	if err != nil {
		return nil, err
	}
	tool.dir = mod.root
	tool.pgo, tool.pgoCopy = l.in.pgo, l.in.pgoCopy
	cacheKey := ""
	if opts.Gate == GateBuild && opts.Cache != "" && opts.Select == nil && opts.Profile == nil {
		if cacheKey = resultKey(opts, mod.root, l.ls); cacheKey != "" {
			if rep, ok := loadResult(opts.Cache, cacheKey, mod.root); ok {
				if opts.Log != nil {
					opts.Log("results from the result cache (%s)", filepath.Join(opts.Cache, cacheKey[:2], cacheKey))
				}
				rep.Compiles = compiled(opts, tool)
				return rep, nil
			}
		}
	}
	tool.diagPatterns, tool.diagDir = opts.Patterns, opts.Dir
	e := &engine{
		opts: opts, root: mod.root, tmp: tmp, tool: tool, prog: prog, fset: fset,
		orig: map[string][]byte{}, kept: map[string][]byte{}, baseline: map[string]*baseline{},
	}
	targets, err := e.load(ctx, mod.path, l, steps)
	if err != nil {
		return nil, err
	}
	ready := e.packageReports(targets)
	if err := e.rewriteAll(ctx, ready); err != nil {
		if ctx.Err() == nil {
			return nil, err
		}
		// Interrupted: what was decided so far is the report, marked incomplete. A verdict is
		// reported only once decided, and a kept one only with its rewrite kept.
		rep := e.finish(mod.root, tool)
		rep.Incomplete = true
		return rep, ctx.Err()
	}
	rep := e.finish(mod.root, tool)
	if cacheKey != "" && rep.Unresolved == 0 {
		storeResult(opts.Cache, cacheKey, rep)
	}
	return rep, nil
}

// finish completes the report with the kept rewrites and the count of compiles.
func (e *engine) finish(root string, tool goTool) *report.Report {
	rep := e.rep
	var files []*report.FileChange
	for name, b := range e.kept {
		files = append(files, &report.FileChange{Path: name, Old: e.orig[name], New: b})
	}
	rep.SetFiles(files)
	rep.Diff = report.Diff(root, files)
	rep.Compiles = compiled(e.opts, tool)
	return rep
}

// compiled returns how many go commands the run started to compile packages, and says it under -v.
func compiled(opts Options, tool goTool) int {
	n := int(tool.compiles.Load())
	if opts.Log != nil {
		opts.Log("%d compiles by the go command (go list -export, go test)", n)
	}
	return n
}

func (o Options) withDefaults() Options {
	if o.Gate == "" {
		o.Gate = GateBench
	}
	if o.TestTimeout == 0 {
		o.TestTimeout = 10 * time.Minute
	}
	o.Bench = o.Bench.withDefaults()
	return o
}

// moduleAnswer is the main module that Run works in: its root directory and path.
type moduleAnswer struct {
	root, path string
	err        error
}

// stepLog logs how long each step of loading took, under -v.
type stepLog struct {
	log   func(format string, args ...any)
	start timer
}

func (s *stepLog) took(what string, args ...any) {
	if s.log != nil {
		s.log("%s in %v", fmt.Sprintf(what, args...), s.start)
		s.start = startTimer()
	}
}

// listed is Run's first step: the packages listed and compiled with -m=2 by one go list -export, in
// the directory the run started in (in), with the PGO profile it chose.
type listed struct {
	in      goTool
	ld      *loader
	ls      *listing
	pgoNote string
	pgoDone func()
}

// list lists the packages that the patterns match and compiles them with -m=2: the export data that
// type-checks them comes from the same compile as the diagnostics.
func list(ctx context.Context, opts Options, tool goTool, fset *token.FileSet, prog *progress, steps *stepLog) (*listed, error) {
	prog.phase(PhaseLoading)
	l := &listed{in: tool}
	l.in.dir = opts.Dir
	follow, counted := prog.listing(ctx, l.in, opts.Patterns)
	var err error
	l.ld, l.ls, l.pgoNote, l.pgoDone, err = listDiagnosed(ctx, tool, &l.in, fset, opts.Patterns, opts.PGO, opts.Cache, follow)
	counted()
	if err == nil {
		steps.took("listed and compiled %d packages with -m=2", len(l.ls.metas))
	}
	return l, err
}

// close removes the listing's temporary files.
func (l *listed) close() {
	l.ls.close()
	l.pgoDone()
}

// load reads the listing's diagnostics and type-checks its packages, and starts the report.
func (e *engine) load(ctx context.Context, modPath string, l *listed, steps *stepLog) ([]*target, error) {
	targets, diags, broken, err := l.ld.finish(ctx, l.in, l.ls)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %v", strings.Join(e.opts.Patterns, " "), err)
	}
	steps.took("read the diagnostics and type-checked %d packages", len(targets))
	if len(targets) == 0 {
		return nil, fmt.Errorf("%s: matched no packages in module %s", strings.Join(e.opts.Patterns, " "), modPath)
	}
	e.loader, e.diags, e.broken = l.ld, diags, broken
	e.targets = map[string]*target{}
	for _, t := range targets {
		e.targets[t.path] = t
	}
	e.rep = report.New(modPath, e.root)
	if f := e.tool.pgo; f != "" && f != PGOOff {
		e.rep.PGO = report.RelPath(e.root, f)
	}
	e.rep.PGONote = l.pgoNote
	return targets, nil
}

// packageReports adds to the report each package that the run processes, and returns those that
// can be rewritten: loaded without errors, built before any rewrite, their diagnostics readable.
func (e *engine) packageReports(targets []*target) []string {
	var ready []string
	for _, path := range selectPackages(loadedOrder(targets), e.opts) {
		t := e.targets[path]
		pr := report.PackageReport{Path: t.path, Dir: report.RelPath(e.root, t.dir)}
		if l := e.diags.Lost[t.path]; l != nil {
			pr.Unresolved, pr.UnresolvedFiles = l.Lines, l.Names
			e.rep.Unresolved += l.Lines
		}
		switch {
		case len(t.errors) > 0:
			pr.Error = strings.ReplaceAll(strings.Join(t.errors, "\n"), e.root+string(filepath.Separator), "")
		case e.broken[t.path] != "":
			pr.Error = "does not build before any rewrite:\n" + e.broken[t.path]
		case e.diags.Unreadable(t.path) != "":
			pr.Error = e.diags.Unreadable(t.path)
		default:
			ready = append(ready, path)
		}
		e.rep.Packages = append(e.rep.Packages, pr)
	}
	return ready
}

// rewriteAll takes the ready packages through the gate. The build gate confirms the candidates of
// all of them together (batch.go); the test and bench gates try candidates one at a time, package by
// package, and a precondition that fails for a package (its tests fail before any rewrite) is that
// package's error.
func (e *engine) rewriteAll(ctx context.Context, ready []string) error {
	if e.opts.Gate == GateBuild {
		return e.runBatched(ctx, ready)
	}
	if e.opts.Gate == GateBench {
		defer func() { e.logf("%s", &e.cost) }()
	}
	for i, path := range ready {
		e.prog.pkg(i+1, len(ready), path)
		err := e.process(ctx, path)
		var pe packageError
		switch {
		case err == nil:
		case ctx.Err() == nil && errors.As(err, &pe):
			for i := range e.rep.Packages {
				if e.rep.Packages[i].Path == path {
					e.rep.Packages[i].Error = pe.msg
				}
			}
		default:
			return err
		}
	}
	return nil
}

// packageError is a precondition that fails for a whole package: reported, and the run goes on.
type packageError struct{ msg string }

func (e packageError) Error() string { return e.msg }

func moduleRoot(ctx context.Context, dir string, env []string) (root, path string, err error) {
	out, stderr, err := goTool{dir: dir, env: env}.run(ctx, "list", "-m", "-f", "{{.Dir}}\t{{.Path}}")
	if err != nil {
		return "", "", fmt.Errorf("finding the module in %s: %s", dirName(dir), strings.TrimSpace(string(stderr)))
	}
	dirPath, modPath, ok := enclosingModule(string(out), dir)
	if !ok || dirPath == "" {
		return "", "", fmt.Errorf("%s is not inside a Go module", dirName(dir))
	}
	return dirPath, modPath, nil
}

// enclosingModule picks, from go list -m output (one "dir\tpath" line per main module: several in
// workspace mode), the module whose directory contains dir, the innermost one.
func enclosingModule(out, dir string) (root, modPath string, ok bool) {
	if dir == "" {
		dir, _ = os.Getwd()
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	best := -1
	for _, line := range lines {
		d, p, found := strings.Cut(line, "\t")
		if !found || d == "" {
			continue
		}
		if rel, err := filepath.Rel(d, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if len(d) > best {
				root, modPath, best = d, p, len(d)
			}
		}
	}
	if best >= 0 {
		return root, modPath, true
	}
	// Not found by directory (symbolic links, say): the first main module, as go list -m names it.
	root, modPath, ok = strings.Cut(lines[0], "\t")
	return root, modPath, ok
}

func dirName(dir string) string {
	if dir == "" {
		return "the current directory"
	}
	return dir
}

func loadedOrder(ts []*target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.path
	}
	return out
}

// engine runs the loop over the packages of one module. Kept rewrites accumulate module-wide: a rule
// may change files of other packages (call sites), and later packages see the kept code.
type engine struct {
	opts Options
	root string
	tmp  string
	rep  *report.Report
	tool goTool
	prog *progress
	// compiler, when set, confirms the build gate's rounds without the go command (compile.go).
	compiler *compiler

	fset    *token.FileSet
	loader  *loader            // type-checks packages against the export data of the kept state
	targets map[string]*target // by import path; replaced when a kept rewrite changes them
	// filePaths indexes the files gcfix may rewrite: file name → the targets that hold it, in
	// import path order. Made when targetOf first needs it (on the engine's goroutine, as every use
	// of targets); a reload drops it.
	filePaths map[string][]string
	broken    map[string]string // packages that did not build before any rewrite
	diags     *diag.Diagnostics // the compiler's view of the kept state of every package
	orig      map[string][]byte // file contents as read before any rewrite
	kept      map[string][]byte // file contents with the kept rewrites
	// keptHunks are, per file in kept, its changes against orig (origLines), made when first asked.
	keptHunks map[string][]linediff.Hunk
	tried     *triedSet            // the build gate's candidates tried (tried.go)
	baseline  map[string]*baseline // by import path: the tests before any rewrite (test and bench gates)
	decor     decorCache           // each loaded file's decoration and rendering before any fix
	// old is the bench gate's baseline test binary of the package being processed, for its kept
	// state: built by its first benchmark, removed by keep, forgotten when the next package starts.
	old *oldBinary
	// bmap is which benchmarks of the package being processed execute which functions
	// (benchmap.go): made by its first benchmark, forgotten when the next package starts.
	bmap *benchMap
	// keptBin is the test binary that measured the rewrite being kept: keep makes it old.
	keptBin  string
	binaries int       // test binaries named so far (binaryName)
	cost     benchCost // where the bench gate's time went, for -v
	// cand is the candidate being tried: its position among its package's candidates, for the
	// progress line.
	cand BenchStep
}

// baseline records a package's tests before any rewrite.
type baseline struct{ hasTests bool }

type oldBinary struct {
	path     string
	hasBench bool
}

func (e *engine) logf(format string, args ...any) {
	if e.opts.Log != nil {
		e.opts.Log(format, args...)
	}
}

// process tries the candidates of one package, one at a time, until none is left to try. After a
// kept rewrite the package is matched again: positions moved, and the package was reloaded.
func (e *engine) process(ctx context.Context, path string) error {
	e.old, e.bmap, e.keptBin = nil, nil, ""
	tried := newTriedSet()
	for {
		t := e.targets[path]
		e.prog.phase(PhaseMatching)
		cands, err := matchAll(t, e.pass(t), e.opts.Rules)
		if err != nil {
			return err
		}
		e.identify(cands)
		keptOne := false
		order := e.hotFirst(cands, tried)
		left := 0
		for _, rc := range order {
			if !tried.has(rc) {
				left++
			}
		}
		for _, rc := range order {
			if tried.has(rc) {
				continue
			}
			tried.add(rc)
			e.cand = BenchStep{Candidate: tried.len(), Candidates: tried.len() + left - 1, Func: diag.FuncName(rc.c.Func)}
			left--
			res, att, err := e.tryRecorded(ctx, rc)
			if err != nil {
				return err
			}
			e.report(res)
			if att != nil {
				tried.kept(rc)
				if err := e.keep(ctx, att); err != nil {
					return err
				}
				keptOne = true
				break
			}
		}
		if !keptOne {
			return nil
		}
	}
}

// pass is the rules' view of package t, with every loaded package of the module beside it.
func (e *engine) pass(t *target) *rule.Pass {
	p := t.pass(e.fset, e.diags)
	for _, path := range e.paths() {
		if u := e.targets[path]; len(u.errors) == 0 && e.broken[path] == "" {
			if u == t {
				p.Module = append(p.Module, p)
			} else {
				p.Module = append(p.Module, u.pass(e.fset, e.diags))
			}
		}
	}
	return e.withProfile(p)
}

func (e *engine) paths() []string {
	var out []string
	for p := range e.targets {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// targetOf returns the loaded package that file name belongs to as a file gcfix may rewrite.
func (e *engine) targetOf(name string) *target {
	if e.filePaths == nil {
		e.filePaths = map[string][]string{}
		for _, path := range e.paths() {
			for _, f := range e.targets[path].pass(e.fset, e.diags).Files {
				n := e.fset.File(f.Pos()).Name()
				e.filePaths[n] = append(e.filePaths[n], path)
			}
		}
	}
	for _, path := range e.filePaths[name] {
		if t := e.targets[path]; len(t.errors) == 0 && e.broken[path] == "" {
			return t
		}
	}
	return nil
}

// current returns the content of file name with the kept rewrites. The first read of a file is its
// original: -apply writes a file only if it is still as read here.
func (e *engine) current(name string) ([]byte, error) {
	if b, ok := e.kept[name]; ok {
		return b, nil
	}
	if b, ok := e.orig[name]; ok {
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	e.orig[name] = b
	return b, nil
}

// keep makes a kept rewrite the new state: the packages it changed are reloaded with the kept
// files, and the confirm step's compile of exactly this content becomes their diagnostics.
func (e *engine) keep(ctx context.Context, att *attempt) error {
	for name, b := range att.changes {
		e.kept[name] = b
		delete(e.keptHunks, name)
	}
	var metas []*listedPackage
	for _, path := range att.affected {
		metas = append(metas, e.targets[path].meta)
	}
	e.loader = e.loader.reloaded(att.exports)
	reloaded := e.loader.check(ctx, metas, e.kept)
	var stale []string
	for _, path := range att.affected {
		for _, f := range e.targets[path].pkg.Syntax {
			stale = append(stale, e.fset.File(f.Pos()).Name())
		}
		e.decor.forget(e.targets[path].pkg.Syntax)
	}
	for _, t := range reloaded {
		if len(t.errors) > 0 {
			return fmt.Errorf("%s: reloading after a kept rewrite failed: %s", t.path, strings.Join(t.errors, "; "))
		}
		e.targets[t.path] = t
	}
	e.filePaths = nil
	e.diags = e.diags.Replace(stale, att.diags)
	if e.old != nil {
		os.Remove(e.old.path)
		e.old = nil
	}
	if e.keptBin != "" {
		e.old = &oldBinary{path: e.keptBin, hasBench: true}
		e.keptBin = ""
	}
	return nil
}

// benchStep reports a step of the bench gate for the candidate being tried.
func (e *engine) benchStep(s BenchStep) {
	s.Candidate, s.Candidates, s.Func = e.cand.Candidate, e.cand.Candidates, e.cand.Func
	e.prog.bench(s)
}
