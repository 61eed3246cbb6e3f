// The ptrvalue rule: a constructor that returns a pointer to a small, fresh struct, rewritten to
// return the struct by value, with every call site adjusted.
//
//	func newVec3(x, y, z float64) *Vec3 {   =>  func newVec3(x, y, z float64) Vec3 {
//		return &Vec3{x, y, z}                        return Vec3{x, y, z}
//	}                                            }
//	v := newVec3(a, b, c)                    =>  v := newVec3(a, b, c)   (v is now a Vec3)
//	v.Scale(2); e += v.Dot(*v)               =>  v.Scale(2); e += v.Dot(v)
//	advance(v, dt)                           =>  advance(&v, dt)
//
// A constructor that is not inlined, or whose inlined copy escapes, heap-allocates its result at
// every call even when the caller only keeps it in a local variable; returned by value, the struct
// lives in the caller's frame. The compiler's `&Vec3{...} escapes to heap` (or `moved to heap: v`
// for `return &v`) in the constructor is the evidence, together with a call site where the
// allocation still happens: one where the constructor is not inlined (no `inlining call to
// newVec3` at the call), or where its inlined copy escapes (`&Vec3{...} escapes to heap` at the
// call).
//
// Variants, each exact:
//
//	return &T{...}                  =>  return T{...}
//	var v T; ...; return &v         =>  var v T; ...; return v     (v used only through its fields
//	                                    and assignments, never captured or address-taken)
//	p := newT(...)                  =>  p := newT(...)             then, in p's uses:
//	var p = newT(...)               =>  var p = newT(...)
//	var p *T = newT(...)            =>  var p T = newT(...)
//	p.f, p.M() (either receiver)    =>  p.f, p.M()                 (p is addressable)
//	*p, (*p).f                      =>  p, p.f
//	f(p), q := p, x = p, return p   =>  f(&p), q := &p, x = &p, return &p
//	                                    (a *T is required there; p is never reassigned, so &p is
//	                                    the one address of the one object, as p was)
//	newT(...).f, newT(...).M()      =>  unchanged text (a field read, a value-receiver method)
//	*newT(...)                      =>  newT(...)
//	newT(...) as a statement        =>  unchanged
//
// Call sites in every loaded package of the module are rewritten, test files included; the engine
// confirms and tests every package whose files change.
//
// It declines (the report says which):
//   - a constructor that is inlined and whose allocation stays on the stack at every call site
//     ("already on the stack at every call site"), or one with no call site;
//   - an exported constructor: its signature is API, and callers in other modules would break.
//     AllowAPIChange (gcfix -allow-api-change) lifts this; an exported
//     constructor used by an external test package (package x_test, which gcfix does not load)
//     is declined even then;
//   - a method (this first version rewrites functions only), a generic function, named results;
//   - a return of anything but a fresh T: nil, a global, a parameter, a field, a cached or shared
//     object, a call; `return &v` where v is captured by a closure or its address (or a part's) is
//     taken elsewhere;
//   - T larger than PtrvalueMaxSize bytes, or holding something that must not be copied:
//     sync.Mutex, RWMutex, WaitGroup, Once, Cond, Map, Pool, any sync/atomic type, any type with a
//     Lock method or a noCopy field, arrays and structs of them;
//   - the function used as a value anywhere (assigned, passed, stored);
//   - a call site whose result is used as a pointer in a way that cannot keep its meaning: compared
//     with nil, converted to an interface, stored in a composite literal, sent on a channel, passed
//     to a builtin or a conversion, assigned to an existing variable or field, a multi-value
//     assignment, a package-level variable, a for statement's init (each iteration copies it), a
//     variable that is reassigned or whose address is taken;
//   - a call whose result is not addressable where the code needs it to be: a pointer-receiver
//     method, an assignment to or the address of a field of newT(...) directly;
//   - a pointer-receiver method called on the variable that leaks its receiver (`leaking param:
//     v`): the value would escape anyway;
//   - the variable passed where a *T is needed (f(p) => f(&p)) to a parameter that the compiler
//     says leaks (`leaking param: x` of a function of the package, or of a closure assigned once
//     to a local variable): &p would move to the heap;
//   - the variable captured by a closure that escapes (`func literal escapes to heap`) while a
//     pointer-receiver method or a &p takes its address: a closure captures such a variable by
//     reference, and it would move to the heap.
//
// Confirm: after the rewrite, the constructor has no `&T{...} escapes to heap` and no `moved to
// heap: v`, and no variable that now holds a T is `moved to heap` at its call site.

