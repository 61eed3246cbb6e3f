package sprintf

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file proves that an error operand is not nil where fmt formats it, so that err.Error()
// prints what fmt prints: fmt prints <nil> for a nil error, and err.Error() would panic.

var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// isErrorInterface reports whether t is an interface whose values are errors: error itself, or an
// interface that embeds it. fmt formats their dynamic values through Error for %v, %s, %q, %x, %X.
func isErrorInterface(t types.Type) bool {
	return types.IsInterface(t) && types.Implements(t, errorType)
}

// provenNonNil reports whether arg, an operand of the call at the top of stack, is a variable that
// cannot be nil there: a variable of the innermost function around the call, whose address is never
// taken and that no closure captures, and
//   - the call is in the body of `if v != nil && …` or in the else branch of `if v == nil || …`,
//     which does not assign v; or
//   - the call follows, in the same block, `if v == nil || … { …; return }` (or ending in break,
//     continue, panic or a call that never returns), and nothing from there to the call assigns v.
func provenNonNil(info *types.Info, stack []ast.Node, arg ast.Expr) bool {
	id, ok := ast.Unparen(arg).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	fn := -1
	for i := len(stack) - 1; i >= 0 && fn < 0; i-- {
		switch stack[i].(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			fn = i
		}
	}
	if fn < 0 || !declaredIn(stack[fn], v) || unstableLocals(info, stack[fn])[v] {
		return false
	}
	for i := len(stack) - 2; i > fn; i-- {
		child := stack[i+1]
		switch n := stack[i].(type) {
		case *ast.IfStmt:
			if child == n.Body && someOperand(n.Cond, token.LAND, func(x ast.Expr) bool { return isNilTest(info, x, v, token.NEQ) }) && !assigns(info, n.Body, v) {
				return true
			}
			if child == n.Else && someOperand(n.Cond, token.LOR, func(x ast.Expr) bool { return isNilTest(info, x, v, token.EQL) }) && !assigns(info, n.Else, v) {
				return true
			}
		case *ast.BlockStmt:
			if guardedBefore(info, n.List, child, v) {
				return true
			}
		case *ast.CaseClause:
			if guardedBefore(info, n.Body, child, v) {
				return true
			}
		case *ast.CommClause:
			if guardedBefore(info, n.Body, child, v) {
				return true
			}
		}
	}
	return false
}

// declaredIn reports whether v is declared in fn (a *ast.FuncDecl or *ast.FuncLit): a parameter,
// a result or a variable of its body.
func declaredIn(fn ast.Node, v *types.Var) bool {
	var typ *ast.FuncType
	var body *ast.BlockStmt
	switch f := fn.(type) {
	case *ast.FuncDecl:
		typ, body = f.Type, f.Body
	case *ast.FuncLit:
		typ, body = f.Type, f.Body
	}
	return body != nil && typ.Pos() <= v.Pos() && v.Pos() < body.End()
}

// guardedBefore reports whether a statement of list before child (the statement that holds the
// call) is `if v == nil || … { … }` without else whose body cannot fall through, and no statement
// from there to child, child included, assigns v.
func guardedBefore(info *types.Info, list []ast.Stmt, child ast.Node, v *types.Var) bool {
	at := -1
	for i, s := range list {
		if s == child {
			at = i
		}
	}
	for i := at - 1; i >= 0; i-- {
		if assigns(info, list[i], v) {
			return false
		}
		is, ok := list[i].(*ast.IfStmt)
		if !ok || is.Else != nil || is.Init != nil || len(is.Body.List) == 0 {
			continue
		}
		if someOperand(is.Cond, token.LOR, func(x ast.Expr) bool { return isNilTest(info, x, v, token.EQL) }) && cannotFallThrough(info, is.Body.List[len(is.Body.List)-1]) {
			return !assigns(info, child, v)
		}
	}
	return false
}

// cannotFallThrough reports whether s, the last statement of a block, leaves the block's statement
// list for good: return, break, continue, panic, or a call that never returns. (Not goto: it may
// jump to a label after the guard.)
func cannotFallThrough(info *types.Info, s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return s.Tok == token.BREAK || s.Tok == token.CONTINUE
	case *ast.ExprStmt:
		c, ok := s.X.(*ast.CallExpr)
		if !ok {
			return false
		}
		if syntax.IsBuiltin(info, c.Fun, "panic") {
			return true
		}
		fn, ok := typeutil.Callee(info, c).(*types.Func)
		return ok && syntax.NeverReturns(fn)
	}
	return false
}

// someOperand reports whether x, or one of the operands of a chain of op (&& or ||) in x, satisfies f.
func someOperand(x ast.Expr, op token.Token, f func(ast.Expr) bool) bool {
	x = ast.Unparen(x)
	if b, ok := x.(*ast.BinaryExpr); ok && b.Op == op {
		return someOperand(b.X, op, f) || someOperand(b.Y, op, f)
	}
	return f(x)
}

// isNilTest reports whether x is `v op nil` or `nil op v`.
func isNilTest(info *types.Info, x ast.Expr, v *types.Var, op token.Token) bool {
	b, ok := ast.Unparen(x).(*ast.BinaryExpr)
	if !ok || b.Op != op {
		return false
	}
	isNil := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		return ok && tv.IsNil()
	}
	return (syntax.IsObj(info, b.X, v) && isNil(b.Y)) || (isNil(b.X) && syntax.IsObj(info, b.Y, v))
}

// assigns reports whether n assigns v: an assignment or a range clause with v on the left.
func assigns(info *types.Info, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.RangeStmt:
			lhs = []ast.Expr{n.Key, n.Value}
		}
		for _, l := range lhs {
			if id, ok := ast.Unparen(l).(*ast.Ident); ok && (info.Uses[id] == v || info.Defs[id] == v) {
				found = true
			}
		}
		return !found
	})
	return found
}
