package outline

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// scan walks a region and collects what newPlan needs to know, or why it declines.
type scan struct {
	info      *types.Info
	fd        *ast.FuncDecl
	lo, hi    token.Pos // the region
	sig       *types.Signature
	recv      *types.Var
	used      []*types.Var // variables of the function used in the region, receiver left out
	seen      map[*types.Var]bool
	assigned  []*types.Var
	hasReturn bool
	tail      bool // the region is the function's tail: a bare return of named results can stay
	bare      bool // the tail holds a bare return of named results
	why       string
}

// outer reports whether v is a variable of the function declared outside the region.
func (sc *scan) outer(v *types.Var) bool {
	if v.IsField() || v.Pos() < sc.fd.Pos() || v.Pos() >= sc.fd.End() {
		return false
	}
	return v.Pos() < sc.lo || v.Pos() >= sc.hi
}

func (sc *scan) declinef(format string, args ...any) {
	if sc.why == "" {
		sc.why = fmt.Sprintf(format, args...)
	}
}

// walk scans one statement of the region with the stack of nodes above each node.
func (sc *scan) walk(root ast.Node) {
	syntax.WalkStack(root, func(path []ast.Node) bool {
		if sc.why != "" {
			return false
		}
		stack := path[:len(path)-1]
		sc.node(path[len(path)-1], stack, inLit(stack))
		return true
	})
}

// inLit reports whether a function literal is on stack.
func inLit(stack []ast.Node) bool {
	for _, n := range stack {
		if _, ok := n.(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

func (sc *scan) node(n ast.Node, stack []ast.Node, lit bool) {
	info := sc.info
	switch n := n.(type) {
	case *ast.DeferStmt:
		if !lit {
			sc.declinef("contains a defer statement, which would run when the slow path returns")
		}
	case *ast.LabeledStmt:
		if !lit {
			sc.declinef("contains the label %s", n.Label.Name)
		}
	case *ast.BranchStmt:
		if lit {
			return
		}
		switch {
		case n.Tok == token.GOTO:
			sc.declinef("contains goto %s", n.Label.Name)
		case n.Label != nil:
			sc.declinef("contains %s %s, a branch to a label", n.Tok, n.Label.Name)
		case n.Tok == token.BREAK && !encloses(stack, true):
			sc.declinef("break leaves the region")
		case n.Tok == token.CONTINUE && !encloses(stack, false):
			sc.declinef("continue leaves the region")
		}
	case *ast.ReturnStmt:
		if lit {
			return
		}
		sc.hasReturn = true
		if len(n.Results) == 0 && sc.sig.Results().Len() > 0 {
			if sc.tail {
				sc.bare = true // the slow path declares the results (ownResults)
				return
			}
			sc.declinef("contains a bare return of named results")
		}
	case *ast.CallExpr:
		if !lit && syntax.IsBuiltin(info, n.Fun, "recover") {
			sc.declinef("calls recover, which only works in the function that a deferred call runs in")
		}
	case *ast.Ident:
		sc.ident(n, lit)
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			if v := sc.root(n.X); v != nil {
				sc.declinef("takes the address of %s", v.Name())
			}
		}
	case *ast.SliceExpr:
		if tv, ok := info.Types[n.X]; ok {
			if _, isArray := tv.Type.Underlying().(*types.Array); isArray {
				if v := sc.root(n.X); v != nil {
					sc.declinef("slices the array %s, which takes its address", v.Name())
				}
			}
		}
	case *ast.SelectorExpr:
		sel := info.Selections[n]
		if sel == nil || sel.Kind() != types.MethodVal {
			return
		}
		if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); !ptrRecv {
			return
		}
		if tv, ok := info.Types[n.X]; ok && !syntax.IsPointer(tv.Type) {
			if v := sc.root(n.X); v != nil {
				sc.declinef("calls the pointer method %s on %s, which takes its address", n.Sel.Name, v.Name())
			}
		}
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && info.Defs[id] != nil {
				continue // a new variable
			}
			sc.assign(lhs)
		}
	case *ast.IncDecStmt:
		sc.assign(n.X)
	case *ast.RangeStmt:
		if n.Tok == token.ASSIGN {
			if n.Key != nil {
				sc.assign(n.Key)
			}
			if n.Value != nil {
				sc.assign(n.Value)
			}
		}
	}
}

func (sc *scan) ident(id *ast.Ident, lit bool) {
	switch obj := sc.info.Uses[id].(type) {
	case *types.Var:
		if !sc.outer(obj) {
			return
		}
		if lit {
			sc.declinef("a closure captures %s", obj.Name())
			return
		}
		if obj == sc.recv {
			return
		}
		if sc.seen == nil {
			sc.seen = map[*types.Var]bool{}
		}
		if !sc.seen[obj] {
			sc.seen[obj] = true
			sc.used = append(sc.used, obj)
		}
	case *types.TypeName:
		if _, isTP := obj.Type().(*types.TypeParam); !isTP && declaredIn(obj, sc.fd) && (obj.Pos() < sc.lo || obj.Pos() >= sc.hi) {
			sc.declinef("uses the type %s declared in the function", obj.Name())
		}
	case *types.Const:
		if declaredIn(obj, sc.fd) && (obj.Pos() < sc.lo || obj.Pos() >= sc.hi) {
			sc.declinef("uses the constant %s declared in the function", obj.Name())
		}
	}
}

