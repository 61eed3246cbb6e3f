package ptrvalue

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file finds the references to a constructor and judges how each call site uses its
// result.

// references returns every reference to fn in the module's packages, calls and others.
func references(pass *rule.Pass, fn *types.Func) []reference {
	var out []reference
	path := fn.Pkg().Path()
	module := pass.Module
	if len(module) == 0 {
		module = []*rule.Pass{pass} // a Pass built without the module (the fixture harness) sees its own package
	}
	for _, q := range module {
		if !refersTo(q, path, fn.Exported()) {
			continue
		}
		for cur := range inspector.New(q.Files).Root().Preorder((*ast.Ident)(nil)) {
			id := cur.Node().(*ast.Ident)
			obj, ok := q.Info.Uses[id].(*types.Func)
			if !ok || obj.Pkg() == nil || obj.Pkg().Path() != path || obj.Name() != fn.Name() || obj.Signature().Recv() != nil {
				continue
			}
			stack := syntax.Stack(cur)
			s := reference{pass: q, file: stack[0].(*ast.File), stack: stack}
			i := len(stack) - 1
			var fun ast.Node = id
			if sel, ok := stack[i-1].(*ast.SelectorExpr); ok && sel.Sel == id {
				fun, i = sel, i-1
			}
			for i > 0 {
				if p, ok := stack[i-1].(*ast.ParenExpr); ok {
					fun, i = p, i-1
					continue
				}
				break
			}
			if call, ok := stack[i-1].(*ast.CallExpr); ok && call.Fun == fun {
				s.call = call
				s.stack = stack[:i:i]
			}
			out = append(out, s)
		}
	}
	return out
}

// refersTo reports whether package q can refer to a function of package path: its own package, or
// for an exported function, a package that imports path.
func refersTo(q *rule.Pass, path string, exported bool) bool {
	if q.Types == nil || q.Types.Path() == path {
		return true
	}
	if !exported {
		return false
	}
	for _, imp := range q.Types.Imports() {
		if imp.Path() == path {
			return true
		}
	}
	return false
}

// climbParens returns the index in stack of the outermost parenthesis around stack[i].
func climbParens(stack []ast.Node, i int) int {
	for i > 0 {
		p, ok := stack[i-1].(*ast.ParenExpr)
		if !ok || p.X != stack[i] {
			break
		}
		i--
	}
	return i
}

// place climbs from the expression stack[i] through the parentheses, field selections and array
// indexes that name a part of the same variable (x.f, x.arr[2], (x)), and returns the outermost
// such expression and its index.
func place(info *types.Info, stack []ast.Node, i int) (ast.Expr, int) {
	e := stack[i].(ast.Expr)
	for i > 0 {
		switch p := stack[i-1].(type) {
		case *ast.ParenExpr:
			e, i = p, i-1
			continue
		case *ast.SelectorExpr:
			if sel := info.Selections[p]; p.X == e && sel != nil && sel.Kind() == types.FieldVal {
				e, i = p, i-1
				continue
			}
		case *ast.IndexExpr:
			if p.X == e && isArray(info.TypeOf(e)) {
				e, i = p, i-1
				continue
			}
		}
		break
	}
	return e, i
}

// addressTaken reports whether the expression stack[i], or a field or array element of it, has
// its address taken: &x.f, x.arr[:], x.f.M() for a pointer-receiver M.
func addressTaken(info *types.Info, stack []ast.Node, i int) bool {
	e, i := place(info, stack, i)
	if i == 0 {
		return false
	}
	switch p := stack[i-1].(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		return p.X == e && sel != nil && ptrRecv(sel.Obj()) && !syntax.IsPointer(info.TypeOf(e))
	case *ast.UnaryExpr:
		return p.Op == token.AND
	case *ast.SliceExpr:
		return p.X == e && isArray(info.TypeOf(e))
	}
	return false
}

// assigned reports whether the expression stack[i], or a field or array element of it, is
// assigned to.
func assigned(info *types.Info, stack []ast.Node, i int) bool {
	e, i := place(info, stack, i)
	if i == 0 {
		return false
	}
	switch p := stack[i-1].(type) {
	case *ast.AssignStmt:
		return slices.Contains(p.Lhs, e)
	case *ast.IncDecStmt:
		return p.X == e
	case *ast.RangeStmt:
		return p.Key == e || p.Value == e
	}
	return false
}

func ptrRecv(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	return ok && fn.Signature().Recv() != nil && syntax.IsPointer(fn.Signature().Recv().Type())
}

