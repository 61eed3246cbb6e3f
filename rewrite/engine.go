package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
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
	Rules       []*Rule
	Gate        Gate
	Bench       BenchOptions
	TestTimeout time.Duration // for go test; a hang beyond it fails the candidate
	Tags        string
	// Log, when set, receives one line per step (the -v view).
	Log func(format string, args ...any)
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
	root, modPath, err := moduleRoot(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
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
	tool := goTool{dir: root, tags: opts.Tags, env: []string{"GOTMPDIR=" + gotmp}}

	fset := token.NewFileSet()
	targets, err := loadTargets(ctx, opts.Dir, opts.Patterns, tool, fset, nil)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %v", strings.Join(opts.Patterns, " "), err)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("%s: matched no packages in module %s", strings.Join(opts.Patterns, " "), modPath)
	}
	var loaded []string
	for _, t := range targets {
		if len(t.errors) == 0 {
			loaded = append(loaded, t.path)
		}
	}
	var diags *Diagnostics
	broken := map[string]string{}
	if len(loaded) > 0 {
		diags, broken, err = tool.diagnose(ctx, loaded, nil)
		if err != nil {
			return nil, err
		}
	}
	rep := &Report{Module: modPath, root: root}
	e := &engine{
		opts: opts, root: root, tmp: tmp, rep: rep, tool: tool,
		fset: fset, diags: diags, targets: map[string]*target{}, broken: broken,
		orig: map[string][]byte{}, kept: map[string][]byte{}, baseline: map[string]*baseline{},
	}
	for _, t := range targets {
		e.targets[t.path] = t
	}
	for _, path := range loadedOrder(targets) {
		t := e.targets[path] // reloaded, when a kept rewrite in an earlier package changed it
		pr := PackageReport{Path: t.path, Dir: relPath(root, t.dir)}
		switch {
		case len(t.errors) > 0:
			pr.Error = strings.ReplaceAll(strings.Join(t.errors, "\n"), root+string(filepath.Separator), "")
		case broken[t.path] != "":
			pr.Error = "does not build before any rewrite:\n" + broken[t.path]
		default:
			if err := e.process(ctx, t); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				var pe packageError
				if !errors.As(err, &pe) {
					return nil, err
				}
				pr.Error = pe.msg
			}
		}
		rep.Packages = append(rep.Packages, pr)
	}
	for name, b := range e.kept {
		rep.files = append(rep.files, &fileChange{path: name, old: e.orig[name], new: b})
	}
	rep.Diff = unifiedDiff(root, rep.files)
	return rep, nil
}

// packageError is a precondition that fails for a whole package: reported, and the run goes on.
type packageError struct{ msg string }

func (e packageError) Error() string { return e.msg }

func moduleRoot(ctx context.Context, dir string) (root, path string, err error) {
	out, stderr, err := goTool{dir: dir}.run(ctx, "list", "-m", "-f", "{{.Dir}}\t{{.Path}}")
	if err != nil {
		return "", "", fmt.Errorf("finding the module in %s: %s", dirName(dir), strings.TrimSpace(string(stderr)))
	}
	line := strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	dirPath, modPath, ok := strings.Cut(line, "\t")
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

	fset     *token.FileSet
	targets  map[string]*target // by import path; replaced when a kept rewrite changes them
	broken   map[string]string  // packages that did not build before any rewrite
	diags    *Diagnostics       // the compiler's view of the kept state of every package
	orig     map[string][]byte  // file contents as read before any rewrite
	kept     map[string][]byte  // file contents with the kept rewrites
	baseline map[string]*baseline

	t         *target      // the package whose candidates are being tried
	old       *oldBinary   // the bench gate's baseline test binary for its kept state
	confirmed *Diagnostics // from the last confirm step: the compiler's view of the candidate's code
	affected  []string     // the packages the last kept candidate changed
}

// baseline records a package's tests before any rewrite.
type baseline struct{ hasTests bool }

