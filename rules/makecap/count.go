package makecap

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// tripCount is how many times a loop runs, as an expression to write before it (or where the
// slice first grows): len(x), n, or b-a.
type tripCount struct {
	text    string
	lenOf   ast.Expr // len(lenOf)
	value   ast.Expr // value, or value-from
	from    ast.Expr
	nonNeg  bool       // it cannot be negative: len, an unsigned value, a constant ≥ 0
	known   int64      // its value, when isConst
	isConst bool       // it is a constant
	refs    []ast.Expr // what the loop evaluates and the make would evaluate before it
	upper   string     // why it only bounds the iterations from above; "" when it is exact
}

// plain reports whether the count is simple enough to write twice in a row, in the condition and in
// the make: a constant, a variable, len of a variable, or b-a of those.
func (t tripCount) plain(info *types.Info) bool {
	for _, r := range t.refs {
		if _, isIdent := ast.Unparen(r).(*ast.Ident); !isIdent && info.Types[r].Value == nil {
			return false
		}
	}
	return true
}

// build writes the count.
func (t tripCount) build(fix *rule.Fix) dst.Expr {
	switch {
	case t.lenOf != nil:
		return syntax.Call("len", syntax.CloneExpr(fix, t.lenOf))
	case t.from != nil:
		var a dst.Expr = syntax.CloneExpr(fix, t.from)
		if _, bin := ast.Unparen(t.from).(*ast.BinaryExpr); bin {
			a = &dst.ParenExpr{X: a}
		}
		return &dst.BinaryExpr{X: syntax.CloneExpr(fix, t.value), Op: token.SUB, Y: a}
	}
	return syntax.CloneExpr(fix, t.value)
}

// buildNonNeg writes the count for a make that runs whether or not the loop does: max(count, 0)
// unless it cannot be negative.
func (t tripCount) buildNonNeg(fix *rule.Fix) dst.Expr {
	if t.nonNeg {
		return t.build(fix)
	}
	return syntax.Call("max", t.build(fix), intLit(0))
}

// runs writes the condition under which the loop runs at least once: count > 0, or b > a.
func (t tripCount) runs(fix *rule.Fix) dst.Expr {
	if t.from != nil {
		return &dst.BinaryExpr{X: syntax.CloneExpr(fix, t.value), Op: token.GTR, Y: syntax.CloneExpr(fix, t.from)}
	}
	return &dst.BinaryExpr{X: t.build(fix), Op: token.GTR, Y: intLit(0)}
}

func intLit(v int) *dst.BasicLit { return &dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(v)} }

func tripCountOf(pass *rule.Pass, loop ast.Stmt, seed *growSeed) (tripCount, string) {
	info := pass.Info
	var t tripCount
	var why string
	switch l := loop.(type) {
	case *ast.RangeStmt:
		t, why = rangeCount(info, l, seed)
	case *ast.ForStmt:
		t, why = countedLoop(info, l, seed)
	default:
		return t, "not a loop"
	}
	if why == "" && t.isConst && t.known <= 0 {
		return t, "the loop never runs"
	}
	return t, why
}