func isArray(t types.Type) bool {
	_, ok := t.Underlying().(*types.Array)
	return ok
}

// isPtrT reports whether t is *T, comparing T by package path and name (t may come from another
// package's load).
func (pl *plan) isPtrT(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pl.named.Obj().Pkg().Path() && n.Obj().Name() == pl.tname
}

// site checks one call of the constructor and records its edits.
func (pl *plan) site(s reference) (token.Pos, string) {
	info := s.pass.Info
	stack := s.stack
	i := climbParens(stack, len(stack)-1)
	e := stack[i].(ast.Expr)
	call := types.ExprString(s.call)
	switch p := stack[i-1].(type) {
	case *ast.ExprStmt, *ast.GoStmt, *ast.DeferStmt:
		return token.NoPos, ""
	case *ast.AssignStmt:
		if len(p.Lhs) != 1 || len(p.Rhs) != 1 {
			return s.call.Pos(), fmt.Sprintf("%s is in a multi-value assignment", call)
		}
		if id, ok := p.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
			return token.NoPos, ""
		}
		if p.Tok != token.DEFINE {
			return s.call.Pos(), fmt.Sprintf("%s is assigned to %s, an existing variable or field: only p := %s(...) and var p = %s(...) are rewritten", call, types.ExprString(p.Lhs[0]), pl.fname, pl.fname)
		}
		if f, ok := stack[i-2].(*ast.ForStmt); ok && f.Init == p {
			return s.call.Pos(), fmt.Sprintf("%s initializes a for statement's variable, which each iteration copies", call)
		}
		v, ok := info.Defs[p.Lhs[0].(*ast.Ident)].(*types.Var)
		if !ok {
			return s.call.Pos(), fmt.Sprintf("%s is assigned to an existing variable", call)
		}
		return pl.variable(s, v)
	case *ast.ValueSpec:
		if len(p.Names) != 1 || len(p.Values) != 1 {
			return s.call.Pos(), fmt.Sprintf("%s is in a multi-value declaration", call)
		}
		if syntax.OutermostFunc(stack) == nil {
			return s.call.Pos(), fmt.Sprintf("%s initializes a package-level variable", call)
		}
		if p.Type != nil {
			st, ok := p.Type.(*ast.StarExpr)
			if !ok {
				return s.call.Pos(), fmt.Sprintf("%s initializes a variable of type %s", call, types.ExprString(p.Type))
			}
			pl.edits = append(pl.edits, edit{file: s.file, node: st})
		}
		if p.Names[0].Name == "_" {
			return token.NoPos, ""
		}
		return pl.variable(s, info.Defs[p.Names[0]].(*types.Var))
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if sel == nil {
			break
		}
		if sel.Kind() == types.MethodVal {
			switch {
			case ptrRecv(sel.Obj()):
				return s.call.Pos(), fmt.Sprintf("%s calls the pointer-receiver method %s on the result, which would not be addressable", call, sel.Obj().Name())
			case !isCallee(stack, i-1):
				return s.call.Pos(), fmt.Sprintf("%s.%s is a method value", call, sel.Obj().Name())
			}
			return token.NoPos, ""
		}
		if sel.Kind() == types.FieldVal {
			return pl.fieldUse(s, i-1)
		}
	case *ast.StarExpr:
		if assigned(info, stack, i-1) || addressTaken(info, stack, i-1) {
			return s.call.Pos(), fmt.Sprintf("*%s is assigned to or has its address taken, which a value result would not allow", call)
		}
		pl.stripStar(s.file, stack, i-1)
		return token.NoPos, ""
	}
	return s.call.Pos(), fmt.Sprintf("the result of %s is used as a *%s (%s): only p := %s(...), var p = %s(...), field reads and value-method calls are rewritten",
		call, pl.tname, useContext(info, stack, i, e), pl.fname, pl.fname)
}

// fieldUse checks newT(...).f at stack[i].
func (pl *plan) fieldUse(s reference, i int) (token.Pos, string) {
	if assigned(s.pass.Info, s.stack, i) || addressTaken(s.pass.Info, s.stack, i) {
		return s.call.Pos(), fmt.Sprintf("%s is assigned to or has its address taken, which a value result would not allow", types.ExprString(s.stack[i].(ast.Expr)))
	}
	return token.NoPos, ""
}

