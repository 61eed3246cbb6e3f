package makecap

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "makecap")

// New returns the makecap rule, which gives a slice or map filled once per loop iteration its
// capacity before the loop.
func New() *rule.Rule {
	return &rule.Rule{Name: "makecap", Doc: ruleDoc, Match: match}
}

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	syntax.EachStmtList(pass, func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt) {
		for i := range list {
			if c := matchGrowth(pass, fd, block, list, i); c != nil {
				out = append(out, c)
			}
		}
	})
	return out
}

// growSeed is a declaration of an empty slice or map.
type growSeed struct {
	obj    *types.Var
	decl   ast.Stmt
	typ    ast.Expr // []T or map[K]V as written
	site   ast.Expr // the make call or composite literal; nil for `var s []T`
	isMap  bool
	isNil  bool // var s []T
	assign *ast.AssignStmt
}

// seedOf recognises `var s []T`, `s := []T{}`, `s := make([]T, 0)`, `m := make(map[K]V)` and
// `m := map[K]V{}`.
func seedOf(info *types.Info, st ast.Stmt) *growSeed {
	switch st := st.(type) {
	case *ast.DeclStmt:
		gd, ok := st.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR || len(gd.Specs) != 1 {
			return nil
		}
		vs := gd.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || vs.Type == nil || len(vs.Values) != 0 {
			return nil
		}
		obj, _ := info.Defs[vs.Names[0]].(*types.Var)
		if obj == nil {
			return nil
		}
		if _, ok := obj.Type().Underlying().(*types.Slice); !ok {
			return nil
		}
		if _, ok := vs.Type.(*ast.ArrayType); !ok {
			return nil // a named slice type: the make needs its name, which is fine, but keep it simple
		}
		return &growSeed{obj: obj, decl: st, typ: vs.Type, isNil: true}
	case *ast.AssignStmt:
		if st.Tok != token.DEFINE || len(st.Lhs) != 1 || len(st.Rhs) != 1 {
			return nil
		}
		id, ok := st.Lhs[0].(*ast.Ident)
		if !ok {
			return nil
		}
		obj, _ := info.Defs[id].(*types.Var)
		if obj == nil {
			return nil
		}
		seed := &growSeed{obj: obj, decl: st, assign: st, site: st.Rhs[0]}
		switch rhs := st.Rhs[0].(type) {
		case *ast.CompositeLit:
			if len(rhs.Elts) != 0 || rhs.Type == nil {
				return nil
			}
			seed.typ = rhs.Type
		case *ast.CallExpr:
			if !syntax.IsBuiltin(info, rhs.Fun, "make") || rhs.Ellipsis.IsValid() {
				return nil
			}
			seed.typ = rhs.Args[0]
			if _, isMap := obj.Type().Underlying().(*types.Map); isMap {
				if len(rhs.Args) != 1 {
					return nil
				}
			} else if len(rhs.Args) != 2 || !syntax.IsConstInt(info, rhs.Args[1], 0) {
				return nil
			}
		default:
			return nil
		}
		switch seed.typ.(type) {
		case *ast.ArrayType:
			if _, ok := obj.Type().Underlying().(*types.Slice); !ok {
				return nil
			}
		case *ast.MapType:
			seed.isMap = true
		default:
			return nil
		}
		return seed
	}
	return nil
}