package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// PtrvalueMaxSize is the largest struct, in bytes, that ptrvalue returns by value. Above it, the
// copies of a value return can cost more than the allocation saves. A CLI flag may set it later.
var PtrvalueMaxSize int64 = 128

// AllowAPIChange lets rules change the signature of exported functions, which breaks callers in
// other modules. gcfix -allow-api-change sets it.
var AllowAPIChange bool

// Ptrvalue rewrites constructors that return a pointer to a small fresh struct into constructors
// that return the struct, so that callers keep it on their stack.
var Ptrvalue = &rule.Rule{
	Name: "ptrvalue",
	Doc: rule.Doc{
		Title: "return small structs by value from constructors whose result escapes",
		Text: "A constructor `func newT(...) *T { return &T{...} }` that is not inlined (or whose inlined " +
			"copy escapes) heap-allocates at every call, which the compiler reports as `&T{...} escapes to heap`. " +
			"The rule makes it return T and adjusts every call site in the module: `p := newT()` keeps p as a T, " +
			"`*p` becomes p, and where a *T is required p becomes &p. It declines exported functions, methods, " +
			"returns of anything but a fresh T, structs above 128 bytes or holding a mutex or atomic, " +
			"functions used as values, and call sites that compare the result with nil, convert it to an " +
			"interface, store it, or reassign the variable, and variables whose address would leak: passed as &p " +
			"to a parameter the compiler says leaks, or captured by an escaping closure while their address is taken.",
		Before: "func newVec3(x, y, z float64) *Vec3 {\n\treturn &Vec3{x, y, z}\n}\n\nv := newVec3(1, 2, 3)\nadvance(v)",
		After:  "func newVec3(x, y, z float64) Vec3 {\n\treturn Vec3{x, y, z}\n}\n\nv := newVec3(1, 2, 3)\nadvance(&v)",
	},
	Match: matchPtrvalue,
}