// stripStar records the edit of *x (stack[i]) into x; (*x) becomes x.
func (pl *plan) stripStar(file *ast.File, stack []ast.Node, i int) {
	var n ast.Node = stack[i]
	if p, ok := stack[i-1].(*ast.ParenExpr); ok {
		n = p
	}
	pl.edits = append(pl.edits, edit{file: file, node: n})
}

func isCallee(stack []ast.Node, i int) bool {
	j := climbParens(stack, i)
	c, ok := stack[j-1].(*ast.CallExpr)
	return ok && c.Fun == stack[j]
}

// variable checks every use of v, which holds the result of a call, and records the edits that
// make it a T: *v becomes v, and v where a *T is needed becomes &v.
func (pl *plan) variable(s reference, v *types.Var) (token.Pos, string) {
	info := s.pass.Info
	var pos token.Pos
	var why string
	var escaping *ast.FuncLit // a closure that captures v and escapes to the heap
	pl.addressed = false
	syntax.WalkStack(syntax.OutermostFunc(s.stack), func(stack []ast.Node) bool {
		id, ok := stack[len(stack)-1].(*ast.Ident)
		if !ok || why != "" || info.Uses[id] != v {
			return true
		}
		pos, why = id.Pos(), pl.use(s, stack, v)
		for _, n := range stack {
			if lit, ok := n.(*ast.FuncLit); ok && escaping == nil && (v.Pos() < lit.Pos() || v.Pos() >= lit.End()) && closureEscapes(s.pass, lit) {
				escaping = lit
			}
		}
		return true
	})
	if why != "" {
		return pos, why
	}
	// A closure captures a variable by value unless its address is taken (or it is reassigned,
	// declined above): once v is a T whose address a pointer-receiver method or a &v takes, an
	// escaping closure that captures it moves it to the heap, where the constructor put it before.
	if escaping != nil && pl.addressed {
		return escaping.Pos(), fmt.Sprintf("%s is captured by a closure that escapes to the heap (func literal at %s), and its address is taken: it would move to the heap",
			v.Name(), shortPos(s.pass, escaping.Pos()))
	}
	at := s.pass.Position(v.Pos())
	pl.lines = append(pl.lines, siteLine{file: at.Filename, line: at.Line, name: v.Name()})
	return token.NoPos, ""
}

// use checks one use of the variable v at the end of stack.
func (pl *plan) use(s reference, stack []ast.Node, v *types.Var) string {
	info := s.pass.Info
	id := stack[len(stack)-1].(*ast.Ident)
	i := climbParens(stack, len(stack)-1)
	e := stack[i].(ast.Expr)
	name := v.Name()
	switch p := stack[i-1].(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if p.X != e || sel == nil {
			break
		}
		if sel.Kind() == types.MethodVal && ptrRecv(sel.Obj()) {
			if _, seen := pl.methods[sel.Obj().Name()]; !seen {
				pl.methods[sel.Obj().Name()] = p.Sel.Pos()
			}
			pl.addressed = true
		}
		return ""
	case *ast.StarExpr:
		pl.stripStar(s.file, stack, i-1)
		return ""
	case *ast.UnaryExpr:
		return fmt.Sprintf("the address of %s is taken", name)
	case *ast.AssignStmt:
		if slices.Contains(p.Lhs, e) {
			return fmt.Sprintf("%s is reassigned", name)
		}
		k := slices.Index(p.Rhs, e)
		if k < 0 || len(p.Lhs) != len(p.Rhs) {
			break
		}
		return pl.takeAddress(s, id, info.TypeOf(p.Lhs[k]), "assigned to "+types.ExprString(p.Lhs[k]))
	case *ast.ValueSpec:
		k := slices.Index(p.Values, e)
		if k < 0 || len(p.Names) != len(p.Values) {
			break
		}
		return pl.takeAddress(s, id, info.TypeOf(p.Names[k]), "assigned to "+p.Names[k].Name)
	case *ast.ReturnStmt:
		sig := enclosingSignature(info, stack)
		k := slices.Index(p.Results, e)
		if sig == nil || k < 0 || sig.Results().Len() != len(p.Results) {
			break
		}
		return pl.takeAddress(s, id, sig.Results().At(k).Type(), "returned")
	case *ast.CallExpr:
		if k := slices.Index(p.Args, e); k >= 0 {
			if why, known := pl.argument(s, id, p, k); known {
				return why
			}
		}
	case *ast.BinaryExpr:
		other := p.X
		if other == e {
			other = p.Y
		}
		if tv, ok := info.Types[other]; ok && tv.IsNil() {
			return fmt.Sprintf("%s is compared with nil", name)
		}
		return pl.takeAddress(s, id, info.TypeOf(other), "compared with "+types.ExprString(other))
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return fmt.Sprintf("%s is stored in a composite literal", name)
	case *ast.SendStmt:
		return fmt.Sprintf("%s is sent on a channel", name)
	}
	return fmt.Sprintf("%s is used as a *%s (%s)", name, pl.tname, useContext(info, stack, i, e))
}

