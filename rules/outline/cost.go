package outline

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strings"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"golang.org/x/tools/go/types/typeutil"
)

// coster estimates what statements add to their function's inline cost: one per node of the
// compiler's representation, like the inliner (costWalk), and for each call what the inliner charges
// for it: 57 for a call that it does not inline (17 for a call of a parameter), the callee's cost
// for one that it inlines when the callee is in this package; a function literal costs 15 and its
// body nothing. The cost of an inlined callee from another package is not printed; the function's
// total cost calibrates it: what the total leaves after the rest is shared evenly among those
// calls (at most 80 each, the budget).
type coster struct {
	pass    *rule.Pass
	unknown float64             // the estimate for an inlined call of another package
	params  map[*types.Var]bool // the function's parameters: a call of one costs paramCallCost
	results *types.Tuple        // the function's results, for the conversions that return adds
	dead    []ast.Node          // branches and clauses the compiler drops (costWalk.markDead)
}

// closureCost is what the inliner charges for a function literal, whatever its body: the body is
// a function of its own, which the cost of the enclosing function leaves out. paramCallCost is
// its charge for calling a parameter of the function (perhaps a constant function that inlines).
const (
	closureCost   = 15
	paramCallCost = 17
)

func newCoster(pass *rule.Pass, fd *ast.FuncDecl, total int) *coster {
	c := &coster{pass: pass, params: map[*types.Var]bool{}}
	if fn, ok := pass.Info.Defs[fd.Name].(*types.Func); ok {
		c.results = fn.Type().(*types.Signature).Results()
	}
	// The parameters, and the receiver: one of function type is called like a parameter.
	for _, fl := range []*ast.FieldList{fd.Recv, fd.Type.Params} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			for _, id := range f.Names {
				if v, ok := pass.Info.Defs[id].(*types.Var); ok {
					c.params[v] = true
				}
			}
		}
	}
	// The whole body's walk also finds the code that the compiler drops.
	w := &costWalk{c: c}
	w.stmts(fd.Body.List)
	known, calls := w.known, w.calls
	c.dead = w.dead
	if calls > 0 && total > known {
		c.unknown = min(float64(total-known)/float64(calls), 80)
	}
	return c
}

func (c *coster) cost(stmts []ast.Stmt) int {
	if len(stmts) > 0 && c.isDead(stmts[0].Pos()) {
		return 0
	}
	known, calls := c.count(stmts)
	return known + int(math.Round(float64(calls)*c.unknown))
}

// count returns the estimate without the inlined calls of other packages, and how many those are.
func (c *coster) count(stmts []ast.Stmt) (known, calls int) {
	w := &costWalk{c: c}
	w.stmts(stmts)
	return w.known, w.calls
}

// implicit counts the nodes that a call adds without syntax: a conversion to an interface for each
// argument that is not one, and the slice of a variadic call's arguments.
func (c *coster) implicit(call *ast.CallExpr) int {
	tv, ok := c.pass.Info.Types[call.Fun]
	if !ok {
		return 0
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok {
		return 0
	}
	n := 0
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		n += 2 // a slice literal, which the inliner charges twice
	}
	for i, arg := range call.Args {
		var pt types.Type
		switch {
		case i < sig.Params().Len()-1 || !sig.Variadic() && i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		case sig.Variadic() && !call.Ellipsis.IsValid():
			pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
		default:
			continue
		}
		n += c.convert(arg, pt)
	}
	return n
}

// callCost returns what the inliner charges for call, or false for an inlined call of another package.
func (c *coster) callCost(call *ast.CallExpr) (int, bool) {
	pass := c.pass
	if tv, ok := pass.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return 0, true
	}
	inlined := pass.DiagsAtExpr(call, diag.InliningCall)
	if len(inlined) == 0 {
		if !c.outOfLine(call) {
			return 0, true // an intrinsic
		}
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
			if v, ok := pass.Info.Uses[id].(*types.Var); ok && c.params[v] {
				return paramCallCost, true
			}
		}
		return uninlinedCallCost, true
	}
	// A callee in the same file (a closure too: "F.func1") has its cost printed there.
	if d, ok := pass.Diags.Inline(inlined[0].File, inlined[0].Subject); ok && d.Kind == diag.CanInline {
		return d.Cost, true
	}
	fn, ok := typeutil.Callee(pass.Info, call).(*types.Func)
	if !ok || fn.Pkg() != pass.Types {
		return 0, false
	}
	if d, ok := pass.Diags.Inline(pass.Fset.Position(fn.Pos()).Filename, typesFuncName(fn)); ok && d.Kind == diag.CanInline {
		return d.Cost, true
	}
	return 0, false
}

