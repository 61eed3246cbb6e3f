package ptrvalue

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file judges the constructor that builds its result through a pointer and fills it in:
//
//	b := &T{...}         (or b := new(T))
//	b.f = ...; b.m(); fill(b)
//	return b
//
// b is as fresh as `return &v` when it is assigned once, from &T{...} or new(T), and used only
// through its fields, its methods and helpers that do not keep it: as a T, it keeps b.f and b.m()
// (Go takes the address of an addressable value for a pointer method), fill(b) becomes fill(&b),
// and `return b` returns the value.

// pointerDecl returns the declaration of v in body when it is `v := &T{...}`, `v := new(T)` or
// the var forms of them (`var v = ...`, `var v *T = ...`), with its edits; ok is false otherwise.
func (pl *plan) pointerDecl(file *ast.File, body *ast.BlockStmt, v *types.Var) (edits []edit, ok bool) {
	info := pl.pass.Info
	var stack []ast.Node
	syntax.WalkStack(body, func(s []ast.Node) bool {
		if id, ok := s[len(s)-1].(*ast.Ident); ok && stack == nil && info.Defs[id] == v {
			stack = slices.Clone(s)
		}
		return stack == nil
	})
	if len(stack) < 2 {
		return nil, false
	}
	var init ast.Expr
	var stmt ast.Node // the AssignStmt or the ValueSpec
	inList := false   // the statement stands in a statement list, where var v T can
	switch p := stack[len(stack)-2].(type) {
	case *ast.AssignStmt:
		if p.Tok != token.DEFINE || len(p.Lhs) != 1 || len(p.Rhs) != 1 {
			return nil, false
		}
		init, stmt = p.Rhs[0], p
		switch stack[len(stack)-3].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			inList = true
		}
	case *ast.ValueSpec:
		if len(p.Names) != 1 || len(p.Values) != 1 {
			return nil, false
		}
		init, stmt, inList = p.Values[0], p, true
		if p.Type != nil {
			st, ok := p.Type.(*ast.StarExpr)
			if !ok {
				return nil, false
			}
			edits = append(edits, edit{file: file, node: st})
		}
	default:
		return nil, false
	}
	switch x := ast.Unparen(init).(type) {
	case *ast.UnaryExpr:
		lit, ok := ast.Unparen(x.X).(*ast.CompositeLit)
		if x.Op != token.AND || !ok || !types.Identical(info.TypeOf(lit), pl.named) {
			return nil, false
		}
		return append(edits, edit{file: file, node: x}), true
	case *ast.CallExpr:
		if !syntax.IsBuiltin(info, x.Fun, "new") || len(x.Args) != 1 {
			return nil, false
		}
		if tv, ok := info.Types[x.Args[0]]; !ok || !tv.IsType() || !types.Identical(tv.Type, pl.named) {
			return nil, false // new(expr), which Go 1.26 allows, copies a value
		}
		if !inList {
			return nil, false // if v := new(T); ...: no room for var v T
		}
		return []edit{{file: file, node: stmt, zero: true}}, true // the star of var v *T goes with it
	}
	return nil, false
}

// freshPointer checks every use of v, the *T variable that the constructor fd declares with
// pointerDecl and returns, and records the edits that make it a T. It returns the position and the
// reason of the first use that would change meaning or move v to the heap.
func (pl *plan) freshPointer(file *ast.File, fd *ast.FuncDecl, v *types.Var) (token.Pos, string) {
	info := pl.pass.Info
	var pos token.Pos
	var why string
	var methods []called // pointer-receiver methods called on v, each at its first call
	syntax.WalkStack(fd.Body, func(stack []ast.Node) bool {
		id, ok := stack[len(stack)-1].(*ast.Ident)
		if !ok || why != "" || info.Uses[id] != v {
			return why == ""
		}
		pos, why = id.Pos(), pl.pointerUse(file, stack, &methods)
		return false
	})
	if why != "" {
		return pos, why
	}
	for _, c := range methods {
		if why := pl.receiverKept(c.method); why != "" {
			return c.at, why
		}
	}
	pl.locals[v.Name()] = true // confirm: v, now a T, must not move to the heap
	return token.NoPos, ""
}

// called is a method called on the constructor's variable, at its first call.
type called struct {
	method *types.Func
	at     token.Pos
}