type oldBinary struct {
	path      string
	hasBench  bool
	benchList string
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
		cands, err := matchAll(e.pass(), e.opts.Rules)
		if err != nil {
			return err
		}
		for _, rc := range cands {
			key := e.candidateKey(rc)
			if tried[key] {
				continue
			}
			tried[key] = true
			res, changes, err := e.try(ctx, rc)
			if err != nil {
				return err
			}
			e.rep.Candidates = append(e.rep.Candidates, res)
			e.logf("%s %s:%d: %s %s", res.Rule, res.File, res.Line, res.Verdict, res.Reason)
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
func (e *engine) pass() *Pass {
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
	return p
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
	for _, path := range e.paths() {
		t := e.targets[path]
		if len(t.errors) > 0 || e.broken[path] != "" {
			continue
		}
		for _, f := range t.pass(e.fset, e.diags).Files {
			if e.fset.File(f.Pos()).Name() == name {
				return t
			}
		}
	}
	return nil
}

type ruleCandidate struct {
	rule *Rule
	c    *Candidate
	n    int // how many earlier candidates have the same key
}

func matchAll(pass *Pass, rules []*Rule) (out []ruleCandidate, err error) {
	var current *Rule
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: rule %s: %v", pass.Pkg.PkgPath, current.Name, r)
		}
	}()
	for _, r := range rules {
		current = r
		seen := map[string]int{}
		for _, c := range r.Match(pass) {
			k := FuncName(c.Func) + "\x00" + c.Summary
			out = append(out, ruleCandidate{rule: r, c: c, n: seen[k]})
			seen[k]++
		}
	}
	return out, nil
}

// candidateKey identifies a candidate across reloads, when earlier kept rewrites moved its position.
func (e *engine) candidateKey(rc ruleCandidate) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d", rc.rule.Name, e.fset.Position(rc.c.Pos).Filename, FuncName(rc.c.Func), rc.c.Summary, rc.n)
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

func (e *engine) try(ctx context.Context, rc ruleCandidate) (res *Result, changes map[string][]byte, err error) {
	c := rc.c
	pos := e.fset.Position(c.Pos)
	res = &Result{
		Rule:    rc.rule.Name,
		Package: e.t.path,
		File:    relPath(e.root, pos.Filename),
		Line:    pos.Line,
		Col:     pos.Column,
		Func:    FuncName(c.Func),
		Summary: c.Summary,
		Metrics: []Metric{},
	}
	for _, d := range c.Evidence {
		res.Evidence = append(res.Evidence, relPath(e.root, d.File)+":"+fmt.Sprint(d.Line)+":"+fmt.Sprint(d.Col)+": "+d.Message)
	}
	if c.Decline != "" {
		res.Verdict, res.Reason = Rejected, "declined: "+c.Decline
		return res, nil, nil
	}
	if err := e.testBaseline(ctx); err != nil {
		return nil, nil, err
	}
	changes, err = e.applyFix(rc)
	if err != nil {
		return nil, nil, err
	}
	if len(changes) == 0 {
		res.Verdict, res.Reason = Rejected, "the rewrite changed nothing"
		return res, nil, nil
	}
	var diffs []*fileChange
	files := map[string][]byte{}
	for name, b := range e.kept {
		files[name] = b
	}
	affected := []string{e.t.path}
	for name, b := range changes {
		t := e.targetOf(name)
		if t == nil {
			return nil, nil, fmt.Errorf("%s: rule %s changed %s, which is not a file gcfix may rewrite", pos, rc.rule.Name, name)
		}
		if !slices.Contains(affected, t.path) {
			affected = append(affected, t.path)
		}
		cur, err := e.current(name)
		if err != nil {
			return nil, nil, err
		}
		files[name] = b
		diffs = append(diffs, &fileChange{path: name, old: cur, new: b})
	}
	res.Diff = unifiedDiff(e.root, diffs)
	e.affected = affected
	if err := e.testBaseline(ctx, affected[1:]...); err != nil {
		return nil, nil, err
	}

	ov, err := writeOverlay(e.tmp, files)
	if err != nil {
		return nil, nil, err
	}
	defer ov.remove()
	verdict, reason, notes, err := e.confirm(ctx, rc, ov, changes, affected)
	res.Notes = notes
	if err != nil || verdict != "" {
		res.Verdict, res.Reason = verdict, reason
		return res, changes, err
	}
	if e.opts.Gate != GateBuild {
		if _, err := e.tool.test(ctx, affected, ov, e.opts.TestTimeout); err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			res.Verdict, res.Reason = TestsFailed, err.Error()
			return res, changes, nil
		}
	}
	switch {
	case e.opts.Gate == GateBuild:
		res.Verdict, res.Reason = Kept, "compiler confirmed"
		return res, changes, nil
	case e.opts.Gate == GateTest && e.baseline[e.t.path].hasTests:
		res.Verdict, res.Reason = Kept, "compiler confirmed; tests pass"
		return res, changes, nil
	case e.opts.Gate == GateTest:
		res.Verdict, res.Reason = Kept, "compiler confirmed; the package has no tests to run"
		return res, changes, nil
	}
	res.Verdict, res.Reason, res.Metrics, err = e.bench(ctx, res.Func, ov)
	return res, changes, err
}

