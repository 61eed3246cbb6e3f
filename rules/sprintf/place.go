package sprintf

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file answers the questions about where a call sits: does an expression have side effects
// or can it panic, can the formatting move before the call's statement, which names are free.

// pureBuiltins are the builtins that neither have side effects nor depend on evaluation order.
var pureBuiltins = map[string]bool{"len": true, "cap": true, "min": true, "max": true, "real": true, "imag": true, "complex": true}

// firstIn returns the first node of e, outside function literals (making a closure runs and reads
// nothing), that check flags; check also says whether to look inside a node it does not flag.
func firstIn(e ast.Expr, check func(n ast.Node) (bad ast.Expr, inside bool)) ast.Expr {
	var bad ast.Expr
	ast.Inspect(e, func(n ast.Node) bool {
		if bad != nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		var inside bool
		bad, inside = check(n)
		return bad == nil && inside
	})
	return bad
}

// sideEffect returns the first part of e that is a call (other than a conversion or a pure builtin)
// or a receive, or nil.
func sideEffect(info *types.Info, e ast.Expr) ast.Expr {
	return firstIn(e, func(n ast.Node) (ast.Expr, bool) {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				return n, false
			}
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				return nil, true
			}
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := info.Uses[id].(*types.Builtin); ok && pureBuiltins[b.Name()] {
					return nil, true
				}
			}
			return n, false
		}
		return nil, true
	})
}

// cannotPanic reports whether evaluating e can neither panic nor have side effects: constants,
// variables, fields of values (no pointer on the way), and arithmetic that cannot divide by zero or
// shift by a negative count.
func cannotPanic(info *types.Info, e ast.Expr) bool {
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return true
	}
	switch e := e.(type) {
	case *ast.Ident:
		_, isVar := info.Uses[e].(*types.Var)
		return isVar
	case *ast.ParenExpr:
		return cannotPanic(info, e.X)
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			return sel.Kind() == types.FieldVal && !sel.Indirect() && cannotPanic(info, e.X)
		}
		_, isVar := info.Uses[e.Sel].(*types.Var) // a package's variable
		return isVar
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.XOR, token.NOT, token.AND:
			return cannotPanic(info, e.X)
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.QUO, token.REM, token.SHL, token.SHR:
			return false
		}
		return cannotPanic(info, e.X) && cannotPanic(info, e.Y)
	case *ast.CallExpr:
		if len(e.Args) != 1 {
			return false
		}
		if tv, ok := info.Types[e.Fun]; ok && tv.IsType() {
			_, basic := tv.Type.Underlying().(*types.Basic)
			return basic && cannotPanic(info, e.Args[0])
		}
		if syntax.IsBuiltin(info, e.Fun, "len") || syntax.IsBuiltin(info, e.Fun, "cap") {
			return cannotPanic(info, e.Args[0])
		}
	}
	return false
}

// panicsOnlyByNil reports whether evaluating e can panic only by dereferencing a nil pointer, and
// has no side effects: what cannotPanic allows, and fields and values reached through pointers.
// Every nil dereference panics with the same runtime error, so two evaluations that can fail only
// that way fail alike in either order.
func panicsOnlyByNil(info *types.Info, e ast.Expr) bool {
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return true
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return panicsOnlyByNil(info, e.X)
	case *ast.StarExpr:
		return panicsOnlyByNil(info, e.X)
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			return sel.Kind() == types.FieldVal && panicsOnlyByNil(info, e.X)
		}
	case *ast.UnaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.XOR, token.NOT, token.AND:
			return panicsOnlyByNil(info, e.X)
		}
		return false
	case *ast.BinaryExpr:
		switch e.Op {
		case token.QUO, token.REM, token.SHL, token.SHR:
			return false
		}
		return panicsOnlyByNil(info, e.X) && panicsOnlyByNil(info, e.Y)
	case *ast.CallExpr:
		if len(e.Args) == 1 {
			if tv, ok := info.Types[e.Fun]; ok && tv.IsType() {
				_, basic := tv.Type.Underlying().(*types.Basic)
				return basic && panicsOnlyByNil(info, e.Args[0])
			}
			if syntax.IsBuiltin(info, e.Fun, "len") || syntax.IsBuiltin(info, e.Fun, "cap") {
				return panicsOnlyByNil(info, e.Args[0])
			}
		}
		return false
	}
	return cannotPanic(info, e)
}

