package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"slices"
	"sort"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// The build gate needs only the compiler's word, so its candidates are confirmed together: in each
// round every package is matched, each candidate's rewrite is made on its own to see which lines it
// changes, the candidates that change disjoint lines are applied together, and one go list -export
// compiles every package they change. Each candidate's promise is checked on its own view of the
// compiler's verdict: the lines the others changed left out (compose.go). A candidate whose promise
// the compiler does not confirm is dropped; the confirmed ones that its package holds or that import
// its package wait for the next round, the others are kept: what is kept is exactly what was
// compiled and confirmed. Candidates that overlap a chosen one wait for the next round, matched on
// the kept code; so does a second candidate in a function whose rule is judged on the whole function
// (Rule.WholeFunction).

type pick struct {
	rc       ruleCandidate
	res      *report.Result
	changes  map[string][]byte
	affected []string
	spans    []span
	hunks    map[string][]linediff.Hunk // per file: the changes against the kept code
}

// region is one top-level declaration of one file, or the gap after it (-1: before the first).
type region struct {
	file string
	decl int
	gap  bool
}

func (e *engine) runBatched(ctx context.Context, ready []string) error {
	// The direct compiles are kept in gcfix's cache directory; without one (GCFIXCACHE=off) the go
	// command compiles, and its build cache keeps the compiles for the next run.
	if e.opts.Cache != "" {
		c, err := e.tool.newCompiler(ctx)
		if err != nil {
			return err
		}
		if c != nil {
			c.cache = e.opts.Cache
		}
		e.compiler = c
	}
	e.tried = newTriedSet()
	paths := ready
	for {
		picks, deferred, err := e.pickRound(paths)
		if err != nil {
			return err
		}
		if len(picks) == 0 && len(deferred) > 0 {
			// Nothing to confirm, but candidates waited on ones that turned out to change nothing.
			paths = slices.DeleteFunc(slices.Clone(ready), func(p string) bool { return !deferred[p] })
			continue
		}
		if len(picks) == 0 {
			report.SortByPosition(e.rep.Candidates)
			return nil
		}
		kept, withdrawn, err := e.confirmRound(ctx, picks)
		if err != nil {
			return err
		}
		for _, p := range withdrawn {
			e.tried.forget(p.rc)
			deferred[p.rc.t.path] = true
		}
		// Only packages whose code changed, or whose candidates waited, can have new candidates.
		paths = slices.DeleteFunc(slices.Clone(ready), func(p string) bool { return !deferred[p] && !slices.Contains(kept, p) })
	}
}

// pickRound matches every package and chooses the candidates to confirm together. Declined ones and
// ones whose rewrite changes nothing are reported at once.
func (e *engine) pickRound(paths []string) ([]*pick, map[string]bool, error) {
	e.prog.phase(PhaseMatching)
	start := startTimer()
	matched, err := e.matchPackages(paths)
	if err != nil {
		return nil, nil, err
	}
	e.logf("matched %d packages in %v", len(paths), start)
	start = startTimer()
	deferred := map[string]bool{}
	jobs, waitFunc := e.schedule(matched, deferred)
	// The rewrites are made in parallel, each on its own decoration.
	parallel(e.loader.par, len(jobs), func(i int) { jobs[i].changes, jobs[i].err = e.applyFix(jobs[i].rc) })
	waitOverlap := 0
	defer func() {
		e.logf("made %d rewrites in %v; %d candidates wait for the next round (%d for their function, %d overlap)", len(jobs), start, waitFunc+waitOverlap, waitFunc, waitOverlap)
	}()
	var picks []*pick
	claimed := map[string][]span{}
	for _, j := range jobs {
		if j.err != nil {
			return nil, nil, j.err
		}
		rc := j.rc
		res := e.newResult(rc)
		if len(j.changes) == 0 {
			e.tried.add(rc)
			res.Verdict, res.Reason = report.Rejected, "the rewrite changed nothing"
			e.report(res)
			continue
		}
		p := &pick{rc: rc, res: res, changes: j.changes}
		if err := e.describe(p); err != nil {
			return nil, nil, err
		}
		if overlaps(claimed, p.spans) {
			deferred[rc.t.path] = true
			waitOverlap++
			continue // overlaps a chosen candidate: next round, on the kept code
		}
		for _, s := range p.spans {
			claimed[s.file] = append(claimed[s.file], s)
		}
		e.tried.add(rc)
		picks = append(picks, p)
	}
	return picks, deferred, nil
}

