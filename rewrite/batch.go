package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"sort"
)

// The build gate needs only the compiler's word, so its candidates are confirmed together: in each
// round every package is matched, each candidate's rewrite is made on its own to see which top-level
// declarations it touches, the candidates that touch disjoint declarations are applied together, and
// one go list -export compiles every package they change. A candidate whose promise the compiler does
// not confirm is dropped and the rest are compiled again, so what is kept is exactly what was
// confirmed. Candidates that overlap a chosen one wait for the next round, matched on the kept code.

type pick struct {
	rc       ruleCandidate
	t        *target
	res      *Result
	changes  map[string][]byte
	affected []string
}

// region is one top-level declaration of one file, or the gap after it (-1: before the first).
type region struct {
	file string
	decl int
	gap  bool
}

func (e *engine) runBatched(ctx context.Context, ready []string) error {
	tried := map[string]bool{}
	paths := ready
	for {
		picks, deferred, err := e.pickRound(paths, tried)
		if err != nil {
			return err
		}
		if len(picks) == 0 && len(deferred) > 0 {
			// Nothing to confirm, but candidates waited on ones that turned out to change nothing.
			paths = slices.DeleteFunc(slices.Clone(ready), func(p string) bool { return !deferred[p] })
			continue
		}
		if len(picks) == 0 {
			sort.SliceStable(e.rep.Candidates, func(i, j int) bool {
				a, b := e.rep.Candidates[i], e.rep.Candidates[j]
				if a.Package != b.Package {
					return a.Package < b.Package
				}
				if a.File != b.File {
					return a.File < b.File
				}
				if a.Line != b.Line {
					return a.Line < b.Line
				}
				return a.Col < b.Col
			})
			return nil
		}
		if err := e.confirmRound(ctx, picks); err != nil {
			return err
		}
		// Only packages whose code changed, or whose candidates waited, can have new candidates.
		paths = slices.DeleteFunc(slices.Clone(ready), func(p string) bool { return !deferred[p] && !slices.Contains(e.keptNow, p) })
	}
}

// pickRound matches every package and chooses the candidates to confirm together. Declined ones and
// ones whose rewrite changes nothing are reported at once.
func (e *engine) pickRound(paths []string, tried map[string]bool) ([]*pick, map[string]bool, error) {
	var picks []*pick
	claimed := map[region]bool{}
	deferred := map[string]bool{}
	e.prog.phase(PhaseMatching)
	matched, err := e.matchPackages(paths)
	if err != nil {
		return nil, nil, err
	}
	// A rewrite changes its candidate's function: of the candidates in one function only the first
	// is made in this round. Those are made in parallel, each on its own decoration.
	type job struct {
		path    string
		rc      ruleCandidate
		key     string
		changes map[string][]byte
		err     error
	}
	var jobs []*job
	funcs := map[*ast.FuncDecl]bool{}
	for i, path := range paths {
		e.t = e.targets[path]
		for _, rc := range e.hotFirst(matched[i], tried) {
			key := e.candidateKey(rc)
			if tried[key] {
				continue
			}
			if rc.c.Decline != "" {
				tried[key] = true
				res := e.newResult(rc)
				res.Verdict, res.Reason = Rejected, "declined: "+rc.c.Decline
				e.report(res)
				continue
			}
			if fd := rc.c.Func; fd != nil {
				if funcs[fd] {
					deferred[path] = true
					continue
				}
				funcs[fd] = true
			}
			jobs = append(jobs, &job{path: path, rc: rc, key: key})
		}
	}
	parallel(e.loader.par, len(jobs), func(i int) { jobs[i].changes, jobs[i].err = e.applyFix(jobs[i].rc) })
	for _, j := range jobs {
		path, rc, key, changes := j.path, j.rc, j.key, j.changes
		if j.err != nil {
			return nil, nil, j.err
		}
		e.t = e.targets[path]
		res := e.newResult(rc)
		if len(changes) == 0 {
			tried[key] = true
			res.Verdict, res.Reason = Rejected, "the rewrite changed nothing"
			e.report(res)
			continue
		}
		p := &pick{rc: rc, t: e.t, res: res, changes: changes, affected: []string{e.t.path}}
		regions, err := e.describe(p)
		if err != nil {
			return nil, nil, err
		}
		if slices.ContainsFunc(regions, func(r region) bool { return claimed[r] }) {
			deferred[path] = true
			continue // overlaps a chosen candidate: next round, on the kept code
		}
		for _, r := range regions {
			claimed[r] = true
		}
		tried[key] = true
		picks = append(picks, p)
	}
	return picks, deferred, nil
}

// matchPackages runs the rules on the packages, in parallel.
func (e *engine) matchPackages(paths []string) ([][]ruleCandidate, error) {
	out := make([][]ruleCandidate, len(paths))
	errs := make([]error, len(paths))
	// One view of the module, shared by every package's pass.
	var module []*Pass
	byPath := map[string]*Pass{}
	for _, path := range e.paths() {
		if t := e.targets[path]; len(t.errors) == 0 && e.broken[path] == "" {
			p := t.pass(e.fset, e.diags)
			p.Module = nil
			p.Profile = e.opts.Profile
			module = append(module, p)
			byPath[path] = p
		}
	}
	passes := make([]*Pass, len(paths))
	for i, path := range paths {
		p := *byPath[path]
		p.Module = module
		passes[i] = &p
	}
	parallel(e.loader.par, len(paths), func(i int) { out[i], errs[i] = matchAll(passes[i], e.opts.Rules) })
	return out, errors.Join(errs...)
}

