// Command reducible measures how much of its packages a confirming compile would still compile if
// it compiled, of each package a rewrite changes, only the functions whose diagnostics the build
// gate reads, with every other function's body left out. It reads a `gcfix -gate=build -json`
// report and the module it was made on, and prints, per package and in all, the bytes of function
// bodies kept against all of them.
//
// The functions kept are every function of a changed file (the rewrites' own functions, and those
// whose lost inlining the gate notes), with -callers the functions that call them (ptrvalue's call
// sites; the kept state's diagnostics), and everything those call: the compiler's view of a function
// depends on the bodies of its callees (inlining, escape tags). The call graph is an
// over-approximation: any reference to a function, and any selector naming a method (interface
// calls, which the compiler may devirtualize).
//
// usage: go run ./.ci/reducible [-callers] [-trades] report.json moduledir
//
// -trades counts only the trades' packages and files (needs-bench: confirmed apart, never kept by
// the build gate). Not part of CI.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/types"
	"log"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/tools/go/packages"
)

func main() {
	callers := flag.Bool("callers", false, "keep the callers of the changed files' functions too")
	trades := flag.Bool("trades", false, "only the trades' files")
	flag.Parse()
	if flag.NArg() != 2 {
		log.Fatal("usage: reducible [-callers] [-trades] report.json moduledir")
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	var rep struct {
		Candidates []struct{ Package, File, Verdict string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		log.Fatal(err)
	}
	dir, err := filepath.Abs(flag.Arg(1))
	if err != nil {
		log.Fatal(err)
	}
	changed := map[string]map[string]bool{} // package → changed file (absolute) → true
	for _, c := range rep.Candidates {
		// rejected: declined before any rewrite; everything else was compiled.
		if c.Verdict == "rejected" || *trades && c.Verdict != "needs-bench" {
			continue
		}
		if changed[c.Package] == nil {
			changed[c.Package] = map[string]bool{}
		}
		changed[c.Package][filepath.Join(dir, c.File)] = true
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo, Dir: dir}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		log.Fatal(err)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].PkgPath < pkgs[j].PkgPath })
	var all, kept, n int
	for _, p := range pkgs {
		files := changed[p.PkgPath]
		if files == nil {
			continue
		}
		a, k := measure(p, files, *callers)
		fmt.Printf("%-64s %8d %8d %5.2f\n", p.PkgPath, a, k, float64(k)/float64(max(a, 1)))
		all, kept, n = all+a, kept+k, n+1
	}
	fmt.Printf("%d packages: function bodies %d bytes, kept %d: %.2f\n", n, all, kept, float64(kept)/float64(max(all, 1)))
}

// fn is a function declaration: the size of its body, its file, and what it refers to.
type fn struct {
	size    int
	file    string
	funcs   map[types.Object]bool // functions of the package it refers to
	methods map[string]bool       // names it selects
}

func measure(p *packages.Package, changedFiles map[string]bool, withCallers bool) (all, kept int) {
	fns := map[types.Object]*fn{}
	methods := map[string][]types.Object{}
	refs := func(n ast.Node, x *fn) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if o, ok := p.TypesInfo.Uses[n].(*types.Func); ok && o.Pkg() == p.Types {
					x.funcs[o] = true
				}
			case *ast.SelectorExpr:
				x.methods[n.Sel.Name] = true
			}
			return true
		})
	}
	var vars []*fn // package-level declarations: their initializers run in init
	for _, f := range p.Syntax {
		name := p.Fset.File(f.Pos()).Name()
		for _, d := range f.Decls {
			x := &fn{file: name, funcs: map[types.Object]bool{}, methods: map[string]bool{}}
			refs(d, x)
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body != nil {
					x.size = int(d.Body.End() - d.Body.Pos())
				}
				all += x.size
				o := p.TypesInfo.Defs[d.Name]
				fns[o] = x
				if d.Recv != nil {
					methods[d.Name.Name] = append(methods[d.Name.Name], o)
				}
			case *ast.GenDecl:
				vars = append(vars, x)
			}
		}
	}
	callees := func(x *fn) []types.Object {
		var out []types.Object
		for o := range x.funcs {
			out = append(out, o)
		}
		for m := range x.methods {
			out = append(out, methods[m]...)
		}
		return out
	}
	roots := map[types.Object]bool{}
	for o, x := range fns {
		if changedFiles[x.file] {
			roots[o] = true
		}
	}
	if withCallers {
		callersOf := map[types.Object][]types.Object{}
		for o, x := range fns {
			for _, c := range callees(x) {
				callersOf[c] = append(callersOf[c], o)
			}
		}
		var up func(types.Object)
		seen := map[types.Object]bool{}
		up = func(o types.Object) {
			if seen[o] {
				return
			}
			seen[o] = true
			roots[o] = true
			for _, c := range callersOf[o] {
				up(c)
			}
		}
		for o := range roots {
			up(o)
		}
		for _, v := range vars {
			for _, c := range callees(v) {
				roots[c] = true
			}
		}
	}
	keep := map[types.Object]bool{}
	var down func(types.Object)
	down = func(o types.Object) {
		x := fns[o]
		if keep[o] || x == nil {
			return
		}
		keep[o] = true
		for _, c := range callees(x) {
			down(c)
		}
	}
	for o := range roots {
		down(o)
	}
	for o := range keep {
		kept += fns[o].size
	}
	return all, kept
}