// readsNoBytes reports whether evaluating e reads no byte that a []byte could share: no value of a
// byte slice, byte array or pointer to one, and no byte read by indexing or through a pointer
// (bytes of a string are fine: nothing appends into a string). Where the rewrite appends piece by
// piece into memory that an operand could share (a buffer's spare capacity, the slice being
// appended to), each operand must read nothing that an earlier append could have overwritten.
// Fields reached through a pointer to a struct are fine: a struct is not a byte array.
func readsNoBytes(info *types.Info, e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		x, isExpr := n.(ast.Expr)
		if !ok || !isExpr {
			return ok
		}
		if _, isLit := x.(*ast.FuncLit); isLit {
			return false
		}
		tv, has := info.Types[x]
		if !has || tv.IsType() || tv.Value != nil {
			return !has // a type or a constant reads no memory
		}
		if sharesBytes(tv.Type) {
			ok = false
			return false
		}
		switch x := x.(type) {
		case *ast.IndexExpr:
			if isByte(tv.Type) && !isString(info.TypeOf(x.X)) {
				ok = false
			}
		case *ast.StarExpr:
			if isByte(tv.Type) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// sharesBytes reports whether a value of type t is, or points to, bytes that a []byte can share.
func sharesBytes(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
		if isByte(t) {
			return true
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return isByte(u.Elem())
	case *types.Array:
		return isByte(u.Elem())
	}
	return false
}

func isByte(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Uint8
}

func isString(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// objectsOf returns the objects that e refers to.
func objectsOf(info *types.Info, e ast.Expr) map[types.Object]bool {
	objs := map[types.Object]bool{}
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] != nil {
			objs[info.Uses[id]] = true
		}
		return true
	})
	return objs
}

// placement is where a call sits: its statement, and whether formatting can move before it.
type placement struct {
	stmt      ast.Stmt
	container ast.Node // *ast.BlockStmt, *ast.CaseClause or *ast.CommClause that lists stmt
	parent    ast.Node // the call's parent node
	hoist     string   // why the formatting cannot move before stmt; "" if it can
}

// place looks at the path from the file down to the call (stack, the call last).
func place(info *types.Info, stack []ast.Node) placement {
	call := stack[len(stack)-1]
	var p placement
	if len(stack) >= 2 {
		p.parent = stack[len(stack)-2]
	}
	i := len(stack) - 2
	for ; i >= 0; i-- {
		if s, ok := stack[i].(ast.Stmt); ok {
			p.stmt = s
			break
		}
	}
	if p.stmt == nil {
		p.hoist = "the call is not inside a function body"
		return p
	}
	// The init statement of an if or switch runs first when its statement runs: formatting moves
	// before the if or switch.
	init := i
	for i > 0 && isInitOf(stack[i-1], stack[i]) {
		i--
		p.stmt = stack[i].(ast.Stmt)
	}
	if i > 0 {
		switch c := stack[i-1].(type) {
		case *ast.BlockStmt:
			p.container = c
		case *ast.CaseClause:
			p.container = c
		case *ast.CommClause:
			if c.Comm != p.stmt {
				p.container = c
			}
		}
	}
	if p.container == nil {
		p.hoist = "the call's statement is not directly in a block (a for header, an else if, a case of select, a labeled statement)"
		return p
	}
	// Walk up from the call: every operand evaluated besides the path to the call must be free of
	// calls and receives, so that formatting first changes nothing observable.
	child := call
	for j := len(stack) - 2; j >= init; j-- {
		if why := siblingsPure(info, stack[j], child); why != "" {
			p.hoist = why
			return p
		}
		child = stack[j]
	}
	return p
}

// isInitOf reports whether s is the init statement of n, an if or switch statement.
func isInitOf(n, s ast.Node) bool {
	switch n := n.(type) {
	case *ast.IfStmt:
		return n.Init != nil && n.Init == s
	case *ast.SwitchStmt:
		return n.Init != nil && n.Init == s
	case *ast.TypeSwitchStmt:
		return n.Init != nil && n.Init == s
	}
	return false
}

