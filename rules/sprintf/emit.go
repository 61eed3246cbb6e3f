package sprintf

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// This file builds the replacement code on the decorated tree.

// emitter turns pieces into decorated expressions and statements.
type emitter struct {
	fix  *rule.Fix
	info *types.Info
	loop string // the byte variable of hex loops
	// hoisted are the operands evaluated into variables first (prelude): expr names the variable.
	hoisted hoists
}

func ident(name string) *dst.Ident { return dst.NewIdent(name) }

func qual(path, name string) *dst.Ident { return &dst.Ident{Name: name, Path: path} }

func call(fun dst.Expr, args ...dst.Expr) *dst.CallExpr {
	return &dst.CallExpr{Fun: fun, Args: args}
}

func strLit(s string) *dst.BasicLit {
	return &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)}
}

func intLit(n int) *dst.BasicLit { return &dst.BasicLit{Kind: token.INT, Value: strconv.Itoa(n)} }

func byteLit(b byte) *dst.BasicLit {
	if b < utf8RuneSelf {
		return &dst.BasicLit{Kind: token.CHAR, Value: strconv.QuoteRune(rune(b))}
	}
	return &dst.BasicLit{Kind: token.CHAR, Value: fmt.Sprintf(`'\x%02x'`, b)}
}

const utf8RuneSelf = 0x80

// expr returns the decorated form of an operand, detached from the line layout of the call, or
// the variable it was evaluated into.
func (e *emitter) expr(x ast.Expr) dst.Expr {
	if name := e.hoisted.name(x); name != "" {
		return ident(name)
	}
	d := e.fix.Dst(x).(dst.Expr)
	d.Decorations().Before = dst.None
	d.Decorations().After = dst.None
	return d
}

// prelude evaluates the hoisted operands into their variables, in order: name := operand.
func (e *emitter) prelude() []dst.Stmt {
	var out []dst.Stmt
	for _, h := range e.hoisted {
		x := e.fix.Dst(h.arg).(dst.Expr)
		x.Decorations().Before, x.Decorations().After = dst.None, dst.None
		out = append(out, &dst.AssignStmt{Lhs: []dst.Expr{ident(h.name)}, Tok: token.DEFINE, Rhs: []dst.Expr{x}})
	}
	return out
}

// convert returns x as type to (a predeclared type name), converting only when x's type differs.
func (e *emitter) convert(x ast.Expr, typ types.Type, to string) dst.Expr {
	if types.Identical(typ, types.Universe.Lookup(to).Type()) {
		return e.expr(x)
	}
	return call(ident(to), e.expr(x))
}

// step extends the accumulated []byte: acc = extend(acc), or a loop that appends to acc.
type step struct {
	extend func(acc dst.Expr) dst.Expr
	loop   func(acc func() dst.Expr) dst.Stmt
}

func (e *emitter) steps(ps []piece) []step {
	var out []step
	for _, p := range ps {
		out = append(out, e.step(p))
	}
	return out
}

func appendCall(acc dst.Expr, x dst.Expr, spread bool) dst.Expr {
	c := call(ident("append"), acc, x)
	c.Ellipsis = spread
	return c
}