func declaredIn(obj types.Object, fd *ast.FuncDecl) bool {
	return obj.Pos() >= fd.Pos() && obj.Pos() < fd.End()
}

// root returns the variable of the function (outside the region) whose storage e is part of: x
// for x, x.f (x not a pointer) and x[i] (x an array); nil otherwise.
func (sc *scan) root(e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if v, ok := sc.info.Uses[x].(*types.Var); ok && sc.outer(v) {
				return v
			}
			return nil
		case *ast.SelectorExpr:
			sel := sc.info.Selections[x]
			if sel == nil || sel.Kind() != types.FieldVal || sel.Indirect() {
				return nil
			}
			if tv, ok := sc.info.Types[x.X]; !ok || syntax.IsPointer(tv.Type) {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			tv, ok := sc.info.Types[x.X]
			if !ok {
				return nil
			}
			if _, isArray := tv.Type.Underlying().(*types.Array); !isArray {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

func (sc *scan) assign(lhs ast.Expr) {
	if v := sc.root(lhs); v != nil {
		for _, a := range sc.assigned {
			if a == v {
				return
			}
		}
		sc.assigned = append(sc.assigned, v)
	}
}

// encloses reports whether the innermost loop (or, for a break, switch or select) above a branch
// statement is inside the region, that is on the stack before any function literal.
func encloses(stack []ast.Node, isBreak bool) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if isBreak {
				return true
			}
		}
	}
	return false
}

// checkShared says why the slow path's copy of a variable of the function would not behave as the
// variable: a closure that assigns it or a pointer to it can change the variable while the region
// reads its copy, and an assignment of the region to the copy is lost to a closure, a pointer or a
// deferred call that reads the variable later (nothing else runs after the region, which ends the
// function).
func (sc *scan) checkShared(last ast.Stmt) string {
	captured, assignedInLit, addressed := sc.readLater()
	uses := sc.used
	if sc.recv != nil {
		uses = append([]*types.Var{sc.recv}, uses...)
	}
	for _, v := range uses {
		switch {
		case assignedInLit[v]:
			return fmt.Sprintf("uses %s, which a closure assigns: the slow path would read a copy", v.Name())
		case addressed[v]:
			return fmt.Sprintf("uses %s, whose address is taken: the slow path would read a copy", v.Name())
		}
	}
	if len(sc.assigned) == 0 {
		return ""
	}
	results := map[*types.Var]bool{}
	for i := 0; i < sc.sig.Results().Len(); i++ {
		results[sc.sig.Results().At(i)] = true
	}
	for _, v := range sc.assigned {
		switch {
		case results[v]:
			if ret, ok := last.(*ast.ReturnStmt); !ok || len(ret.Results) == 0 {
				return fmt.Sprintf("assigns to the named result %s and does not end in a return with values", v.Name())
			}
		case captured[v]:
			return fmt.Sprintf("assigns to %s, which later code reads (a closure captures it)", v.Name())
		case addressed[v]:
			return fmt.Sprintf("assigns to %s, which later code reads (its address is taken)", v.Name())
		}
	}
	return ""
}

// readLater finds the variables of the function that a closure captures, those that a closure
// assigns, and those whose address the function takes, anywhere in the function.
func (sc *scan) readLater() (captured, assignedInLit, addressed map[*types.Var]bool) {
	captured, assignedInLit, addressed = map[*types.Var]bool{}, map[*types.Var]bool{}, map[*types.Var]bool{}
	whole := &scan{info: sc.info, fd: sc.fd, lo: sc.fd.Pos(), hi: sc.fd.Pos()} // every variable is outer
	depth := 0
	var visit func(n ast.Node) bool
	litAssigns := func(lhs ast.Expr) {
		if v := whole.root(lhs); v != nil && depth > 0 {
			assignedInLit[v] = true
		}
	}
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			depth++
			ast.Inspect(n.Body, visit)
			depth--
			return false
		case *ast.Ident:
			if v, ok := sc.info.Uses[n].(*types.Var); ok && depth > 0 && whole.outer(v) {
				captured[v] = true
			}
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				litAssigns(lhs)
			}
		case *ast.IncDecStmt:
			litAssigns(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				for _, x := range []ast.Expr{n.Key, n.Value} {
					if x != nil {
						litAssigns(x)
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if v := whole.root(n.X); v != nil {
					addressed[v] = true
				}
			}
		case *ast.SliceExpr:
			if tv, ok := sc.info.Types[n.X]; ok {
				if _, isArray := tv.Type.Underlying().(*types.Array); isArray {
					if v := whole.root(n.X); v != nil {
						addressed[v] = true
					}
				}
			}
		case *ast.SelectorExpr:
			if sel := sc.info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptr := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptr {
					if tv, ok := sc.info.Types[n.X]; ok && !syntax.IsPointer(tv.Type) {
						if v := whole.root(n.X); v != nil {
							addressed[v] = true
						}
					}
				}
			}
		}
		return true
	}
	ast.Inspect(sc.fd.Body, visit)
	return captured, assignedInLit, addressed
}
