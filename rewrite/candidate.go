package rewrite

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// The steps one candidate goes through: match, rewrite, confirm, test, bench.

type ruleCandidate struct {
	rule *rule.Rule
	c    *rule.Candidate
	n    int // how many earlier candidates have the same key
}

func matchAll(pass *rule.Pass, rules []*rule.Rule) (out []ruleCandidate, err error) {
	var current *rule.Rule
	defer func() {
		if r := recover(); r != nil {
			err = rulePanic(pass.Types.Path(), current.Name, r)
		}
	}()
	for _, r := range rules {
		current = r
		seen := map[string]int{}
		for _, c := range r.Match(pass) {
			k := diag.FuncName(c.Func) + "\x00" + c.Summary
			out = append(out, ruleCandidate{rule: r, c: c, n: seen[k]})
			seen[k]++
		}
	}
	return out, nil
}

// rulePanic is the error of a rule whose Match or Fix panicked, a bug of the rule: where, which
// rule, the value and the stack of the panic. Called in the deferred recover, debug.Stack still
// holds the frames down to the panic.
func rulePanic(where, rule string, v any) error {
	return fmt.Errorf("%s: rule %s: %v\n%s", where, rule, v, debug.Stack())
}

// candidateKey identifies a candidate across reloads, when earlier kept rewrites moved its position.
func (e *engine) candidateKey(rc ruleCandidate) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d", rc.rule.Name, e.fset.Position(rc.c.Pos).Filename, diag.FuncName(rc.c.Func), rc.c.Summary, rc.n)
}

func (e *engine) try(ctx context.Context, rc ruleCandidate) (res *Result, changes map[string][]byte, err error) {
	return e.tryFixed(ctx, rc, nil)
}

// tryFixed is try with the candidate's rewrite already made (fixed; nil: make it here).
func (e *engine) tryFixed(ctx context.Context, rc ruleCandidate, fixed map[string][]byte) (res *Result, changes map[string][]byte, err error) {
	c := rc.c
	res = e.newResult(rc)
	if c.Decline != "" {
		res.Verdict, res.Reason = Rejected, "declined: "+c.Decline
		return res, nil, nil
	}
	if err := e.testBaseline(ctx); err != nil {
		return nil, nil, err
	}
	changes = fixed
	if changes == nil {
		if changes, err = e.applyFix(rc); err != nil {
			return nil, nil, err
		}
	}
	if len(changes) == 0 {
		res.Verdict, res.Reason = Rejected, "the rewrite changed nothing"
		return res, nil, nil
	}
	diffs, _, affected, err := e.changeSet(rc, changes)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	for name, b := range e.kept {
		files[name] = b
	}
	for name, b := range changes {
		files[name] = b
	}
	res.Diff = unifiedDiff(e.root, diffs)
	res.changes = diffs
	e.affected = affected
	if err := e.testBaseline(ctx, affected[1:]...); err != nil {
		return nil, nil, err
	}

	ov, err := writeOverlay(e.tmp, files)
	if err != nil {
		return nil, nil, err
	}
	defer ov.remove()
	e.prog.phase(PhaseConfirming)
	verdict, reason, notes, err := e.confirm(ctx, rc, ov, changes, affected)
	res.Notes = notes
	if err != nil || verdict != "" {
		res.Verdict, res.Reason = verdict, reason
		return res, changes, err
	}
	if e.opts.Gate != GateBuild {
		e.prog.phase(PhaseTesting)
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
	if e.reuseMeasurement(res) {
		return res, changes, nil
	}
	e.prog.phase(PhaseBenchmarking)
	res.Verdict, res.Reason, res.Metrics, err = e.bench(ctx, res.Func, ov)
	return res, changes, err
}

// changeSet returns a candidate's changes as file changes against the kept code, in file order, with
// the package of each, and the packages they touch, the candidate's own first. A file outside the packages gcfix may
// rewrite is an engine failure: the rule is wrong.
func (e *engine) changeSet(rc ruleCandidate, changes map[string][]byte) (diffs []*fileChange, owners []*target, affected []string, err error) {
	affected = []string{e.t.path}
	for _, name := range sortedNames(changes) {
		t := e.targetOf(name)
		if t == nil {
			return nil, nil, nil, fmt.Errorf("%s: rule %s changed %s, which is not a file gcfix may rewrite", e.fset.Position(rc.c.Pos), rc.rule.Name, name)
		}
		if !slices.Contains(affected, t.path) {
			affected = append(affected, t.path)
		}
		cur, err := e.current(name)
		if err != nil {
			return nil, nil, nil, err
		}
		diffs = append(diffs, &fileChange{path: name, old: cur, new: changes[name]})
		owners = append(owners, t)
	}
	return diffs, owners, affected, nil
}

// newResult starts the report of a candidate of the current package.
func (e *engine) newResult(rc ruleCandidate) *Result {
	c := rc.c
	pos := e.fset.Position(c.Pos)
	res := &Result{
		Rule:    rc.rule.Name,
		Package: e.t.path,
		File:    relPath(e.root, pos.Filename),
		Line:    pos.Line,
		Col:     pos.Column,
		Func:    diag.FuncName(c.Func),
		Summary: c.Summary,
		Metrics: []Metric{},
	}
	for _, d := range c.Evidence {
		res.Evidence = append(res.Evidence, relPath(e.root, d.File)+":"+fmt.Sprint(d.Line)+":"+fmt.Sprint(d.Col)+": "+d.Message)
	}
	return res
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
		e.prog.phase(PhaseTesting)
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
			err = rulePanic(pos.String(), rc.rule.Name, r)
		}
	}()
	var ts []*target
	for _, path := range e.paths() {
		ts = append(ts, e.targets[path])
	}
	dec := newDecoration(ts, e.fset, &e.decor)
	if err := rc.c.Fix(rule.NewFix(dec.node)); err != nil {
		return nil, fmt.Errorf("%s: rule %s: %v", pos, rc.rule.Name, err)
	}
	return dec.changed()
}

