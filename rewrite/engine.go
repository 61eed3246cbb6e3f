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
	"time"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/profile"
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
// confirm, test, measure, decide. It never writes the user's files; see Report.Apply.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Gate == "" {
		opts.Gate = GateBench
	}
	if opts.TestTimeout == 0 {
		opts.TestTimeout = 10 * time.Minute
	}
	opts.Bench = opts.Bench.withDefaults()
	if opts.Bench.Timeout == 0 {
		opts.Bench.Timeout = opts.TestTimeout
	}
	// The module root is asked for while the packages compile: it is only needed after.
	type moduleAnswer struct {
		root, path string
		err        error
	}
	rootc := make(chan moduleAnswer, 1)
	go func() {
		root, path, err := moduleRoot(ctx, opts.Dir, opts.Env)
		rootc <- moduleAnswer{root, path, err}
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
	tool := goTool{tags: opts.Tags, env: append([]string{"GOTMPDIR=" + gotmp}, opts.Env...), par: opts.Parallel, tmp: tmp}

	// One go list -export both lists the packages and compiles them with -m=2: the export data that
	// type-checks them comes from the same compile as the diagnostics.
	fset := token.NewFileSet()
	prog := newProgress(opts)
	prog.phase(PhaseLoading)
	inDir := tool
	inDir.dir = opts.Dir
	start := startTimer()
	// took logs how long a step of loading took, under -v.
	took := func(what string, args ...any) {
		if opts.Log != nil {
			opts.Log("%s in %v", fmt.Sprintf(what, args...), start)
			start = startTimer()
		}
	}
	listed, counted := prog.listing(ctx, inDir, opts.Patterns)
	ld, ls, pgoNote, pgoDone, err := listDiagnosed(ctx, tool, &inDir, fset, opts.Patterns, opts.PGO, opts.Cache, listed)
	counted()
	defer func() { ls.close() }()
	defer pgoDone()
	if err == nil {
		took("listed and compiled %d packages with -m=2", len(ls.metas))
	}
	mod := <-rootc
	if mod.err != nil {
		return nil, mod.err
	}
	root, modPath := mod.root, mod.path
	tool.dir = root
	if err != nil {
		return nil, err
	}
	tool.pgo, tool.pgoCopy = inDir.pgo, inDir.pgoCopy
	cacheKey := ""
	if opts.Gate == GateBuild && opts.Cache != "" && opts.Select == nil && opts.Profile == nil {
		if cacheKey = resultKey(opts, root, ls); cacheKey != "" {
			if rep, ok := loadResult(opts.Cache, cacheKey, root); ok {
				if opts.Log != nil {
					opts.Log("results from the result cache (%s)", filepath.Join(opts.Cache, cacheKey[:2], cacheKey))
				}
				return rep, nil
			}
		}
	}
	targets, diags, broken, err := ld.finish(ctx, inDir, ls)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %v", strings.Join(opts.Patterns, " "), err)
	}
	took("read the diagnostics and type-checked %d packages", len(targets))
	if len(targets) == 0 {
		return nil, fmt.Errorf("%s: matched no packages in module %s", strings.Join(opts.Patterns, " "), modPath)
	}
	tool.diagPatterns, tool.diagDir = opts.Patterns, opts.Dir
	rep := &Report{Module: modPath, Packages: []PackageReport{}, Candidates: []*Result{}, root: root}
	rep.setPGO(tool.pgo, pgoNote)
	e := &engine{
		opts: opts, root: root, tmp: tmp, rep: rep, tool: tool, prog: prog,
		fset: fset, loader: ld, diags: diags, targets: map[string]*target{}, broken: broken,
		orig: map[string][]byte{}, kept: map[string][]byte{}, baseline: map[string]*baseline{},
	}
	for _, t := range targets {
		e.targets[t.path] = t
	}
	var ready []string
	todo := selectPackages(loadedOrder(targets), opts)
	for _, path := range todo {
		t := e.targets[path]
		pr := PackageReport{Path: t.path, Dir: relPath(root, t.dir)}
		if l := diags.Lost[t.path]; l != nil {
			pr.Unresolved, pr.UnresolvedFiles = l.Lines, l.Names
			rep.Unresolved += l.Lines
		}
		switch {
		case len(t.errors) > 0:
			pr.Error = strings.ReplaceAll(strings.Join(t.errors, "\n"), root+string(filepath.Separator), "")
		case broken[t.path] != "":
			pr.Error = "does not build before any rewrite:\n" + broken[t.path]
		case diags.Unreadable(t.path) != "":
			pr.Error = diags.Unreadable(t.path)
		default:
			ready = append(ready, path)
		}
		rep.Packages = append(rep.Packages, pr)
	}
	if opts.Gate == GateBuild {
		if err := e.runBatched(ctx, ready); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
	} else {
		for i, path := range ready {
			e.prog.pkg(i+1, len(ready), path)
			t := e.targets[path] // reloaded, when a kept rewrite in an earlier package changed it
			if err := e.process(ctx, t); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				var pe packageError
				if !errors.As(err, &pe) {
					return nil, err
				}
				for i := range rep.Packages {
					if rep.Packages[i].Path == path {
						rep.Packages[i].Error = pe.msg
					}
				}
			}
		}
	}
	for name, b := range e.kept {
		rep.files = append(rep.files, &fileChange{path: name, old: e.orig[name], new: b})
	}
	rep.Diff = unifiedDiff(root, rep.files)
	if cacheKey != "" && rep.Unresolved == 0 {
		storeResult(opts.Cache, cacheKey, rep)
	}
	return rep, nil
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
	rep  *Report
	tool goTool
	prog *progress

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
	baseline  map[string]*baseline

	t         *target           // the package whose candidates are being tried
	old       *oldBinary        // the bench gate's baseline test binary for its kept state
	confirmed *diag.Diagnostics // from the last confirm step: the compiler's view of the candidate's code
	exports   map[string]string // from the last confirm step: the export data of the packages it compiled
	affected  []string          // the packages the last kept candidate changed
	keptNow   []string          // the packages the last round of the build gate changed
	decor     decorCache        // each loaded file's decoration and rendering before any fix
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