// takeAddress judges a use of the variable (id) where a value of type target is needed: a *T
// takes &id, which it records; anything else says why the use declines. where names the use.
func (pl *plan) takeAddress(s reference, id *ast.Ident, target types.Type, where string) string {
	if target == nil { // the blank identifier: _ = p still compiles, and means nothing either way
		return ""
	}
	if types.IsInterface(target) {
		return fmt.Sprintf("%s is converted to an interface (%s): its identity as a pointer would show", id.Name, where)
	}
	if !pl.isPtrT(target) {
		return fmt.Sprintf("%s is used as a %s (%s)", id.Name, target, where)
	}
	pl.edits = append(pl.edits, edit{file: s.file, node: id, addr: true})
	pl.addressed = true
	return ""
}

// argument judges the variable (id) passed as argument k of call: to a parameter of type *T that
// does not leak, it becomes &id. known is false when the parameter's type is not known (a call
// with args...), which the caller declines as any other use.
func (pl *plan) argument(s reference, id *ast.Ident, call *ast.CallExpr, k int) (why string, known bool) {
	name := id.Name
	tv := s.pass.Info.Types[call.Fun]
	if tv.IsType() || tv.IsBuiltin() {
		return fmt.Sprintf("%s is passed to %s", name, types.ExprString(call.Fun)), true
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || call.Ellipsis.IsValid() {
		return "", false
	}
	var t types.Type
	if n := sig.Params().Len(); sig.Variadic() && k >= n-1 {
		t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	} else {
		t = sig.Params().At(k).Type()
	}
	if pl.isPtrT(t) {
		if param := leakingParam(s.pass, call, k); param != "" {
			return fmt.Sprintf("%s is passed to %s, whose parameter %s leaks (`leaking param: %s`): &%s would move to the heap", name, types.ExprString(call.Fun), param, param, name), true
		}
	}
	return pl.takeAddress(s, id, t, "argument of "+types.ExprString(call.Fun)), true
}

// closureEscapes reports whether the compiler said that the closure lit escapes to the heap.
func closureEscapes(pass *rule.Pass, lit *ast.FuncLit) bool {
	for _, d := range pass.DiagsAt(lit.Pos(), diag.Escapes) {
		if d.Subject == "func literal" {
			return true
		}
	}
	return false
}

// leakingParam returns the name of the parameter of call's callee that takes argument k, when
// the compiler said that it leaks (`leaking param: x`): a function or method of the package, or a
// closure assigned once to a local variable. "" when it does not leak or the callee is not known.
func leakingParam(pass *rule.Pass, call *ast.CallExpr, k int) string {
	param, _ := calleeParam(pass, call, k)
	if param == nil {
		return ""
	}
	for _, d := range pass.DiagsAt(param.Pos(), diag.LeakingParam) {
		if d.Message == "leaking param: "+param.Name {
			return param.Name
		}
	}
	return ""
}

// calleeParam returns the declaration of the parameter of call's callee that takes argument k: a
// function or method of the package, or a closure assigned once to a local variable. found is
// false when the callee is not known (another package, an interface method, a function value, a
// variadic function, a method expression); param is nil when the parameter has no name or is _.
func calleeParam(pass *rule.Pass, call *ast.CallExpr, k int) (param *ast.Ident, found bool) {
	var params *ast.FieldList
	variadic := false
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident, *ast.SelectorExpr:
		var obj types.Object
		if id, ok := fun.(*ast.Ident); ok {
			obj = pass.Info.Uses[id]
		} else {
			sel := fun.(*ast.SelectorExpr)
			if s := pass.Info.Selections[sel]; s != nil && s.Kind() == types.MethodExpr {
				return nil, false // T.M(recv, args...): the arguments are shifted by the receiver
			}
			obj = pass.Info.Uses[sel.Sel]
		}
		switch obj := obj.(type) {
		case *types.Func:
			if obj.Pkg() != pass.Types {
				return nil, false
			}
			fd := syntax.FuncDecl(pass, obj)
			if fd == nil {
				return nil, false
			}
			params, variadic = fd.Type.Params, obj.Signature().Variadic()
		case *types.Var:
			lit := closureOf(pass, obj)
			if lit == nil {
				return nil, false
			}
			params = lit.Type.Params
			sig, _ := pass.Info.TypeOf(lit).(*types.Signature)
			variadic = sig != nil && sig.Variadic()
		}
	}
	if params == nil || variadic {
		return nil, false
	}
	var names []*ast.Ident
	for _, f := range params.List {
		if len(f.Names) == 0 {
			return nil, true // unnamed parameters: the callee cannot use them
		}
		names = append(names, f.Names...)
	}
	if k >= len(names) {
		return nil, false
	}
	if names[k].Name == "_" {
		return nil, true
	}
	return names[k], true
}

