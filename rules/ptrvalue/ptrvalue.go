package ptrvalue

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "ptrvalue")

// New returns the ptrvalue rule, which rewrites constructors that return a pointer to a small fresh
// struct into constructors that return the struct, so that callers keep it on their stack. Its
// settings are its flags: -allow-api-change and -ptrvalue-max-size.
func New() *rule.Rule {
	s := &settings{}
	r := &rule.Rule{Name: "ptrvalue", Doc: ruleDoc}
	r.Flags.BoolVar(&s.allowAPIChange, "allow-api-change", false, "let rules change exported signatures (ptrvalue): code in other modules that calls them breaks")
	r.Flags.Int64Var(&s.maxSize, "ptrvalue-max-size", 128, "largest struct, in bytes, that ptrvalue returns by value")
	r.Match = func(pass *rule.Pass) []*rule.Candidate { return match(pass, s) }
	return r
}

// settings are the values of the rule's flags.
type settings struct {
	// allowAPIChange lets the rule change the signature of exported functions, which breaks
	// callers in other modules.
	allowAPIChange bool
	// maxSize is the largest struct, in bytes, returned by value. Above it, the copies of a value
	// return can cost more than the allocation saves.
	maxSize int64
}

func match(pass *rule.Pass, set *settings) []*rule.Candidate {
	var out []*rule.Candidate
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Body == nil || fd.Type.TypeParams != nil {
				continue
			}
			named, star := pointerResult(pass, fd)
			if named == nil {
				continue
			}
			if c := matchConstructor(pass, set, f, fd, named, star); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// pointerResult returns T and the `*T` expression when fd returns exactly one *T, T a struct type
// defined in the package.
func pointerResult(pass *rule.Pass, fd *ast.FuncDecl) (*types.Named, *ast.StarExpr) {
	res := fd.Type.Results
	if res == nil || len(res.List) != 1 || len(res.List[0].Names) > 1 {
		return nil, nil
	}
	star, ok := res.List[0].Type.(*ast.StarExpr)
	if !ok {
		return nil, nil
	}
	named, ok := types.Unalias(pass.Info.TypeOf(star.X)).(*types.Named)
	if !ok || named.Obj().Pkg() != pass.Types || named.TypeArgs().Len() > 0 {
		return nil, nil
	}
	if _, ok := named.Underlying().(*types.Struct); !ok {
		return nil, nil
	}
	return named, star
}

// edit is one change of the rewrite: strip a `*` or `&` (or `(*x)`) down to its operand, take
// the address of an identifier, or declare a zero T where new(T) was.
type edit struct {
	file *ast.File
	node ast.Node
	addr bool
	// zero: node is `b := new(T)` (a statement of a list) or the spec of `var b = new(T)`; it
	// becomes `var b T`.
	zero bool
}

// siteLine is a line of a call site, with the variable that now holds a T there, if any.
type siteLine struct {
	file string
	line int
	name string
}

// reference is one reference to the constructor.
type reference struct {
	pass  *rule.Pass
	file  *ast.File
	stack []ast.Node // from the file down to the identifier
	call  *ast.CallExpr
}

// plan gathers what one constructor's rewrite needs.
type plan struct {
	pass    *rule.Pass
	named   *types.Named
	tname   string
	fname   string
	locals  map[string]bool // names of the constructor's variables of type T
	edits   []edit
	lines   []siteLine
	methods map[string]token.Pos // pointer-receiver methods called on the variables, first call
	// addressed: the variable that variable() checks has its address taken once it is a T (a
	// pointer-receiver method call, or a use that becomes &v).
	addressed bool
	// evidence: the compiler's verdicts that make the constructor's b := &T{...} exact (its
	// helpers' and pointer methods' `x does not escape`).
	evidence []diag.Diagnostic
}

func matchConstructor(pass *rule.Pass, set *settings, file *ast.File, fd *ast.FuncDecl, named *types.Named, star *ast.StarExpr) *rule.Candidate {
	pl := &plan{
		pass: pass, named: named, tname: named.Obj().Name(), fname: fd.Name.Name,
		locals: map[string]bool{}, methods: map[string]token.Pos{},
	}
	localVars := map[*types.Var]bool{}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := pass.Info.Defs[id].(*types.Var); ok && types.Identical(v.Type(), named) {
				localVars[v] = true
				pl.locals[v.Name()] = true
			}
		}
		return true
	})
	var evidence []diag.Diagnostic
	for _, d := range pass.DiagsIn(fd.Body) {
		if pl.allocates(d) {
			evidence = append(evidence, d)
		}
	}
	if len(evidence) == 0 {
		return nil
	}
	c := &rule.Candidate{
		Pos:      fd.Name.Pos(),
		Func:     fd,
		Evidence: evidence,
		Summary:  fmt.Sprintf("%s returns %s by value", pl.fname, pl.tname),
	}
	decline := func(pos token.Pos, format string, args ...any) *rule.Candidate {
		c.Pos, c.Decline = pos, fmt.Sprintf(format, args...)
		return c
	}

	fn := pass.Info.Defs[fd.Name].(*types.Func)
	sites := references(pass, fn)
	calls := 0
	for _, s := range sites {
		if s.call != nil {
			calls++
		}
	}
	if calls == 0 {
		return decline(fd.Name.Pos(), "%s has no call site in the loaded packages", pl.fname)
	}
	heap, more := pl.heapAtCalls(fd, sites)
	if !heap {
		return decline(fd.Name.Pos(), "already on the stack at every call site: %s is inlined and its %s does not escape", pl.fname, pl.tname)
	}
	c.Evidence = append(c.Evidence, more...)
	if ast.IsExported(pl.fname) && !set.allowAPIChange {
		return decline(fd.Name.Pos(), "%s is exported: changing its result from *%s to %s breaks callers in other modules", pl.fname, pl.tname, pl.tname)
	}
	if len(fd.Type.Results.List[0].Names) > 0 {
		return decline(fd.Name.Pos(), "%s has a named result", pl.fname)
	}
	sizes := pass.Sizes
	if sizes == nil {
		sizes = types.SizesFor("gc", "amd64")
	}
	if n := sizes.Sizeof(named); n > set.maxSize {
		return decline(fd.Name.Pos(), "%s is %d bytes, above the %d-byte limit for returning by value", pl.tname, n, set.maxSize)
	}
	if what := mustNotCopy(named, map[types.Type]bool{}); what != "" {
		return decline(fd.Name.Pos(), "%s holds %s, which must not be copied", pl.tname, what)
	}
	if pos, why := pl.returns(file, fd, localVars); why != "" {
		return decline(pos, "%s", why)
	}
	c.Evidence = append(c.Evidence, pl.evidence...)
	if pos := syntax.MayRecover(pass, fd); pos.IsValid() {
		return decline(pos, "%s defers a call that may recover from a panic: %s would then return a zero %s where it returned nil", pl.fname, pl.fname, pl.tname)
	}
	for _, s := range sites {
		if s.call == nil {
			id := s.stack[len(s.stack)-1]
			return decline(id.Pos(), "%s is used as a value at %s, not only called", pl.fname, shortPos(s.pass, id.Pos()))
		}
	}
	for _, s := range sites {
		if pos, why := pl.site(s); why != "" {
			return decline(pos, "%s", why)
		}
	}
	if pos, why := pl.leakingReceivers(); why != "" {
		return decline(pos, "%s", why)
	}
	if ast.IsExported(pl.fname) {
		if where := externalTestUse(pass, pl.fname); where != "" {
			return decline(fd.Name.Pos(), "%s may be called from the external test package in %s, which gcfix does not load", pl.fname, where)
		}
	}

	pl.edits = append(pl.edits, edit{file: file, node: star})
	edits, lines := pl.edits, pl.lines
	n := len(sites)
	c.Summary = fmt.Sprintf("%s returns %s by value (%d call site%s)", pl.fname, pl.tname, n, plural(n))
	c.Fix = func(fix *rule.Fix) error { return applyEdits(fix, edits) }
	c.Confirm = func(cf *rule.Confirm) error { return pl.confirm(cf, lines) }
	return c
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// allocates reports whether d is the constructor's allocation: `&T{...} escapes to heap` (`&T{}`
// for an empty literal) or `new(T) escapes to heap`, the type qualified with its package's name
// outside it (`&geom.Vec3{...}`, never another package's Vec3), or `moved to heap: v` for a
// variable of type T.
func (pl *plan) allocates(d diag.Diagnostic) bool {
	switch d.Kind {
	case diag.Escapes:
		s := d.Subject
		qualified := pl.named.Obj().Pkg().Name() + "." + pl.tname
		for _, form := range [...][2]string{{"&", "{...}"}, {"&", "{}"}, {"new(", ")"}} {
			if s == form[0]+pl.tname+form[1] || s == form[0]+qualified+form[1] {
				return true
			}
		}
		return false
	case diag.MovedToHeap:
		return pl.locals[d.Subject]
	}
	return false
}