// fixJob is a candidate whose rewrite a round makes.
type fixJob struct {
	rc      ruleCandidate
	changes map[string][]byte
	err     error
}

// schedule chooses, among the candidates that the packages matched, those whose rewrites the round
// makes. Declined ones are reported; a rule judged on the whole function has its function to itself
// in a round, and a candidate that finds its function taken waits for the next round (deferred
// marks its package; waitFunc counts them).
func (e *engine) schedule(matched [][]ruleCandidate, deferred map[string]bool) (jobs []*fixJob, waitFunc int) {
	const shared, whole = 1, 2
	funcs := map[*ast.FuncDecl]int{}
	for _, cands := range matched {
		for _, rc := range e.hotFirst(cands, e.tried) {
			if e.tried.has(rc) {
				continue
			}
			if rc.c.Decline != "" {
				e.tried.add(rc)
				res := e.newResult(rc)
				res.Verdict, res.Reason = report.Rejected, "declined: "+rc.c.Decline
				e.report(res)
				continue
			}
			if fd := rc.c.Func; fd != nil {
				if funcs[fd] == whole || funcs[fd] == shared && rc.rule.WholeFunction {
					deferred[rc.t.path] = true
					waitFunc++
					continue
				}
				funcs[fd] = shared
				if rc.rule.WholeFunction {
					funcs[fd] = whole
				}
			}
			jobs = append(jobs, &fixJob{rc: rc})
		}
	}
	return jobs, waitFunc
}

// matchPackages runs the rules on the packages, in parallel.
func (e *engine) matchPackages(paths []string) ([][]ruleCandidate, error) {
	out := make([][]ruleCandidate, len(paths))
	errs := make([]error, len(paths))
	// One view of the module, shared by every package's pass.
	var module []*rule.Pass
	byPath := map[string]*rule.Pass{}
	for _, path := range e.paths() {
		if t := e.targets[path]; len(t.errors) == 0 && e.broken[path] == "" {
			p := t.pass(e.fset, e.diags)
			p.Module = nil
			p.Profile = e.opts.Profile
			module = append(module, p)
			byPath[path] = p
		}
	}
	passes := make([]*rule.Pass, len(paths))
	ts := make([]*target, len(paths))
	for i, path := range paths {
		p := *byPath[path]
		p.Module = module
		passes[i], ts[i] = &p, e.targets[path]
	}
	parallel(e.loader.par, len(paths), func(i int) { out[i], errs[i] = matchAll(ts[i], passes[i], e.opts.Rules) })
	for _, cands := range out {
		e.identify(cands)
	}
	return out, errors.Join(errs...)
}

// describe fills in the candidate's diff, affected packages and the lines it changes.
func (e *engine) describe(p *pick) error {
	diffs, affected, err := e.changeSet(p.rc, p.changes)
	if err != nil {
		return err
	}
	p.hunks = map[string][]linediff.Hunk{}
	for _, d := range diffs {
		p.hunks[d.Path] = linediff.Hunks(d.Old, d.New)
		p.spans = append(p.spans, spans(d.Path, d.Old, p.hunks[d.Path])...)
	}
	p.affected = affected
	p.res.Diff = report.Diff(e.root, diffs)
	p.res.SetChanges(diffs)
	return nil
}

