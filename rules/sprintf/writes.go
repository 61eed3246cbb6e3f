package sprintf

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file writes the pieces into a *bytes.Buffer or a *strings.Builder one by one, as a Go
// expert would: b.WriteString(s), b.WriteByte(c), b.Write(strconv.AppendInt(b.AvailableBuffer(),
// …)); a strings.Builder has no AvailableBuffer, so its numbers are appended to a small stack
// array that b.Write copies.
//
// Fprintf writes all the bytes at once, after it has evaluated every operand; the writes put some
// bytes in before the next operand is evaluated. The two are the same when
//   - no operand can panic (else a panic would leave part of the output in the buffer) and no
//     operand reads bytes that a write could overwrite (a Write grows the buffer, and may move its
//     bytes, under a slice of them that an operand reads); or
//   - the buffer is private to the function (privateBuffer): nothing but the function's own method
//     calls can see it, before or after a panic, and no slice of its bytes outlives a statement.
//
// Writing piece by piece is the readable form; one Write of the formatted bytes is often faster.
// Where both are exact the call gets both as variants (pieces first), and the bench gate keeps
// the simplest that is not significantly worse. The default, for the build and test gates, is
// what the fixtures' benchmarks favour: pieces for a bytes.Buffer, whose first growth takes 64
// bytes at once (the same allocations, a few ns more per piece); one Write for a strings.Builder,
// which grows by appending, so that writing piece by piece into an empty one takes a growth, an
// allocation, at each size class the output crosses (measured on go1.26: 3 allocs, 56 B/op,
// against 1 alloc, 24 B/op).

// writesFit reports whether every piece has a one-call write into a writer of kind (a bytes.Buffer
// or a strings.Builder): a strings.Builder takes only numbers, bools, strings and []byte, whose
// stack array is small and bounded.
func writesFit(kind writerKind, ps []piece) bool {
	for _, p := range ps {
		switch {
		case p.verb == 'X':
			return false
		case kind == writerBuilder && p.arg != nil && p.verb != 's' && p.kind != kindBool && p.kind != kindInt && p.kind != kindUint:
			return false
		}
	}
	return true
}

// writesForm replaces the statement of the call with one write per piece into recv, a writer of
// kind. For a strings.Builder it returns the name of the stack array of its numbers, if any.
func (m *matcher) writesForm(pl placement, recv ast.Expr, kind writerKind) (fix func(*rule.Fix) error, summary, scratch string) {
	fc, info := m.fc, m.pass.Info
	ps := fc.pieces
	size := 0
	if kind == writerBuilder {
		for _, p := range ps {
			if p.arg != nil && (p.kind == kindInt || p.kind == kindUint) {
				n, _ := maxLen([]piece{p}, m.pass.Sizes)
				size = max(size, n)
			}
		}
		if size > 0 {
			scratch = m.names.fresh("buf")
		}
	}
	hoisted := fc.hoisted
	if len(hoisted) == 1 && ps[0].arg == hoisted[0].arg {
		hoisted = nil // the one call is the first piece's: written where it stands, it runs before any write
	}
	fix = func(fix *rule.Fix) error {
		e := &emitter{fix: fix, info: info, hoisted: hoisted}
		method := func(name string, args ...dst.Expr) dst.Stmt {
			return &dst.ExprStmt{X: call(&dst.SelectorExpr{X: dst.Clone(e.expr(recv)).(dst.Expr), Sel: ident(name)}, args...)}
		}
		stmts := e.prelude()
		if scratch != "" {
			stmts = append(stmts, &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{&dst.ValueSpec{
				Names: []*dst.Ident{ident(scratch)},
				Type:  &dst.ArrayType{Len: intLit(size), Elt: ident("byte")},
			}}}})
		}
		for _, p := range ps {
			switch {
			case p.arg == nil && len(p.text) == 1:
				stmts = append(stmts, method("WriteByte", byteLit(p.text[0])))
			case p.arg == nil:
				stmts = append(stmts, method("WriteString", strLit(p.text)))
			case p.kind == kindBytes && p.verb == 's':
				stmts = append(stmts, method("Write", e.expr(p.arg)))
			case p.verb == 's':
				stmts = append(stmts, method("WriteString", e.convert(p.arg, p.typ, "string")))
			case p.kind == kindBool:
				stmts = append(stmts, method("WriteString", call(qual("strconv", "FormatBool"), e.convert(p.arg, p.typ, "bool"))))
			case scratch != "":
				stmts = append(stmts, method("Write", e.step(p).extend(&dst.SliceExpr{X: ident(scratch), High: intLit(0)})))
			default:
				avail := call(&dst.SelectorExpr{X: dst.Clone(e.expr(recv)).(dst.Expr), Sel: ident("AvailableBuffer")})
				stmts = append(stmts, method("Write", e.step(p).extend(avail)))
			}
		}
		return splice(fix.Dst(pl.container), fix.Dst(pl.stmt).(dst.Stmt), stmts, false)
	}
	what := "WriteString"
	for _, p := range ps {
		if p.arg != nil && p.kind != kindString && p.kind != kindBytes && p.kind != kindBool {
			into := "AvailableBuffer"
			if scratch != "" {
				into = "a stack buffer"
			}
			what = "WriteString and " + mainAppend(ps) + " into " + into
			break
		}
	}
	return fix, what + ", one write per piece" + evaluatedFirst(hoisted), scratch
}