// confirm compiles the rewritten package with -m=2 and checks the rule's promise. An empty verdict
// means confirmed.
func (e *engine) confirm(ctx context.Context, rc ruleCandidate, ov *overlay, changes map[string][]byte, affected []string) (Verdict, string, []string, error) {
	after, broken, exports, err := e.tool.diagnoseFor(ctx, affected, ov, false)
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
	e.confirmed, e.exports = after, exports
	notes := lostInlining(e.diags, after, e.orig)
	if err := e.promise(rc, e.diags, after, changes); err != nil {
		return Unconfirmed, err.Error(), notes, nil
	}
	return "", "", notes, nil
}

// promise checks the rule's promise for a candidate against the compiler's diagnostics of the code
// before and after its rewrite; changes holds the rewritten files (others are as kept).
func (e *engine) promise(rc ruleCandidate, before, after *diag.Diagnostics, changes map[string][]byte) error {
	if rc.c.Confirm == nil {
		return nil
	}
	cf := &rule.Confirm{AllAfter: after}
	if fd := rc.c.Func; fd != nil {
		cf.Func = diag.FuncName(fd)
		from, to := e.fset.Position(fd.Pos()), e.fset.Position(fd.End())
		cf.Before = before.InLines(from.Filename, from.Line, to.Line)
		if d, ok := before.Inline(from.Filename, cf.Func); ok {
			cf.InlineWas = &d
		}
		src, err := e.current(from.Filename)
		if err != nil {
			return err
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
	return rc.c.Confirm(cf)
}

// lostInlining lists the functions of files that could be inlined before and cannot after.
func lostInlining(before, after *diag.Diagnostics, files map[string][]byte) []string {
	return lostInliningOf(before, after, files, nil)
}

// lostInliningOf is lostInlining for the functions that mine says are the rewrite's to note (all,
// when mine is nil), by file and the compiler's name.
func lostInliningOf(before, after *diag.Diagnostics, files map[string][]byte, mine func(file, fn string) bool) []string {
	var notes []string
	for name := range files {
		for _, d := range before.InLines(name, 0, 1<<30) {
			if d.Kind != diag.CanInline || mine != nil && !mine(name, d.Subject) {
				continue
			}
			if now, ok := after.Inline(name, d.Subject); ok && now.Kind == diag.CannotInline {
				notes = append(notes, fmt.Sprintf("%s no longer inlines (cost %d, was %d): %s", d.Subject, now.Cost, d.Cost, now.Reason))
			}
		}
	}
	return notes
}

// funcLines finds the function named as the compiler names it in src and returns its line range.
func funcLines(src []byte, name string) (from, to int, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return 0, 0, false
	}
	for _, d := range f.Decls {
		if fd, isFunc := d.(*ast.FuncDecl); isFunc && diag.FuncName(fd) == name {
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