func matchPtrvalue(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Body == nil || fd.Type.TypeParams != nil {
				continue
			}
			named, star := pvResult(pass, fd)
			if named == nil {
				continue
			}
			if c := pvMatch(pass, f, fd, named, star); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// pvResult returns T and the `*T` expression when fd returns exactly one *T, T a struct type
// defined in the package.
func pvResult(pass *rule.Pass, fd *ast.FuncDecl) (*types.Named, *ast.StarExpr) {
	res := fd.Type.Results
	if res == nil || len(res.List) != 1 || len(res.List[0].Names) > 1 {
		return nil, nil
	}
	star, ok := res.List[0].Type.(*ast.StarExpr)
	if !ok {
		return nil, nil
	}
	named, ok := types.Unalias(pass.Info.TypeOf(star.X)).(*types.Named)
	if !ok || named.Obj().Pkg() != pass.Types || named.TypeArgs().Len() > 0 {
		return nil, nil
	}
	if _, ok := named.Underlying().(*types.Struct); !ok {
		return nil, nil
	}
	return named, star
}

// pvEdit is one change of the rewrite: strip a `*` or `&` (or `(*x)`) down to its operand, or
// take the address of an identifier.
type pvEdit struct {
	file *ast.File
	node ast.Node
	addr bool
}

// pvLine is a line of a call site, with the variable that now holds a T there, if any.
type pvLine struct {
	file string
	line int
	name string
}

// pvSite is one reference to the constructor.
type pvSite struct {
	pass  *rule.Pass
	file  *ast.File
	stack []ast.Node // from the file down to the identifier
	call  *ast.CallExpr
}

// pvPlan gathers what one constructor's rewrite needs.
type pvPlan struct {
	pass    *rule.Pass
	named   *types.Named
	tname   string
	fname   string
	locals  map[string]bool // names of the constructor's variables of type T
	edits   []pvEdit
	lines   []pvLine
	methods map[string]token.Pos // pointer-receiver methods called on the variables, first call
	// addressed: the variable that variable() checks has its address taken once it is a T (a
	// pointer-receiver method call, or a use that becomes &v).
	addressed bool
}

func pvMatch(pass *rule.Pass, file *ast.File, fd *ast.FuncDecl, named *types.Named, star *ast.StarExpr) *rule.Candidate {
	pl := &pvPlan{
		pass: pass, named: named, tname: named.Obj().Name(), fname: fd.Name.Name,
		locals: map[string]bool{}, methods: map[string]token.Pos{},
	}
	localVars := map[*types.Var]bool{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := pass.Info.Defs[id].(*types.Var); ok && types.Identical(v.Type(), named) {
				localVars[v] = true
				pl.locals[v.Name()] = true
			}
		}
		return true
	})
	var evidence []diag.Diagnostic
	for _, d := range pass.DiagsIn(fd.Body) {
		if pl.allocates(d) {
			evidence = append(evidence, d)
		}
	}
	if len(evidence) == 0 {
		return nil
	}
	c := &rule.Candidate{
		Pos:      fd.Name.Pos(),
		Func:     fd,
		Evidence: evidence,
		Summary:  fmt.Sprintf("%s returns %s by value", pl.fname, pl.tname),
	}
	decline := func(pos token.Pos, format string, args ...any) *rule.Candidate {
		c.Pos, c.Decline = pos, fmt.Sprintf(format, args...)
		return c
	}

	fn := pass.Info.Defs[fd.Name].(*types.Func)
	sites := pvSites(pass, fn)
	calls := 0
	for _, s := range sites {
		if s.call != nil {
			calls++
		}
	}
	if calls == 0 {
		return decline(fd.Name.Pos(), "%s has no call site in the loaded packages", pl.fname)
	}
	heap, more := pl.heapAtCalls(fd, sites)
	if !heap {
		return decline(fd.Name.Pos(), "already on the stack at every call site: %s is inlined and its %s does not escape", pl.fname, pl.tname)
	}
	c.Evidence = append(c.Evidence, more...)
	if ast.IsExported(pl.fname) && !AllowAPIChange {
		return decline(fd.Name.Pos(), "%s is exported: changing its result from *%s to %s breaks callers in other modules", pl.fname, pl.tname, pl.tname)
	}
	if len(fd.Type.Results.List[0].Names) > 0 {
		return decline(fd.Name.Pos(), "%s has a named result", pl.fname)
	}
	if pos, why := pl.returns(file, fd, localVars); why != "" {
		return decline(pos, "%s", why)
	}
	sizes := pass.Sizes
	if sizes == nil {
		sizes = types.SizesFor("gc", "amd64")
	}
	if n := sizes.Sizeof(named); n > PtrvalueMaxSize {
		return decline(fd.Name.Pos(), "%s is %d bytes, above the %d-byte limit for returning by value", pl.tname, n, PtrvalueMaxSize)
	}
	if what := pvNoCopy(named, map[types.Type]bool{}); what != "" {
		return decline(fd.Name.Pos(), "%s holds %s, which must not be copied", pl.tname, what)
	}
	for _, s := range sites {
		if s.call == nil {
			id := s.stack[len(s.stack)-1]
			return decline(id.Pos(), "%s is used as a value at %s, not only called", pl.fname, pvWhere(s.pass, id.Pos()))
		}
	}
	for _, s := range sites {
		if pos, why := pl.site(s); why != "" {
			return decline(pos, "%s", why)
		}
	}
	if pos, why := pl.leakingReceivers(); why != "" {
		return decline(pos, "%s", why)
	}
	if ast.IsExported(pl.fname) {
		if where := pvExternalTestUse(pass, pl.fname); where != "" {
			return decline(fd.Name.Pos(), "%s may be called from the external test package in %s, which gcfix does not load", pl.fname, where)
		}
	}

	pl.edits = append(pl.edits, pvEdit{file: file, node: star})
	edits, lines := pl.edits, pl.lines
	n := len(sites)
	c.Summary = fmt.Sprintf("%s returns %s by value (%d call site%s)", pl.fname, pl.tname, n, pvPlural(n))
	c.Fix = func(fix *rule.Fix) error { return pvFix(fix, edits) }
	c.Confirm = func(cf *rule.Confirm) error { return pl.confirm(cf, lines) }
	return c
}

func pvPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// allocates reports whether d is the constructor's allocation: `&T{...} escapes to heap` (the
// type qualified with its package outside it) or `moved to heap: v` for a variable of type T.
func (pl *pvPlan) allocates(d diag.Diagnostic) bool {
	switch d.Kind {
	case diag.Escapes:
		s := d.Subject
		return s == "&"+pl.tname+"{...}" || strings.HasPrefix(s, "&") && strings.HasSuffix(s, "."+pl.tname+"{...}")
	case diag.MovedToHeap:
		return pl.locals[d.Subject]
	}
	return false
}