// outOfLine reports whether call stays a call once compiled: the compiler neither inlines it nor
// turns it into instructions (an intrinsic), and it is no conversion or builtin.
func (c *coster) outOfLine(call *ast.CallExpr) bool {
	pass := c.pass
	if tv, ok := pass.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return false
	}
	if len(pass.DiagsAtExpr(call, diag.InliningCall)) > 0 {
		return false
	}
	fn, ok := typeutil.Callee(pass.Info, call).(*types.Func)
	return !ok || !isIntrinsic(fn)
}

// costWalk counts what the inliner charges for a piece of syntax, node by node as the compiler's
// intermediate representation has them rather than as go/ast does (measured against the costs
// that go build -gcflags=-m=2 prints; TestCostMatchesCompiler):
//   - a type, a parenthesis, a block, an expression statement or an else is no node; a constant
//     expression is one literal however it is written; an if whose condition is constant costs
//     the branch it takes, and a switch whose tag and cases are constant the clause it takes;
//   - a selector is one node (two through each embedded field it passes); the method of a
//     concrete type in a call is none, but the receiver's implicit & or * is one;
//   - a variable that := or var declares has a declaration node holding its name (2 more);
//   - a conversion to an interface that the language leaves implicit (an argument, a result, an
//     assignment, an element, a comparison) is one node; a conversion that keeps the
//     representation (only the type's name changes, or an integer keeps its size and sign) is none;
//   - x++ is x += 1; a chain of string concatenations is one node; a slice literal, a method
//     value and panic are charged one more; return f() of a call with n results 4n+1 more, for
//     the temporaries it is compiled into;
//   - calls: see callCost; an intrinsic such as bits.OnesCount64 is an ordinary node.
type costWalk struct {
	c            *coster
	known, calls int
	dead         []ast.Node // what the compiler drops (markDead)
}

func (w *costWalk) nodes(ns ...ast.Node) {
	for _, n := range ns {
		w.node(n)
	}
}

func (w *costWalk) exprs(xs []ast.Expr) {
	for _, x := range xs {
		w.node(x)
	}
}

func (w *costWalk) stmts(ss []ast.Stmt) {
	for _, s := range ss {
		w.node(s)
	}
}

