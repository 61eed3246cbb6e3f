// Package syntax holds the questions about Go syntax and types that more than one of gcfix's rules
// asks (is this a builtin, which function encloses a node, which branches are cold), and the
// statement edits they share on the decorated tree. Each is written once, here.
package syntax

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// IsBuiltin reports whether fun, parentheses aside, names the predeclared function name.
func IsBuiltin(info *types.Info, fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// IsConstInt reports whether e is a constant whose integer value is want.
func IsConstInt(info *types.Info, e ast.Expr, want int64) bool {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil {
		return false
	}
	v, exact := constant.Int64Val(constant.ToInt(tv.Value))
	return exact && v == want
}

// IsObj reports whether e is the identifier of obj.
func IsObj(info *types.Info, e ast.Expr, obj types.Object) bool {
	if e == nil {
		return false
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && (info.Uses[id] == obj || info.Defs[id] == obj)
}

// Mentions reports whether an identifier in n uses or declares obj.
func Mentions(info *types.Info, n ast.Node, obj types.Object) bool {
	return mentions(info, n, func(o types.Object) bool { return o == obj })
}

// MentionsAny reports whether an identifier in n uses or declares one of objs.
func MentionsAny(info *types.Info, n ast.Node, objs map[types.Object]bool) bool {
	return mentions(info, n, func(o types.Object) bool { return objs[o] })
}

func mentions(info *types.Info, n ast.Node, is func(types.Object) bool) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok {
			if o := info.Uses[id]; o != nil && is(o) {
				found = true
			} else if o := info.Defs[id]; o != nil && is(o) {
				found = true
			}
		}
		return !found
	})
	return found
}

// PureExpr reports whether e is a variable, a constant, or a chain of field selections and
// dereferences of one: an expression that can be evaluated twice with the same result when nothing
// assigns in between.
func PureExpr(info *types.Info, e ast.Expr) bool {
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return true
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		_, ok := info.Uses[e].(*types.Var)
		return ok
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			return sel.Kind() == types.FieldVal && PureExpr(info, e.X)
		}
		_, ok := info.Uses[e.Sel].(*types.Var) // a package's variable
		return ok
	case *ast.StarExpr:
		return PureExpr(info, e.X)
	}
	return false
}

// IsUniversal reports whether name means the predeclared identifier at pos in pkg.
func IsUniversal(pkg *types.Package, name string, pos token.Pos) bool {
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	return obj != nil && obj.Parent() == types.Universe
}

// IsPointer reports whether t's underlying type is a pointer.
func IsPointer(t types.Type) bool {
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}
