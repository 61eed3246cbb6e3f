package rewrite

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"runtime/debug"
	"slices"

	"github.com/gcfix/gcfix/rewrite/benchstat"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// The steps one candidate goes through: match, rewrite, confirm, test, bench.

type ruleCandidate struct {
	rule *rule.Rule
	c    *rule.Candidate
	t    *target // the package whose pass the rule matched it in
	// key identifies it across rounds (tried.go): prefix (rule, file, function, summary) and where
	// it is in the user's file: original line and column, or, on a line that kept rewrites changed
	// (moved), the changed run's original lines [from, to) and its place n among the candidates
	// alike in the run.
	key, prefix string
	from, to, n int
	moved       bool
	// v is the variant applied, an index of c.Variants: c.Default, unless the bench gate tries
	// another (variants.go). Unused for a candidate without variants.
	v int
}

// variant returns the variant applied, nil for a candidate without variants.
func (rc ruleCandidate) variant() *rule.Variant {
	if len(rc.c.Variants) == 0 {
		return nil
	}
	return &rc.c.Variants[rc.v]
}

// fix is the rewrite of the variant applied, or the candidate's.
func (rc ruleCandidate) fix() func(*rule.Fix) error {
	if v := rc.variant(); v != nil {
		return v.Fix
	}
	return rc.c.Fix
}

// promised is the promise of the variant applied, or the candidate's; nil when compiling is the
// only promise.
func (rc ruleCandidate) promised() func(*rule.Confirm) error {
	if v := rc.variant(); v != nil {
		return v.Confirm
	}
	return rc.c.Confirm
}

// checkVariants says how a candidate breaks the contract of rule.Candidate.Variants, a bug of the
// rule; "" when it keeps it.
func checkVariants(c *rule.Candidate) string {
	if len(c.Variants) == 0 || c.Decline != "" {
		return ""
	}
	if c.Fix != nil || c.Confirm != nil {
		return "a candidate with Variants has a Fix or Confirm of its own"
	}
	if c.Default < 0 || c.Default >= len(c.Variants) {
		return fmt.Sprintf("Default %d is not a variant (%d variants)", c.Default, len(c.Variants))
	}
	seen := map[string]bool{}
	for _, v := range c.Variants {
		switch {
		case v.Name == "" || seen[v.Name]:
			return fmt.Sprintf("variant name %q is empty or not unique", v.Name)
		case v.Fix == nil:
			return "variant " + v.Name + " has no Fix"
		}
		seen[v.Name] = true
	}
	return ""
}

// attempt is what a rewrite that the compiler confirmed leaves for keep: the files it changes, the
// packages they belong to, and the confirming compile of exactly that code.
type attempt struct {
	changes  map[string][]byte // file name → content with the rewrite
	affected []string          // the packages the changes touch
	diags    *diag.Diagnostics // the compile's diagnostics of those packages
	exports  map[string]string // the compile's export data files, by import path
}

