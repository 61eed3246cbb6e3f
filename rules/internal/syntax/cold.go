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
func TailRegions(info *types.Info, fd *ast.FuncDecl) []*Tail {
	fn, ok := info.Defs[fd.Name].(*types.Func)
	if !ok || fd.Body == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	hasResults := sig.Results().Len() > 0
	body := fd.Body
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
			if tv, ok := info.Types[s.Cond]; ok && tv.Value != nil {
				return out // runtime.GOOS == "linux": a build switch, and the compiler drops one side
			}
			guards = append(guards, s)
			fast = fast || Answers(info, sig, s)
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

// Answers reports whether the guard g of a function of signature sig is a fast path rather than an
// edge case: it returns a value that it found, at least one result that is an element (x[i],
// m[k]), a field (x.f), or a variable of the function that is not a parameter (the v of
// `v, ok := m[k]`); not a parameter returned unchanged, a constant, nil, an error, a literal, a
// comparison or a call. A guard that returns the named results bare answers when it assigns one a value it
// found; in a function without results, when it does its work in place before it returns:
// assignments and increments, no call.
func Answers(info *types.Info, sig *types.Signature, g *ast.IfStmt) bool {
	list := g.Body.List
	ret, ok := list[len(list)-1].(*ast.ReturnStmt)
	if !ok {
		return false
	}
	if len(ret.Results) == 0 && sig.Results().Len() > 0 {
		for _, s := range list[:len(list)-1] {
			as, ok := s.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != len(as.Rhs) {
				continue
			}
			for i, lhs := range as.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && isResult(sig, info.Uses[id]) && found(info, sig, as.Rhs[i]) {
					return true
				}
			}
		}
		return false
	}
	if len(ret.Results) == 0 {
		if len(list) == 1 {
			return false
		}
		for _, s := range list[:len(list)-1] {
			switch s.(type) {
			case *ast.AssignStmt, *ast.IncDecStmt:
			default:
				return false
			}
			called := false
			ast.Inspect(s, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if tv, ok := info.Types[call.Fun]; !ok || !tv.IsType() {
						called = true
					}
				}
				return !called
			})
			if called {
				return false
			}
		}
		return true
	}
	for _, r := range ret.Results {
		if found(info, sig, r) {
			return true
		}
	}
	return false
}

// found reports whether e is a value that a function found rather than was given or made: an
// element, a field, or a variable of the function that is not a parameter; not an error, which
// an edge case returns (`return nil, d.err`).
func found(info *types.Info, sig *types.Signature, e ast.Expr) bool {
	if tv, ok := info.Types[e]; !ok || tv.Value != nil || tv.IsNil() || types.Identical(tv.Type, types.Universe.Lookup("error").Type()) {
		return false
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		tv, ok := info.Types[e.X]
		return ok && !tv.IsType() // not an instantiation
	case *ast.SelectorExpr:
		sel, ok := info.Selections[e]
		return ok && sel.Kind() == types.FieldVal
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok || v.IsField() || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
			return false
		}
		return !isParam(sig, v)
	}
	return false
}

// isResult reports whether obj is a result of sig.
func isResult(sig *types.Signature, obj types.Object) bool {
	for i := 0; i < sig.Results().Len(); i++ {
		if sig.Results().At(i) == obj {
			return true
		}
	}
	return false
}

// isParam reports whether v is a parameter, the receiver or a result of sig.
func isParam(sig *types.Signature, v *types.Var) bool {
	if sig.Recv() == v {
		return true
	}
	for _, t := range []*types.Tuple{sig.Params(), sig.Results()} {
		for i := 0; i < t.Len(); i++ {
			if t.At(i) == v {
				return true
			}
		}
	}
	return false
}