func rangeCount(info *types.Info, l *ast.RangeStmt, seed *growSeed) (tripCount, string) {
	if syntax.IsObj(info, l.Key, seed.obj) || syntax.IsObj(info, l.Value, seed.obj) {
		return tripCount{}, "the loop assigns " + seed.obj.Name()
	}
	x := l.X
	t := info.TypeOf(x)
	if t == nil {
		return tripCount{}, "the range expression has no type"
	}
	_, isCall := ast.Unparen(x).(*ast.CallExpr)
	lenOf := func(upper string) (tripCount, string) {
		if isCall {
			return tripCount{}, "range over a call result: its length cannot be taken without calling it twice"
		}
		if !syntax.PureExpr(info, x) {
			return tripCount{}, "the range expression " + types.ExprString(x) + " is not a variable or field"
		}
		c := tripCount{text: "len(" + types.ExprString(x) + ")", lenOf: x, nonNeg: true, refs: []ast.Expr{x}, upper: upper}
		if n, ok := arrayLen(t); ok {
			c.known, c.isConst = n, true
		}
		return c, ""
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsString != 0:
			return lenOf("range over a string: the loop runs once per rune, len counts bytes")
		case u.Info()&types.IsInteger != 0:
			if isCall && info.Types[x].Value == nil {
				return tripCount{}, "range over a call result: its count cannot be taken without calling it twice"
			}
			if !syntax.PureExpr(info, x) {
				return tripCount{}, "the range count " + types.ExprString(x) + " is not a constant, variable or field"
			}
			return valueCount(info, x), ""
		}
	case *types.Chan:
		return tripCount{}, "range over a channel: the number of iterations is not known"
	case *types.Signature:
		return tripCount{}, "range over a function: the number of iterations is not known"
	case *types.Slice, *types.Array, *types.Map:
		return lenOf("")
	case *types.Pointer:
		if _, ok := u.Elem().Underlying().(*types.Array); ok {
			return lenOf("")
		}
	}
	return tripCount{}, "range over " + t.String() + ": the number of iterations is not known"
}

func arrayLen(t types.Type) (int64, bool) {
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
	}
	if a, ok := u.(*types.Array); ok {
		return a.Len(), true
	}
	return 0, false
}

// valueCount is the count n of a loop that runs n times.
func valueCount(info *types.Info, n ast.Expr) tripCount {
	t := tripCount{text: types.ExprString(n), value: n, refs: []ast.Expr{n}}
	if tv := info.Types[n]; tv.Value != nil {
		if v, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok {
			t.known, t.isConst, t.nonNeg = v, true, v >= 0
		}
		return t
	}
	if call, ok := ast.Unparen(n).(*ast.CallExpr); ok && (syntax.IsBuiltin(info, call.Fun, "len") || syntax.IsBuiltin(info, call.Fun, "cap")) {
		t.nonNeg = true
		if syntax.IsBuiltin(info, call.Fun, "len") {
			t.value, t.lenOf, t.refs = nil, call.Args[0], []ast.Expr{call.Args[0]}
		}
		return t
	}
	if bt, ok := info.TypeOf(n).Underlying().(*types.Basic); ok && bt.Info()&types.IsUnsigned != 0 {
		t.nonNeg = true
	}
	return t
}

// countedLoop reads `for i := a; i < b; i++`.
func countedLoop(info *types.Info, l *ast.ForStmt, seed *growSeed) (tripCount, string) {
	const shape = "not a counted loop (for i := a; i < b; i++)"
	init, ok := l.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return tripCount{}, shape
	}
	iv, _ := info.Defs[init.Lhs[0].(*ast.Ident)].(*types.Var)
	cond, ok := l.Cond.(*ast.BinaryExpr)
	post, ok2 := l.Post.(*ast.IncDecStmt)
	if iv == nil || !ok || !ok2 || cond.Op != token.LSS || !syntax.IsObj(info, cond.X, iv) || post.Tok != token.INC || !syntax.IsObj(info, post.X, iv) {
		return tripCount{}, shape
	}
	a, b := init.Rhs[0], cond.Y
	if assignsAny(info, l.Body, map[types.Object]bool{iv: true}) {
		return tripCount{}, "the loop body changes the counter " + iv.Name()
	}
	for _, e := range []ast.Expr{a, b} {
		if !boundExpr(info, e) {
			return tripCount{}, "the bound " + types.ExprString(e) + " is not a constant, a variable or len of a variable"
		}
		if syntax.Mentions(info, e, seed.obj) {
			return tripCount{}, "the bound " + types.ExprString(e) + " depends on " + seed.obj.Name()
		}
	}
	if assignsAny(info, l.Body, refObjs(info, b)) {
		return tripCount{}, "the loop body changes the bound " + types.ExprString(b)
	}
	if syntax.IsConstInt(info, a, 0) {
		return valueCount(info, b), ""
	}
	if bt, ok := iv.Type().Underlying().(*types.Basic); !ok || bt.Info()&types.IsUnsigned != 0 {
		return tripCount{}, "an unsigned counter from a non-zero start: " + types.ExprString(b) + "-" + types.ExprString(a) + " could wrap"
	}
	if assignsAny(info, l.Body, refObjs(info, a)) {
		return tripCount{}, "the loop body changes the start " + types.ExprString(a)
	}
	t := tripCount{text: types.ExprString(b) + "-" + types.ExprString(a), value: b, from: a, refs: []ast.Expr{a, b}}
	if _, bin := ast.Unparen(a).(*ast.BinaryExpr); bin {
		t.text = types.ExprString(b) + "-(" + types.ExprString(a) + ")"
	}
	if va, vb := info.Types[a].Value, info.Types[b].Value; va != nil && vb != nil {
		x, ok1 := constant.Int64Val(constant.ToInt(va))
		y, ok2 := constant.Int64Val(constant.ToInt(vb))
		if ok1 && ok2 {
			t.known, t.isConst, t.nonNeg = y-x, true, y >= x
		}
	}
	return t, ""
}