func (e *engine) process(ctx context.Context, t *target) error {
	e.t, e.old = t, nil
	tried := map[string]bool{}
	for {
		keptOne := false
		e.prog.phase(PhaseMatching)
		cands, err := matchAll(e.pass(), e.opts.Rules)
		if err != nil {
			return err
		}
		cands = e.hotFirst(cands, tried)
		for _, rc := range cands {
			key := e.candidateKey(rc)
			if tried[key] {
				continue
			}
			tried[key] = true
			res, changes, err := e.tryRecorded(ctx, rc)
			if err != nil {
				return err
			}
			e.report(res)
			if res.Verdict == Kept {
				if err := e.keep(ctx, changes); err != nil {
					return err
				}
				keptOne = true
				break // positions moved: match again on the new code
			}
		}
		if !keptOne {
			break
		}
	}
	return nil
}

// pass is the rules' view of the current package, with every loaded package of the module beside it.
func (e *engine) pass() *rule.Pass {
	p := e.t.pass(e.fset, e.diags)
	for _, path := range e.paths() {
		if t := e.targets[path]; len(t.errors) == 0 && e.broken[path] == "" {
			if t == e.t {
				p.Module = append(p.Module, p)
			} else {
				p.Module = append(p.Module, t.pass(e.fset, e.diags))
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
func (e *engine) keep(ctx context.Context, changes map[string][]byte) error {
	for name, b := range changes {
		e.kept[name] = b
	}
	var metas []*listedPackage
	for _, path := range e.affected {
		metas = append(metas, e.targets[path].meta)
	}
	e.loader = e.loader.reloaded(e.exports)
	reloaded := e.loader.check(ctx, metas, e.kept)
	var stale []string
	for _, path := range e.affected {
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
	e.t = e.targets[e.t.path]
	e.diags = e.diags.Replace(stale, e.confirmed)
	if e.old != nil {
		os.Remove(e.old.path)
		e.old = nil
	}
	return nil
}