// matchGrowth makes a candidate of the declaration list[i] and the loop after it, if the compiler
// reports the growth.
func matchGrowth(pass *rule.Pass, fd *ast.FuncDecl, owner ast.Node, list []ast.Stmt, i int) *rule.Candidate {
	info := pass.Info
	seed := seedOf(info, list[i])
	if seed == nil {
		return nil
	}
	k := -1
	for j := i + 1; j < len(list); j++ {
		if syntax.Mentions(info, list[j], seed.obj) {
			k = j
			break
		}
	}
	if k < 0 {
		return nil
	}
	loop := list[k]
	for {
		l, ok := loop.(*ast.LabeledStmt)
		if !ok {
			break
		}
		loop = l.Stmt
	}
	var body *ast.BlockStmt
	switch l := loop.(type) {
	case *ast.RangeStmt:
		body = l.Body
	case *ast.ForStmt:
		body = l.Body
	default:
		return nil
	}
	grows := growthStmts(info, body, seed)
	if len(grows) == 0 {
		return nil
	}
	name := seed.obj.Name()
	c := &rule.Candidate{Func: fd}
	if seed.isMap {
		c.Pos = seed.decl.Pos()
		c.Evidence = siteEvidence(pass, seed.site)
	} else {
		first := grows[0]
		c.Pos = first.stmt.Pos()
		call := first.stmt.Rhs[0].(*ast.CallExpr)
		for _, d := range pass.DiagsAt(call.Lparen, diag.Other) {
			if d.Subject == "append" && (d.Kind == diag.Escapes || d.Kind == diag.NoEscape) {
				c.Evidence = append(c.Evidence, d)
			}
		}
	}
	if len(c.Evidence) == 0 {
		return nil
	}
	c.Summary = "preallocate " + name
	capX, why := tripCount(pass, loop, seed)
	if why == "" {
		why = earlyExit(info, body)
	}
	if why == "" {
		why = growthDecline(info, body, seed, grows)
	}
	if why == "" {
		why = unsafeBetween(info, list[i+1:k], list[i], capX.refs)
	}
	if why == "" && seed.isNil {
		why = nilObservable(info, fd.Body, seed)
	}
	if why == "" {
		for _, b := range []string{"make", "len", "max"} {
			if !syntax.IsUniversal(pass.Types, b, list[i].Pos()) {
				why = "the predeclared " + b + " is shadowed at the declaration of " + name
				break
			}
		}
	}
	if why != "" {
		c.Decline = why
		return c
	}
	c.Summary = fmt.Sprintf("preallocate %s: %s", name, makeText(seed, capX.text))
	c.Fix = func(fix *rule.Fix) error { return fixGrowth(fix, owner, seed, capX) }
	want := 2
	if seed.isMap {
		want = 1
	}
	c.Confirm = func(cf *rule.Confirm) error {
		before, after := countSizedMakes(cf.Before, want), countSizedMakes(cf.After, want)
		if after <= before {
			return fmt.Errorf("the compiler reports no new make with a capacity in %s (%d before, %d after)", cf.Func, before, after)
		}
		return nil
	}
	return c
}

func siteEvidence(pass *rule.Pass, site ast.Expr) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range pass.DiagsAtExpr(site, diag.Other) {
		if d.Kind == diag.Escapes || d.Kind == diag.NoEscape {
			out = append(out, d)
		}
	}
	return out
}

func makeText(seed *growSeed, capText string) string {
	if seed.isMap {
		return "make(" + types.ExprString(seed.typ) + ", " + capText + ")"
	}
	return "make(" + types.ExprString(seed.typ) + ", 0, " + capText + ")"
}

// growth is one statement that grows the seed, with the statements between the loop body and it.
type growth struct {
	stmt *ast.AssignStmt
	path []ast.Node // from the loop body (exclusive) to stmt (exclusive)
}

// growthStmts finds `s = append(s, …)` or `m[k] = v` (any assignment operator) in body, closures too.
func growthStmts(info *types.Info, body *ast.BlockStmt, seed *growSeed) []growth {
	var out []growth
	syntax.WalkStack(body, func(stack []ast.Node) bool {
		as, ok := stack[len(stack)-1].(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return true
		}
		if seed.isMap {
			ix, ok := as.Lhs[0].(*ast.IndexExpr)
			if !ok || !syntax.IsObj(info, ix.X, seed.obj) {
				return true
			}
		} else {
			call, ok := as.Rhs[0].(*ast.CallExpr)
			if as.Tok != token.ASSIGN || !syntax.IsObj(info, as.Lhs[0], seed.obj) || !ok ||
				!syntax.IsBuiltin(info, call.Fun, "append") || len(call.Args) == 0 || !syntax.IsObj(info, call.Args[0], seed.obj) {
				return true
			}
		}
		out = append(out, growth{stmt: as, path: append([]ast.Node(nil), stack[1:len(stack)-1]...)})
		return true
	})
	return out
}

// capExpr is the trip count of a loop as an expression to build before the loop.
type capExpr struct {
	text  string
	refs  []ast.Expr // expressions evaluated at the declaration instead of at the loop
	build func(fix *rule.Fix) dst.Expr
}