// pvSites returns every reference to fn in the module's packages, calls and others.
func pvSites(pass *rule.Pass, fn *types.Func) []pvSite {
	var out []pvSite
	path := fn.Pkg().Path()
	module := pass.Module
	if len(module) == 0 {
		module = []*rule.Pass{pass} // a Pass built without the module (the fixture harness) sees its own package
	}
	for _, q := range module {
		if !refersTo(q, path, fn.Exported()) {
			continue
		}
		for _, f := range q.Files {
			var stack []ast.Node
			ast.Inspect(f, func(n ast.Node) bool {
				if n == nil {
					stack = stack[:len(stack)-1]
					return true
				}
				stack = append(stack, n)
				id, ok := n.(*ast.Ident)
				if !ok {
					return true
				}
				obj, ok := q.Info.Uses[id].(*types.Func)
				if !ok || obj.Pkg() == nil || obj.Pkg().Path() != path || obj.Name() != fn.Name() || obj.Signature().Recv() != nil {
					return true
				}
				s := pvSite{pass: q, file: f, stack: slices.Clone(stack)}
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
					s.stack = slices.Clone(stack[:i])
				}
				out = append(out, s)
				return true
			})
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

// heapAtCalls reports whether the allocation reaches the heap at some call: one where the
// constructor is not inlined, or where its inlined copy escapes (those diagnostics are returned
// as evidence). Test files have no diagnostics; a call there counts only when the constructor
// cannot be inlined at all.
func (pl *pvPlan) heapAtCalls(fd *ast.FuncDecl, sites []pvSite) (bool, []diag.Diagnostic) {
	at := pl.pass.Position(fd.Name.Pos())
	v, ok := pl.pass.Diags.Inline(at.Filename, pl.fname)
	cannotInline := ok && v.Kind == diag.CannotInline
	heap := false
	var evidence []diag.Diagnostic
	for _, s := range sites {
		if s.call == nil {
			continue
		}
		if s.pass.IsTestFile(s.file) {
			heap = heap || cannotInline
			continue
		}
		inlined := false
		for _, d := range s.pass.DiagsAt(s.call.Lparen, diag.InliningCall) {
			if d.Subject == pl.fname || strings.HasSuffix(d.Subject, "."+pl.fname) {
				inlined = true
			}
		}
		if !inlined {
			heap = true
			continue
		}
		for _, d := range s.pass.DiagsAt(s.call.Lparen, diag.Other) {
			if pl.allocates(d) {
				heap = true
				evidence = append(evidence, d)
			}
		}
	}
	return heap, evidence
}

// returns checks that every return of fd is `&T{...}` or `&v` for a local v used only by value,
// and records the edits that drop the `&`.
func (pl *pvPlan) returns(file *ast.File, fd *ast.FuncDecl, localVars map[*types.Var]bool) (token.Pos, string) {
	info := pl.pass.Info
	var rets []*ast.ReturnStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			rets = append(rets, n)
		}
		return true
	})
	returned := map[*types.Var]bool{}
	for _, r := range rets {
		if len(r.Results) != 1 {
			return r.Pos(), "a return without a value"
		}
		res := ast.Unparen(r.Results[0])
		if u, ok := res.(*ast.UnaryExpr); ok && u.Op == token.AND {
			switch x := ast.Unparen(u.X).(type) {
			case *ast.CompositeLit:
				if types.Identical(info.TypeOf(x), pl.named) {
					pl.edits = append(pl.edits, pvEdit{file: file, node: u})
					continue
				}
			case *ast.Ident:
				if v, ok := info.Uses[x].(*types.Var); ok && localVars[v] {
					returned[v] = true
					pl.edits = append(pl.edits, pvEdit{file: file, node: u})
					continue
				}
			}
		}
		if tv, ok := info.Types[res]; ok && tv.IsNil() {
			return r.Pos(), fmt.Sprintf("%s returns nil, which callers may test for; only a fresh %s can become a value", pl.fname, pl.tname)
		}
		return r.Pos(), fmt.Sprintf("%s returns %s, not a fresh %s: callers may share it", pl.fname, types.ExprString(res), pl.tname)
	}
	var pos token.Pos
	var why string
	syntax.WalkStack(fd.Body, func(stack []ast.Node) bool {
		id, ok := stack[len(stack)-1].(*ast.Ident)
		if !ok || why != "" {
			return true
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || !returned[v] {
			return true
		}
		for _, n := range stack {
			if _, ok := n.(*ast.FuncLit); ok {
				pos, why = id.Pos(), fmt.Sprintf("%s is captured by a closure and returned as &%s", v.Name(), v.Name())
				return true
			}
		}
		i := pvClimbParens(stack, len(stack)-1)
		if u, ok := stack[i-1].(*ast.UnaryExpr); ok && u.Op == token.AND {
			if _, ok := stack[i-2].(*ast.ReturnStmt); ok {
				return true
			}
		}
		if pvAddressed(info, stack, len(stack)-1) {
			pos, why = id.Pos(), fmt.Sprintf("the address of %s or a part of it is taken besides the return", v.Name())
		}
		return true
	})
	return pos, why
}