// siblingsPure checks the operands of n other than child.
func siblingsPure(info *types.Info, n, child ast.Node) string {
	var others []ast.Expr
	switch n := n.(type) {
	case *ast.CallExpr:
		others = append(others, n.Fun)
		others = append(others, n.Args...)
	case *ast.BinaryExpr:
		if (n.Op == token.LAND || n.Op == token.LOR) && child == n.Y {
			return "the call is evaluated only if " + types.ExprString(n.X) + " allows it"
		}
		others = []ast.Expr{n.X, n.Y}
	case *ast.ParenExpr, *ast.StarExpr, *ast.UnaryExpr, *ast.SelectorExpr, *ast.TypeAssertExpr, *ast.ExprStmt:
	case *ast.IndexExpr:
		others = []ast.Expr{n.X, n.Index}
	case *ast.SliceExpr:
		others = []ast.Expr{n.X, n.Low, n.High, n.Max}
	case *ast.KeyValueExpr:
		others = []ast.Expr{n.Key, n.Value}
	case *ast.CompositeLit:
		others = n.Elts
	case *ast.ReturnStmt:
		others = n.Results
	case *ast.AssignStmt:
		others = append(append(others, n.Lhs...), n.Rhs...)
	case *ast.ValueSpec:
		others = n.Values
	case *ast.GenDecl, *ast.DeclStmt:
	case *ast.SendStmt:
		others = []ast.Expr{n.Chan, n.Value}
	case *ast.DeferStmt:
		if child == n.Call {
			return "the call is deferred"
		}
	case *ast.GoStmt:
		if child == n.Call {
			return "the call runs in a new goroutine"
		}
	case ast.Stmt:
		return "the call is in the header of an if, for, switch or case"
	default:
		return fmt.Sprintf("the call is inside a %T", n)
	}
	for _, o := range others {
		if o == nil || ast.Node(o) == child {
			continue
		}
		if bad := sideEffect(info, o); bad != nil {
			return "the statement also evaluates " + types.ExprString(bad)
		}
	}
	return ""
}

// namer hands out names that collide with nothing the function uses, nothing in scope at pos, and
// nothing handed out to another candidate in the function (so that the build gate can make several
// of a function's rewrites together).
type namer struct {
	used  map[string]bool
	scope *types.Scope
	pos   token.Pos
}

// namesUsed holds, per function, the names it uses and the names handed out in it.
type namesUsed map[ast.Node]map[string]bool

func newNamer(pkg *types.Package, fn ast.Node, pos token.Pos, shared namesUsed) *namer {
	nm := &namer{used: shared[fn], pos: pos}
	if nm.used == nil {
		nm.used = map[string]bool{}
		if fn != nil {
			ast.Inspect(fn, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					nm.used[id.Name] = true
				}
				return true
			})
			shared[fn] = nm.used
		}
	}
	nm.scope = pkg.Scope().Innermost(pos)
	return nm
}

// fork returns a namer that sees the names taken so far and hands out its own: names that a
// variant of a rewrite uses, which is never made together with another rewrite of the function.
func (nm *namer) fork() *namer {
	used := make(map[string]bool, len(nm.used))
	for name := range nm.used {
		used[name] = true
	}
	return &namer{used: used, scope: nm.scope, pos: nm.pos}
}

// fresh returns base, base1, base2... whichever is free first.
func (nm *namer) fresh(base string) string {
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name = base + strconv.Itoa(i)
		}
		if nm.used[name] {
			continue
		}
		if nm.scope != nil {
			if _, obj := nm.scope.LookupParent(name, nm.pos); obj != nil {
				continue
			}
		}
		nm.used[name] = true
		return name
	}
}

// importable reports whether the package path can be named by its usual name at pos: nothing
// else in scope has that name, or it is that package.
func (nm *namer) importable(name, path string) bool {
	if nm.scope == nil {
		return false
	}
	_, obj := nm.scope.LookupParent(name, nm.pos)
	if obj == nil {
		return true
	}
	pn, ok := obj.(*types.PkgName)
	return ok && pn.Imported().Path() == path
}