// heapAtCalls reports whether the allocation reaches the heap at some call: one where the
// constructor is not inlined, or where its inlined copy escapes (those diagnostics are returned
// as evidence). Test files have no diagnostics; a call there counts only when the constructor
// cannot be inlined at all.
func (pl *plan) heapAtCalls(fd *ast.FuncDecl, sites []reference) (bool, []diag.Diagnostic) {
	at := pl.pass.Position(fd.Name.Pos())
	v, ok := pl.pass.Diags.Inline(at.Filename, pl.fname)
	cannotInline := ok && v.Kind == diag.CannotInline
	heap := false
	var evidence []diag.Diagnostic
	for _, s := range sites {
		if s.call == nil {
			continue
		}
		if s.pass.IsTestFile(s.file) {
			heap = heap || cannotInline
			continue
		}
		inlined := false
		for _, d := range s.pass.DiagsAt(s.call.Lparen, diag.InliningCall) {
			if d.Subject == pl.fname || strings.HasSuffix(d.Subject, "."+pl.fname) {
				inlined = true
			}
		}
		if !inlined {
			heap = true
			continue
		}
		for _, d := range s.pass.DiagsAt(s.call.Lparen, diag.Other) {
			if pl.allocates(d) {
				heap = true
				evidence = append(evidence, d)
			}
		}
	}
	return heap, evidence
}

