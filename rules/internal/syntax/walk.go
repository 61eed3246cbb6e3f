package syntax

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// EachStmtList calls fn for every statement list (a block, or the body of a case or select clause)
// inside the functions of the package's non-test files, outermost first.
func EachStmtList(pass *rule.Pass, fn func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt)) {
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

// NonTestFiles returns the package's files that are not _test.go files.
func NonTestFiles(pass *rule.Pass) []*ast.File {
	var out []*ast.File
	for _, f := range pass.Files {
		if !pass.IsTestFile(f) {
			out = append(out, f)
		}
	}
	return out
}

// Stack returns the path of nodes from the file down to cur's node (the node last), as the
// hand-made stack of a walk would hold it.
func Stack(cur inspector.Cursor) []ast.Node {
	var stack []ast.Node
	for c := range cur.Enclosing() {
		stack = append(stack, c.Node())
	}
	slices.Reverse(stack)
	return stack
}

// WalkStack visits root and every node below it in the order of ast.Inspect, with the path of nodes
// from root down to the node (the node last): Stack for a subtree, which has no inspector of its
// own. The stack is reused: a visitor that keeps it must
// copy it. visit's result says whether to go into the node's children.
func WalkStack(root ast.Node, visit func(stack []ast.Node) bool) {
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		if !visit(stack) {
			stack = stack[:len(stack)-1]
			return false
		}
		return true
	})
}

// FirstObjection walks root and asks judge about every identifier that uses obj, with the path of
// nodes from root down to it (the identifier last). The first non-empty answer stops the walk and is
// returned; "" means no use objected.
func FirstObjection(info *types.Info, root ast.Node, obj types.Object, judge func(id *ast.Ident, stack []ast.Node) string) string {
	why := ""
	WalkStack(root, func(stack []ast.Node) bool {
		if why != "" {
			return false
		}
		if id, ok := stack[len(stack)-1].(*ast.Ident); ok && info.Uses[id] == obj {
			why = judge(id, stack)
		}
		return true
	})
	return why
}

// OutermostFunc returns the outermost function, a declaration or a literal, on stack (a path from
// the root down), or nil.
func OutermostFunc(stack []ast.Node) ast.Node {
	for _, n := range stack {
		switch n.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return n
		}
	}
	return nil
}