// pvClimbParens returns the index in stack of the outermost parenthesis around stack[i].
func pvClimbParens(stack []ast.Node, i int) int {
	for i > 0 {
		p, ok := stack[i-1].(*ast.ParenExpr)
		if !ok || p.X != stack[i] {
			break
		}
		i--
	}
	return i
}

// pvPlace climbs from the expression stack[i] through the parentheses, field selections and array
// indexes that name a part of the same variable (x.f, x.arr[2], (x)), and returns the outermost
// such expression and its index.
func pvPlace(info *types.Info, stack []ast.Node, i int) (ast.Expr, int) {
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
			if p.X == e && pvIsArray(info.TypeOf(e)) {
				e, i = p, i-1
				continue
			}
		}
		break
	}
	return e, i
}

// pvAddressed reports whether the expression stack[i], or a field or array element of it, has
// its address taken: &x.f, x.arr[:], x.f.M() for a pointer-receiver M.
func pvAddressed(info *types.Info, stack []ast.Node, i int) bool {
	e, i := pvPlace(info, stack, i)
	if i == 0 {
		return false
	}
	switch p := stack[i-1].(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		return p.X == e && sel != nil && pvPtrRecv(sel.Obj()) && !syntax.IsPointer(info.TypeOf(e))
	case *ast.UnaryExpr:
		return p.Op == token.AND
	case *ast.SliceExpr:
		return p.X == e && pvIsArray(info.TypeOf(e))
	}
	return false
}

// pvAssigned reports whether the expression stack[i], or a field or array element of it, is
// assigned to.
func pvAssigned(info *types.Info, stack []ast.Node, i int) bool {
	e, i := pvPlace(info, stack, i)
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

func pvPtrRecv(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	return ok && fn.Signature().Recv() != nil && syntax.IsPointer(fn.Signature().Recv().Type())
}

func pvIsArray(t types.Type) bool {
	_, ok := t.Underlying().(*types.Array)
	return ok
}

// isPtrT reports whether t is *T, comparing T by package path and name (t may come from another
// package's load).
func (pl *pvPlan) isPtrT(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pl.named.Obj().Pkg().Path() && n.Obj().Name() == pl.tname
}

// site checks one call of the constructor and records its edits.
func (pl *pvPlan) site(s pvSite) (token.Pos, string) {
	info := s.pass.Info
	stack := s.stack
	i := pvClimbParens(stack, len(stack)-1)
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
			pl.edits = append(pl.edits, pvEdit{file: s.file, node: st})
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
			case pvPtrRecv(sel.Obj()):
				return s.call.Pos(), fmt.Sprintf("%s calls the pointer-receiver method %s on the result, which would not be addressable", call, sel.Obj().Name())
			case !pvIsCallee(stack, i-1):
				return s.call.Pos(), fmt.Sprintf("%s.%s is a method value", call, sel.Obj().Name())
			}
			return token.NoPos, ""
		}
		if sel.Kind() == types.FieldVal {
			return pl.fieldUse(s, i-1)
		}
	case *ast.StarExpr:
		if pvAssigned(info, stack, i-1) || pvAddressed(info, stack, i-1) {
			return s.call.Pos(), fmt.Sprintf("*%s is assigned to or has its address taken, which a value result would not allow", call)
		}
		pl.stripStar(s.file, stack, i-1)
		return token.NoPos, ""
	}
	return s.call.Pos(), fmt.Sprintf("the result of %s is used as a *%s (%s): only p := %s(...), var p = %s(...), field reads and value-method calls are rewritten",
		call, pl.tname, pvContext(info, stack, i, e), pl.fname, pl.fname)
}