func (w *costWalk) node(n ast.Node) {
	if n == nil {
		return
	}
	info := w.c.pass.Info
	if x, ok := n.(ast.Expr); ok {
		if tv, ok := info.Types[x]; ok {
			if tv.IsType() {
				return // a type is no node
			}
			if tv.Value != nil {
				w.known++ // a constant: one literal, however it is written
				return
			}
		}
	}
	switch n := n.(type) {
	case *ast.ParenExpr:
		w.node(n.X)
	case *ast.BlockStmt:
		w.stmts(n.List)
	case *ast.ExprStmt:
		w.node(n.X)
	case *ast.LabeledStmt:
		w.known++
		w.node(n.Stmt)
	case *ast.BranchStmt:
		w.known++
	case *ast.FuncLit:
		w.known += closureCost + 1
	case *ast.IfStmt:
		if tv, ok := info.Types[n.Cond]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
			// The inliner charges nothing for the if and its condition, and only the branch taken.
			w.nodes(n.Init)
			if constant.BoolVal(tv.Value) {
				w.node(n.Body)
				w.markDead(n.Else)
			} else {
				w.nodes(n.Else)
				w.markDead(n.Body)
			}
			return
		}
		w.known++
		w.nodes(n.Init, n.Cond, n.Body, n.Else)
	case *ast.SwitchStmt:
		if taken, ok := w.constSwitch(n); ok {
			// The compiler drops the clauses that cannot run: the switch costs one, and the
			// clause taken, if any, one and its body.
			w.known++
			w.nodes(n.Init)
			if taken != nil {
				w.known++
				w.stmts(taken.Body)
			}
			for _, cc := range n.Body.List {
				if cc != taken {
					w.markDead(cc)
				}
			}
			return
		}
		w.known++
		w.nodes(n.Init, n.Tag, n.Body)
	case *ast.ForStmt:
		w.known++
		w.nodes(n.Init, n.Cond, n.Post, n.Body)
	case *ast.RangeStmt:
		w.known++
		w.node(n.X)
		for _, x := range []ast.Expr{n.Key, n.Value} {
			if x == nil {
				continue
			}
			w.node(x)
			if id, ok := x.(*ast.Ident); ok && n.Tok == token.DEFINE && id.Name != "_" && info.Defs[id] != nil {
				w.known += 2
			}
		}
		w.node(n.Body)
	case *ast.IncDecStmt:
		w.known += 2 // x += 1
		w.node(n.X)
	case *ast.TypeSwitchStmt:
		w.known++
		w.nodes(n.Init)
		if as, ok := n.Assign.(*ast.AssignStmt); ok {
			w.known += 1 + len(n.Body.List) // the name, and its variable in each clause
			w.node(as.Rhs[0])
		} else {
			w.node(n.Assign)
		}
		for _, s := range n.Body.List {
			w.known++
			w.stmts(s.(*ast.CaseClause).Body)
		}
	case *ast.SelectorExpr:
		sel, ok := info.Selections[n]
		switch {
		case !ok:
			w.known++ // a package's name: one node
		case sel.Kind() == types.MethodVal:
			w.known += 2 // a method value
			w.node(n.X)
		default:
			w.known += len(sel.Index())
			w.node(n.X)
		}
	case *ast.BinaryExpr:
		if tv, ok := info.Types[n]; ok && n.Op == token.ADD && isString(tv.Type) {
			w.known++ // one node for the whole chain
			w.concat(n)
			return
		}
		w.known++
		w.nodes(n.X, n.Y)
		if n.Op == token.EQL || n.Op == token.NEQ {
			if xt, ok := info.Types[n.X]; ok {
				if yt, ok := info.Types[n.Y]; ok {
					w.known += w.c.convert(n.Y, xt.Type) + w.c.convert(n.X, yt.Type)
				}
			}
		}
	case *ast.CallExpr:
		w.call(n)
	case *ast.ReturnStmt:
		w.known++
		for i, r := range n.Results {
			w.node(r)
			if w.c.results != nil && len(n.Results) == w.c.results.Len() {
				w.known += w.c.convert(r, w.c.results.At(i).Type())
			}
		}
		if len(n.Results) == 1 && w.c.results != nil && w.c.results.Len() > 1 {
			w.known += 4*w.c.results.Len() + 1
		}
	case *ast.AssignStmt:
		w.known++
		if n.Tok == token.DEFINE {
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" && info.Defs[id] != nil {
					w.known += 2 // its declaration and the name in it
				}
			}
		}
		w.exprs(n.Lhs)
		w.exprs(n.Rhs)
		if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
			for i, l := range n.Lhs {
				if tv, ok := info.Types[l]; ok {
					w.known += w.c.convert(n.Rhs[i], tv.Type)
				}
			}
		}
	case *ast.DeclStmt:
		gd, ok := n.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			return // a type or constant declaration: no node
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Values) == 0 {
				w.known += 4 * len(vs.Names) // for each: an assignment, its declaration and the name twice
				continue
			}
			w.known += 1 + 3*len(vs.Names) // one assignment; for each name, its declaration and the name twice
			w.exprs(vs.Values)
			if len(vs.Values) == len(vs.Names) {
				for i, id := range vs.Names {
					if v, ok := info.Defs[id].(*types.Var); ok {
						w.known += w.c.convert(vs.Values[i], v.Type())
					}
				}
			}
		}
	case *ast.CompositeLit:
		w.known++
		tv, ok := info.Types[n]
		if !ok {
			w.exprs(n.Elts)
			return
		}
		t := tv.Type.Underlying()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem().Underlying() // an elided &T in a composite literal
		}
		switch t := t.(type) {
		case *types.Struct:
			for i, e := range n.Elts {
				w.known++ // the field's key, written or not
				var f *types.Var
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					e = kv.Value
					if id, ok := kv.Key.(*ast.Ident); ok {
						f, _ = info.Uses[id].(*types.Var)
					}
				} else if i < t.NumFields() {
					f = t.Field(i)
				}
				w.node(e)
				if f != nil {
					w.known += w.c.convert(e, f.Type())
				}
			}
		default:
			var elem types.Type
			switch t := t.(type) {
			case *types.Slice:
				w.known++ // the inliner charges a slice literal twice
				elem = t.Elem()
			case *types.Array:
				elem = t.Elem()
			case *types.Map:
				elem = t.Elem()
			}
			for _, e := range n.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					w.known++
					w.node(kv.Key)
					e = kv.Value
				}
				w.node(e)
				if elem != nil {
					w.known += w.c.convert(e, elem)
				}
			}
		}
	default:
		w.known++
		ast.Inspect(n, func(x ast.Node) bool {
			if x == n {
				return true
			}
			if x != nil {
				w.node(x)
			}
			return false
		})
	}
}

