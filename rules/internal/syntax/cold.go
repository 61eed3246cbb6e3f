package syntax

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// A ColdRegion is a run of statements that is cold by its shape: it ends in a return, a panic or a
// call that never returns, in an if branch, the error arm of an if/else, or a switch case other than
// the first. The outline rule moves such a region out of line; the noinline rule leaves alone a
// function called only from them.
type ColdRegion struct {
	Stmt  ast.Node // the if statement or the case clause: position and summary
	Block ast.Node // *ast.BlockStmt or *ast.CaseClause: the node whose statements these are
	Stmts []ast.Stmt
	Label string // "if v == nil", "else of if err == nil", "case 'x'"
	Ends  string // how they end: "return", "panic", "exit"
	Arm   bool   // an else block or a case clause: its statement may have to stay terminating
}

// ColdRegions returns the regions of body that are cold by their shape, outside function literals.
func ColdRegions(info *types.Info, body *ast.BlockStmt) []*ColdRegion {
	var out []*ColdRegion
	add := func(stmt, block ast.Node, stmts []ast.Stmt, label string, arm bool) {
		if end := coldEnd(info, stmts); end != "" {
			out = append(out, &ColdRegion{Stmt: stmt, Block: block, Stmts: stmts, Label: label, Ends: end, Arm: arm})
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.IfStmt:
			cond := "if " + types.ExprString(n.Cond)
			add(n, n.Body, n.Body.List, cond, false)
			if els, ok := n.Else.(*ast.BlockStmt); ok && isErrNilCheck(info, n.Cond, token.EQL) {
				add(n.Else, els, els.List, "else of "+cond, true)
			}
		case *ast.SwitchStmt:
			addClauses(n.Body, add)
		case *ast.TypeSwitchStmt:
			addClauses(n.Body, add)
		}
		return true
	})
	return out
}

func addClauses(body *ast.BlockStmt, add func(stmt, block ast.Node, stmts []ast.Stmt, label string, arm bool)) {
	for i, s := range body.List {
		cc := s.(*ast.CaseClause)
		if i == 0 {
			continue // the first case is taken to be the common one
		}
		label := "default"
		if cc.List != nil {
			var xs []string
			for _, x := range cc.List {
				xs = append(xs, types.ExprString(x))
			}
			label = "case " + strings.Join(xs, ", ")
		}
		add(cc, cc, cc.Body, label, true)
	}
}

// isErrNilCheck reports whether cond is `x op nil` with x of type error.
func isErrNilCheck(info *types.Info, cond ast.Expr, op token.Token) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != op {
		return false
	}
	isNil := func(e ast.Expr) bool { tv, ok := info.Types[e]; return ok && tv.IsNil() }
	isErr := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		return ok && types.Identical(tv.Type, types.Universe.Lookup("error").Type())
	}
	return isErr(b.X) && isNil(b.Y) || isNil(b.X) && isErr(b.Y)
}

// coldEnd says how stmts end when they end cold: "return", "panic" or "exit"; "" otherwise.
func coldEnd(info *types.Info, stmts []ast.Stmt) string {
	if len(stmts) == 0 {
		return ""
	}
	switch s := stmts[len(stmts)-1].(type) {
	case *ast.ReturnStmt:
		return "return"
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		if !ok {
			return ""
		}
		if IsBuiltin(info, call.Fun, "panic") {
			return "panic"
		}
		if fn, ok := typeutil.Callee(info, call).(*types.Func); ok && NeverReturns(fn) {
			return "exit"
		}
	}
	return ""
}

// NeverReturns reports whether fn is a standard function that does not return to its caller.
func NeverReturns(fn *types.Func) bool {
	switch fn.FullName() {
	case "os.Exit", "runtime.Goexit",
		"log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln",
		"(*log.Logger).Fatal", "(*log.Logger).Fatalf", "(*log.Logger).Fatalln",
		"(*log.Logger).Panic", "(*log.Logger).Panicf", "(*log.Logger).Panicln":
		return true
	}
	return false
}