// fieldUse checks newT(...).f at stack[i].
func (pl *pvPlan) fieldUse(s pvSite, i int) (token.Pos, string) {
	if pvAssigned(s.pass.Info, s.stack, i) || pvAddressed(s.pass.Info, s.stack, i) {
		return s.call.Pos(), fmt.Sprintf("%s is assigned to or has its address taken, which a value result would not allow", types.ExprString(s.stack[i].(ast.Expr)))
	}
	return token.NoPos, ""
}

// stripStar records the edit of *x (stack[i]) into x; (*x) becomes x.
func (pl *pvPlan) stripStar(file *ast.File, stack []ast.Node, i int) {
	var n ast.Node = stack[i]
	if p, ok := stack[i-1].(*ast.ParenExpr); ok {
		n = p
	}
	pl.edits = append(pl.edits, pvEdit{file: file, node: n})
}

func pvIsCallee(stack []ast.Node, i int) bool {
	j := pvClimbParens(stack, i)
	c, ok := stack[j-1].(*ast.CallExpr)
	return ok && c.Fun == stack[j]
}

// variable checks every use of v, which holds the result of a call, and records the edits that
// make it a T: *v becomes v, and v where a *T is needed becomes &v.
func (pl *pvPlan) variable(s pvSite, v *types.Var) (token.Pos, string) {
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
			if lit, ok := n.(*ast.FuncLit); ok && escaping == nil && (v.Pos() < lit.Pos() || v.Pos() >= lit.End()) && pvEscapes(s.pass, lit) {
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
			v.Name(), pvWhere(s.pass, escaping.Pos()))
	}
	at := s.pass.Position(v.Pos())
	pl.lines = append(pl.lines, pvLine{file: at.Filename, line: at.Line, name: v.Name()})
	return token.NoPos, ""
}

