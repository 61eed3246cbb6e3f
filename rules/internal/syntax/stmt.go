package syntax

import (
	"fmt"
	"go/ast"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// StmtList returns the statement list that n holds: a block's, a case or select clause's.
func StmtList(n dst.Node) (*[]dst.Stmt, error) {
	switch n := n.(type) {
	case *dst.BlockStmt:
		return &n.List, nil
	case *dst.CaseClause:
		return &n.Body, nil
	case *dst.CommClause:
		return &n.Body, nil
	}
	return nil, fmt.Errorf("no statement list in %T", n)
}

// ReplaceStmt puts repl in place of old in the statement list of owner.
func ReplaceStmt(owner dst.Node, old, repl dst.Stmt) error {
	list, err := StmtList(owner)
	if err != nil {
		return err
	}
	for i, s := range *list {
		if s == old {
			(*list)[i] = repl
			return nil
		}
	}
	return fmt.Errorf("statement not found in its block")
}

// Call returns a call of the function name, a predeclared one such as make or clear.
func Call(name string, args ...dst.Expr) *dst.CallExpr {
	return &dst.CallExpr{Fun: dst.NewIdent(name), Args: args}
}

// CloneExpr returns a copy of the decorated form of e, without its comments.
func CloneExpr(fix *rule.Fix, e ast.Expr) dst.Expr {
	x := dst.Clone(fix.Dst(e)).(dst.Expr)
	x.Decorations().Start.Clear()
	x.Decorations().End.Clear()
	x.Decorations().Before = dst.None
	x.Decorations().After = dst.None
	return x
}