// privateBuffer reports whether recv (the writer, & taken off) is a bytes.Buffer that only the
// function's own statements can see: a variable declared in the body of the innermost function
// around the call (a value declared without one, with an empty composite literal, or a pointer
// made by new or &T{}), that no function literal, defer or go statement
// mentions, and whose every other use is
//   - the receiver of a method call, where a method that returns a slice of its bytes (Bytes,
//     AvailableBuffer, Next) is only returned, converted to a string or passed to a Write method;
//   - the writer of a fmt.Fprint, Fprintf or Fprintln (which writes and keeps nothing).
//
// Then no slice of its bytes lives while an operand is evaluated, and after a panic nothing can see
// what it held.
func (m *matcher) privateBuffer(recv ast.Expr) bool {
	info := m.pass.Info
	id, ok := ast.Unparen(recv).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	var body *ast.BlockStmt
	for i := len(m.stack) - 1; i >= 0 && body == nil; i-- {
		switch f := m.stack[i].(type) {
		case *ast.FuncDecl:
			body = f.Body
		case *ast.FuncLit:
			body = f.Body
		}
	}
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() || !freshBuffer(info, body, v) {
		return false
	}
	return syntax.FirstObjection(info, body, v, func(id *ast.Ident, stack []ast.Node) string {
		for _, n := range stack {
			switch n.(type) {
			case *ast.FuncLit, *ast.DeferStmt, *ast.GoStmt:
				return "captured"
			}
		}
		i := len(stack) - 2
		for i >= 0 && isParen(stack[i]) {
			i--
		}
		if i < 1 {
			return "bare"
		}
		child := stack[i+1]
		switch p := stack[i].(type) {
		case *ast.SelectorExpr:
			c, ok := stack[i-1].(*ast.CallExpr)
			if !ok || c.Fun != p || p.X != child {
				return "a method value or a field"
			}
			if t, ok := info.TypeOf(c).(*types.Slice); ok && sharesBytes(t) && !sliceUseEnds(info, stack[:i]) {
				return "a slice of its bytes lives on"
			}
			return ""
		case *ast.UnaryExpr:
			if p.Op != token.AND {
				return "another operator"
			}
			child = p
			i--
			for i >= 0 && isParen(stack[i]) {
				i--
			}
			if i < 0 {
				return "bare"
			}
		}
		if c, ok := stack[i].(*ast.CallExpr); ok && len(c.Args) > 0 && c.Args[0] == child {
			if fn, ok := typeutil.Callee(info, c).(*types.Func); ok {
				switch fn.FullName() {
				case "fmt.Fprint", "fmt.Fprintf", "fmt.Fprintln":
					return ""
				}
			}
		}
		return "used otherwise"
	}) == ""
}

func isParen(n ast.Node) bool {
	_, ok := n.(*ast.ParenExpr)
	return ok
}

// sliceUseEnds reports whether the method call at the top of stack, which returns a slice of the
// buffer's bytes, is returned, converted to a string, or passed to a Write method: no slice of the
// bytes outlives that statement (a Write must not keep its argument).
func sliceUseEnds(info *types.Info, stack []ast.Node) bool {
	c := stack[len(stack)-1]
	i := len(stack) - 2
	for i >= 0 && isParen(stack[i]) {
		i--
	}
	if i < 0 {
		return false
	}
	switch p := stack[i].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.CallExpr:
		if len(p.Args) != 1 || ast.Unparen(p.Args[0]) != c {
			return false
		}
		if tv, ok := info.Types[p.Fun]; ok && tv.IsType() {
			return isString(tv.Type)
		}
		sel, ok := ast.Unparen(p.Fun).(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Write"
	}
	return false
}

// freshBuffer reports whether the variable v of body starts as a buffer of its own: a value
// declared without a value or with an empty composite literal, or a pointer made by new(T) or
// &T{}, and that no assignment sets again.
func freshBuffer(info *types.Info, body *ast.BlockStmt, v *types.Var) bool {
	var init ast.Node
	found, assigned := false, false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := ast.Unparen(l).(*ast.Ident)
				if !ok {
					continue
				}
				if info.Defs[id] == v && len(n.Rhs) == len(n.Lhs) {
					found, init = true, n.Rhs[i]
				} else if info.Uses[id] == v {
					assigned = true
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.Defs[name] == v {
					found = true
					if i < len(n.Values) {
						init = n.Values[i]
					} else if len(n.Values) > 0 {
						init = n // a multi-valued call
					}
				}
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok && (info.Uses[id] == v || info.Defs[id] == v) {
					assigned = true
				}
			}
		}
		return true
	})
	if !found || assigned {
		return false
	}
	if init == nil {
		return !syntax.IsPointer(v.Type())
	}
	x, ok := init.(ast.Expr)
	if !ok {
		return false
	}
	x = ast.Unparen(x)
	if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.AND {
		x = ast.Unparen(u.X)
	} else if c, ok := x.(*ast.CallExpr); ok && syntax.IsBuiltin(info, c.Fun, "new") {
		return true
	} else if syntax.IsPointer(v.Type()) {
		return false
	}
	lit, ok := x.(*ast.CompositeLit)
	return ok && len(lit.Elts) == 0
}