func tripCount(pass *rule.Pass, loop ast.Stmt, seed *growSeed) (capExpr, string) {
	info := pass.Info
	switch l := loop.(type) {
	case *ast.RangeStmt:
		if syntax.IsObj(info, l.Key, seed.obj) || syntax.IsObj(info, l.Value, seed.obj) {
			return capExpr{}, "the loop assigns " + seed.obj.Name()
		}
		t := info.TypeOf(l.X)
		if t == nil {
			return capExpr{}, "the range expression has no type"
		}
		switch u := t.Underlying().(type) {
		case *types.Basic:
			switch {
			case u.Info()&types.IsString != 0:
				return capExpr{}, "range over a string: the loop runs once per rune, and len counts bytes"
			case u.Info()&types.IsInteger != 0:
				if _, isCall := ast.Unparen(l.X).(*ast.CallExpr); isCall && info.Types[l.X].Value == nil {
					return capExpr{}, "range over a call result: its count cannot be taken without calling it twice"
				}
				if !syntax.PureExpr(info, l.X) {
					return capExpr{}, "the range count " + types.ExprString(l.X) + " is not a constant, variable or field"
				}
				return nonNegative(info, l.X), ""
			}
		case *types.Chan:
			return capExpr{}, "range over a channel: the number of iterations is not known"
		case *types.Signature:
			return capExpr{}, "range over a function: the number of iterations is not known"
		case *types.Slice, *types.Array, *types.Map, *types.Pointer:
			if _, isCall := ast.Unparen(l.X).(*ast.CallExpr); isCall {
				return capExpr{}, "range over a call result: its length cannot be taken without calling it twice"
			}
			if !syntax.PureExpr(info, l.X) {
				return capExpr{}, "the range expression " + types.ExprString(l.X) + " is not a variable or field"
			}
			x := l.X
			return capExpr{
				text:  "len(" + types.ExprString(x) + ")",
				refs:  []ast.Expr{x},
				build: func(fix *rule.Fix) dst.Expr { return syntax.Call("len", syntax.CloneExpr(fix, x)) },
			}, ""
		}
		return capExpr{}, "range over " + t.String() + ": the number of iterations is not known"
	case *ast.ForStmt:
		return countedLoop(info, l, seed)
	}
	return capExpr{}, "not a loop"
}

// countedLoop reads `for i := a; i < b; i++`.
func countedLoop(info *types.Info, l *ast.ForStmt, seed *growSeed) (capExpr, string) {
	const shape = "not a counted loop (for i := a; i < b; i++)"
	init, ok := l.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return capExpr{}, shape
	}
	iv, _ := info.Defs[init.Lhs[0].(*ast.Ident)].(*types.Var)
	cond, ok := l.Cond.(*ast.BinaryExpr)
	post, ok2 := l.Post.(*ast.IncDecStmt)
	if iv == nil || !ok || !ok2 || cond.Op != token.LSS || !syntax.IsObj(info, cond.X, iv) || post.Tok != token.INC || !syntax.IsObj(info, post.X, iv) {
		return capExpr{}, shape
	}
	a, b := init.Rhs[0], cond.Y
	if assignsAny(info, l.Body, map[types.Object]bool{iv: true}) {
		return capExpr{}, "the loop body changes the counter " + iv.Name()
	}
	for _, e := range []ast.Expr{a, b} {
		if !boundExpr(info, e) {
			return capExpr{}, "the bound " + types.ExprString(e) + " is not a constant, a variable or len of a variable"
		}
		if syntax.Mentions(info, e, seed.obj) {
			return capExpr{}, "the bound " + types.ExprString(e) + " depends on " + seed.obj.Name()
		}
	}
	if assignsAny(info, l.Body, refObjs(info, b)) {
		return capExpr{}, "the loop body changes the bound " + types.ExprString(b)
	}
	if syntax.IsConstInt(info, a, 0) {
		return nonNegative(info, b), ""
	}
	if bt, ok := iv.Type().Underlying().(*types.Basic); !ok || bt.Info()&types.IsUnsigned != 0 {
		return capExpr{}, "an unsigned counter from a non-zero start: " + types.ExprString(b) + "-" + types.ExprString(a) + " could wrap"
	}
	return capExpr{
		text: "max(" + types.ExprString(b) + "-" + types.ExprString(a) + ", 0)",
		refs: []ast.Expr{a, b},
		build: func(fix *rule.Fix) dst.Expr {
			var y dst.Expr = syntax.CloneExpr(fix, a)
			if _, bin := ast.Unparen(a).(*ast.BinaryExpr); bin {
				y = &dst.ParenExpr{X: y}
			}
			diff := &dst.BinaryExpr{X: syntax.CloneExpr(fix, b), Op: token.SUB, Y: y}
			return syntax.Call("max", diff, &dst.BasicLit{Kind: token.INT, Value: "0"})
		},
	}, ""
}

