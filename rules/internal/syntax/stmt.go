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

// InsertBefore puts st before at in owner's statement list. With takeComments, at's leading
// comments and the space before it go with st (st then reads as the start of what at started);
// without, st follows the statement before at directly and at keeps them.
func InsertBefore(owner dst.Node, at, st dst.Stmt, takeComments bool) error {
	list, err := StmtList(owner)
	if err != nil {
		return err
	}
	for i, s := range *list {
		if s != at {
			continue
		}
		ad, sd := at.Decorations(), st.Decorations()
		sd.After = dst.NewLine
		if takeComments {
			sd.Before, sd.Start = ad.Before, ad.Start
			ad.Before, ad.Start = dst.NewLine, nil
		} else {
			sd.Before = dst.NewLine
		}
		out := append([]dst.Stmt{}, (*list)[:i]...)
		out = append(out, st)
		*list = append(out, (*list)[i:]...)
		return nil
	}
	return fmt.Errorf("statement not found in its block")
}