// closureOf returns the function literal that v is declared with (v := func(...) {...}), when v
// is never assigned again.
func closureOf(pass *rule.Pass, v *types.Var) *ast.FuncLit {
	var lit *ast.FuncLit
	assigned := 0
	for _, f := range pass.Files {
		if f.FileStart > v.Pos() || v.Pos() >= f.FileEnd {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					id, ok := l.(*ast.Ident)
					if !ok || pass.Info.Defs[id] != v && pass.Info.Uses[id] != v {
						continue
					}
					assigned++
					if len(n.Lhs) == len(n.Rhs) {
						lit, _ = n.Rhs[i].(*ast.FuncLit)
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if pass.Info.Defs[id] == v {
						assigned++
						if len(n.Names) == len(n.Values) {
							lit, _ = n.Values[i].(*ast.FuncLit)
						}
					}
				}
			case *ast.UnaryExpr:
				if id, ok := n.X.(*ast.Ident); ok && n.Op == token.AND && pass.Info.Uses[id] == v {
					assigned += 2 // its address is taken: it may change
				}
			}
			return true
		})
	}
	if assigned != 1 {
		return nil
	}
	return lit
}

// enclosingSignature returns the signature of the innermost function around the end of stack.
func enclosingSignature(info *types.Info, stack []ast.Node) *types.Signature {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.FuncLit:
			sig, _ := info.TypeOf(n).(*types.Signature)
			return sig
		case *ast.FuncDecl:
			if fn, ok := info.Defs[n.Name].(*types.Func); ok {
				return fn.Signature()
			}
			return nil
		}
	}
	return nil
}

// useContext names the use of e (stack[i]) in its parent, for a decline.
func useContext(info *types.Info, stack []ast.Node, i int, e ast.Expr) string {
	switch p := stack[i-1].(type) {
	case *ast.BinaryExpr:
		other := p.X
		if other == e {
			other = p.Y
		}
		if tv, ok := info.Types[other]; ok && tv.IsNil() {
			return "compared with nil"
		}
		return "compared with " + types.ExprString(other)
	case *ast.CallExpr:
		return "passed to " + types.ExprString(p.Fun)
	case *ast.ReturnStmt:
		return "returned"
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return "stored in a composite literal"
	case *ast.SendStmt:
		return "sent on a channel"
	case *ast.UnaryExpr:
		return p.Op.String() + " applied"
	}
	return "in a " + strings.TrimPrefix(fmt.Sprintf("%T", stack[i-1]), "*ast.")
}

// leakingReceivers declines when a pointer-receiver method called on a rewritten variable leaks
// its receiver: the variable would move to the heap.
func (pl *plan) leakingReceivers() (token.Pos, string) {
	for _, f := range pl.pass.Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || len(fd.Recv.List[0].Names) != 1 {
				continue
			}
			at, called := pl.methods[fd.Name.Name]
			if !called {
				continue
			}
			fn, ok := pl.pass.Info.Defs[fd.Name].(*types.Func)
			if !ok || !ptrRecv(fn) {
				continue
			}
			recvT := fn.Signature().Recv().Type().(*types.Pointer).Elem()
			if n, ok := types.Unalias(recvT).(*types.Named); !ok || n.Obj() != pl.named.Obj() {
				continue
			}
			recv := fd.Recv.List[0].Names[0]
			for _, dg := range pl.pass.DiagsAt(recv.Pos(), diag.LeakingParam) {
				if dg.Message == "leaking param: "+recv.Name {
					return at, fmt.Sprintf("pointer-receiver method %s leaks its receiver: the value would escape anyway", fd.Name.Name)
				}
			}
		}
	}
	return token.NoPos, ""
}