// pointerUse judges one use of the constructor's variable, the identifier at the end of stack.
func (pl *plan) pointerUse(file *ast.File, stack []ast.Node, methods *[]called) string {
	info := pl.pass.Info
	id := stack[len(stack)-1].(*ast.Ident)
	name := id.Name
	for k, n := range stack {
		switch n.(type) {
		case *ast.FuncLit:
			if why := pl.closureKept(stack[:k+1], name); why != "" {
				return why
			}
		case *ast.GoStmt:
			return fmt.Sprintf("%s is used by a go statement: the goroutine could outlive the copy that the constructor returns", name)
		case *ast.DeferStmt:
			return fmt.Sprintf("%s is used by a deferred call, which runs after the constructor copies its result", name)
		}
	}
	i := climbParens(stack, len(stack)-1)
	e := stack[i].(ast.Expr)
	switch p := stack[i-1].(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if p.X != e || sel == nil {
			break
		}
		if sel.Kind() == types.FieldVal {
			if addressTaken(info, stack, i) {
				return pl.fieldAddress(file, stack, i, methods)
			}
			return ""
		}
		m := sel.Obj().(*types.Func)
		if !isCallee(stack, i-1) {
			return fmt.Sprintf("%s.%s is a method value", name, m.Name())
		}
		if ptrRecv(m) && !throughPointer(pl.named, sel.Index()) {
			addMethod(methods, m, p.Sel.Pos()) // of T, or of a field embedded by value
		}
		return ""
	case *ast.StarExpr:
		if addressTaken(info, stack, i-1) {
			return fmt.Sprintf("the address of *%s or a part of it is taken", name)
		}
		pl.stripStar(file, stack, i-1)
		return ""
	case *ast.ReturnStmt:
		return "" // return v, the only return (pl.returns)
	case *ast.CallExpr:
		if k := slices.Index(p.Args, e); k >= 0 {
			return pl.pointerArgument(file, id, p, k)
		}
	case *ast.UnaryExpr:
		if p.Op == token.AND {
			return fmt.Sprintf("the address of %s is taken", name)
		}
	case *ast.BinaryExpr:
		other := p.X
		if other == e {
			other = p.Y
		}
		if tv, ok := info.Types[other]; ok && tv.IsNil() {
			return fmt.Sprintf("%s is compared with nil", name)
		}
		return fmt.Sprintf("%s is compared with %s", name, types.ExprString(other))
	case *ast.AssignStmt:
		if slices.Contains(p.Lhs, e) {
			return fmt.Sprintf("%s is reassigned", name)
		}
		if k := slices.Index(p.Rhs, e); k >= 0 && len(p.Lhs) == len(p.Rhs) {
			return stored(info, name, p.Lhs[k])
		}
	case *ast.ValueSpec:
		if k := slices.Index(p.Values, e); k >= 0 && len(p.Names) == len(p.Values) {
			return stored(info, name, p.Names[k])
		}
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return fmt.Sprintf("%s is stored in a composite literal", name)
	case *ast.SendStmt:
		return fmt.Sprintf("%s is sent on a channel", name)
	}
	return fmt.Sprintf("%s is used as a *%s (%s)", name, pl.tname, useContext(info, stack, i, e))
}

// fieldAddress judges a use of the constructor's variable (stack[i]) where the address of one of
// its fields, or of a part of one, is taken: as the receiver of a pointer method of the package
// (b.f.m(), which receiverKept judges), or as &b.f passed to a *F parameter that does not leak. The
// address would point into the constructor's copy: anything else declines.
func (pl *plan) fieldAddress(file *ast.File, stack []ast.Node, i int, methods *[]called) string {
	info := pl.pass.Info
	f, j := place(info, stack, i)
	part := types.ExprString(f)
	switch p := stack[j-1].(type) {
	case *ast.SelectorExpr:
		if sel := info.Selections[p]; sel != nil && sel.Kind() == types.MethodVal && isCallee(stack, j-1) {
			addMethod(methods, sel.Obj().(*types.Func), p.Sel.Pos())
			return ""
		}
	case *ast.UnaryExpr:
		k := climbParens(stack, j-1)
		call, ok := stack[k-1].(*ast.CallExpr)
		if !ok {
			break
		}
		if arg := slices.Index(call.Args, stack[k].(ast.Expr)); arg >= 0 && !call.Ellipsis.IsValid() {
			param, found := calleeParam(pl.pass, call, arg)
			if !found {
				return fmt.Sprintf("&%s is passed to %s, whose parameter the compiler gives no verdict on here (another package or a function value)", part, types.ExprString(call.Fun))
			}
			return pl.paramKept(param, fmt.Sprintf("&%s is passed to %s", part, types.ExprString(call.Fun)))
		}
	}
	return fmt.Sprintf("the address of %s is taken: it would point into the constructor's copy", part)
}

// addMethod records the first call of the pointer method m on the constructor's variable or a part
// of it.
func addMethod(methods *[]called, m *types.Func, at token.Pos) {
	if !slices.ContainsFunc(*methods, func(c called) bool { return c.method == m }) {
		*methods = append(*methods, called{m, at})
	}
}