// nonNegative returns n itself when it cannot be negative, else max(n, 0).
func nonNegative(info *types.Info, n ast.Expr) capExpr {
	c := capExpr{text: types.ExprString(n), refs: []ast.Expr{n}, build: func(fix *rule.Fix) dst.Expr { return syntax.CloneExpr(fix, n) }}
	if tv := info.Types[n]; tv.Value != nil {
		if v, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok && v >= 0 {
			return c
		}
	}
	if call, ok := ast.Unparen(n).(*ast.CallExpr); ok && (syntax.IsBuiltin(info, call.Fun, "len") || syntax.IsBuiltin(info, call.Fun, "cap")) {
		return c
	}
	if bt, ok := info.TypeOf(n).Underlying().(*types.Basic); ok && bt.Info()&types.IsUnsigned != 0 {
		return c
	}
	c.text = "max(" + c.text + ", 0)"
	c.build = func(fix *rule.Fix) dst.Expr {
		return syntax.Call("max", syntax.CloneExpr(fix, n), &dst.BasicLit{Kind: token.INT, Value: "0"})
	}
	return c
}

// earlyExit says why the body may end an iteration before its end or leave the loop.
func earlyExit(info *types.Info, body *ast.BlockStmt) string {
	why := ""
	var walk func(n ast.Node, inLoop, inSwitch bool)
	walk = func(n ast.Node, inLoop, inSwitch bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			if why != "" || m == nil {
				return false
			}
			if m == n {
				return true
			}
			switch m := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				walk(m, true, inSwitch)
				return false
			case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				walk(m, inLoop, true)
				return false
			case *ast.ReturnStmt:
				why = "the loop body can return"
			case *ast.BranchStmt:
				switch {
				case m.Tok == token.GOTO:
					why = "the loop body has a goto"
				case m.Label != nil:
					why = "the loop body has a labeled " + m.Tok.String()
				case m.Tok == token.BREAK && !inLoop && !inSwitch:
					why = "the loop body can break"
				case m.Tok == token.CONTINUE && !inLoop:
					why = "the loop body can continue before or after the append"
				}
			case *ast.CallExpr:
				if syntax.IsBuiltin(info, m.Fun, "panic") {
					why = "the loop body can panic by design"
				}
			}
			return true
		})
	}
	walk(body, false, false)
	return why
}

