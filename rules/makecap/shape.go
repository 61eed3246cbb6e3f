package makecap

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// flowState is the set of what may have happened to the seed so far in one iteration.
type flowState uint8

const (
	notGrown flowState = 1 << iota
	grownOnce
	grownTwice
)

func (f flowState) grow() flowState {
	var out flowState
	if f&notGrown != 0 {
		out |= grownOnce
	}
	if f&(grownOnce|grownTwice) != 0 {
		out |= grownTwice
	}
	return out
}

// frame is a statement that a break or continue in the loop body can target.
type frame struct {
	label string
	loop  bool      // the target of an unlabeled continue
	ours  bool      // the loop that grows the seed
	brk   flowState // what reaches the end of the statement by a break
}

// shapeWalk follows the paths through one iteration of the loop body.
type shapeWalk struct {
	m       *growMatch
	sites   map[ast.Stmt]bool
	frames  []*frame
	pending string    // the label of the statement about to be walked
	cont    flowState // what reaches the next iteration by a continue
	leaves  string    // how the loop can end before its trip count
	why     string
}

// growthShape says whether the loop grows the seed exactly once per iteration (m.upper stays
// empty), at most once (m.upper says why only at most), or otherwise why the rule declines. Paths
// that leave the function (a return that does not return the seed, a panic) abandon the seed and
// do not count.
func (m *growMatch) growthShape() string {
	name := m.seed.obj.Name()
	for _, g := range m.grows {
		for _, n := range g.path {
			switch n.(type) {
			case *ast.FuncLit:
				return "the growth of " + name + " is in a closure"
			case *ast.ForStmt, *ast.RangeStmt:
				return "the growth of " + name + " is in an inner loop"
			}
		}
	}
	w := &shapeWalk{m: m, sites: map[ast.Stmt]bool{}}
	for _, g := range m.grows {
		w.sites[g.stmt] = true
	}
	w.frames = []*frame{{label: m.label, loop: true, ours: true}}
	out := w.list(m.body.List, notGrown)
	if w.why != "" {
		return w.why
	}
	end := out | w.cont
	switch {
	case end&grownTwice != 0:
		return fmt.Sprintf("%d places grow %s in one iteration", len(m.grows), name)
	case end&grownOnce == 0:
		return "no iteration that ends grows " + name
	}
	var upper []string
	if out&notGrown != 0 {
		upper = append(upper, "the growth of "+name+" is conditional"+m.conditionalWhere())
	}
	if w.cont&notGrown != 0 {
		upper = append(upper, "the loop can continue before the growth")
	}
	if w.leaves != "" {
		upper = append(upper, w.leaves)
	}
	for _, u := range upper {
		m.upper = join(m.upper, u)
	}
	return ""
}

// conditionalWhere names the statement that the first growth is inside: " (inside if)".
func (m *growMatch) conditionalWhere() string {
	for _, g := range m.grows {
		for _, n := range g.path {
			switch n.(type) {
			case *ast.IfStmt:
				return " (inside if)"
			case *ast.SwitchStmt, *ast.TypeSwitchStmt:
				return " (inside switch)"
			case *ast.SelectStmt:
				return " (inside select)"
			}
		}
	}
	return ""
}

func (w *shapeWalk) list(list []ast.Stmt, in flowState) flowState {
	for _, s := range list {
		in = w.stmt(s, in)
	}
	return in
}

func (w *shapeWalk) push(label string, loop bool) *frame {
	f := &frame{label: label, loop: loop}
	w.frames = append(w.frames, f)
	return f
}

func (w *shapeWalk) pop() { w.frames = w.frames[:len(w.frames)-1] }

// target finds the frame a break (loop false) or continue (loop true) goes to; nil: a statement
// outside the loop.
func (w *shapeWalk) target(label *ast.Ident, loop bool) *frame {
	for i := len(w.frames) - 1; i >= 0; i-- {
		f := w.frames[i]
		if label != nil && f.label == label.Name || label == nil && (f.loop || !loop) {
			return f
		}
	}
	return nil
}

func (w *shapeWalk) stmt(s ast.Stmt, in flowState) flowState {
	info, seed := w.m.pass.Info, w.m.seed
	name := seed.obj.Name()
	label := w.pending // the label of s, which a break or continue can name
	w.pending = ""
	switch s := s.(type) {
	case *ast.AssignStmt:
		if w.sites[s] {
			return in.grow()
		}
	case *ast.BlockStmt:
		return w.list(s.List, in)
	case *ast.LabeledStmt:
		w.pending = s.Label.Name
		return w.stmt(s.Stmt, in)
	case *ast.IfStmt:
		if s.Init != nil {
			in = w.stmt(s.Init, in)
		}
		out := w.stmt(s.Body, in)
		if s.Else != nil {
			return out | w.stmt(s.Else, in)
		}
		return out | in
	case *ast.SwitchStmt:
		if s.Init != nil {
			in = w.stmt(s.Init, in)
		}
		return w.clauses(label, s.Body, in)
	case *ast.TypeSwitchStmt:
		if s.Init != nil {
			in = w.stmt(s.Init, in)
		}
		return w.clauses(label, s.Body, in)
	case *ast.SelectStmt:
		f := w.push(label, false)
		var out flowState
		for _, cc := range s.Body.List {
			out |= w.list(cc.(*ast.CommClause).Body, in)
		}
		w.pop()
		return out | f.brk
	case *ast.ForStmt:
		f := w.push(label, true)
		w.stmt(s.Body, in)
		w.pop()
		return in | f.brk
	case *ast.RangeStmt:
		f := w.push(label, true)
		w.stmt(s.Body, in)
		w.pop()
		return in | f.brk
	case *ast.ReturnStmt:
		returns := syntax.Mentions(info, s, seed.obj) || len(s.Results) == 0 && seed.kind == seedResult
		if returns && w.why == "" {
			w.why = name + " is returned from inside the loop: it would keep the capacity of every iteration"
		}
		return 0
	case *ast.BranchStmt:
		switch s.Tok {
		case token.GOTO:
			if w.why == "" {
				w.why = "the loop body has a goto"
			}
			return 0
		case token.FALLTHROUGH:
			return in // the switch takes it to the next clause
		}
		f := w.target(s.Label, s.Tok == token.CONTINUE)
		switch {
		case f == nil:
			w.leaves = "the loop can be left for an outer " + s.Tok.String()
		case f.ours && s.Tok == token.CONTINUE:
			w.cont |= in
		case f.ours:
			w.leaves = "the loop can break"
		case s.Tok == token.BREAK:
			f.brk |= in
		}
		return 0
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			if syntax.IsBuiltin(info, call.Fun, "panic") {
				return 0
			}
			if fn, ok := typeutil.Callee(info, call).(*types.Func); ok && syntax.NeverReturns(fn) {
				return 0
			}
		}
	}
	return in
}

// clauses follows a switch's case clauses: each from the switch's state, or from the clause before
// it for a fallthrough; without a default clause, the state passes by.
func (w *shapeWalk) clauses(label string, body *ast.BlockStmt, in flowState) flowState {
	f := w.push(label, false)
	var out, fall flowState
	hasDefault := false
	for _, s := range body.List {
		cc := s.(*ast.CaseClause)
		if cc.List == nil {
			hasDefault = true
		}
		o := w.list(cc.Body, in|fall)
		fall = 0
		if n := len(cc.Body); n > 0 {
			if b, ok := cc.Body[n-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				fall = o
				continue
			}
		}
		out |= o
	}
	w.pop()
	if !hasDefault {
		out |= in
	}
	return out | f.brk
}