// returns checks that every return of fd is `&T{...}` or `&v` for a local v used only by value,
// or `b` for a local b := &T{...} or new(T) that freshPointer accepts, and records the edits that
// make the result a T.
func (pl *plan) returns(file *ast.File, fd *ast.FuncDecl, localVars map[*types.Var]bool) (token.Pos, string) {
	info := pl.pass.Info
	var rets []*ast.ReturnStmt
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			rets = append(rets, n)
		}
		return true
	})
	returned := map[*types.Var]bool{}
	var ptr *types.Var  // the *T variable of `return b`
	var ptrEdits []edit // the edits of its declaration
	var fresh ast.Expr  // the first `&T{...}` or `&v` returned
	differ := func(r *ast.ReturnStmt, a, b string) (token.Pos, string) {
		return r.Pos(), fmt.Sprintf("%s returns %s at one return and %s at another: only one variable, returned at every return, can become a value", pl.fname, a, b)
	}
	for _, r := range rets {
		if len(r.Results) != 1 {
			return r.Pos(), "a return without a value"
		}
		res := ast.Unparen(r.Results[0])
		if id, ok := res.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && pl.isPtrT(v.Type()) && fd.Body.Pos() <= v.Pos() && v.Pos() < fd.Body.End() {
				if v == ptr {
					continue
				}
				edits, ok := pl.pointerDecl(file, fd.Body, v)
				switch {
				case !ok:
					return r.Pos(), fmt.Sprintf("%s returns %s, not a fresh %s: callers may share it (only b := &%s{...} and b := new(%s) are)", pl.fname, v.Name(), pl.tname, pl.tname, pl.tname)
				case fresh != nil:
					return differ(r, types.ExprString(fresh), v.Name())
				case ptr != nil && ptr.Name() == v.Name():
					return differ(r, ptr.Name()+" (line "+strconv.Itoa(pl.pass.Position(ptr.Pos()).Line)+")", v.Name()+" (line "+strconv.Itoa(pl.pass.Position(v.Pos()).Line)+")")
				case ptr != nil:
					return differ(r, ptr.Name(), v.Name())
				}
				ptr, ptrEdits = v, edits
				continue
			}
		}
		if u, ok := res.(*ast.UnaryExpr); ok && u.Op == token.AND {
			if ptr != nil {
				return differ(r, ptr.Name(), types.ExprString(u))
			}
			switch x := ast.Unparen(u.X).(type) {
			case *ast.CompositeLit:
				if types.Identical(info.TypeOf(x), pl.named) {
					pl.edits = append(pl.edits, edit{file: file, node: u})
					if fresh == nil {
						fresh = u
					}
					continue
				}
			case *ast.Ident:
				if v, ok := info.Uses[x].(*types.Var); ok && localVars[v] {
					returned[v] = true
					pl.edits = append(pl.edits, edit{file: file, node: u})
					if fresh == nil {
						fresh = u
					}
					continue
				}
			}
		}
		if tv, ok := info.Types[res]; ok && tv.IsNil() {
			return r.Pos(), fmt.Sprintf("%s returns nil, which callers may test for; only a fresh %s can become a value", pl.fname, pl.tname)
		}
		return r.Pos(), fmt.Sprintf("%s returns %s, not a fresh %s: callers may share it", pl.fname, types.ExprString(res), pl.tname)
	}
	if ptr != nil {
		pl.edits = append(pl.edits, ptrEdits...)
		return pl.freshPointer(file, fd, ptr)
	}
	var pos token.Pos
	var why string
	syntax.WalkStack(fd.Body, func(stack []ast.Node) bool {
		id, ok := stack[len(stack)-1].(*ast.Ident)
		if !ok || why != "" {
			return true
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || !returned[v] {
			return true
		}
		for _, n := range stack {
			if _, ok := n.(*ast.FuncLit); ok {
				pos, why = id.Pos(), fmt.Sprintf("%s is captured by a closure and returned as &%s", v.Name(), v.Name())
				return true
			}
		}
		i := climbParens(stack, len(stack)-1)
		if u, ok := stack[i-1].(*ast.UnaryExpr); ok && u.Op == token.AND {
			if _, ok := stack[i-2].(*ast.ReturnStmt); ok {
				return true
			}
		}
		if addressTaken(info, stack, len(stack)-1) {
			pos, why = id.Pos(), fmt.Sprintf("the address of %s or a part of it is taken besides the return", v.Name())
		}
		return true
	})
	return pos, why
}