// growthDecline says why the growths found are not exactly one element per iteration.
func growthDecline(info *types.Info, body *ast.BlockStmt, seed *growSeed, grows []growth) string {
	name := seed.obj.Name()
	if len(grows) > 1 {
		return fmt.Sprintf("%d places grow %s in one iteration", len(grows), name)
	}
	g := grows[0]
	if len(g.path) > 0 {
		switch g.path[0].(type) {
		case *ast.IfStmt:
			return "the growth of " + name + " is conditional (inside if)"
		case *ast.SwitchStmt, *ast.TypeSwitchStmt:
			return "the growth of " + name + " is conditional (inside switch)"
		case *ast.SelectStmt:
			return "the growth of " + name + " is conditional (inside select)"
		case *ast.ForStmt, *ast.RangeStmt:
			return "the growth of " + name + " is in an inner loop"
		case *ast.ExprStmt, *ast.AssignStmt, *ast.GoStmt, *ast.DeferStmt, *ast.ReturnStmt:
			return "the growth of " + name + " is in a closure"
		default:
			return "the growth of " + name + " is not directly in the loop body"
		}
	}
	if seed.isMap {
		if g.stmt.Tok != token.ASSIGN {
			return "not a plain " + name + "[k] = v"
		}
	} else {
		call := g.stmt.Rhs[0].(*ast.CallExpr)
		if call.Ellipsis.IsValid() {
			return fmt.Sprintf("%s adds a varying number of elements", types.ExprString(call))
		}
		if n := len(call.Args) - 1; n != 1 {
			return fmt.Sprintf("the append adds %d elements per iteration", n)
		}
	}
	why := ""
	ast.Inspect(body, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n == g.stmt {
				// the growth's own value must not read s's identity in odd ways; reads are fine
				for _, r := range n.Rhs {
					ast.Inspect(r, func(m ast.Node) bool {
						if call, ok := m.(*ast.CallExpr); ok && call != r && syntax.IsBuiltin(info, call.Fun, "append") &&
							len(call.Args) > 0 && syntax.IsObj(info, call.Args[0], seed.obj) {
							why = name + " is appended to elsewhere in the loop"
						}
						return why == ""
					})
				}
				return false
			}
			for _, l := range n.Lhs {
				if syntax.IsObj(info, l, seed.obj) {
					why = name + " is assigned elsewhere in the loop"
				}
			}
		case *ast.CallExpr:
			if len(n.Args) > 0 && syntax.IsObj(info, n.Args[0], seed.obj) {
				for _, b := range []string{"append", "delete", "clear"} {
					if syntax.IsBuiltin(info, n.Fun, b) {
						why = name + " is changed elsewhere in the loop (" + b + ")"
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && syntax.IsObj(info, n.X, seed.obj) {
				why = "the address of " + name + " is taken in the loop"
			}
		case *ast.FuncLit:
			if syntax.Mentions(info, n, seed.obj) {
				why = name + " is used by a closure in the loop"
			}
		}
		return why == ""
	})
	return why
}

// unsafeBetween says why the length expressions could differ between the declaration and the loop.
func unsafeBetween(info *types.Info, between []ast.Stmt, decl ast.Stmt, refs []ast.Expr) string {
	objs := map[types.Object]bool{}
	selector, why := false, ""
	for _, r := range refs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr, *ast.StarExpr, *ast.IndexExpr:
				selector = true
			case *ast.Ident:
				v, ok := info.Uses[n].(*types.Var)
				if !ok {
					break
				}
				objs[v] = true
				if v.Pkg() != nil && v.Parent() != v.Pkg().Scope() && v.Pos() >= decl.Pos() && why == "" {
					why = v.Name() + " is declared after the declaration that would use it"
				}
			}
			return true
		})
	}
	if why != "" {
		return why
	}
	for _, st := range between {
		if assignsAny(info, st, objs) {
			return "the length expression may change before the loop"
		}
		if selector && hasCall(info, st) {
			return "a call before the loop may change the length expression"
		}
	}
	return ""
}

// nilObservable says how code could tell a nil s from an empty one, or "".
func nilObservable(info *types.Info, fnBody *ast.BlockStmt, seed *growSeed) string {
	name := seed.obj.Name()
	return syntax.FirstObjection(info, fnBody, seed.obj, func(id *ast.Ident, stack []ast.Node) string {
		parent := stack[len(stack)-2]
		for _, a := range stack {
			if _, ok := a.(*ast.FuncLit); ok {
				return "nil vs empty observable: " + name + " is used by a closure"
			}
		}
		switch p := parent.(type) {
		case *ast.IndexExpr:
			if p.X == id {
				return ""
			}
		case *ast.RangeStmt:
			if p.X == id {
				return ""
			}
		case *ast.AssignStmt:
			if containsExpr(p.Lhs, id) {
				return "" // overwritten, not observed
			}
			return "nil vs empty observable: " + name + " is assigned to " + types.ExprString(p.Lhs[0])
		case *ast.SliceExpr:
			return "nil vs empty observable: " + name + " is sliced"
		case *ast.SendStmt:
			return "nil vs empty observable: " + name + " is sent on a channel"
		case *ast.CompositeLit, *ast.KeyValueExpr:
			return "nil vs empty observable: " + name + " is stored in a composite literal"
		case *ast.ValueSpec:
			return "nil vs empty observable: " + name + " is assigned to " + p.Names[0].Name
		case *ast.CallExpr:
			switch {
			case syntax.IsBuiltin(info, p.Fun, "len"), syntax.IsBuiltin(info, p.Fun, "cap"), syntax.IsBuiltin(info, p.Fun, "copy"):
				return ""
			case syntax.IsBuiltin(info, p.Fun, "append") && len(p.Args) > 0 && p.Args[0] == id:
				if as, ok := stack[len(stack)-3].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && syntax.IsObj(info, as.Lhs[0], seed.obj) {
					return ""
				}
			}
			return "nil vs empty observable: " + name + " is passed to " + types.ExprString(p.Fun)
		case *ast.BinaryExpr:
			return "nil vs empty observable: " + name + " is compared to " + types.ExprString(otherSide(p, id))
		case *ast.ReturnStmt:
			return "nil vs empty observable: " + name + " is returned"
		}
		return fmt.Sprintf("nil vs empty observable: %s is used in %T", name, parent)
	})
}

