package outline

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// declineSrc holds one function per decline that the fixtures cannot show, because the
// compiler refuses to inline such a function for another reason (defer, recover) or because the
// case is rare. Each region calls log, which the estimate counts as a call that is not inlined.
const declineSrc = `package p

import "log"

type T struct{ n int }

var cache = map[int]int{}

func (t *T) inc() { t.n++ }

func Defer(x int) int {
	if x < 0 {
		defer log.Print("done")
		log.Print(x)
		return 0
	}
	return x
}

func Recover(x int) (r int) {
	if x < 0 {
		log.Print(recover())
		return 0
	}
	return x
}

func Label(x int) int {
	if x < 0 {
	loop:
		for {
			log.Print(x)
			break loop
		}
		return 0
	}
	return x
}

func Bare(x int) (r int) {
	if x < 0 {
		log.Print(x)
		return
	}
	return x
}

func Named(x int) (r int) {
	if x < 0 {
		r = 1
		log.Print(x)
		panic(r)
	}
	return x
}

func Captured(x int) func() int {
	f := func() int { return x }
	if x < 0 {
		x = 0
		log.Print(x)
		return f
	}
	return f
}

func ClosureWrites(x int) int {
	bump := func() { x++ }
	if x < 0 {
		bump()
		log.Print(x)
		return x
	}
	return x
}

func Addressed(x int) int {
	p := &x
	if x < 0 {
		*p = 0
		log.Print(x)
		return x
	}
	return x
}

func PointerMethod(t T) int {
	if t.n < 0 {
		t.inc()
		log.Print(t.n)
		return 0
	}
	return t.n
}

func Array(a [4]int) int {
	if a[0] < 0 {
		log.Print(a[:])
		return 0
	}
	return a[0]
}

func LocalType(x int) int {
	type pair struct{ a, b int }
	if x < 0 {
		log.Print(pair{x, x})
		return 0
	}
	return x
}

func LocalConst(x int) int {
	const limit = 10
	if x < 0 {
		log.Print(limit)
		return 0
	}
	return x
}

//go:nosplit
func Directive(x int) int {
	if x < 0 {
		log.Print(x)
		return 0
	}
	return x
}

func (T) Unnamed(x int) int {
	if x < 0 {
		log.Print(x)
		return 0
	}
	return x
}

func ExitAndReturn(x int) int {
	if x < 0 {
		if x == -1 {
			return 1
		}
		log.Fatal(x)
	}
	return x
}

func TailDefer(x int) int {
	if v, ok := cache[x]; ok {
		return v
	}
	defer log.Print("done")
	log.Print(x)
	return 0
}

func TailHotLoop(xs []int) int {
	if len(xs) == 1 {
		return xs[0]
	}
	s, t, u := 0, 1, 2
	for _, x := range xs {
		s += x*x + t*u
		t ^= x<<3 | x>>5 + s
		u += t*x - s/3 + x%7
		s -= u>>2 + t<<1 ^ x
		t += s*u - x*x*x + 11
		u ^= s + t + x*5 - 1
	}
	return s + t + u
}

func TailGuardLoops(xs []int) int {
	if len(xs) < 4 {
		for range xs {
		}
		return xs[0]
	}
	log.Print(xs)
	return 1
}

func TailCaptured(x int) int {
	n := 0
	get := func() int { return n }
	if n = x; n > 0 {
		return n
	}
	n = -x
	log.Print(x)
	return get()
}

func TailClosureWrites(x int) int {
	n := x
	bump := func() { n++ }
	if n > 0 {
		return n
	}
	bump()
	log.Print(x)
	return n
}

func TailNamedBefore(x int) (r int) {
	r = x
	if v, ok := cache[x]; ok {
		return v
	}
	log.Print(x)
	return
}

func TailNamedCaptured(x int) (r int) {
	get := func() int { return r }
	if v, ok := cache[x]; ok {
		return v
	}
	log.Print(x, get())
	return
}

func ExitInCase(x int) int {
	switch {
	case x > 0:
		return x
	default:
		log.Fatal(x)
	}
	return 0
}
`

func TestDeclines(t *testing.T) {
	want := map[string]string{
		"Defer":         "contains a defer statement",
		"Recover":       "calls recover",
		"Label":         "contains the label loop",
		"Bare":          "contains a bare return of named results",
		"Named":         "assigns to the named result r and does not end in a return with values",
		"Captured":      "assigns to x, which later code reads (a closure captures it)",
		"ClosureWrites": "uses x, which a closure assigns: the slow path would read a copy",
		"Addressed":     "uses x, whose address is taken: the slow path would read a copy",
		"PointerMethod": "calls the pointer method inc on t, which takes its address",
		"Array":         "slices the array a, which takes its address",
		"LocalType":     "uses the type pair declared in the function",
		"LocalConst":    "uses the constant limit declared in the function",
		"Directive":     "the function has the directive //go:nosplit",
		"T.Unnamed":     "the receiver has no name",
		"ExitAndReturn": "ends in a call that never returns, which is not a terminating statement, and also returns",
		"ExitInCase":    "ends in a call that never returns in an else block or case",

		"TailDefer":         "contains a defer statement",
		"TailHotLoop":       "the tail loops and calls nothing out of line: it may be the hot loop",
		"TailGuardLoops":    "the guard `if len(xs) < 4` loops: it may be the slow part",
		"TailCaptured":      "assigns to n, which later code reads (a closure captures it)",
		"TailClosureWrites": "uses n, which a closure assigns: the slow path would read a copy",
		"TailNamedBefore":   "assigns the named result r before the tail",
		"TailNamedCaptured": "a closure captures the named result r",
	}
	pass := syntheticPass(t, declineSrc, func(fd *ast.FuncDecl) bool { return want[diag.FuncName(fd)] != "" })
	got := map[string]string{}
	for _, c := range New().Match(pass) {
		if c.Decline == "" {
			t.Errorf("%s: not declined: %s", diag.FuncName(c.Func), c.Summary)
			continue
		}
		got[diag.FuncName(c.Func)] = c.Decline
	}
	t.Logf("declines: %q", got)
	for fn, w := range want {
		if !strings.Contains(got[fn], w) {
			t.Errorf("%s: declined with %q, want %q", fn, got[fn], w)
		}
	}
}

// syntheticPass type-checks src as the only file of a package and gives every function that judged
// accepts the compiler's verdict `function too complex: cost 81 exceeds budget 80`.
func syntheticPass(t *testing.T, src string, judged func(*ast.FuncDecl) bool) *rule.Pass {
	t.Helper()
	fset := token.NewFileSet()
	name := filepath.Join(t.TempDir(), "p.go")
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
		Implicits: map[ast.Node]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{},
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	var ds []diag.Diagnostic
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && judged(fd) {
			pos := fset.Position(fd.Name.Pos())
			ds = append(ds, diag.Diagnostic{File: name, Line: pos.Line, Col: pos.Column, Kind: diag.CannotInline,
				Subject: diag.FuncName(fd), Cost: 81, Budget: 80, Reason: "function too complex: cost 81 exceeds budget 80"})
		}
	}
	return &rule.Pass{Fset: fset, Files: []*ast.File{f}, Info: info, Types: pkg, Diags: diag.New(ds)}
}
