package rewrite

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/linediff"
)

// A candidate is tried once, though the rules match its package again after each kept rewrite,
// which moves its position. Its key (identify) is its rule, file, function and summary, and where it
// is in the user's file: the line and column of a line that the kept rewrites left as it was; on a
// line they changed, the changed run of lines that holds it and its place among the candidates
// alike (same rule, function and summary) in that run.
//
// A key that is not told apart by its place alone: the candidates alike of a run are taken for
// tried as far as tried and not kept ones lie in the run's original lines. One tried before a kept
// rewrite changed its line (a makecap candidate on a line that a kept Sprintf rewrite changed) is
// then not tried again, and one that a kept rewrite alike left behind is (three Twin() calls in one
// function: TestAlikeCandidatesAcrossRounds).

// identify gives each candidate its key.
func (e *engine) identify(cands []ruleCandidate) {
	type run struct {
		prefix string
		from   int
	}
	inRun := map[run][]int{}
	for i := range cands {
		rc := &cands[i]
		pos := e.fset.Position(rc.c.Pos)
		rc.prefix = rc.rule.Name + "\x00" + pos.Filename + "\x00" + diag.FuncName(rc.c.Func) + "\x00" + rc.c.Summary
		from, to, unchanged := e.origLines(pos.Filename, pos.Line)
		rc.from, rc.to, rc.moved = from, to, !unchanged
		if unchanged {
			rc.key = rc.prefix + "\x00" + strconv.Itoa(from) + ":" + strconv.Itoa(pos.Column)
			continue
		}
		r := run{rc.prefix, from}
		inRun[r] = append(inRun[r], i)
	}
	for r, idx := range inRun {
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(cands[a].c.Pos, cands[b].c.Pos) })
		for n, i := range idx {
			cands[i].n = n
			cands[i].key = r.prefix + "\x00run " + strconv.Itoa(r.from) + " #" + strconv.Itoa(n)
		}
	}
}

// origLines maps a line of file name as kept to the user's file: the same line when the kept
// rewrites left it as it was, else the original lines [from, to) of the changed run holding it.
func (e *engine) origLines(name string, line int) (from, to int, unchanged bool) {
	kept, ok := e.kept[name]
	if !ok {
		return line, line + 1, true
	}
	hs, ok := e.keptHunks[name]
	if !ok {
		orig, ok := e.orig[name]
		if !ok {
			return line, line + 1, true
		}
		hs = linediff.Hunks(orig, kept)
		if e.keptHunks == nil {
			e.keptHunks = map[string][]linediff.Hunk{}
		}
		e.keptHunks[name] = hs
	}
	for _, h := range hs {
		if line >= h.NewStart && line < h.NewStart+len(h.NewLines) {
			return h.OldStart, h.OldStart + max(h.OldLen, 1), false
		}
	}
	l, _ := linediff.UnchangedLine(hs, line)
	return l, l + 1, true
}

// triedSet holds the keys of the candidates tried (or reported without trying).
type triedSet struct {
	keys map[string]bool
	// lines holds, by key prefix, where the tried candidates that were not kept were in the user's
	// file (the first line of their run, for those on changed lines).
	lines map[string]map[string]int
}

func newTriedSet() *triedSet {
	return &triedSet{keys: map[string]bool{}, lines: map[string]map[string]int{}}
}

func (t *triedSet) has(rc ruleCandidate) bool {
	if t.keys[rc.key] {
		return true
	}
	if !rc.moved {
		return false
	}
	n := 0
	for _, l := range t.lines[rc.prefix] {
		if rc.from <= l && l < rc.to {
			n++
		}
	}
	return rc.n < n
}

func (t *triedSet) add(rc ruleCandidate) {
	t.keys[rc.key] = true
	if t.lines[rc.prefix] == nil {
		t.lines[rc.prefix] = map[string]int{}
	}
	t.lines[rc.prefix][rc.key] = rc.from
}

// kept says that rc's rewrite was kept: the candidate is gone from the code.
func (t *triedSet) kept(rc ruleCandidate) {
	delete(t.lines[rc.prefix], rc.key)
}

// forget takes rc back: it is to be tried again.
func (t *triedSet) forget(rc ruleCandidate) {
	delete(t.keys, rc.key)
	delete(t.lines[rc.prefix], rc.key)
}

// len is how many candidates were tried.
func (t *triedSet) len() int { return len(t.keys) }