// mustNotCopy names what in t must not be copied, or returns "".
func mustNotCopy(t types.Type, seen map[types.Type]bool) string {
	t = types.Unalias(t)
	if seen[t] {
		return ""
	}
	seen[t] = true
	if n, ok := t.(*types.Named); ok {
		if pkg := n.Obj().Pkg(); pkg != nil {
			switch pkg.Path() {
			case "sync":
				switch n.Obj().Name() {
				case "Mutex", "RWMutex", "WaitGroup", "Once", "Cond", "Map", "Pool":
					return "a sync." + n.Obj().Name()
				}
			case "sync/atomic":
				return "an atomic." + n.Obj().Name()
			}
		}
		if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(n), false, n.Obj().Pkg(), "Lock"); obj != nil {
			if _, isFunc := obj.(*types.Func); isFunc {
				return n.Obj().Name() + ", which has a Lock method"
			}
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if f.Name() == "noCopy" {
				return "a noCopy field"
			}
			if what := mustNotCopy(f.Type(), seen); what != "" {
				return what
			}
		}
	case *types.Array:
		return mustNotCopy(u.Elem(), seen)
	}
	return ""
}

// externalTestUse returns the directory of a module package whose external test files (package
// x_test, not loaded) mention name, or "".
func externalTestUse(pass *rule.Pass, name string) string {
	for _, q := range pass.Module {
		if len(q.Files) == 0 {
			continue
		}
		loaded := map[string]bool{}
		for _, f := range q.Files {
			loaded[q.Fset.File(f.Pos()).Name()] = true
		}
		dir := filepath.Dir(q.Fset.File(q.Files[0].Pos()).Name())
		names, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		for _, n := range names {
			if loaded[n] {
				continue
			}
			src, err := os.ReadFile(n)
			if err != nil {
				return dir
			}
			f, err := parser.ParseFile(token.NewFileSet(), n, src, parser.SkipObjectResolution)
			if err != nil || !strings.HasSuffix(f.Name.Name, "_test") {
				continue
			}
			found := false
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == name {
					found = true
				}
				return !found
			})
			if found {
				return dir
			}
		}
	}
	return ""
}

