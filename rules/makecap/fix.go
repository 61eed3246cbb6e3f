package makecap

import (
	"go/ast"
	"go/token"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// fix writes the make in the chosen form.
func (m *growMatch) fix(fix *rule.Fix) error {
	name := m.seed.obj.Name()
	switch m.form {
	case inPlace:
		return m.fixInPlace(fix)
	case beforeLoop:
		return m.insertBeforeLoop(fix, assign(name, m.makeCall(fix, m.count.buildNonNeg(fix))))
	case ifRuns:
		return m.insertBeforeLoop(fix, m.ifRunsStmt(fix))
	}
	// firstGrow
	g := m.grows[0]
	st := &dst.IfStmt{
		Cond: &dst.BinaryExpr{X: dst.NewIdent(name), Op: token.EQL, Y: dst.NewIdent("nil")},
		Body: &dst.BlockStmt{List: []dst.Stmt{assign(name, m.makeCall(fix, m.count.build(fix)))}},
	}
	return syntax.InsertBefore(fix.Dst(g.list), fix.Dst(g.stmt).(dst.Stmt), st, false)
}

// ifRunsStmt is `if n > 0 { s = make([]T, 0, n) }`, with the count taken once in the if's init when
// it is not plain: `if n := len(x.f); n > 0 { … }`.
func (m *growMatch) ifRunsStmt(fix *rule.Fix) dst.Stmt {
	name := m.seed.obj.Name()
	if m.count.plain(m.pass.Info) {
		return &dst.IfStmt{
			Cond: m.count.runs(fix),
			Body: &dst.BlockStmt{List: []dst.Stmt{assign(name, m.makeCall(fix, m.count.build(fix)))}},
		}
	}
	n := syntax.FreshName(m.pass.Types, m.list[m.k].Pos(), "n", func(s string) bool {
		return s == name || mentionsName(m.seed.typ, s)
	})
	return &dst.IfStmt{
		Init: &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(n)}, Tok: token.DEFINE, Rhs: []dst.Expr{m.count.build(fix)}},
		Cond: &dst.BinaryExpr{X: dst.NewIdent(n), Op: token.GTR, Y: intLit(0)},
		Body: &dst.BlockStmt{List: []dst.Stmt{assign(name, m.makeCall(fix, dst.NewIdent(n)))}},
	}
}

func mentionsName(e ast.Node, name string) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

func assign(name string, x dst.Expr) *dst.AssignStmt {
	return &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(name)}, Tok: token.ASSIGN, Rhs: []dst.Expr{x}}
}

// makeCall is make([]T, 0, capacity) or make(map[K]V, capacity).
func (m *growMatch) makeCall(fix *rule.Fix, capacity dst.Expr) *dst.CallExpr {
	args := []dst.Expr{syntax.CloneExpr(fix, m.seed.typ)}
	if !m.seed.isMap {
		args = append(args, intLit(0))
	}
	return syntax.Call("make", append(args, capacity)...)
}

// insertBeforeLoop puts st just before the loop: right after the seed when nothing is between
// them, else with the loop's leading comments.
func (m *growMatch) insertBeforeLoop(fix *rule.Fix, st dst.Stmt) error {
	return syntax.InsertBefore(fix.Dst(m.owner), fix.Dst(m.list[m.k]).(dst.Stmt), st, m.k != m.i+1)
}

// fixInPlace makes the seed's declaration or assignment the make.
func (m *growMatch) fixInPlace(fix *rule.Fix) error {
	seed := m.seed
	mk := m.makeCall(fix, m.count.buildNonNeg(fix))
	if seed.assign != nil {
		as := fix.Dst(seed.assign).(*dst.AssignStmt)
		mk.Decs.Start = as.Rhs[0].Decorations().Start
		mk.Decs.End = as.Rhs[0].Decorations().End
		as.Rhs[0] = mk
		return nil
	}
	gd := seed.decl.(*ast.DeclStmt).Decl.(*ast.GenDecl)
	if len(gd.Specs) > 1 || gd.Lparen.IsValid() {
		// a spec of a var block: s = make(...) in its place
		vs := fix.Dst(seed.spec).(*dst.ValueSpec)
		vs.Type = nil
		vs.Values = []dst.Expr{mk}
		return nil
	}
	old := fix.Dst(seed.decl).(dst.Stmt)
	as := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent(seed.obj.Name())}, Tok: token.DEFINE, Rhs: []dst.Expr{mk}}
	as.Decs.NodeDecs = *old.Decorations()
	return syntax.ReplaceStmt(fix.Dst(m.owner), old, as)
}