// use checks one use of the variable v at the end of stack.
func (pl *pvPlan) use(s pvSite, stack []ast.Node, v *types.Var) string {
	info := s.pass.Info
	id := stack[len(stack)-1].(*ast.Ident)
	i := pvClimbParens(stack, len(stack)-1)
	e := stack[i].(ast.Expr)
	name := v.Name()
	addr := func(target types.Type, where string) string {
		if target == nil { // the blank identifier: _ = p still compiles, and means nothing either way
			return ""
		}
		if types.IsInterface(target) {
			return fmt.Sprintf("%s is converted to an interface (%s): its identity as a pointer would show", name, where)
		}
		if !pl.isPtrT(target) {
			return fmt.Sprintf("%s is used as a %s (%s)", name, target, where)
		}
		pl.edits = append(pl.edits, pvEdit{file: s.file, node: id, addr: true})
		pl.addressed = true
		return ""
	}
	switch p := stack[i-1].(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if p.X != e || sel == nil {
			break
		}
		if sel.Kind() == types.MethodVal && pvPtrRecv(sel.Obj()) {
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
		return addr(info.TypeOf(p.Lhs[k]), "assigned to "+types.ExprString(p.Lhs[k]))
	case *ast.ValueSpec:
		k := slices.Index(p.Values, e)
		if k < 0 || len(p.Names) != len(p.Values) {
			break
		}
		return addr(info.TypeOf(p.Names[k]), "assigned to "+p.Names[k].Name)
	case *ast.ReturnStmt:
		sig := pvSignature(info, stack)
		k := slices.Index(p.Results, e)
		if sig == nil || k < 0 || sig.Results().Len() != len(p.Results) {
			break
		}
		return addr(sig.Results().At(k).Type(), "returned")
	case *ast.CallExpr:
		k := slices.Index(p.Args, e)
		if k < 0 {
			break
		}
		tv := info.Types[p.Fun]
		if tv.IsType() || tv.IsBuiltin() {
			return fmt.Sprintf("%s is passed to %s", name, types.ExprString(p.Fun))
		}
		sig, ok := tv.Type.Underlying().(*types.Signature)
		if !ok || p.Ellipsis.IsValid() {
			break
		}
		var t types.Type
		if n := sig.Params().Len(); sig.Variadic() && k >= n-1 {
			t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		} else {
			t = sig.Params().At(k).Type()
		}
		if pl.isPtrT(t) {
			if param := pvLeakingParam(s.pass, p, k); param != "" {
				return fmt.Sprintf("%s is passed to %s, whose parameter %s leaks (`leaking param: %s`): &%s would move to the heap", name, types.ExprString(p.Fun), param, param, name)
			}
		}
		return addr(t, "argument of "+types.ExprString(p.Fun))
	case *ast.BinaryExpr:
		other := p.X
		if other == e {
			other = p.Y
		}
		if tv, ok := info.Types[other]; ok && tv.IsNil() {
			return fmt.Sprintf("%s is compared with nil", name)
		}
		return addr(info.TypeOf(other), "compared with "+types.ExprString(other))
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return fmt.Sprintf("%s is stored in a composite literal", name)
	case *ast.SendStmt:
		return fmt.Sprintf("%s is sent on a channel", name)
	}
	return fmt.Sprintf("%s is used as a *%s (%s)", name, pl.tname, pvContext(info, stack, i, e))
}

// pvEscapes reports whether the compiler said that the closure lit escapes to the heap.
func pvEscapes(pass *rule.Pass, lit *ast.FuncLit) bool {
	for _, d := range pass.DiagsAt(lit.Pos(), diag.Escapes) {
		if d.Subject == "func literal" {
			return true
		}
	}
	return false
}

// pvLeakingParam returns the name of the parameter of call's callee that takes argument k, when
// the compiler said that it leaks (`leaking param: x`): a function or method of the package, or a
// closure assigned once to a local variable. "" when it does not leak or the callee is not known.
func pvLeakingParam(pass *rule.Pass, call *ast.CallExpr, k int) string {
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
				return "" // T.M(recv, args...): the arguments are shifted by the receiver
			}
			obj = pass.Info.Uses[sel.Sel]
		}
		switch obj := obj.(type) {
		case *types.Func:
			if obj.Pkg() != pass.Types {
				return ""
			}
			fd := pvFuncDecl(pass, obj)
			if fd == nil {
				return ""
			}
			params, variadic = fd.Type.Params, obj.Signature().Variadic()
		case *types.Var:
			lit := pvClosureOf(pass, obj)
			if lit == nil {
				return ""
			}
			params = lit.Type.Params
			sig, _ := pass.Info.TypeOf(lit).(*types.Signature)
			variadic = sig != nil && sig.Variadic()
		}
	}
	if params == nil || variadic {
		return ""
	}
	var names []*ast.Ident
	for _, f := range params.List {
		if len(f.Names) == 0 {
			return "" // unnamed parameters: nothing for the compiler to name
		}
		names = append(names, f.Names...)
	}
	if k >= len(names) || names[k].Name == "_" {
		return ""
	}
	for _, d := range pass.DiagsAt(names[k].Pos(), diag.LeakingParam) {
		if d.Message == "leaking param: "+names[k].Name {
			return names[k].Name
		}
	}
	return ""
}

// pvFuncDecl returns the declaration of fn among the package's files.
func pvFuncDecl(pass *rule.Pass, fn *types.Func) *ast.FuncDecl {
	for _, f := range pass.Files {
		if f.FileStart <= fn.Pos() && fn.Pos() < f.FileEnd {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && pass.Info.Defs[fd.Name] == fn {
					return fd
				}
			}
		}
	}
	return nil
}