func shortPos(pass *rule.Pass, pos token.Pos) string {
	p := pass.Position(pos)
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

// confirm checks that the constructor no longer allocates and that no variable now holding a T
// moved to the heap at its call site.
func (pl *plan) confirm(cf *rule.Confirm, lines []siteLine) error {
	for _, d := range cf.After {
		if pl.allocates(d) {
			return fmt.Errorf("%s still allocates: %s", pl.fname, d)
		}
	}
	for _, l := range lines {
		for _, d := range cf.AllAfter.InLines(l.file, l.line, l.line) {
			if d.Kind == diag.MovedToHeap && (d.Subject == l.name || pl.locals[d.Subject]) {
				return fmt.Errorf("the value now moves to the heap at the call site: %s", d)
			}
		}
	}
	return nil
}

// applyEdits applies the edits on the decorated files.
func applyEdits(fix *rule.Fix, edits []edit) error {
	byFile := map[*ast.File]map[dst.Node]edit{}
	var order []*ast.File
	for _, e := range edits {
		m := byFile[e.file]
		if m == nil {
			m = map[dst.Node]edit{}
			byFile[e.file] = m
			order = append(order, e.file)
		}
		m[fix.Dst(e.node)] = e
	}
	for _, f := range order {
		want := byFile[f]
		dstutil.Apply(fix.Dst(f), nil, func(c *dstutil.Cursor) bool {
			e, ok := want[c.Node()]
			if !ok {
				return true
			}
			delete(want, c.Node())
			if e.zero {
				c.Replace(zeroDecl(c.Node()))
			} else {
				c.Replace(edited(c.Node(), e.addr))
			}
			return true
		})
		if len(want) > 0 {
			return fmt.Errorf("%d edits found no node", len(want))
		}
	}
	return nil
}

// edited returns n with its `*` or `&` stripped, or its address taken, keeping its comments.
func edited(n dst.Node, addr bool) dst.Node {
	if addr {
		u := &dst.UnaryExpr{Op: token.AND, X: n.(dst.Expr)}
		u.Decs.NodeDecs, *n.Decorations() = *n.Decorations(), dst.NodeDecs{}
		return u
	}
	var inner dst.Node
	switch n := n.(type) {
	case *dst.StarExpr:
		inner = n.X
	case *dst.UnaryExpr:
		inner = n.X
	case *dst.ParenExpr:
		inner = n.X.(*dst.StarExpr).X
	}
	from, to := n.Decorations(), inner.Decorations()
	to.Before, to.After = from.Before, from.After
	to.Start = append(append(dst.Decorations{}, from.Start...), to.Start...)
	to.End = append(to.End, from.End...)
	return inner
}

// zeroDecl rewrites `b := new(T)` into `var b T`, and the spec `b = new(T)` (or `b *T = new(T)`)
// into `b T`, keeping comments.
func zeroDecl(n dst.Node) dst.Node {
	typeOf := func(e dst.Expr) dst.Expr {
		for {
			p, ok := e.(*dst.ParenExpr)
			if !ok {
				break
			}
			e = p.X
		}
		return e.(*dst.CallExpr).Args[0]
	}
	if spec, ok := n.(*dst.ValueSpec); ok {
		spec.Type, spec.Values = typeOf(spec.Values[0]), nil
		return spec
	}
	as := n.(*dst.AssignStmt)
	d := &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
		&dst.ValueSpec{Names: []*dst.Ident{as.Lhs[0].(*dst.Ident)}, Type: typeOf(as.Rhs[0])},
	}}}
	d.Decs.NodeDecs = as.Decs.NodeDecs
	return d
}
