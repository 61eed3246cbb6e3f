package rules

import (
	"go/ast"
	"go/types"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// eachStmtList calls fn for every statement list (a block, or the body of a case or select clause)
// inside the functions of the package's non-test files, outermost first.
func eachStmtList(pass *rule.Pass, fn func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt)) {
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

// firstObjection walks root and asks judge about every identifier that uses obj, with the path of
// nodes from root down to it (the identifier last). The first non-empty answer stops the walk and is
// returned; "" means no use objected.
func firstObjection(info *types.Info, root ast.Node, obj types.Object, judge func(id *ast.Ident, stack []ast.Node) string) string {
	why := ""
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == obj {
			why = judge(id, stack)
		}
		return true
	})
	return why
}