// describe fills in the candidate's diff and affected packages and returns the regions it changes.
func (e *engine) describe(p *pick) ([]region, error) {
	diffs, owners, affected, err := e.changeSet(p.rc, p.changes)
	if err != nil {
		return nil, err
	}
	var regions []region
	for i, d := range diffs {
		regions = append(regions, e.regions(owners[i], d.path, d.old, d.new)...)
	}
	p.affected = affected
	p.res.Diff = unifiedDiff(e.root, diffs)
	p.res.changes = diffs
	return regions, nil
}

// regions maps the lines a rewrite changes in a file to the top-level declarations that hold them.
// Changes in the import block do not count: the rewritten files are rendered together, and the
// renderer writes the imports that all of them need.
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
	for _, h := range lineHunks(old, new) {
		last := h.oldStart + h.oldLen - 1
		if h.oldLen == 0 {
			last = h.oldStart
		}
		for l := h.oldStart; l <= last; l++ {
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
func (e *engine) confirmRound(ctx context.Context, picks []*pick) error {
	e.keptNow = nil
	for len(picks) > 0 {
		combined, err := e.combine(picks)
		if err != nil {
			return err
		}
		files := map[string][]byte{}
		for name, b := range e.kept {
			files[name] = b
		}
		for name, b := range combined {
			files[name] = b
		}
		var affected []string
		for _, p := range picks {
			for _, path := range p.affected {
				if !slices.Contains(affected, path) {
					affected = append(affected, path)
				}
			}
		}
		sort.Strings(affected)
		ov, err := writeOverlay(e.tmp, files)
		if err != nil {
			return err
		}
		e.logf("confirming %d candidates in %d packages with one compile", len(picks), len(affected))
		e.prog.phase(PhaseConfirming)
		after, broken, exports, err := e.tool.diagnoseFor(ctx, affected, ov, false)
		ov.remove()
		if err != nil {
			return err
		}
		if anyBroken(broken, affected) {
			if len(picks) == 1 {
				p := picks[0]
				p.res.Verdict, p.res.Reason = BuildFailed, brokenMessage(broken, p.affected, p.t.path)
				e.report(p.res)
				return nil
			}
			// The picks that touch only packages that built are fine; each of the others is compiled
			// alone to find the one that breaks the build.
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
				alone = alone[:1]
			}
			picks = append(ok, alone...)
			continue
		}
		var confirmed []*pick
		for _, p := range picks {
			if err := e.promise(p.rc, after, combined); err != nil {
				p.res.Verdict, p.res.Reason = Unconfirmed, err.Error()
				p.res.Notes = lostInlining(e.diags, after, p.changes)
				e.report(p.res)
				continue
			}
			confirmed = append(confirmed, p)
		}
		if len(confirmed) < len(picks) {
			picks = confirmed
			continue
		}
		for _, p := range picks {
			p.res.Verdict, p.res.Reason = Kept, "compiler confirmed"
			p.res.Notes = lostInlining(e.diags, after, p.changes)
			e.report(p.res)
		}
		e.confirmed, e.exports, e.affected, e.keptNow = after, exports, affected, affected
		return e.keep(ctx, combined)
	}
	return nil
}

// confirmAlone compiles one pick on the kept code and reports it if it does not build.
func (e *engine) confirmAlone(ctx context.Context, p *pick) bool {
	files := map[string][]byte{}
	for name, b := range e.kept {
		files[name] = b
	}
	for name, b := range p.changes {
		files[name] = b
	}
	ov, err := writeOverlay(e.tmp, files)
	if err != nil {
		return false
	}
	defer ov.remove()
	_, broken, _, err := e.tool.diagnoseFor(ctx, p.affected, ov, false)
	if err == nil && !anyBroken(broken, p.affected) {
		return true
	}
	p.res.Verdict, p.res.Reason = BuildFailed, brokenMessage(broken, p.affected, p.t.path)
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
	var ts []*target
	for _, path := range e.paths() {
		ts = append(ts, e.targets[path])
	}
	dec := newDecoration(ts, e.fset, &e.renders)
	for _, p := range picks {
		pos := e.fset.Position(p.rc.c.Pos)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%s: rule %s: %v", pos, p.rc.rule.Name, r)
				}
			}()
			return p.rc.c.Fix(&Fix{node: dec.node})
		}()
		if err != nil {
			return nil, fmt.Errorf("%s: rule %s: %v", pos, p.rc.rule.Name, err)
		}
	}
	return dec.changed()
}

// report adds a candidate's result to the report.
func (e *engine) report(res *Result) {
	e.rep.Candidates = append(e.rep.Candidates, res)
	e.prog.verdict(res.Verdict)
	e.logf("%s %s:%d: %s %s", res.Rule, res.File, res.Line, res.Verdict, res.Reason)
}