func (e *emitter) step(p piece) step {
	extend := func(f func(acc dst.Expr) dst.Expr) step { return step{extend: f} }
	switch {
	case p.arg == nil && len(p.text) == 1:
		return extend(func(acc dst.Expr) dst.Expr { return appendCall(acc, byteLit(p.text[0]), false) })
	case p.arg == nil:
		return extend(func(acc dst.Expr) dst.Expr { return appendCall(acc, strLit(p.text), true) })
	case p.verb == 's':
		return extend(func(acc dst.Expr) dst.Expr { return appendCall(acc, e.expr(p.arg), true) })
	case p.kind == kindInt:
		return extend(func(acc dst.Expr) dst.Expr {
			return call(qual("strconv", "AppendInt"), acc, e.convert(p.arg, p.typ, "int64"), intLit(base(p.verb)))
		})
	case p.kind == kindUint:
		return extend(func(acc dst.Expr) dst.Expr {
			return call(qual("strconv", "AppendUint"), acc, e.convert(p.arg, p.typ, "uint64"), intLit(base(p.verb)))
		})
	case p.kind == kindBool:
		return extend(func(acc dst.Expr) dst.Expr {
			return call(qual("strconv", "AppendBool"), acc, e.convert(p.arg, p.typ, "bool"))
		})
	case p.verb == 'q':
		return extend(func(acc dst.Expr) dst.Expr {
			return call(qual("strconv", "AppendQuote"), acc, e.convert(p.arg, p.typ, "string"))
		})
	case p.kind == kindBytes && p.verb == 'x':
		return extend(func(acc dst.Expr) dst.Expr { return call(qual("encoding/hex", "AppendEncode"), acc, e.expr(p.arg)) })
	case p.kind == kindString && p.verb == 'x':
		// The conversion does not copy: the compiler sees that AppendEncode only reads it.
		return extend(func(acc dst.Expr) dst.Expr { return call(qual("encoding/hex", "AppendEncode"), acc, e.bytesOf(p.arg)) })
	}
	// %x and %X of a string, %X of bytes: two digits per byte, as fmt's fmtSbx writes them.
	return step{loop: func(acc func() dst.Expr) dst.Stmt {
		digits := "0123456789abcdef"
		if p.verb == 'X' {
			digits = "0123456789ABCDEF"
		}
		over := e.expr(p.arg)
		if p.kind == kindString {
			over = e.bytesOf(p.arg)
		}
		hi := &dst.IndexExpr{X: strLit(digits), Index: &dst.BinaryExpr{X: ident(e.loop), Op: token.SHR, Y: intLit(4)}}
		lo := &dst.IndexExpr{X: strLit(digits), Index: &dst.BinaryExpr{X: ident(e.loop), Op: token.AND, Y: &dst.BasicLit{Kind: token.INT, Value: "0x0f"}}}
		return &dst.RangeStmt{
			Key:   ident("_"),
			Value: ident(e.loop),
			Tok:   token.DEFINE,
			X:     over,
			Body: &dst.BlockStmt{List: []dst.Stmt{
				&dst.AssignStmt{Lhs: []dst.Expr{acc()}, Tok: token.ASSIGN, Rhs: []dst.Expr{call(ident("append"), acc(), hi, lo)}},
			}},
		}
	}}
}

func base(verb byte) int {
	if verb == 'x' {
		return 16
	}
	return 10
}

// accumulate renders steps as statements that extend acc. When start is not nil, the first
// statement declares acc (name) as start extended by the first step.
func accumulate(steps []step, name string, start dst.Expr, acc func() dst.Expr) []dst.Stmt {
	var out []dst.Stmt
	if start != nil {
		first := start
		if len(steps) > 0 && steps[0].extend != nil {
			first = steps[0].extend(start)
			steps = steps[1:]
		}
		out = append(out, &dst.AssignStmt{Lhs: []dst.Expr{ident(name)}, Tok: token.DEFINE, Rhs: []dst.Expr{first}})
	}
	for _, s := range steps {
		if s.loop != nil {
			out = append(out, s.loop(acc))
			continue
		}
		out = append(out, &dst.AssignStmt{Lhs: []dst.Expr{acc()}, Tok: token.ASSIGN, Rhs: []dst.Expr{s.extend(acc())}})
	}
	return out
}

// stackBuffer declares `var buf [size]byte` and builds the pieces into out := buf[:0]...
func (e *emitter) stackBuffer(ps []piece, buf, out string, size int) []dst.Stmt {
	decl := &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{&dst.ValueSpec{
		Names: []*dst.Ident{ident(buf)},
		Type:  &dst.ArrayType{Len: intLit(size), Elt: ident("byte")},
	}}}}
	start := &dst.SliceExpr{X: ident(buf), High: intLit(0)}
	return append([]dst.Stmt{decl}, accumulate(e.steps(ps), out, start, func() dst.Expr { return ident(out) })...)
}

