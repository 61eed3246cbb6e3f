package makecap

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// nilUses says how code can tell a nil seed from an empty one.
type nilUses struct {
	why    string // the first way; "" when there is none
	inLoop string // the first way inside the loop, where the seed is still nil before it first grows
	// recovers, for a named result: a deferred call may recover a panic in the loop, and the
	// function then returns the result as it is.
	recovers string
}

// nilObservable finds the uses of the seed in the function that could tell nil from empty. Only
// len, cap, indexing, range, copy and `s = append(s, …)` cannot.
func nilObservable(pass *rule.Pass, fd *ast.FuncDecl, loop ast.Stmt, seed *growSeed) nilUses {
	info := pass.Info
	var u nilUses
	name := seed.obj.Name()
	record := func(why string, at ast.Node) {
		if u.why == "" {
			u.why = why
		}
		if u.inLoop == "" && at.Pos() >= loop.Pos() && at.End() <= loop.End() {
			u.inLoop = why
		}
	}
	syntax.WalkStack(fd.Body, func(stack []ast.Node) bool {
		switch n := stack[len(stack)-1].(type) {
		case *ast.ReturnStmt:
			if seed.kind == seedResult && len(n.Results) == 0 && syntax.OutermostFunc(stack) == nil {
				record("nil vs empty observable: "+name+" is returned", n)
			}
		case *ast.Ident:
			if info.Uses[n] == seed.obj {
				if why := nilUse(info, seed, n, stack); why != "" {
					record(why, n)
				}
			}
		}
		return true
	})
	if seed.kind == seedResult {
		if at := syntax.MayRecover(pass, fd); at.IsValid() {
			u.recovers = fmt.Sprintf("nil vs empty observable: the deferred call at line %d may recover a panic, and the function then returns %s", pass.Position(at).Line, name)
			if u.why == "" {
				u.why = u.recovers
			}
		}
	}
	return u
}

// nilUse judges one use of the seed: why it could tell nil from empty, or "".
func nilUse(info *types.Info, seed *growSeed, id *ast.Ident, stack []ast.Node) string {
	name := seed.obj.Name()
	parent := stack[len(stack)-2]
	for _, a := range stack {
		if _, ok := a.(*ast.FuncLit); ok {
			return "nil vs empty observable: " + name + " is used by a closure"
		}
	}
	switch p := parent.(type) {
	case *ast.IndexExpr:
		if p.X == id {
			return ""
		}
	case *ast.RangeStmt:
		if p.X == id {
			return ""
		}
	case *ast.AssignStmt:
		if containsExpr(p.Lhs, id) {
			return "" // overwritten, not observed
		}
		return "nil vs empty observable: " + name + " is assigned to " + types.ExprString(p.Lhs[0])
	case *ast.SliceExpr:
		return "nil vs empty observable: " + name + " is sliced"
	case *ast.SendStmt:
		return "nil vs empty observable: " + name + " is sent on a channel"
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return "nil vs empty observable: " + name + " is stored in a composite literal"
	case *ast.ValueSpec:
		return "nil vs empty observable: " + name + " is assigned to " + p.Names[0].Name
	case *ast.CallExpr:
		switch {
		case syntax.IsBuiltin(info, p.Fun, "len"), syntax.IsBuiltin(info, p.Fun, "cap"), syntax.IsBuiltin(info, p.Fun, "copy"):
			return ""
		case syntax.IsBuiltin(info, p.Fun, "append") && len(p.Args) > 0 && p.Args[0] == id:
			if as, ok := stack[len(stack)-3].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && syntax.IsObj(info, as.Lhs[0], seed.obj) {
				return ""
			}
		}
		return "nil vs empty observable: " + name + " is passed to " + types.ExprString(p.Fun)
	case *ast.BinaryExpr:
		return "nil vs empty observable: " + name + " is compared to " + types.ExprString(otherSide(p, id))
	case *ast.ReturnStmt:
		return "nil vs empty observable: " + name + " is returned"
	}
	return fmt.Sprintf("nil vs empty observable: %s is used in %T", name, parent)
}

func otherSide(b *ast.BinaryExpr, id ast.Expr) ast.Expr {
	if b.X == id {
		return b.Y
	}
	return b.X
}

func containsExpr(list []ast.Expr, e ast.Expr) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}