// closureKept judges a closure (the last of stack, a path from the constructor's body down) that
// captures the constructor's variable (name). A closure that does not escape dies with the
// constructor, whatever it captured, and the uses inside it are judged as any other; but a deferred
// call could call it after the constructor copied its result.
func (pl *plan) closureKept(stack []ast.Node, name string) string {
	lit := stack[len(stack)-1].(*ast.FuncLit)
	if closureEscapes(pl.pass, lit) {
		return fmt.Sprintf("%s is captured by a closure that escapes (`func literal escapes to heap`): it could outlive the copy that the constructor returns", name)
	}
	if hasDefer(stack[0]) {
		return fmt.Sprintf("%s is captured by a closure, and the constructor defers calls, which could call it after the constructor copies its result", name)
	}
	if d := closureStays(pl.pass, lit); d != nil {
		pl.cite(*d)
		return ""
	}
	if onlyCalled(pl.pass.Info, stack) {
		return ""
	}
	return fmt.Sprintf("%s is captured by a closure that the compiler gives no `does not escape` for", name)
}

// hasDefer reports whether body has a defer statement outside function literals.
func hasDefer(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// onlyCalled reports whether the closure at the end of stack (a path from a function body down)
// never leaves the function as a value: it is called where it stands, or it initializes a local
// variable that is only ever called, outside go statements. The compiler, which inlines such a
// closure at its calls, then gives no verdict on it.
func onlyCalled(info *types.Info, stack []ast.Node) bool {
	i := climbParens(stack, len(stack)-1)
	lit := stack[i].(ast.Expr)
	var id *ast.Ident
	switch p := stack[i-1].(type) {
	case *ast.CallExpr:
		return p.Fun == lit
	case *ast.AssignStmt:
		if k := slices.Index(p.Rhs, lit); k >= 0 && p.Tok == token.DEFINE && len(p.Lhs) == len(p.Rhs) {
			id, _ = p.Lhs[k].(*ast.Ident)
		}
	case *ast.ValueSpec:
		if k := slices.Index(p.Values, lit); k >= 0 && len(p.Names) == len(p.Values) {
			id = p.Names[k]
		}
	}
	v, ok := info.Defs[id].(*types.Var)
	if id == nil || !ok {
		return false
	}
	called := true
	syntax.WalkStack(stack[0], func(s []ast.Node) bool {
		if use, ok := s[len(s)-1].(*ast.Ident); ok && info.Uses[use] == v {
			j := climbParens(s, len(s)-1)
			call, ok := s[j-1].(*ast.CallExpr)
			called = ok && call.Fun == s[j]
			if called {
				_, inGo := s[j-2].(*ast.GoStmt)
				called = !inGo
			}
		}
		return called
	})
	return called
}

// closureStays returns the compiler's `func literal does not escape` for lit, or nil.
func closureStays(pass *rule.Pass, lit *ast.FuncLit) *diag.Diagnostic {
	for _, d := range pass.DiagsAt(lit.Pos(), diag.NoEscape) {
		if d.Subject == "func literal" {
			return &d
		}
	}
	return nil
}

// cite adds d to the evidence of the rewrite, once.
func (pl *plan) cite(d diag.Diagnostic) {
	if !slices.ContainsFunc(pl.evidence, func(e diag.Diagnostic) bool {
		return e.File == d.File && e.Line == d.Line && e.Col == d.Col && e.Message == d.Message
	}) {
		pl.evidence = append(pl.evidence, d)
	}
}

// stored names the assignment of the constructor's variable (name) to lhs.
func stored(info *types.Info, name string, lhs ast.Expr) string {
	if t := info.TypeOf(lhs); t != nil && types.IsInterface(t) {
		return fmt.Sprintf("%s is converted to an interface (assigned to %s): its identity as a pointer would show", name, types.ExprString(lhs))
	}
	if id, ok := lhs.(*ast.Ident); ok && id.Name == "_" {
		return ""
	}
	return fmt.Sprintf("%s is stored in %s: two names for the object, one of them left pointing at the constructor's copy", name, types.ExprString(lhs))
}

// pointerArgument judges the constructor's variable (id) passed as argument k of call: to a *T
// parameter that the compiler says does not leak, it becomes &id.
func (pl *plan) pointerArgument(file *ast.File, id *ast.Ident, call *ast.CallExpr, k int) string {
	name, fun := id.Name, types.ExprString(call.Fun)
	tv := pl.pass.Info.Types[call.Fun]
	switch {
	case tv.IsType() && types.IsInterface(tv.Type):
		return fmt.Sprintf("%s is converted to an interface (%s): its identity as a pointer would show", name, fun)
	case tv.IsType():
		return fmt.Sprintf("%s is converted to %s", name, fun)
	case syntax.IsBuiltin(pl.pass.Info, call.Fun, "append"):
		return fmt.Sprintf("%s is stored in a slice (append)", name)
	case tv.IsBuiltin():
		return fmt.Sprintf("%s is passed to %s", name, fun)
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || call.Ellipsis.IsValid() {
		return fmt.Sprintf("%s is passed to %s", name, fun)
	}
	var t types.Type
	if n := sig.Params().Len(); sig.Variadic() && k >= n-1 {
		t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	} else {
		t = sig.Params().At(k).Type()
	}
	if types.IsInterface(t) {
		return fmt.Sprintf("%s is converted to an interface (argument of %s): its identity as a pointer would show", name, fun)
	}
	if !pl.isPtrT(t) {
		return fmt.Sprintf("%s is used as a %s (argument of %s)", name, t, fun)
	}
	param, found := calleeParam(pl.pass, call, k)
	if !found {
		return fmt.Sprintf("%s is passed to %s, whose parameter the compiler gives no verdict on here (another package or a function value): it could keep %s", name, fun, name)
	}
	if why := pl.paramKept(param, fmt.Sprintf("%s is passed to %s", name, fun)); why != "" {
		return why
	}
	pl.edits = append(pl.edits, edit{file: file, node: id, addr: true})
	return ""
}

// paramKept checks that the compiler says the parameter declared at param (nil: unnamed or _)
// does not keep its argument, and cites that as evidence; otherwise it says why not, after what,
// which names the argument and the call.
func (pl *plan) paramKept(param *ast.Ident, what string) string {
	if param == nil {
		return "" // a parameter without a name is never used
	}
	leak, kept := paramVerdict(pl.pass, param)
	if leak != "" {
		return fmt.Sprintf("%s, whose parameter %s leaks (`%s`): it would keep a pointer to the constructor's copy", what, param.Name, leak)
	} else if kept == nil {
		return fmt.Sprintf("%s, whose parameter %s has no `does not escape` from the compiler", what, param.Name)
	}
	pl.cite(*kept)
	return ""
}

// receiverKept checks a pointer-receiver method called on the constructor's variable or on a field
// of it: a method of the package, whose receiver the compiler must say does not leak, to the heap
// or to a result.
func (pl *plan) receiverKept(m *types.Func) string {
	m = m.Origin()
	if m.Pkg() != pl.pass.Types {
		return fmt.Sprintf("pointer-receiver method %s is of another package: no compiler verdict here on whether it keeps its receiver", m.FullName())
	}
	fd := syntax.FuncDecl(pl.pass, m)
	if fd == nil {
		return fmt.Sprintf("pointer-receiver method %s is not among the package's files that gcfix reads: no compiler verdict on its receiver", m.FullName())
	}
	if len(fd.Recv.List[0].Names) == 0 || fd.Recv.List[0].Names[0].Name == "_" {
		return "" // a receiver without a name is never used
	}
	recv := fd.Recv.List[0].Names[0]
	leak, kept := paramVerdict(pl.pass, recv)
	if leak != "" {
		return fmt.Sprintf("pointer-receiver method %s leaks its receiver (`%s`): it would keep a pointer to the constructor's copy", m.Name(), leak)
	}
	if kept == nil {
		return fmt.Sprintf("pointer-receiver method %s has no `%s does not escape` from the compiler", m.Name(), recv.Name)
	}
	pl.cite(*kept)
	return ""
}

// paramVerdict returns what the compiler said about the parameter declared at param: leak is the
// `leaking param: x` line when x itself leaks (to the heap or to a result), kept is true when it
// said `x does not escape` or that only what x points to leaks (`leaking param content: x`): that
// line, which the candidate cites as evidence.
func paramVerdict(pass *rule.Pass, param *ast.Ident) (leak string, kept *diag.Diagnostic) {
	for _, d := range pass.DiagsAt(param.Pos(), diag.Other) {
		switch {
		case d.Kind == diag.LeakingParam && d.Subject == param.Name && strings.HasPrefix(d.Message, "leaking param: "):
			return d.Message, nil
		case d.Kind == diag.LeakingParam && d.Subject == param.Name, d.Kind == diag.NoEscape && d.Subject == param.Name:
			kept = &d
		}
	}
	return "", kept
}

// throughPointer reports whether the embedded fields on the path index (a promoted method's, its
// last element the method) of the struct named t include a pointer: the method's receiver is then
// not a part of t's memory.
func throughPointer(t *types.Named, index []int) bool {
	var typ types.Type = t
	for _, i := range index[:len(index)-1] {
		st, ok := typ.Underlying().(*types.Struct)
		if !ok {
			return false
		}
		typ = st.Field(i).Type()
		if syntax.IsPointer(typ) {
			return true
		}
	}
	return false
}