// single returns the one-call replacement of a call that formats one operand and nothing else, or
// nil when there is none that is both exact and allocation-free beyond the result.
func (e *emitter) single(p piece) dst.Expr {
	switch {
	case p.kind == kindInt && p.verb == 'd' && types.Identical(p.typ.Underlying(), types.Typ[types.Int]):
		return call(qual("strconv", "Itoa"), e.convert(p.arg, p.typ, "int"))
	case p.kind == kindInt:
		return call(qual("strconv", "FormatInt"), e.convert(p.arg, p.typ, "int64"), intLit(base(p.verb)))
	case p.kind == kindUint:
		return call(qual("strconv", "FormatUint"), e.convert(p.arg, p.typ, "uint64"), intLit(base(p.verb)))
	case p.kind == kindBool:
		return call(qual("strconv", "FormatBool"), e.convert(p.arg, p.typ, "bool"))
	case p.kind == kindString && p.verb == 's':
		return e.convert(p.arg, p.typ, "string")
	case p.kind == kindString && p.verb == 'q':
		return call(qual("strconv", "Quote"), e.convert(p.arg, p.typ, "string"))
	case p.kind == kindBytes && p.verb == 's':
		return call(ident("string"), e.expr(p.arg))
	case p.kind == kindBytes && p.verb == 'x':
		return call(qual("encoding/hex", "EncodeToString"), e.expr(p.arg))
	case p.kind == kindString && p.verb == 'x':
		return call(qual("encoding/hex", "EncodeToString"), e.bytesOf(p.arg))
	}
	return nil
}

// bytesOf returns []byte(x) for a string operand.
func (e *emitter) bytesOf(x ast.Expr) dst.Expr {
	return call(&dst.ArrayType{Elt: ident("byte")}, e.expr(x))
}

// hasSingle reports whether single has a form for p.
func hasSingle(p piece) bool {
	return p.arg != nil && p.verb != 'X'
}

// concat renders pieces that are all strings as "lit" + s + ...
func (e *emitter) concat(ps []piece) dst.Expr {
	var x dst.Expr
	for _, p := range ps {
		var y dst.Expr
		if p.arg == nil {
			y = strLit(p.text)
		} else {
			y = e.convert(p.arg, p.typ, "string")
			if _, isBinary := y.(*dst.BinaryExpr); isBinary {
				y = &dst.ParenExpr{X: y}
			}
		}
		if x == nil {
			x = y
		} else {
			x = &dst.BinaryExpr{X: x, Op: token.ADD, Y: y}
		}
	}
	return x
}

// replaceExpr replaces old, a child of parent, with x; parenthesized when the parent binds tighter.
func replaceExpr(parent dst.Node, old dst.Node, x dst.Expr, parenthesize bool) error {
	switch x.(type) {
	case *dst.BinaryExpr, *dst.UnaryExpr, *dst.StarExpr:
		if parenthesize {
			x = &dst.ParenExpr{X: x}
		}
	}
	done := false
	dstutil.Apply(parent, func(c *dstutil.Cursor) bool {
		if done {
			return false
		}
		if c.Node() == old {
			x.Decorations().Start = old.Decorations().Start
			x.Decorations().End = old.Decorations().End
			x.Decorations().Before = old.Decorations().Before
			x.Decorations().After = old.Decorations().After
			c.Replace(x)
			done = true
			return false
		}
		return true
	}, nil)
	if !done {
		return fmt.Errorf("call not found in its parent")
	}
	return nil
}

// needsParens reports whether an expression that replaces a call under parent (a node of the
// loaded syntax) must be parenthesized to keep the tree's meaning when printed.
func needsParens(parent ast.Node) bool {
	switch parent.(type) {
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.SliceExpr, *ast.TypeAssertExpr, *ast.StarExpr, *ast.UnaryExpr, *ast.BinaryExpr:
		return true
	}
	return false
}

// splice puts stmts in place of the statement at (or before it, when keep is set). The statement's
// leading comments and spacing go with the first new statement; when at is replaced, its trailing
// ones go with the last.
func splice(container dst.Node, at dst.Stmt, stmts []dst.Stmt, keep bool) error {
	list, err := syntax.StmtList(container)
	if err != nil {
		return err
	}
	i := -1
	for j, s := range *list {
		if s == at {
			i = j
		}
	}
	if i < 0 {
		return fmt.Errorf("statement not found in its block")
	}
	first, last := stmts[0].Decorations(), stmts[len(stmts)-1].Decorations()
	old := at.Decorations()
	first.Before, first.Start = old.Before, old.Start
	old.Start = nil
	old.Before = dst.NewLine
	for _, s := range stmts[1:] {
		s.Decorations().Before = dst.NewLine
	}
	var repl []dst.Stmt
	if keep {
		repl = append(append(repl, stmts...), at)
	} else {
		last.End, last.After = old.End, old.After
		repl = stmts
	}
	out := append([]dst.Stmt{}, (*list)[:i]...)
	out = append(out, repl...)
	*list = append(out, (*list)[i+1:]...)
	return nil
}
