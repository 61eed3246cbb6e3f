package rewrite

import (
	"bytes"
	"go/ast"
	"go/token"
	"testing"

	"github.com/dave/dst"
)

// A fix that reaches one declaration prints the file as the whole file would print: for each
// function of this module's engine and rules and of a slice of the standard library, a statement
// added to it alone (the splice, where it is taken) against the whole file printed; and one that
// needs a new import prints the whole file.
func TestSpliceAsWholeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("loads packages")
	}
	fset := token.NewFileSet()
	g := goTool{dir: "."}
	l := newLoader(g, fset)
	ls, err := l.list(t.Context(), g, []string{"./...", "../rules/...", "go/printer", "fmt", "strconv", "encoding/json", "net/http"}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.close()
	targets, _, _, err := l.finish(t.Context(), g, ls)
	if err != nil {
		t.Fatal(err)
	}
	cache := &decorCache{}
	spliced, whole := 0, 0
	for _, tg := range targets {
		if len(tg.errors) > 0 {
			t.Fatalf("%s: %v", tg.path, tg.errors)
		}
		for _, f := range tg.pkg.Syntax {
			name := fset.File(f.Pos()).Name()
			for k, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				for _, path := range []string{"", "strconv"} {
					dec := newDecoration([]*target{tg}, fset, cache)
					n, err := dec.node(fd.Body)
					if err != nil {
						t.Fatal(err)
					}
					call := &dst.CallExpr{Fun: dst.NewIdent("println")}
					if path != "" {
						call.Args = []dst.Expr{&dst.CallExpr{Fun: &dst.Ident{Name: "Itoa", Path: path}, Args: []dst.Expr{&dst.BasicLit{Kind: token.INT, Value: "1"}}}}
					}
					body := n.(*dst.BlockStmt)
					body.List = append([]dst.Stmt{&dst.ExprStmt{X: call}}, body.List...)
					fc := dec.files[f]
					got, ok, err := fc.splice()
					if err != nil {
						t.Fatalf("%s: declaration %d: %v", name, k, err)
					}
					want, err := renderFile(fc.shared.restorer(), withDecls(fc.shared.file, nil, fc.decls))
					if err != nil {
						t.Fatalf("%s: declaration %d: %v", name, k, err)
					}
					if !ok {
						if path == "" {
							whole++
							if whole < 8 {
								t.Logf("%s: %s printed whole", name, fd.Name.Name)
							}
						}
						continue
					}
					spliced++
					if path != "" && tg.path != "strconv" && !bytes.Contains(fc.shared.base, []byte(`"strconv"`)) {
						t.Errorf("%s: %s: spliced a declaration that needs a new import", name, fd.Name.Name)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s: %s: the splice differs from the whole file:\n%s", name, fd.Name.Name, lineDiff(want, got))
					}
				}
			}
		}
	}
	t.Logf("%d spliced, %d printed whole", spliced, whole)
	if spliced < 4*whole {
		t.Errorf("%d spliced, %d printed whole: want most spliced", spliced, whole)
	}
}