// testBaseline runs the tests of the current package and of others a rewrite touches, once each,
// before a rewrite is tried on them: tests that already fail cannot judge a rewrite.
func (e *engine) testBaseline(ctx context.Context, others ...string) error {
	if e.opts.Gate == GateBuild {
		return nil
	}
	for _, path := range append([]string{e.t.path}, others...) {
		if e.baseline[path] != nil {
			continue
		}
		e.logf("%s: running the tests before any rewrite", path)
		ov, err := writeOverlay(e.tmp, e.kept)
		if err != nil {
			return err
		}
		hasTests, err := e.tool.test(ctx, []string{path}, ov, e.opts.TestTimeout)
		ov.remove()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if path != e.t.path {
				err = fmt.Errorf("%s: %v", path, err)
			}
			return packageError{"tests fail before any rewrite:\n" + err.Error()}
		}
		e.baseline[path] = &baseline{hasTests: hasTests}
	}
	return nil
}

// applyFix runs the rule's Fix on a fresh decoration and returns the files it changed. A panic in
// the rule is an engine failure, named with the rule and the position.
func (e *engine) applyFix(rc ruleCandidate) (changes map[string][]byte, err error) {
	pos := e.fset.Position(rc.c.Pos)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: rule %s: %v", pos, rc.rule.Name, r)
		}
	}()
	var ts []*target
	for _, path := range e.paths() {
		ts = append(ts, e.targets[path])
	}
	dec := newDecoration(ts, e.fset)
	if err := rc.c.Fix(&Fix{node: dec.node}); err != nil {
		return nil, fmt.Errorf("%s: rule %s: %v", pos, rc.rule.Name, err)
	}
	return dec.changed()
}

// confirm compiles the rewritten package with -m=2 and checks the rule's promise. An empty verdict
// means confirmed.
func (e *engine) confirm(ctx context.Context, rc ruleCandidate, ov *overlay, changes map[string][]byte, affected []string) (Verdict, string, []string, error) {
	after, broken, err := e.tool.diagnose(ctx, affected, ov)
	if err != nil {
		return "", "", nil, err
	}
	for _, path := range affected {
		if msg := broken[path]; msg != "" {
			if path != e.t.path {
				msg = path + ": " + msg
			}
			return BuildFailed, msg, nil, nil
		}
	}
	e.confirmed = after
	notes := lostInlining(e.diags, after, e.orig)
	if rc.c.Confirm == nil {
		return "", "", notes, nil
	}
	cf := &Confirm{AllAfter: after}
	if fd := rc.c.Func; fd != nil {
		cf.Func = FuncName(fd)
		from, to := e.fset.Position(fd.Pos()), e.fset.Position(fd.End())
		cf.Before = e.diags.InLines(from.Filename, from.Line, to.Line)
		if d, ok := e.diags.Inline(from.Filename, cf.Func); ok {
			cf.InlineWas = &d
		}
		src, err := e.current(from.Filename)
		if err != nil {
			return "", "", nil, err
		}
		if b, ok := changes[from.Filename]; ok {
			src = b
		}
		if l0, l1, ok := funcLines(src, cf.Func); ok {
			cf.After = after.InLines(from.Filename, l0, l1)
		}
		if d, ok := after.Inline(from.Filename, cf.Func); ok {
			cf.InlineNow = &d
		}
	}
	if err := rc.c.Confirm(cf); err != nil {
		return Unconfirmed, err.Error(), notes, nil
	}
	return "", "", notes, nil
}

// lostInlining lists the functions of files that could be inlined before and cannot after.
func lostInlining(before, after *Diagnostics, files map[string][]byte) []string {
	var notes []string
	for name := range files {
		for _, d := range before.InLines(name, 0, 1<<30) {
			if d.Kind != CanInline {
				continue
			}
			if now, ok := after.Inline(name, d.Subject); ok && now.Kind == CannotInline {
				notes = append(notes, fmt.Sprintf("%s no longer inlines (cost %d, was %d): %s", d.Subject, now.Cost, d.Cost, now.Reason))
			}
		}
	}
	return notes
}