func matchAll(t *target, pass *rule.Pass, rules []*rule.Rule) (out []ruleCandidate, err error) {
	var current *rule.Rule
	defer func() {
		if r := recover(); r != nil {
			err = rulePanic(pass.Types.Path(), current.Name, r)
		}
	}()
	for _, r := range rules {
		current = r
		for _, c := range r.Match(pass) {
			if bad := checkVariants(c); bad != "" {
				return nil, fmt.Errorf("%s: rule %s: %s", pass.Fset.Position(c.Pos), r.Name, bad)
			}
			out = append(out, ruleCandidate{rule: r, c: c, t: t, v: c.Default})
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

// try takes a candidate through the test or bench gate (the build gate confirms its candidates
// together: batch.go) with the variant rc applies (variants.go tries them all). fixed, when not
// nil, is the candidate's rewrite, already made; recorded, when not nil, is a kept verdict of
// -state that stands in for the benchmarks. The attempt is returned when the candidate is kept.
func (e *engine) try(ctx context.Context, rc ruleCandidate, fixed map[string][]byte, recorded *report.Result) (*report.Result, *attempt, error) {
	res := e.newResult(rc)
	if rc.c.Decline != "" {
		res.Verdict, res.Reason = report.Rejected, "declined: "+rc.c.Decline
		return res, nil, nil
	}
	if err := e.testBaseline(ctx, rc.t.path); err != nil {
		return nil, nil, err
	}
	m, err := e.rewriteAndConfirm(ctx, rc, fixed, res)
	if err != nil {
		return nil, nil, err
	}
	defer m.remove()
	att, changes, affected, ov := m.att, m.changes, m.affected, m.ov
	if att == nil {
		return res, nil, nil
	}
	var sel *selection
	if e.opts.Gate == GateBench && recorded == nil {
		// Which benchmarks measure it is known before its tests run: a candidate that none
		// measures, or that its benchmarks cannot decide, needs no tests.
		if sel, err = e.benchSelect(ctx, rc, res, changes); sel == nil || err != nil {
			return res, nil, err
		}
	}
	e.prog.phase(PhaseTesting)
	if _, err := e.tool.test(ctx, affected, ov, e.opts.TestTimeout); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		res.Verdict, res.Reason = report.TestsFailed, err.Error()
		return res, nil, nil
	}
	switch {
	case rc.c.Trade != "" && e.opts.Gate != GateBench:
		res.Verdict, res.Reason = report.NeedsBench, needsBench(e.opts.Gate, e.baseline[rc.t.path], rc.c.Trade)
		return res, nil, nil
	case e.opts.Gate == GateTest && e.baseline[rc.t.path].hasTests:
		res.Verdict, res.Reason = report.Kept, "compiler confirmed; tests pass"
		return res, att, nil
	case e.opts.Gate == GateTest:
		res.Verdict, res.Reason = report.Kept, "compiler confirmed; the package has no tests to run"
		return res, att, nil
	case recorded != nil:
		e.reuseMeasurement(res, recorded)
		return res, att, nil
	}
	e.prog.phase(PhaseBenchmarking)
	res.Verdict, res.Reason, res.Metrics, err = e.bench(ctx, rc.t, res.Func, ov, sel)
	if err != nil || res.Verdict != report.Kept {
		return res, nil, err
	}
	added, err := e.addedFuncs(changes)
	if err != nil {
		return nil, nil, err
	}
	e.bmap.inherit(added, sel)
	return res, att, nil
}

// made is a candidate's rewrite, made and compiled with -m=2: the files it changes, the packages
// they belong to, the overlay that holds them on top of the kept code, and, when the compiler
// confirmed the rule's promise, the attempt. remove removes the overlay.
type made struct {
	changes  map[string][]byte
	affected []string
	ov       *overlay
	att      *attempt
}

func (m *made) remove() {
	if m != nil && m.ov != nil {
		m.ov.remove()
	}
}

// rewriteAndConfirm makes the rewrite of rc's variant (fixed, when not nil, is the rewrite already
// made) and confirms it with the compiler. When it is not confirmed (m.att == nil), res says why.
func (e *engine) rewriteAndConfirm(ctx context.Context, rc ruleCandidate, fixed map[string][]byte, res *report.Result) (*made, error) {
	changes := fixed
	if changes == nil {
		var err error
		if changes, err = e.applyFix(rc); err != nil {
			return nil, err
		}
	}
	if len(changes) == 0 {
		res.Verdict, res.Reason = report.Rejected, "the rewrite changed nothing"
		return &made{}, nil
	}
	diffs, affected, err := e.changeSet(rc, changes)
	if err != nil {
		return nil, err
	}
	res.Diff = report.Diff(e.root, diffs)
	res.SetChanges(diffs)
	if err := e.testBaseline(ctx, rc.t.path, affected[1:]...); err != nil {
		return nil, err
	}
	ov, err := writeOverlay(e.tmp, e.withKept(changes))
	if err != nil {
		return nil, err
	}
	e.prog.phase(PhaseConfirming)
	att, err := e.confirm(ctx, rc, res, ov, changes, affected)
	if err != nil {
		ov.remove()
		return nil, err
	}
	return &made{changes: changes, affected: affected, ov: ov, att: att}, nil
}

// needsBench is the reason of a trade confirmed under the build or test gate (b: the package's test
// baseline, nil under the build gate).
func needsBench(g Gate, b *baseline, trade string) string {
	done := "compiler confirmed"
	if g == GateTest && b != nil && b.hasTests {
		done += "; tests pass"
	}
	return done + "; a trade that only the bench gate (-gate=bench) may keep: " + trade
}

// withKept returns the files with the kept rewrites, and changes on top of them.
func (e *engine) withKept(changes map[string][]byte) map[string][]byte {
	files := make(map[string][]byte, len(e.kept)+len(changes))
	for name, b := range e.kept {
		files[name] = b
	}
	for name, b := range changes {
		files[name] = b
	}
	return files
}

// changeSet returns a candidate's changes as file changes against the kept code, in file order,
// and the packages they touch, the candidate's own first. A file outside the packages gcfix may
// rewrite is an engine failure: the rule is wrong.
func (e *engine) changeSet(rc ruleCandidate, changes map[string][]byte) (diffs []*report.FileChange, affected []string, err error) {
	affected = []string{rc.t.path}
	for _, name := range sortedNames(changes) {
		t := e.targetOf(name)
		if t == nil {
			return nil, nil, fmt.Errorf("%s: rule %s changed %s, which is not a file gcfix may rewrite", e.fset.Position(rc.c.Pos), rc.rule.Name, name)
		}
		if !slices.Contains(affected, t.path) {
			affected = append(affected, t.path)
		}
		cur, err := e.current(name)
		if err != nil {
			return nil, nil, err
		}
		diffs = append(diffs, &report.FileChange{Path: name, Old: cur, New: changes[name]})
	}
	return diffs, affected, nil
}

// newResult starts the report of a candidate of the current package.
func (e *engine) newResult(rc ruleCandidate) *report.Result {
	c := rc.c
	pos := e.fset.Position(c.Pos)
	res := &report.Result{
		Rule:    rc.rule.Name,
		Package: rc.t.path,
		File:    report.RelPath(e.root, pos.Filename),
		Line:    pos.Line,
		Col:     pos.Column,
		Func:    diag.FuncName(c.Func),
		Summary: c.Summary,
		Metrics: []benchstat.Metric{},
	}
	if v := rc.variant(); v != nil {
		if v.Summary != "" {
			res.Summary = v.Summary
		}
		res.Variant, res.VariantReason = v.Name, defaultVariant(rc.c)
	}
	for _, d := range c.Evidence {
		res.Evidence = append(res.Evidence, report.RelPath(e.root, d.File)+":"+fmt.Sprint(d.Line)+":"+fmt.Sprint(d.Col)+": "+d.Message)
	}
	return res
}

// testBaseline runs the tests of package own and of others that a rewrite touches, once each,
// before a rewrite is tried on them: tests that already fail cannot judge a rewrite.
func (e *engine) testBaseline(ctx context.Context, own string, others ...string) error {
	for _, path := range append([]string{own}, others...) {
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
			if path != own {
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
	if err := rc.fix()(rule.NewFix(dec.node)); err != nil {
		return nil, fmt.Errorf("%s: rule %s: %v", pos, rc.rule.Name, err)
	}
	return dec.changed()
}

// confirm compiles the rewritten packages with -m=2 and checks the rule's promise. It returns the
// compile as an attempt when the compiler confirms the promise; otherwise res says why not.
func (e *engine) confirm(ctx context.Context, rc ruleCandidate, res *report.Result, ov *overlay, changes map[string][]byte, affected []string) (*attempt, error) {
	after, broken, exports, err := e.tool.diagnoseFor(ctx, affected, ov, false)
	if err != nil {
		return nil, err
	}
	for _, path := range affected {
		if msg := broken[path]; msg != "" {
			if path != rc.t.path {
				msg = path + ": " + msg
			}
			res.Verdict, res.Reason = report.BuildFailed, msg
			return nil, nil
		}
	}
	res.Notes = lostInlining(e.diags, after, e.orig)
	if err := e.promise(rc, e.diags, after, changes); err != nil {
		res.Verdict, res.Reason = report.Unconfirmed, err.Error()
		return nil, nil
	}
	return &attempt{changes: changes, affected: affected, diags: after, exports: exports}, nil
}

// promise checks the rule's promise for a candidate against the compiler's diagnostics of the code
// before and after its rewrite; changes holds the rewritten files (others are as kept).
func (e *engine) promise(rc ruleCandidate, before, after *diag.Diagnostics, changes map[string][]byte) error {
	promised := rc.promised()
	if promised == nil {
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
	return promised(cf)
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
