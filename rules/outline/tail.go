package outline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// hotTail says why the tail r of fd may be the function's hot path rather than its slow path, or "".
// With a profile that has samples in the function, the profile answers: the tail is hot when its
// lines hold more samples than the guards' lines. Without one the shape does: a guard that loops
// may be the slow part, and a tail that loops and calls nothing out of line (its weight is its
// own loop, not the loading, formatting or growing of a miss) may be the hot loop; the rule
// cannot tell them from a slow path and declines.
func hotTail(pass *rule.Pass, costs *coster, fd *ast.FuncDecl, r *region) string {
	t := r.tail
	first, last := r.Stmts[0], r.Stmts[len(r.Stmts)-1]
	tailSamples := pass.SamplesBetween(first.Pos(), last.End())
	guardSamples := pass.SamplesBetween(t.Prefix[0].Pos(), t.Prefix[len(t.Prefix)-1].End())
	if tailSamples+guardSamples > 0 {
		if tailSamples > guardSamples {
			return fmt.Sprintf("the profile puts %d samples on the tail and %d on the guards: the tail is the hot path", tailSamples, guardSamples)
		}
		return ""
	}
	for _, g := range t.Guards {
		if loops(g) {
			return fmt.Sprintf("the guard `if %s` loops: it may be the slow part and the tail the hot path", types.ExprString(g.Cond))
		}
	}
	looping, calls := false, false
	for _, s := range r.Stmts {
		looping = looping || loops(s)
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				calls = calls || costs.outOfLine(n)
			}
			return !calls
		})
	}
	if looping && !calls {
		return "the tail loops and calls nothing out of line: it may be the hot loop"
	}
	return ""
}

// loops reports whether n holds a loop outside function literals.
func loops(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			found = true
		}
		return !found
	})
	return found
}

// ownResults decides whether the slow path of the tail declares the function's named results as
// its own, and then drops them from its parameters: when the tail uses one or returns them bare.
// That is exact when they still hold their zero values where the tail starts (nothing before it
// assigns one, outside the guards' bodies, which return) and only the function reads and writes
// them (no closure captures one, no pointer to one is taken).
func (sc *scan) ownResults(t *syntax.Tail) (bool, string) {
	res := sc.sig.Results()
	if res.Len() == 0 || res.At(0).Name() == "" {
		return false, ""
	}
	isResult := map[*types.Var]bool{}
	for i := 0; i < res.Len(); i++ {
		isResult[res.At(i)] = true
	}
	uses := sc.bare
	var params []*types.Var
	for _, v := range sc.used {
		if isResult[v] {
			uses = true
		} else {
			params = append(params, v)
		}
	}
	if !uses {
		return false, ""
	}
	if v := sc.assignedBefore(t, isResult); v != nil {
		return false, fmt.Sprintf("assigns the named result %s before the tail, which its slow path would declare anew", v.Name())
	}
	captured, _, addressed := sc.readLater()
	for i := 0; i < res.Len(); i++ {
		switch v := res.At(i); {
		case captured[v]:
			return false, fmt.Sprintf("a closure captures the named result %s, which the tail's slow path would declare anew", v.Name())
		case addressed[v]:
			return false, fmt.Sprintf("takes the address of the named result %s, which the tail's slow path would declare anew", v.Name())
		}
	}
	sc.used = params
	var assigned []*types.Var
	for _, v := range sc.assigned {
		if !isResult[v] {
			assigned = append(assigned, v)
		}
	}
	sc.assigned = assigned
	return true, ""
}

// assignedBefore returns a variable of want that the statements before the tail assign (the
// guards' init statements and conditions included, their bodies left out), or nil.
func (sc *scan) assignedBefore(t *syntax.Tail, want map[*types.Var]bool) *types.Var {
	var found *types.Var
	check := func(lhs ast.Expr) {
		if v := sc.root(lhs); v != nil && want[v] && found == nil {
			found = v
		}
	}
	visit := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && sc.info.Defs[id] != nil {
					continue // a new variable
				}
				check(lhs)
			}
		case *ast.IncDecStmt:
			check(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, x := range []ast.Expr{n.Key, n.Value} {
					if x != nil {
						check(x)
					}
				}
			}
		}
		return found == nil
	}
	for _, s := range t.Prefix {
		g, ok := s.(*ast.IfStmt)
		if !ok {
			ast.Inspect(s, visit)
			continue
		}
		if g.Init != nil {
			ast.Inspect(g.Init, visit)
		}
		ast.Inspect(g.Cond, visit)
	}
	return found
}