// keep makes a kept rewrite the new state: the packages it changed are reloaded with the kept
// files, and the confirm step's compile of exactly this content becomes their diagnostics.
func (e *engine) keep(ctx context.Context, changes map[string][]byte) error {
	for name, b := range changes {
		e.kept[name] = b
	}
	reloaded, err := loadTargets(ctx, e.root, e.affected, e.tool, e.fset, e.kept)
	if err != nil {
		return err
	}
	var stale []string
	for _, path := range e.affected {
		for _, f := range e.targets[path].pkg.Syntax {
			stale = append(stale, e.fset.File(f.Pos()).Name())
		}
	}
	for _, t := range reloaded {
		if len(t.errors) > 0 {
			return fmt.Errorf("%s: reloading after a kept rewrite failed: %s", t.path, strings.Join(t.errors, "; "))
		}
		e.targets[t.path] = t
	}
	e.t = e.targets[e.t.path]
	e.diags = e.diags.replace(stale, e.confirmed)
	if e.old != nil {
		os.Remove(e.old.path)
		e.old = nil
	}
	return nil
}

// FuncName returns the compiler's name for fd, as -m prints it: "F", "T.M", "(*T).M"; a generic
// receiver as "T[...]".
func FuncName(fd *ast.FuncDecl) string {
	if fd == nil {
		return ""
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	star := false
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = true, s.X
	}
	var recv string
	switch x := typ.(type) {
	case *ast.Ident:
		recv = x.Name
	case *ast.IndexExpr:
		recv = types.ExprString(x.X) + "[...]"
	case *ast.IndexListExpr:
		recv = types.ExprString(x.X) + "[...]"
	}
	if star {
		return "(*" + recv + ")." + fd.Name.Name
	}
	return recv + "." + fd.Name.Name
}

// funcLines finds the function named as the compiler names it in src and returns its line range.
func funcLines(src []byte, name string) (from, to int, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return 0, 0, false
	}
	for _, d := range f.Decls {
		if fd, isFunc := d.(*ast.FuncDecl); isFunc && FuncName(fd) == name {
			return fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line, true
		}
	}
	return 0, 0, false
}

// bench runs the bench gate: the baseline test binary (built once per kept state) against the
// candidate's, alternately.
func (e *engine) bench(ctx context.Context, fn string, ov *overlay) (Verdict, string, []Metric, error) {
	if e.old == nil {
		keptOv, err := writeOverlay(e.tmp, e.kept)
		if err != nil {
			return "", "", nil, err
		}
		defer keptOv.remove()
		old := &oldBinary{path: filepath.Join(e.tmp, fmt.Sprintf("old-%d.test", len(e.rep.Candidates)))}
		if err := e.tool.testBinary(ctx, e.t.path, keptOv, old.path); err != nil {
			return "", "", nil, packageError{err.Error()}
		}
		old.hasBench, err = HasBenchmarks(ctx, e.t.dir, old.path, e.opts.Bench)
		if err != nil {
			return "", "", nil, packageError{err.Error()}
		}
		e.old = old
	}
	if !e.old.hasBench {
		return NoBenchmark, fmt.Sprintf("package %s has no benchmark matching -bench=%s: add one that calls %s", e.t.path, benchPattern(e.opts.Bench), fn), []Metric{}, nil
	}
	newBin := filepath.Join(e.tmp, "new.test")
	defer os.Remove(newBin)
	if err := e.tool.testBinary(ctx, e.t.path, ov, newBin); err != nil {
		if ctx.Err() != nil {
			return "", "", nil, ctx.Err()
		}
		return BuildFailed, err.Error(), []Metric{}, nil
	}
	e.logf("%s: benchmarking %s, %d rounds per side", e.t.path, fn, e.opts.Bench.Count)
	oldRes, newRes, err := RunBenchmarks(ctx, e.t.dir, e.old.path, newBin, e.opts.Bench)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", nil, ctx.Err()
		}
		return TestsFailed, "benchmark failed: " + err.Error(), []Metric{}, nil
	}
	d := Decide(oldRes, newRes, e.opts.Bench)
	switch {
	case d.Regressed:
		return Regressed, d.Summary(), d.Metrics, nil
	case d.Improved:
		return Kept, d.Summary(), d.Metrics, nil
	default:
		return Rejected, "no significant improvement: " + d.Summary(), d.Metrics, nil
	}
}

func benchPattern(o BenchOptions) string {
	if o.Bench == "" {
		return "."
	}
	return o.Bench
}
