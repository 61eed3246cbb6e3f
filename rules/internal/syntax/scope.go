package syntax

import (
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"strconv"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// ResolvesAt returns the first identifier of e that would not mean the same thing if e were written
// at pos (declared after pos, or shadowed there), or "" when every one would. Field and method
// names, and the names that a package qualifies, are not looked up.
func ResolvesAt(pkg *types.Package, info *types.Info, e ast.Expr, pos token.Pos) string {
	scope := pkg.Scope().Innermost(pos)
	bad := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if bad != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && bad == "" && !resolves(scope, info, id, pos) {
					bad = id.Name
				}
				return bad == ""
			})
			return false
		case *ast.KeyValueExpr:
			return true
		case *ast.Ident:
			if !resolves(scope, info, n, pos) {
				bad = n.Name
			}
		}
		return true
	})
	return bad
}

func resolves(scope *types.Scope, info *types.Info, id *ast.Ident, pos token.Pos) bool {
	obj := info.Uses[id]
	if obj == nil || obj.Parent() == nil && obj.Pkg() != nil {
		return true // a field, a method, or not a use
	}
	if scope == nil {
		return false
	}
	_, at := scope.LookupParent(id.Name, pos)
	return at == obj
}

// FreshName returns base, base1, base2... the first that names nothing at pos and that taken does
// not report.
func FreshName(pkg *types.Package, pos token.Pos, base string, taken func(string) bool) string {
	scope := pkg.Scope().Innermost(pos)
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name = base + strconv.Itoa(i)
		}
		if taken != nil && taken(name) {
			continue
		}
		if scope != nil {
			if _, obj := scope.LookupParent(name, pos); obj != nil {
				continue
			}
		}
		return name
	}
}

// Importable reports whether the package path can be named by name at pos: nothing in scope has
// that name, or it is that package.
func Importable(pkg *types.Package, name, path string, pos token.Pos) bool {
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	if obj == nil {
		return true
	}
	pn, ok := obj.(*types.PkgName)
	return ok && pn.Imported().Path() == path
}

// GoVersionAtLeast reports whether the file that holds pos is compiled with a language version of
// at least v ("go1.21"): the file's //go:build version or the module's go line. An unknown version
// counts as the newest.
func GoVersionAtLeast(pass *rule.Pass, pos token.Pos, v string) bool {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			fv := pass.Info.FileVersions[f]
			return fv == "" || version.Compare(fv, v) >= 0
		}
	}
	return true
}