// effectsKeepOrder says why a call whose operands include calls or receives (fc.effect) cannot be
// rewritten, or "" if it can. fmt evaluates every operand, in the order the language gives, before
// it formats any; the rewrite formats each operand as it evaluates it. Calls and receives stay in
// their order either way, and the output is the same when nothing a call can change is read
// outside it:
//   - a Sprintf or Sprint formats into a fresh result that no call can see; Fprintf writes into a
//     buffer that a call may write too, so its operands with calls are evaluated into variables
//     first (hoistable), and its writes follow;
//   - no []byte operand (a later call could change its bytes before fmt reads them);
//   - every variable read outside a function literal is a local of the function (a parameter
//     too) whose address is never taken, explicitly or by a method with a pointer receiver or a
//     slice of an array, and that no closure captures; through it, only fields of struct values,
//     elements of arrays and bytes of strings.
//
// alone says that the call is a statement of its own. The reason starts with ", " for the decline
// message.
func effectsKeepOrder(info *types.Info, fc *fmtCall, fn ast.Node, alone bool) string {
	if fc.name == "fmt.Fprintf" && !alone {
		return ", and Fprintf writes into a buffer that the call may also write, and its results are used"
	}
	for _, p := range fc.pieces {
		if p.arg != nil && p.kind == kindBytes {
			return ", and operand " + types.ExprString(p.arg) + " is a []byte whose bytes the call may change"
		}
	}
	if fn == nil {
		return ", outside a function"
	}
	unstable := unstableLocals(info, fn)
	sole := soleEffect(info, fc.args)
	for _, arg := range fc.args {
		if bad := unstableReadOutside(info, arg, unstable, sole); bad != nil {
			return ", and " + types.ExprString(bad) + " may change before fmt reads it"
		}
	}
	if fc.name == "fmt.Fprintf" {
		return hoistable(info, fc, unstable)
	}
	return ""
}

// hoistable says why Fprintf's operands with calls cannot be evaluated into variables before the
// writes, or "" if they can. Fprintf evaluates the writer and every operand before it writes; the
// rewrite evaluates the operands with calls first, in their order, then the writer and the other
// operands as it writes. The order of a call and of an operand without one is the language's to
// choose, so the others must read nothing a call can change (effectsKeepOrder) and must not panic
// (a panic before or after the call would differ in what the call did).
func hoistable(info *types.Info, fc *fmtCall, unstable map[*types.Var]bool) string {
	if bad := writerRead(info, fc.writer, unstable); bad != nil {
		return ", and Fprintf writes into " + types.ExprString(fc.writer) + ", which " + types.ExprString(bad) + " may change"
	}
	if !cannotPanic(info, fc.writer) && !addressOfVar(info, fc.writer) {
		return ", and the writer " + types.ExprString(fc.writer) + " may panic"
	}
	for _, arg := range fc.args {
		if sideEffect(info, arg) == nil && !cannotPanic(info, arg) {
			return ", and operand " + types.ExprString(arg) + " may panic"
		}
	}
	return ""
}

// writerRead returns the first read of the writer w's value that a call could change, or nil: the
// address of a variable (&v, &v.f of a struct value) reads nothing.
func writerRead(info *types.Info, w ast.Expr, unstable map[*types.Var]bool) ast.Expr {
	if addressOfVar(info, w) {
		return nil
	}
	return unstableRead(info, w, unstable)
}

// addressOfVar reports whether x is the address of a variable or of a field of a struct variable
// (not through a pointer): the same address wherever it is evaluated, and no panic.
func addressOfVar(info *types.Info, x ast.Expr) bool {
	u, ok := ast.Unparen(x).(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return false
	}
	for e := ast.Unparen(u.X); ; {
		switch v := e.(type) {
		case *ast.Ident:
			_, isVar := info.Uses[v].(*types.Var)
			return isVar
		case *ast.SelectorExpr:
			sel, ok := info.Selections[v]
			if !ok {
				_, isVar := info.Uses[v.Sel].(*types.Var) // a package's variable
				return isVar
			}
			if sel.Kind() != types.FieldVal || sel.Indirect() {
				return false
			}
			e = ast.Unparen(v.X)
		default:
			return false
		}
	}
}

// soleEffect returns the one call or receive among the operands (as sideEffect finds them, nested
// ones counted, function literals left out), or nil when there are more or none.
func soleEffect(info *types.Info, args []ast.Expr) ast.Expr {
	var sole ast.Expr
	n := 0
	for _, arg := range args {
		ast.Inspect(arg, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr, *ast.UnaryExpr:
				if e := x.(ast.Expr); sideEffect(info, e) == e {
					sole = e
					n++
				}
			}
			return true
		})
	}
	if n != 1 {
		return nil
	}
	return sole
}