// regions maps the lines a rewrite changes in a file to the top-level declarations that hold them,
// the import block aside.
func (e *engine) regions(t *target, name string, old, new []byte) []region {
	var f *ast.File
	for _, s := range t.pkg.Syntax {
		if e.fset.File(s.Pos()).Name() == name {
			f = s
		}
	}
	var out []region
	add := func(r region) {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, h := range linediff.Hunks(old, new) {
		last := h.OldStart + h.OldLen - 1
		if h.OldLen == 0 {
			last = h.OldStart
		}
		for l := h.OldStart; l <= last; l++ {
			if f == nil {
				add(region{file: name, decl: -1})
				continue
			}
			if r, ok := e.declAt(f, name, l); ok {
				add(r)
			}
		}
	}
	return out
}

func (e *engine) declAt(f *ast.File, name string, line int) (region, bool) {
	gapAfter := -1
	for i, d := range f.Decls {
		from := d.Pos()
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Doc != nil {
			from = fd.Doc.Pos()
		}
		if gd, ok := d.(*ast.GenDecl); ok && gd.Doc != nil {
			from = gd.Doc.Pos()
		}
		l0, l1 := e.fset.Position(from).Line, e.fset.Position(d.End()).Line
		if line >= l0 && line <= l1 {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				return region{}, false
			}
			return region{file: name, decl: i}, true
		}
		if l1 < line {
			gapAfter = i
		}
	}
	if line <= e.fset.Position(f.Name.End()).Line {
		return region{}, false // the package clause and the file's doc comment
	}
	return region{file: name, decl: gapAfter, gap: true}, true
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// confirmRound applies the picks together, compiles what they change and keeps the confirmed ones.
// It returns the packages that the kept rewrites changed, and the picks withdrawn because their
// rewrites interfered with others: they wait for the next round.
func (e *engine) confirmRound(ctx context.Context, picks []*pick) (kept []string, withdrawn []*pick, err error) {
	for len(picks) > 0 {
		composing := startTimer()
		combined, err := e.combine(picks)
		if err != nil {
			return nil, withdrawn, err
		}
		if bad := e.interfering(picks, combined); len(bad) > 0 {
			withdrawn = append(withdrawn, bad...)
			picks = slices.DeleteFunc(picks, func(p *pick) bool { return slices.Contains(bad, p) })
			continue
		}
		e.logf("composed the rewrites in %v", composing)
		affected := affectedBy(picks)
		direct := e.compiler.direct(picks, e.metasOf(affected))
		var after *diag.Diagnostics
		var broken, exports map[string]string
		apart := false
		if keepers, trades := splitTrades(picks); direct && len(keepers) > 0 && len(trades) > 0 {
			var c map[string][]byte
			c, after, exports, apart, err = e.compileApart(ctx, keepers, trades)
			if err != nil {
				return nil, withdrawn, err
			}
			if apart {
				picks, combined, affected, broken = keepers, c, affectedBy(keepers), nil
			}
		}
		if !apart {
			after, broken, exports, direct, err = e.compileRound(ctx, picks, combined, affected, direct)
			if err != nil {
				return nil, withdrawn, err
			}
		}
		start := startTimer()
		if anyBroken(broken, affected) {
			var wait []*pick
			picks, wait = e.separateBreak(ctx, picks, broken)
			withdrawn = append(withdrawn, wait...)
			continue
		}
		att := &attempt{changes: combined, affected: affected, diags: after, exports: exports}
		shared := sharers(picks)
		confirmed := e.promised(picks, shared, combined, after)
		if len(confirmed) < len(picks) {
			// The compile judged the dropped rewrites too. Of the confirmed picks, those in packages
			// that neither hold a dropped rewrite nor depend on one were compiled exactly as they are
			// kept; the others wait for the next round, which compiles them again anyway.
			var wait []*pick
			confirmed, wait, att = e.untainted(confirmed, picks, att, direct)
			withdrawn = append(withdrawn, wait...)
			if len(confirmed) == 0 {
				return nil, withdrawn, nil
			}
		}
		for _, p := range confirmed {
			e.tried.kept(p.rc)
			p.res.Verdict, p.res.Reason = report.Kept, "compiler confirmed"
			p.res.Notes = e.lostInliningOf(p, shared, att.diags)
			e.report(p.res)
		}
		err = e.keep(ctx, att)
		e.logf("checked the verdicts and reloaded %d packages in %v", len(att.affected), start)
		return att.affected, withdrawn, err
	}
	return nil, withdrawn, nil
}

// compileRound compiles, with -m=2, the packages that the round's combined rewrites change, on top
// of the kept code: directly, each package alone against the export data of the kept state
// (compile.go), or through the go command.
// It returns whether it compiled directly.
func (e *engine) compileRound(ctx context.Context, picks []*pick, combined map[string][]byte, affected []string, direct bool) (after *diag.Diagnostics, broken, exports map[string]string, compiledDirect bool, err error) {
	e.logf("confirming %d candidates in %d packages with one compile", len(picks), len(affected))
	e.prog.phase(PhaseConfirming)
	start := startTimer()
	defer func() { e.logf("compiled in %v", start) }()
	if direct {
		after, broken, exports, err = e.compileDirect(ctx, combined, affected)
		if err != nil || len(broken) == 0 {
			return after, broken, exports, true, err
		}
		// A package that does not compile is compiled again by the go command, whose verdict and
		// message a build failure gets.
		e.logf("%d packages do not compile; compiling again with the go command", len(broken))
	}
	ov, err := writeOverlay(e.tmp, e.withKept(combined))
	if err != nil {
		return nil, nil, nil, false, err
	}
	defer ov.remove()
	tool := e.tool
	tool.follow = e.prog.compiling(e.loader.closure(affected, e.targets))
	after, broken, exports, err = tool.diagnoseFor(ctx, affected, ov, false)
	return after, broken, exports, false, err
}

// splitTrades returns the picks that may be kept and the trades, which the build gate confirms and
// does not keep.
func splitTrades(picks []*pick) (keepers, trades []*pick) {
	for _, p := range picks {
		if p.rc.c.Trade != "" {
			trades = append(trades, p)
		} else {
			keepers = append(keepers, p)
		}
	}
	return keepers, trades
}

// compileApart confirms a round's trades apart from the rewrites that may be kept: one compile
// (compile.go) of the keepers' packages with the keepers' rewrites and of the trades' packages with
// the trades' rewrites, against the keepers' new export data. Compiled together, the trades would
// leave the keepers of their packages, and those of the packages importing them, compiled with
// code that is not kept, to be compiled again in the next round. It reports the trades' verdicts
// and returns the keepers' combined files, diagnostics and export data; ok is false, with nothing
// reported, when a package does not compile, for compileRound to find out why.
func (e *engine) compileApart(ctx context.Context, keepers, trades []*pick) (combined map[string][]byte, after *diag.Diagnostics, exports map[string]string, ok bool, err error) {
	combined, err = e.combine(keepers)
	if err != nil {
		return nil, nil, nil, false, err
	}
	combinedT, err := e.combine(trades)
	if err != nil {
		return nil, nil, nil, false, err
	}
	groups := []compileGroup{
		{e.metasOf(affectedBy(keepers)), e.withKept(combined)},
		{e.metasOf(affectedBy(trades)), e.withKept(combinedT)},
	}
	e.logf("confirming %d candidates in %d packages and, apart, %d trades in %d packages with one compile", len(keepers), len(groups[0].metas), len(trades), len(groups[1].metas))
	e.prog.phase(PhaseConfirming)
	start := startTimer()
	out, err := e.compileGroups(ctx, groups)
	e.logf("compiled in %v", start)
	if err != nil || len(out[0].broken) > 0 || len(out[1].broken) > 0 {
		return nil, nil, nil, false, err
	}
	e.promised(trades, sharers(trades), combinedT, out[1].diags)
	return combined, out[0].diags, out[0].exports, true, nil
}

// compileDirect compiles each package of affected alone, with the round's rewrites on top of the
// kept code, against the export data of the kept state (compile.go). An import that a rewrite adds
// and no package of the run imported yet is compiled first.
func (e *engine) compileDirect(ctx context.Context, combined map[string][]byte, affected []string) (*diag.Diagnostics, map[string]string, map[string]string, error) {
	out, err := e.compileGroups(ctx, []compileGroup{{e.metasOf(affected), e.withKept(combined)}})
	if err != nil {
		return nil, nil, nil, err
	}
	return out[0].diags, out[0].broken, out[0].exports, nil
}

// compileGroups compiles the groups with one compile (compile.go), after the export data of the
// imports that rewrites add and no package of the run imported yet.
func (e *engine) compileGroups(ctx context.Context, groups []compileGroup) ([]compiledGroup, error) {
	n := 0
	for _, g := range groups {
		n += len(g.metas)
		if missing := missingExports(g.metas, g.files, e.loader.exports); len(missing) > 0 {
			if err := e.loader.listExports(ctx, e.tool, missing); err != nil {
				return nil, err
			}
		}
	}
	dir, err := os.MkdirTemp(e.tmp, "compile")
	if err != nil {
		return nil, err
	}
	e.tool.compiling()
	// The export data it writes stays for the run: kept packages are loaded from it.
	return e.compiler.compileGroups(ctx, groups, e.loader.exports, dir, e.tool.diagRunDir(), e.allFiles(), e.tool.par, e.prog.compiling(n))
}

// metasOf returns what go list said of each package of paths.
func (e *engine) metasOf(paths []string) []*listedPackage {
	out := make([]*listedPackage, len(paths))
	for i, path := range paths {
		if t := e.targets[path]; t != nil {
			out[i] = t.meta
		}
	}
	return out
}

// allFiles returns the files of every package of the run, by import path, for reading compiler
// output that names another package's file (a generic function instantiated elsewhere).
func (e *engine) allFiles() diag.PackageFiles {
	var metas []*listedPackage
	for _, t := range e.targets {
		metas = append(metas, t.meta)
	}
	return filesOf(metas)
}

// separateBreak finds what broke the build of a round's compile. A pick alone is reported as
// breaking it. Of several, the picks that touch only packages that built are fine, and each of the
// others is compiled alone to find the one that breaks the build. It returns the picks to compile
// together again and those that wait for the next round.
func (e *engine) separateBreak(ctx context.Context, picks []*pick, broken map[string]string) (again, wait []*pick) {
	if len(picks) == 1 {
		p := picks[0]
		p.res.Verdict, p.res.Reason = report.BuildFailed, brokenMessage(broken, p.affected, p.rc.t.path)
		e.report(p.res)
		return nil, nil
	}
	var ok, suspects []*pick
	for _, p := range picks {
		if anyBroken(broken, p.affected) {
			suspects = append(suspects, p)
		} else {
			ok = append(ok, p)
		}
	}
	var alone []*pick
	for _, p := range suspects {
		if e.confirmAlone(ctx, p) {
			alone = append(alone, p)
		}
	}
	if len(alone) == len(suspects) && len(alone) > 0 {
		// Each builds alone but not together: keep the first, try the others in the next round.
		wait = append(wait, alone[1:]...)
		alone = alone[:1]
		if len(ok)+1 == len(picks) {
			// Nothing was set aside: what breaks the build is a pick of ok changing a package
			// that it does not compile. The one that built alone goes on its own.
			wait = append(wait, ok...)
			ok = nil
		}
	}
	return append(ok, alone...), wait
}

// promised checks each pick's promise on its own view of the round's compile, reports the picks
// whose promise the compiler does not confirm and the confirmed trades (only the bench gate may keep
// those), and returns the others.
func (e *engine) promised(picks []*pick, shared *sharing, combined map[string][]byte, after *diag.Diagnostics) []*pick {
	var confirmed []*pick
	for _, p := range picks {
		before, view := e.views(p, shared, combined, after)
		if err := e.promise(p.rc, before, view, p.changes); err != nil {
			p.res.Verdict, p.res.Reason = report.Unconfirmed, err.Error()
			p.res.Notes = e.lostInliningOf(p, shared, after)
			e.report(p.res)
			continue
		}
		if p.rc.c.Trade != "" {
			// Confirmed, but only the bench gate may keep it: left out like a dropped one.
			p.res.Verdict, p.res.Reason = report.NeedsBench, needsBench(GateBuild, nil, p.rc.c.Trade)
			p.res.Notes = e.lostInliningOf(p, shared, after)
			e.report(p.res)
			continue
		}
		confirmed = append(confirmed, p)
	}
	return confirmed
}

// affectedBy returns the packages that picks change, sorted.
func affectedBy(picks []*pick) []string {
	var out []string
	for _, p := range picks {
		for _, path := range p.affected {
			if !slices.Contains(out, path) {
				out = append(out, path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// untainted splits the confirmed picks of a round's compile (att) in which the others of all were
// dropped: the ones to keep touch only packages that no dropped or waiting pick touches and that
// import none of those (seesAny: the compile saw them with exactly the code that is kept); the rest
// must wait. It returns the attempt narrowed to the picks to keep: their files, their packages, and the
// compile's diagnostics of those packages and export data of the packages that saw none of the
// others' code.
func (e *engine) untainted(confirmed, all []*pick, att *attempt, direct bool) (keep, wait []*pick, kept *attempt) {
	tainted := map[string]bool{}
	for _, p := range all {
		if !slices.Contains(confirmed, p) {
			for _, path := range p.affected {
				tainted[path] = true
			}
		}
	}
	waiting := map[*pick]bool{}
	for changed := true; changed; {
		changed = false
		memo := map[string]bool{}
		for _, p := range confirmed {
			if waiting[p] {
				continue
			}
			if slices.ContainsFunc(p.affected, func(path string) bool {
				return tainted[path] || e.seesAny(path, tainted, direct, memo)
			}) {
				waiting[p], changed = true, true
				for _, path := range p.affected {
					tainted[path] = true
				}
			}
		}
	}
	for _, p := range confirmed {
		if waiting[p] {
			wait = append(wait, p)
		} else {
			keep = append(keep, p)
		}
	}
	kept = &attempt{changes: map[string][]byte{}, affected: affectedBy(keep)}
	for _, p := range keep {
		for name := range p.changes {
			kept.changes[name] = att.changes[name]
		}
	}
	kept.diags, kept.exports = e.onlyPackages(att.diags, att.exports, kept.affected, tainted, direct)
	return keep, wait, kept
}

// onlyPackages narrows a compile's diagnostics to the files of packages paths, and its export data
// to the packages that are neither tainted (compiled with a rewrite that is not kept) nor import
// one.
func (e *engine) onlyPackages(after *diag.Diagnostics, exports map[string]string, paths []string, tainted map[string]bool, direct bool) (*diag.Diagnostics, map[string]string) {
	files := map[string]bool{}
	for _, path := range paths {
		for _, f := range e.targets[path].pkg.Syntax {
			files[e.fset.File(f.Pos()).Name()] = true
		}
	}
	d := after.Only(files)
	memo := map[string]bool{}
	x := map[string]string{}
	for path, file := range exports {
		if slices.Contains(paths, path) || !tainted[path] && !e.seesAny(path, tainted, direct, memo) {
			x[path] = file
		}
	}
	return d, x
}

// seesAny reports whether the round's compile of package path saw the round's code of a package
// of set: through the go command, when path depends on one; compiled directly, when it imports one
// (compile.go: a package is compiled against the new export data of the round's packages it
// imports, and the export data of the others as they were).
func (e *engine) seesAny(path string, set map[string]bool, direct bool, memo map[string]bool) bool {
	if direct {
		return e.loader.importsAny(path, set)
	}
	return e.loader.dependsOn(path, set, memo)
}

// sharing records, for each file that more than one pick changes, those picks in order and which
// of them changes each old line (their changes are on disjoint lines).
type sharing struct {
	picks map[string][]*pick
	owner map[string]map[int]*pick
}

func sharers(picks []*pick) *sharing {
	sh := &sharing{picks: map[string][]*pick{}, owner: map[string]map[int]*pick{}}
	for _, p := range picks {
		for name := range p.changes {
			sh.picks[name] = append(sh.picks[name], p)
		}
	}
	for name, ps := range sh.picks {
		if len(ps) < 2 {
			delete(sh.picks, name)
			continue
		}
		owner := map[int]*pick{}
		for _, p := range ps {
			for _, h := range p.hunks[name] {
				for l := h.OldStart; l < h.OldStart+h.OldLen; l++ {
					owner[l] = p
				}
			}
		}
		sh.owner[name] = owner
	}
	return sh
}

// interfering returns the picks to withdraw because, made together, their rewrites of a file are
// not each one's own changes side by side. Of the picks in such a file, those in a top-level
// declaration that an earlier one also changes are withdrawn (all but the first, if that is not it).
func (e *engine) interfering(picks []*pick, combined map[string][]byte) []*pick {
	var bad []*pick
	shared := sharers(picks)
	for _, name := range sortedNames(combined) {
		ps := shared.picks[name]
		if len(ps) == 0 {
			continue
		}
		cur, err := e.current(name)
		if err != nil {
			return ps[1:]
		}
		var alone [][]byte
		for _, p := range ps {
			alone = append(alone, p.changes[name])
		}
		if composes(cur, combined[name], alone) {
			continue
		}
		t := e.targetOf(name)
		e.logf("%s: %d rewrites interfere; confirming them one declaration at a time", report.RelPath(e.root, name), len(ps))
		seen := map[region]bool{}
		var out []*pick
		for _, p := range ps {
			var rs []region
			if t != nil {
				rs = e.regions(t, name, cur, p.changes[name])
			}
			if len(rs) == 0 || slices.ContainsFunc(rs, func(r region) bool { return seen[r] }) {
				out = append(out, p)
				continue
			}
			for _, r := range rs {
				seen[r] = true
			}
		}
		if len(out) == 0 {
			out = ps[1:]
		}
		for _, p := range out {
			if !slices.Contains(bad, p) {
				bad = append(bad, p)
			}
		}
	}
	return bad
}

// views returns the diagnostics before and after the round's rewrites as pick p sees them: in each
// file that other picks change too, their lines are left out, and the lines after the rewrites are
// numbered as in p's rewrite alone.
// shared is sharers(picks).
func (e *engine) views(p *pick, shared *sharing, combined map[string][]byte, after *diag.Diagnostics) (before, view *diag.Diagnostics) {
	before, view = e.diags, after
	for name := range p.changes {
		owner := shared.owner[name]
		if owner == nil {
			continue
		}
		view = view.WithFile(name, mapLines(after.InLines(name, 0, 1<<30), p.changes[name], combined[name]))
		before = before.WithFile(name, withoutLines(e.diags.InLines(name, 0, 1<<30), func(l int) bool {
			q := owner[l]
			return q != nil && q != p
		}))
	}
	return before, view
}

// confirmAlone compiles one pick on the kept code and reports it if it does not build.
func (e *engine) confirmAlone(ctx context.Context, p *pick) bool {
	ov, err := writeOverlay(e.tmp, e.withKept(p.changes))
	if err != nil {
		return false
	}
	defer ov.remove()
	_, broken, _, err := e.tool.diagnoseFor(ctx, p.affected, ov, false)
	if err == nil && !anyBroken(broken, p.affected) {
		return true
	}
	p.res.Verdict, p.res.Reason = report.BuildFailed, brokenMessage(broken, p.affected, p.rc.t.path)
	if err != nil {
		p.res.Reason = err.Error()
	}
	e.report(p.res)
	return false
}

func anyBroken(broken map[string]string, paths []string) bool {
	for _, p := range paths {
		if broken[p] != "" {
			return true
		}
	}
	return false
}

func brokenMessage(broken map[string]string, paths []string, own string) string {
	for _, p := range paths {
		if msg := broken[p]; msg != "" {
			if p != own {
				msg = p + ": " + msg
			}
			return msg
		}
	}
	return "does not build"
}

// combine applies every pick's rewrite on one decoration and returns the files they change.
func (e *engine) combine(picks []*pick) (changes map[string][]byte, err error) {
	// A pick whose files no other pick changes needs no second making: its own rewrite is the
	// combined text of those files.
	touched := map[string]int{}
	for _, p := range picks {
		for name := range p.changes {
			touched[name]++
		}
	}
	var shared []*pick
	alone := map[string][]byte{}
	for _, p := range picks {
		own := true
		for name := range p.changes {
			own = own && touched[name] == 1
		}
		if !own {
			shared = append(shared, p)
			continue
		}
		for name, b := range p.changes {
			alone[name] = b
		}
	}
	if len(shared) == 0 {
		return alone, nil
	}
	var ts []*target
	for _, path := range e.paths() {
		ts = append(ts, e.targets[path])
	}
	dec := newDecoration(ts, e.fset, &e.decor)
	for _, p := range shared {
		pos := e.fset.Position(p.rc.c.Pos)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = rulePanic(pos.String(), p.rc.rule.Name, r)
				}
			}()
			return p.rc.fix()(rule.NewFix(dec.node))
		}()
		if err != nil {
			return nil, fmt.Errorf("%s: rule %s: %v", pos, p.rc.rule.Name, err)
		}
	}
	changes, err = dec.changed()
	if err != nil {
		return nil, err
	}
	for name, b := range alone {
		changes[name] = b
	}
	return changes, nil
}

// report adds a candidate's result to the report.
func (e *engine) report(res *report.Result) {
	e.rep.Candidates = append(e.rep.Candidates, res)
	e.prog.verdict(res.Verdict)
	e.logf("%s %s:%d: %s %s", res.Rule, res.File, res.Line, res.Verdict, res.Reason)
}

// lostInliningOf is lostInlining for pick p of a round: a function that other picks of the round
// changed and p did not is theirs to note, not p's.
func (e *engine) lostInliningOf(p *pick, shared *sharing, after *diag.Diagnostics) []string {
	return lostInliningOf(e.diags, after, p.changes, func(file, fn string) bool {
		others := shared.picks[file]
		if len(others) == 0 {
			return true
		}
		from, to, ok := e.funcLines(file, fn)
		if !ok {
			return true
		}
		// touches: q's rewrite changes lines of the function, or adds lines inside it.
		touches := func(q *pick) bool {
			for _, h := range q.hunks[file] {
				last := h.OldStart + h.OldLen - 1
				if h.OldLen == 0 {
					last = h.OldStart // lines added before oldStart
				}
				if h.OldStart <= to && last >= from {
					return true
				}
			}
			return false
		}
		return touches(p) || !slices.ContainsFunc(others, func(q *pick) bool { return q != p && touches(q) })
	})
}

// funcLines returns the lines of the declaration of the function that the compiler names fn in
// file, as loaded.
func (e *engine) funcLines(file, fn string) (from, to int, ok bool) {
	t := e.targetOf(file)
	if t == nil {
		return 0, 0, false
	}
	for _, f := range t.pkg.Syntax {
		if e.fset.File(f.Pos()).Name() != file {
			continue
		}
		decl := diag.DeclName(fn)
		for _, d := range f.Decls {
			if fd, isFunc := d.(*ast.FuncDecl); isFunc && diag.FuncName(fd) == decl {
				return e.fset.Position(fd.Pos()).Line, e.fset.Position(fd.End()).Line, true
			}
		}
	}
	return 0, 0, false
}
