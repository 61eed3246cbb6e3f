package rules

import (
	"go/ast"

	"github.com/gcfix/gcfix/rewrite"
)

// eachStmtList calls fn for every statement list (a block, or the body of a case or select clause)
// inside the functions of the package's non-test files, outermost first.
func eachStmtList(pass *rewrite.Pass, fn func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt)) {
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BlockStmt:
					fn(fd, n, n.List)
				case *ast.CaseClause:
					fn(fd, n, n.Body)
				case *ast.CommClause:
					fn(fd, n, n.Body)
				}
				return true
			})
		}
	}
}