// unstableReadOutside is unstableRead, but for the reads inside skip (the one call or receive of
// the operands, or nil): the language evaluates its function, receiver and operands before it
// runs, and there is no other call to change them meanwhile.
func unstableReadOutside(info *types.Info, e ast.Expr, unstable map[*types.Var]bool, skip ast.Expr) ast.Expr {
	check := unstableCheck(info, unstable)
	return firstIn(e, func(n ast.Node) (ast.Expr, bool) {
		if skip != nil && n == ast.Node(skip) {
			return nil, false
		}
		return check(n)
	})
}

// unstableRead returns the first read in e of a value that a call could change, or nil.
func unstableRead(info *types.Info, e ast.Expr, unstable map[*types.Var]bool) ast.Expr {
	return firstIn(e, unstableCheck(info, unstable))
}

// unstableCheck is unstableRead's check of one node, for firstIn.
func unstableCheck(info *types.Info, unstable map[*types.Var]bool) func(n ast.Node) (ast.Expr, bool) {
	return func(n ast.Node) (ast.Expr, bool) {
		switch n := n.(type) {
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if ok && !v.IsField() && (unstable[v] || v.Parent() == nil || v.Pkg() == nil || v.Parent() == v.Pkg().Scope()) {
				return n, false // a package's variable, or a local that a call may change
			}
		case *ast.SelectorExpr:
			sel, ok := info.Selections[n]
			if !ok {
				// pkg.Name: a package's variable is anyone's to change.
				if _, isVar := info.Uses[n.Sel].(*types.Var); isVar {
					return n, false
				}
				return nil, false
			}
			if sel.Kind() == types.FieldVal && sel.Indirect() {
				return n, false // through a pointer
			}
			return unstableRead(info, n.X, unstable), false
		case *ast.StarExpr:
			if tv, ok := info.Types[n]; ok && !tv.IsType() {
				return n, false
			}
		case *ast.IndexExpr:
			if tv, ok := info.Types[n.X]; ok {
				switch t := tv.Type.Underlying().(type) {
				case *types.Array:
				case *types.Basic:
					if t.Info()&types.IsString == 0 {
						return n, false
					}
				default:
					return n, false // a slice's or map's element, or a generic index
				}
			}
		case *ast.SliceExpr:
			if tv, ok := info.Types[n.X]; ok {
				if b, ok := tv.Type.Underlying().(*types.Basic); !ok || b.Info()&types.IsString == 0 {
					return n, false
				}
			}
		}
		return nil, true
	}
}

// unstableLocals returns the variables of fn (a *ast.FuncDecl or *ast.FuncLit) that something
// other than an assignment in fn could change: those whose address is taken (&v, a method with a
// pointer receiver on v, v[:] of an array) and those a function literal captures.
func unstableLocals(info *types.Info, fn ast.Node) map[*types.Var]bool {
	out := map[*types.Var]bool{}
	// root returns the variable that x is part of: v in v, v.f, v[i] of an array.
	var root func(x ast.Expr) *types.Var
	root = func(x ast.Expr) *types.Var {
		switch x := ast.Unparen(x).(type) {
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			return v
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[x]; ok && sel.Kind() == types.FieldVal && !sel.Indirect() {
				return root(x.X)
			}
		case *ast.IndexExpr:
			if tv, ok := info.Types[x.X]; ok {
				if _, isArray := tv.Type.Underlying().(*types.Array); isArray {
					return root(x.X)
				}
			}
		}
		return nil
	}
	mark := func(x ast.Expr) {
		if v := root(x); v != nil {
			out[v] = true
		}
	}
	var lits []*ast.FuncLit
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if n != fn {
				lits = append(lits, n)
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(n.X)
			}
		case *ast.SliceExpr:
			if tv, ok := info.Types[n.X]; ok {
				if _, isArray := tv.Type.Underlying().(*types.Array); isArray {
					mark(n.X)
				}
			}
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.MethodVal {
				if f, ok := sel.Obj().(*types.Func); ok {
					if _, ptr := f.Type().(*types.Signature).Recv().Type().(*types.Pointer); ptr {
						if _, isPtr := sel.Recv().Underlying().(*types.Pointer); !isPtr {
							mark(n.X) // v.M() with M on *T takes &v
						}
					}
				}
			}
		}
		return true
	})
	for _, lit := range lits {
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := info.Uses[id].(*types.Var); ok && !v.IsField() && (v.Pos() < lit.Pos() || v.Pos() >= lit.End()) {
					out[v] = true // captured
				}
			}
			return true
		})
	}
	return out
}