// boundExpr: a constant, a variable, or len of a variable or field chain.
func boundExpr(info *types.Info, e ast.Expr) bool {
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok && syntax.IsBuiltin(info, call.Fun, "len") && len(call.Args) == 1 {
		return syntax.PureExpr(info, call.Args[0])
	}
	return syntax.PureExpr(info, e)
}

// refObjs returns the variables that e mentions.
func refObjs(info *types.Info, e ast.Expr) map[types.Object]bool {
	objs := map[types.Object]bool{}
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok {
				objs[v] = true
			}
		}
		return true
	})
	return objs
}

// unstableCount says why the trip count, taken where the slice first grows, could differ from the
// count the loop started with; "" when it cannot: it reads only constants and local variables
// that nothing in the loop changes, whose address is never taken and that no closure assigns.
func (m *growMatch) unstableCount() string {
	info := m.pass.Info
	t := m.count
	if t.lenOf != nil {
		if _, isMap := info.TypeOf(t.lenOf).Underlying().(*types.Map); isMap {
			return "the length of the map " + t.text + " may change in the loop before the first growth"
		}
	}
	for _, r := range t.refs {
		if tv := info.Types[r]; tv.Value != nil {
			continue
		}
		if t.isConst && t.lenOf != nil {
			continue // len of an array: a constant
		}
		id, ok := ast.Unparen(r).(*ast.Ident)
		if !ok {
			return "the trip count " + t.text + " is not a local variable, and may change in the loop before the first growth"
		}
		v, _ := info.Uses[id].(*types.Var)
		if v == nil || v.Pos() < m.fd.Pos() || v.Pos() >= m.fd.End() {
			return "the trip count " + t.text + " is not a local variable, and may change in the loop before the first growth"
		}
		if !stableLocal(info, m.fd, m.body, v) {
			return "the trip count " + t.text + " may change in the loop before the first growth"
		}
	}
	return ""
}

// stableLocal reports whether nothing in body assigns v, no closure of fd assigns it, and fd never
// takes its address (explicitly, or by calling a method with a pointer receiver on it).
func stableLocal(info *types.Info, fd *ast.FuncDecl, body *ast.BlockStmt, v *types.Var) bool {
	objs := map[types.Object]bool{v: true}
	if assignsAny(info, body, objs) {
		return false
	}
	stable := true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if assignsAny(info, n.Body, objs) {
				stable = false
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && syntax.IsObj(info, n.X, v) {
				stable = false
			}
		case *ast.SelectorExpr:
			if sel := info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal && syntax.IsObj(info, n.X, v) {
				if sig, ok := sel.Obj().Type().(*types.Signature); ok && sig.Recv() != nil && syntax.IsPointer(sig.Recv().Type()) && !syntax.IsPointer(v.Type()) {
					stable = false
				}
			}
		}
		return stable
	})
	return stable
}