func otherSide(b *ast.BinaryExpr, id ast.Expr) ast.Expr {
	if b.X == id {
		return b.Y
	}
	return b.X
}

func containsExpr(list []ast.Expr, e ast.Expr) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// fixGrowth rewrites the declaration into a make with the capacity.
func fixGrowth(fix *rule.Fix, owner ast.Node, seed *growSeed, c capExpr) error {
	args := []dst.Expr{syntax.CloneExpr(fix, seed.typ)}
	if !seed.isMap {
		args = append(args, &dst.BasicLit{Kind: token.INT, Value: "0"})
	}
	args = append(args, c.build(fix))
	mk := syntax.Call("make", args...)
	if seed.assign != nil {
		as := fix.Dst(seed.assign).(*dst.AssignStmt)
		mk.Decs.Start = as.Rhs[0].Decorations().Start
		mk.Decs.End = as.Rhs[0].Decorations().End
		as.Rhs[0] = mk
		return nil
	}
	old := fix.Dst(seed.decl).(dst.Stmt)
	as := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(seed.obj.Name())}, Tok: token.DEFINE, Rhs: []dst.Expr{mk}}
	as.Decs.NodeDecs = *old.Decorations()
	return syntax.ReplaceStmt(fix.Dst(owner), old, as)
}

// countSizedMakes counts the make diagnostics whose call has at least commas top-level commas.
func countSizedMakes(ds []diag.Diagnostic, commas int) int {
	n := 0
	for _, d := range ds {
		if (d.Kind != diag.Escapes && d.Kind != diag.NoEscape) || !strings.HasPrefix(d.Subject, "make(") {
			continue
		}
		depth, c := 0, 0
		for _, r := range d.Subject {
			switch r {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth--
			case ',':
				if depth == 1 {
					c++
				}
			}
		}
		if c >= commas {
			n++
		}
	}
	return n
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

// assignsAny reports whether n assigns, increments or takes the address of one of objs (as the root
// of the left-hand side), or ranges into it.
func assignsAny(info *types.Info, n ast.Node, objs map[types.Object]bool) bool {
	root := func(e ast.Expr) bool {
		for {
			switch x := ast.Unparen(e).(type) {
			case *ast.Ident:
				o := info.Uses[x]
				if o == nil {
					o = info.Defs[x]
				}
				return objs[o]
			case *ast.SelectorExpr:
				e = x.X
			case *ast.IndexExpr:
				e = x.X
			case *ast.StarExpr:
				e = x.X
			default:
				return false
			}
		}
	}
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.AssignStmt:
			for _, l := range m.Lhs {
				if m.Tok != token.DEFINE && root(l) {
					found = true
				}
			}
		case *ast.IncDecStmt:
			found = found || root(m.X)
		case *ast.UnaryExpr:
			found = found || (m.Op == token.AND && root(m.X))
		case *ast.RangeStmt:
			if m.Tok == token.ASSIGN {
				found = found || (m.Key != nil && root(m.Key)) || (m.Value != nil && root(m.Value))
			}
		}
		return !found
	})
	return found
}

// hasCall reports whether n calls anything but a conversion or a builtin without side effects.
func hasCall(info *types.Info, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		call, ok := m.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return true
		}
		for _, b := range []string{"len", "cap", "min", "max", "make", "new"} {
			if syntax.IsBuiltin(info, call.Fun, b) {
				return true
			}
		}
		found = true
		return false
	})
	return found
}
