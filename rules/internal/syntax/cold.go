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

// A Tail is the rest of a function body after one of its leading guard clauses: the slow path
// when the guards are its fast path.
type Tail struct {
	Region *ColdRegion   // the statements after the guard, to the end of the body
	Guards []*ast.IfStmt // the guards before the tail, in order
	Prefix []ast.Stmt    // every statement before the tail: the guards and the simple statements among them
}

// TailRegions returns the tails of body, shortest first. The body must open with a run of guards
// (an if statement without else whose body ends in a return, a panic or a call that never
// returns) and simple statements (assignments, variable declarations, calls, increments); each
// guard of that run that is a fast path (Answers), or follows one, starts a tail: what follows
// it, to the end of the body. When the function has results a tail must end in a return or a
// panic; without results it may end in anything.
func TailRegions(info *types.Info, body *ast.BlockStmt, hasResults bool) []*Tail {
	var out []*Tail
	var guards []*ast.IfStmt
	fast := false
	for i, s := range body.List {
		switch s := s.(type) {
		case *ast.IfStmt:
			end := coldEnd(info, s.Body.List)
			if s.Else != nil || end == "" {
				return out
			}
			guards = append(guards, s)
			fast = fast || Answers(info, s)
			stmts := body.List[i+1:]
			if !fast || len(stmts) == 0 {
				continue
			}
			tailEnd := coldEnd(info, stmts)
			if hasResults && tailEnd != "return" && tailEnd != "panic" {
				continue
			}
			out = append([]*Tail{{
				Region: &ColdRegion{Stmt: stmts[0], Block: body, Stmts: stmts, Label: "tail after if " + types.ExprString(s.Cond), Ends: tailEnd},
				Guards: guards[:len(guards):len(guards)],
				Prefix: body.List[: i+1 : i+1],
			}}, out...)
		case *ast.AssignStmt, *ast.IncDecStmt, *ast.ExprStmt, *ast.EmptyStmt:
		case *ast.DeclStmt:
			if gd, ok := s.Decl.(*ast.GenDecl); !ok || gd.Tok != token.VAR {
				return out
			}
		default:
			return out
		}
	}
	return out
}

// Answers reports whether the guard g is a fast path rather than an edge case: its body ends in a
// return that gives a value the function found, at least one result that is not a constant, nil,
// a value of type error, a function literal or a composite literal (`return t.names[i]`, not
// `return 0, errClosed`); or, without results, it does something before it returns.
func Answers(info *types.Info, g *ast.IfStmt) bool {
	list := g.Body.List
	ret, ok := list[len(list)-1].(*ast.ReturnStmt)
	if !ok {
		return false
	}
	if len(ret.Results) == 0 {
		return len(list) > 1
	}
	errType := types.Universe.Lookup("error").Type()
	for _, r := range ret.Results {
		r = ast.Unparen(r)
		if u, ok := r.(*ast.UnaryExpr); ok && u.Op == token.AND {
			r = ast.Unparen(u.X)
		}
		switch r.(type) {
		case *ast.FuncLit, *ast.CompositeLit:
			continue
		}
		tv, ok := info.Types[r]
		if !ok || tv.Value != nil || tv.IsNil() || types.Identical(tv.Type, errType) {
			continue
		}
		return true
	}
	return false
}