// pvClosureOf returns the function literal that v is declared with (v := func(...) {...}), when v
// is never assigned again.
func pvClosureOf(pass *rule.Pass, v *types.Var) *ast.FuncLit {
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

// pvSignature returns the signature of the innermost function around the end of stack.
func pvSignature(info *types.Info, stack []ast.Node) *types.Signature {
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

// pvContext names the use of e (stack[i]) in its parent, for a decline.
func pvContext(info *types.Info, stack []ast.Node, i int, e ast.Expr) string {
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
func (pl *pvPlan) leakingReceivers() (token.Pos, string) {
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
			if !ok || !pvPtrRecv(fn) {
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

// pvNoCopy names what in t must not be copied, or returns "".
func pvNoCopy(t types.Type, seen map[types.Type]bool) string {
	t = types.Unalias(t)
	if seen[t] {
		return ""
	}
	seen[t] = true
	if n, ok := t.(*types.Named); ok {
		if pkg := n.Obj().Pkg(); pkg != nil {
			switch pkg.Path() {
			case "sync":
				switch n.Obj().Name() {
				case "Mutex", "RWMutex", "WaitGroup", "Once", "Cond", "Map", "Pool":
					return "a sync." + n.Obj().Name()
				}
			case "sync/atomic":
				return "an atomic." + n.Obj().Name()
			}
		}
		if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), false, n.Obj().Pkg(), "Lock"); obj != nil {
			if _, isFunc := obj.(*types.Func); isFunc {
				return n.Obj().Name() + ", which has a Lock method"
			}
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if f.Name() == "noCopy" {
				return "a noCopy field"
			}
			if what := pvNoCopy(f.Type(), seen); what != "" {
				return what
			}
		}
	case *types.Array:
		return pvNoCopy(u.Elem(), seen)
	}
	return ""
}

// pvExternalTestUse returns the directory of a module package whose external test files (package
// x_test, not loaded) mention name, or "".
func pvExternalTestUse(pass *rule.Pass, name string) string {
	for _, q := range pass.Module {
		if len(q.Files) == 0 {
			continue
		}
		loaded := map[string]bool{}
		for _, f := range q.Files {
			loaded[q.Fset.File(f.Pos()).Name()] = true
		}
		dir := filepath.Dir(q.Fset.File(q.Files[0].Pos()).Name())
		names, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, n := range names {
			if loaded[n] {
				continue
			}
			src, err := os.ReadFile(n)
			if err != nil {
				return dir
			}
			f, err := parser.ParseFile(token.NewFileSet(), n, src, parser.SkipObjectResolution)
			if err != nil || !strings.HasSuffix(f.Name.Name, "_test") {
				continue
			}
			found := false
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == name {
					found = true
				}
				return !found
			})
			if found {
				return dir
			}
		}
	}
	return ""
}

func pvWhere(pass *rule.Pass, pos token.Pos) string {
	p := pass.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// confirm checks that the constructor no longer allocates and that no variable now holding a T
// moved to the heap at its call site.
func (pl *pvPlan) confirm(cf *rule.Confirm, lines []pvLine) error {
	for _, d := range cf.After {
		if pl.allocates(d) {
			return fmt.Errorf("%s still allocates: %s", pl.fname, d)
		}
	}
	for _, l := range lines {
		for _, d := range cf.AllAfter.InLines(l.file, l.line, l.line) {
			if d.Kind == diag.MovedToHeap && (d.Subject == l.name || pl.locals[d.Subject]) {
				return fmt.Errorf("the value now moves to the heap at the call site: %s", d)
			}
		}
	}
	return nil
}

// pvFix applies the edits on the decorated files.
func pvFix(fix *rule.Fix, edits []pvEdit) error {
	byFile := map[*ast.File]map[dst.Node]bool{}
	var order []*ast.File
	for _, e := range edits {
		m := byFile[e.file]
		if m == nil {
			m = map[dst.Node]bool{}
			byFile[e.file] = m
			order = append(order, e.file)
		}
		m[fix.Dst(e.node)] = e.addr
	}
	for _, f := range order {
		want := byFile[f]
		dstutil.Apply(fix.Dst(f), nil, func(c *dstutil.Cursor) bool {
			addr, ok := want[c.Node()]
			if !ok {
				return true
			}
			delete(want, c.Node())
			c.Replace(pvEdited(c.Node(), addr))
			return true
		})
		if len(want) > 0 {
			return fmt.Errorf("%d edits found no node", len(want))
		}
	}
	return nil
}

// pvEdited returns n with its `*` or `&` stripped, or its address taken, keeping its comments.
func pvEdited(n dst.Node, addr bool) dst.Node {
	if addr {
		u := &dst.UnaryExpr{Op: token.AND, X: n.(dst.Expr)}
		u.Decs.NodeDecs, *n.Decorations() = *n.Decorations(), dst.NodeDecs{}
		return u
	}
	var inner dst.Node
	switch n := n.(type) {
	case *dst.StarExpr:
		inner = n.X
	case *dst.UnaryExpr:
		inner = n.X
	case *dst.ParenExpr:
		inner = n.X.(*dst.StarExpr).X
	}
	from, to := n.Decorations(), inner.Decorations()
	to.Before, to.After = from.Before, from.After
	to.Start = append(append(dst.Decorations{}, from.Start...), to.Start...)
	to.End = append(to.End, from.End...)
	return inner
}