// constSwitch reports whether the switch's tag (true when it has none) and every case value are
// constants, and which clause runs then: the first whose value equals the tag, else the default
// (nil when none runs).
func (w *costWalk) constSwitch(n *ast.SwitchStmt) (taken *ast.CaseClause, ok bool) {
	info := w.c.pass.Info
	tag := constant.MakeBool(true)
	if n.Tag != nil {
		tv, ok := info.Types[n.Tag]
		if !ok || tv.Value == nil {
			return nil, false
		}
		tag = tv.Value
	}
	var def *ast.CaseClause
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		if cc.List == nil {
			def = cc
		}
		for _, x := range cc.List {
			tv, ok := info.Types[x]
			if !ok || tv.Value == nil || tv.Value.Kind() != tag.Kind() {
				return nil, false
			}
			if taken == nil && constant.Compare(tv.Value, token.EQL, tag) {
				taken = cc
			}
		}
	}
	if taken == nil {
		taken = def
	}
	return taken, true
}

// concat counts the operands of a chain of string concatenations.
func (w *costWalk) concat(x ast.Expr) {
	if b, ok := ast.Unparen(x).(*ast.BinaryExpr); ok && b.Op == token.ADD {
		if tv, ok := w.c.pass.Info.Types[b]; ok && tv.Value == nil && isString(tv.Type) {
			w.concat(b.X)
			w.concat(b.Y)
			return
		}
	}
	w.node(x)
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// call counts a call: a conversion, a builtin or a call of a function or method.
func (w *costWalk) call(n *ast.CallExpr) {
	info := w.c.pass.Info
	tv, ok := info.Types[n.Fun]
	switch {
	case ok && tv.IsType():
		// T(x): no node when the representation stays (only the type's name changes, or an
		// integer keeps its size and sign), else one.
		if len(n.Args) == 1 {
			if at, ok := info.Types[n.Args[0]]; ok && w.c.sameRepr(at.Type, tv.Type) {
				w.node(n.Args[0])
				return
			}
		}
		w.known++
		w.exprs(n.Args)
	case ok && tv.IsBuiltin():
		w.known++
		if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
			switch id.Name {
			case "panic":
				w.known++ // the inliner's extra charge for a panic; its argument's conversion is free
			case "make":
				if len(n.Args) == 1 {
					if at, ok := info.Types[n.Args[0]]; ok {
						switch at.Type.Underlying().(type) {
						case *types.Map, *types.Chan:
							w.known++ // the size the compiler supplies
						}
					}
				}
			}
		}
		w.exprs(n.Args)
	default:
		w.known++
		if c, ok := w.c.callCost(n); ok {
			w.known += c
		} else {
			w.calls++
		}
		w.known += w.c.implicit(n)
		w.callee(n.Fun)
		w.exprs(n.Args)
	}
}

