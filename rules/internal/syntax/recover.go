package syntax

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// MayRecover returns the position of a deferred call of fd that may recover from a panic, after
// which fd returns its results as they are (the zero value, for unnamed ones): a function literal
// or a function of the package that calls recover, or a callee gcfix cannot see (a function value,
// an interface method, a function outside the standard library). NoPos when there is none.
func MayRecover(pass *rule.Pass, fd *ast.FuncDecl) token.Pos {
	callsRecover := func(body *ast.BlockStmt) bool {
		found := false
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false // recover recovers only when the deferred function calls it
			case *ast.CallExpr:
				found = found || IsBuiltin(pass.Info, n.Fun, "recover")
			}
			return !found
		})
		return found
	}
	var at token.Pos
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its defers run when it returns
		case *ast.DeferStmt:
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				if callsRecover(lit.Body) {
					at = n.Pos()
				}
				break
			}
			if tv := pass.Info.Types[n.Call.Fun]; tv.IsBuiltin() {
				break
			}
			fn := typeutil.StaticCallee(pass.Info, n.Call)
			switch {
			case fn == nil || fn.Pkg() == nil:
				at = n.Pos()
			case fn.Pkg() == pass.Types:
				if d := FuncDecl(pass, fn.Origin()); d == nil || d.Body != nil && callsRecover(d.Body) {
					at = n.Pos()
				}
			case !isStd(pass.Types, fn.Pkg()):
				at = n.Pos() // outside the standard library, whose deferred functions do not recover
			}
		}
		return !at.IsValid()
	})
	return at
}

// isStd reports whether p is a package of the standard library, whose paths have no dot in their
// first element: unlike those of the module of pkg, unless it has none either (then nothing of
// that first element counts).
func isStd(pkg, p *types.Package) bool {
	first := func(path string) string { f, _, _ := strings.Cut(path, "/"); return f }
	f := first(p.Path())
	return !strings.Contains(f, ".") && f != first(pkg.Path())
}

// FuncDecl returns the declaration of fn among the package's files, or nil.
func FuncDecl(pass *rule.Pass, fn *types.Func) *ast.FuncDecl {
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