// callee counts the function part of a call. A method of a concrete type is called as a method
// expression with its receiver as the first argument: no node for the method, one for an implicit
// & or * of the receiver.
func (w *costWalk) callee(fun ast.Expr) {
	info := w.c.pass.Info
	se, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		w.node(fun)
		return
	}
	sel, ok := info.Selections[se]
	if !ok || sel.Kind() != types.MethodVal {
		w.node(fun)
		return
	}
	w.node(se.X)
	if types.IsInterface(sel.Recv()) {
		w.known++ // the interface's method
		return
	}
	fn, ok := sel.Obj().(*types.Func)
	if !ok {
		return
	}
	_, ptrRecv := fn.Type().(*types.Signature).Recv().Type().(*types.Pointer)
	_, ptrX := sel.Recv().Underlying().(*types.Pointer)
	if ptrRecv != ptrX && len(sel.Index()) == 1 {
		w.known++
	}
}

// intrinsics are the calls that the compiler replaces with instructions on amd64: the inliner
// charges them as any other node.
var intrinsics = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`
		math/bits.OnesCount math/bits.OnesCount8 math/bits.OnesCount16 math/bits.OnesCount32 math/bits.OnesCount64
		math/bits.TrailingZeros math/bits.TrailingZeros8 math/bits.TrailingZeros16 math/bits.TrailingZeros32 math/bits.TrailingZeros64
		math/bits.Len math/bits.Len8 math/bits.Len16 math/bits.Len32 math/bits.Len64
		math/bits.ReverseBytes math/bits.ReverseBytes16 math/bits.ReverseBytes32 math/bits.ReverseBytes64
		math/bits.RotateLeft math/bits.RotateLeft8 math/bits.RotateLeft16 math/bits.RotateLeft32 math/bits.RotateLeft64
		math/bits.Mul math/bits.Mul64 math/bits.Add math/bits.Add64 math/bits.Sub math/bits.Sub64 math/bits.Div math/bits.Div64
		math.Sqrt math.Floor math.Ceil math.Trunc math.RoundToEven math.Abs math.Copysign math.FMA
		runtime.KeepAlive`) {
		intrinsics[name] = true
	}
}

// isIntrinsic reports whether fn is a call that the compiler turns into instructions.
func isIntrinsic(fn *types.Func) bool {
	if fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic" {
		return true
	}
	return intrinsics[fn.FullName()]
}

// convert is what assigning x to a variable of type to adds: a conversion to an interface.
func (c *coster) convert(x ast.Expr, to types.Type) int {
	tv, ok := c.pass.Info.Types[x]
	if !ok || tv.IsNil() || !types.IsInterface(to) || types.Identical(tv.Type, to) {
		return 0
	}
	return 1
}

// sameRepr reports whether a conversion from one type to the other keeps the representation, which
// the compiler compiles to no node: the same underlying type, or integers of the same size and sign.
func (c *coster) sameRepr(from, to types.Type) bool {
	if types.Identical(from.Underlying(), to.Underlying()) {
		return true
	}
	f, ok1 := from.Underlying().(*types.Basic)
	t, ok2 := to.Underlying().(*types.Basic)
	if !ok1 || !ok2 || f.Info()&types.IsInteger == 0 || t.Info()&types.IsInteger == 0 || f.Info()&types.IsUntyped != 0 {
		return false
	}
	sizes := c.pass.Sizes
	if sizes == nil {
		sizes = types.SizesFor("gc", "amd64")
	}
	return f.Info()&types.IsUnsigned == t.Info()&types.IsUnsigned && sizes.Sizeof(f) == sizes.Sizeof(t)
}

// markDead records code that the compiler drops before the inliner counts: a branch or clause that
// a constant condition or switch never takes. Moving it out of line saves nothing.
func (w *costWalk) markDead(n ast.Node) {
	if n != nil {
		w.dead = append(w.dead, n)
	}
}

// isDead reports whether the statements at pos are in code the compiler drops.
func (c *coster) isDead(pos token.Pos) bool {
	for _, n := range c.dead {
		if n.Pos() <= pos && pos < n.End() {
			return true
		}
	}
	return false
}
