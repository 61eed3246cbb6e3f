package makecap

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "makecap")

// New returns the makecap rule, which gives a slice or map filled once per loop iteration its
// capacity before the loop.
func New() *rule.Rule {
	return &rule.Rule{Name: "makecap", Doc: ruleDoc, Match: match}
}

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	syntax.EachStmtList(pass, func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt) {
		if block == fd.Body {
			for _, seed := range resultSeeds(pass.Info, fd) {
				if c := matchGrowth(pass, fd, block, list, -1, seed); c != nil {
					out = append(out, c)
				}
			}
		}
		for i := range list {
			for _, seed := range seedsOf(pass.Info, list[i]) {
				if c := matchGrowth(pass, fd, block, list, i, seed); c != nil {
					out = append(out, c)
				}
			}
		}
	})
	return out
}

// seedKind is how a growing slice or map starts.
type seedKind int

const (
	seedVar    seedKind = iota // var s []T, alone or in a var block: nil
	seedDefine                 // s := []T{} or make([]T, 0); m := make(map[K]V) or map[K]V{}
	seedAssign                 // the same assigned with = to a variable declared before
	seedResult                 // a named result, nil when the function starts
)

// growSeed is where a slice or map starts empty.
type growSeed struct {
	kind   seedKind
	obj    *types.Var
	decl   ast.Stmt       // the statement that declares or sets it; nil for seedResult
	spec   *ast.ValueSpec // seedVar: its spec
	typ    ast.Expr       // the type as written: []T, map[K]V or a name
	site   ast.Expr       // the make call or composite literal; nil for nil seeds
	isMap  bool
	assign *ast.AssignStmt // seedDefine, seedAssign
}

func (s *growSeed) isNil() bool { return s.kind == seedVar || s.kind == seedResult }

// seedsOf recognises the statements that start a slice or map empty: `var s []T` (a var block may
// hold several), `s := []T{}`, `s := make([]T, 0)`, `m := make(map[K]V)`, `m := map[K]V{}`, and the
// same with = instead of :=.
func seedsOf(info *types.Info, st ast.Stmt) []*growSeed {
	switch st := st.(type) {
	case *ast.DeclStmt:
		gd, ok := st.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			return nil
		}
		var out []*growSeed
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if len(vs.Names) != 1 || vs.Type == nil || len(vs.Values) != 0 {
				continue
			}
			obj, _ := info.Defs[vs.Names[0]].(*types.Var)
			if obj == nil || !isSlice(obj.Type()) {
				continue
			}
			out = append(out, &growSeed{kind: seedVar, obj: obj, decl: st, spec: vs, typ: vs.Type})
		}
		return out
	case *ast.AssignStmt:
		if (st.Tok != token.DEFINE && st.Tok != token.ASSIGN) || len(st.Lhs) != 1 || len(st.Rhs) != 1 {
			return nil
		}
		id, ok := st.Lhs[0].(*ast.Ident)
		if !ok {
			return nil
		}
		kind := seedDefine
		obj, _ := info.Defs[id].(*types.Var)
		if st.Tok == token.ASSIGN {
			kind = seedAssign
			obj, _ = info.Uses[id].(*types.Var)
		}
		if obj == nil {
			return nil
		}
		seed := &growSeed{kind: kind, obj: obj, decl: st, assign: st, site: st.Rhs[0]}
		switch rhs := st.Rhs[0].(type) {
		case *ast.CompositeLit:
			if len(rhs.Elts) != 0 || rhs.Type == nil {
				return nil
			}
			seed.typ = rhs.Type
		case *ast.CallExpr:
			if !syntax.IsBuiltin(info, rhs.Fun, "make") || rhs.Ellipsis.IsValid() {
				return nil
			}
			seed.typ = rhs.Args[0]
			if _, isMap := obj.Type().Underlying().(*types.Map); isMap {
				if len(rhs.Args) != 1 {
					return nil
				}
			} else if len(rhs.Args) != 2 || !syntax.IsConstInt(info, rhs.Args[1], 0) {
				return nil
			}
		default:
			return nil
		}
		if !types.Identical(info.TypeOf(seed.typ), obj.Type()) {
			return nil // s = []T{} into a variable of another (named) type
		}
		switch obj.Type().Underlying().(type) {
		case *types.Slice:
		case *types.Map:
			seed.isMap = true
		default:
			return nil
		}
		return []*growSeed{seed}
	}
	return nil
}

// resultSeeds returns fd's named results of slice type: nil when the function starts.
func resultSeeds(info *types.Info, fd *ast.FuncDecl) []*growSeed {
	if fd.Type.Results == nil {
		return nil
	}
	var out []*growSeed
	for _, f := range fd.Type.Results.List {
		for _, name := range f.Names {
			obj, _ := info.Defs[name].(*types.Var)
			if obj == nil || name.Name == "_" || !isSlice(obj.Type()) {
				continue
			}
			out = append(out, &growSeed{kind: seedResult, obj: obj, typ: f.Type})
		}
	}
	return out
}

func isSlice(t types.Type) bool {
	_, ok := t.Underlying().(*types.Slice)
	return ok
}

// matchGrowth makes a candidate of the seed at list[i] (i = -1: a named result, list the function's
// body) and the loop after it, if the compiler reports the growth.
func matchGrowth(pass *rule.Pass, fd *ast.FuncDecl, owner ast.Node, list []ast.Stmt, i int, seed *growSeed) *rule.Candidate {
	info := pass.Info
	k := -1
	for j := i + 1; j < len(list); j++ {
		if syntax.Mentions(info, list[j], seed.obj) {
			k = j
			break
		}
	}
	if k < 0 {
		return nil
	}
	loop, label := list[k], ""
	for {
		l, ok := loop.(*ast.LabeledStmt)
		if !ok {
			break
		}
		loop, label = l.Stmt, l.Label.Name
	}
	var body *ast.BlockStmt
	switch l := loop.(type) {
	case *ast.RangeStmt:
		body = l.Body
	case *ast.ForStmt:
		body = l.Body
	default:
		return nil
	}
	grows := growthStmts(info, body, seed)
	if len(grows) == 0 || resetEachIteration(info, body, seed, grows) {
		return nil
	}
	name := seed.obj.Name()
	c := &rule.Candidate{Func: fd, Summary: "preallocate " + name}
	if seed.isMap {
		c.Pos = seed.decl.Pos()
		c.Evidence = siteEvidence(pass, seed.site)
	} else {
		c.Pos = grows[0].stmt.Pos()
		call := grows[0].stmt.Rhs[0].(*ast.CallExpr)
		for _, d := range pass.DiagsAt(call.Lparen, diag.Other) {
			if d.Subject == "append" && (d.Kind == diag.Escapes || d.Kind == diag.NoEscape) {
				c.Evidence = append(c.Evidence, d)
			}
		}
	}
	if len(c.Evidence) == 0 || madeAtFirstGrowth(info, seed, grows) {
		return nil
	}
	m := &growMatch{pass: pass, fd: fd, owner: owner, list: list, i: i, k: k, loop: loop, label: label, body: body, seed: seed, grows: grows}
	if why := m.judge(); why != "" {
		c.Decline = why
		return c
	}
	c.Summary = fmt.Sprintf("preallocate %s: %s", name, m.describe())
	if upper := join(m.count.upper, m.upper); upper != "" {
		c.Trade = fmt.Sprintf("memory for allocations: the capacity %s is only an upper bound: %s", m.count.text, upper)
	}
	c.Fix = m.fix
	want := 2
	if seed.isMap {
		want = 1
	}
	c.Confirm = func(cf *rule.Confirm) error {
		before, after := countSizedMakes(cf.Before, want), countSizedMakes(cf.After, want)
		if after <= before {
			return fmt.Errorf("the compiler reports no new make with a capacity in %s (%d before, %d after)", cf.Func, before, after)
		}
		return nil
	}
	return c
}

// form is where the make goes.
type form int

const (
	inPlace    form = iota // the seed becomes the make: s := make([]T, 0, n)
	beforeLoop             // s = make([]T, 0, n) just before the loop
	ifRuns                 // if n > 0 { s = make([]T, 0, n) } just before the loop: nil stays nil
	firstGrow              // if s == nil { s = make([]T, 0, n) } before the one growth: nil stays nil
)

// growMatch is a seed, its loop, and what the rule found out about them.
type growMatch struct {
	pass  *rule.Pass
	fd    *ast.FuncDecl
	owner ast.Node
	list  []ast.Stmt
	i, k  int // the seed's and the loop's index in list (i = -1: a named result)
	loop  ast.Stmt
	label string // the loop's label, if any
	body  *ast.BlockStmt
	seed  *growSeed
	grows []growth

	count tripCount
	upper string // why not every iteration grows the seed; "" when each does, once
	form  form
}

// judge finds the trip count, the shape of the growth and the form of the rewrite; it returns why
// the rule declines, or "".
func (m *growMatch) judge() string {
	info, seed := m.pass.Info, m.seed
	var why string
	if m.count, why = tripCountOf(m.pass, m.loop, seed); why != "" {
		return why
	}
	if why = m.growthShape(); why != "" {
		return why
	}
	if why = growthDecline(info, m.body, seed, m.grows); why != "" {
		return why
	}
	if why = m.chooseForm(); why != "" {
		return why
	}
	for _, b := range m.builtins() {
		if !syntax.IsUniversal(m.pass.Types, b, m.insertPos()) {
			return "the predeclared " + b + " is shadowed where the make would go"
		}
		if b == "max" && !syntax.GoVersionAtLeast(m.pass, m.insertPos(), "go1.21") {
			return "max(" + m.count.text + ", 0) needs go1.21, and the file's Go version is older"
		}
	}
	for _, r := range append([]ast.Expr{seed.typ}, m.count.refs...) {
		if id := syntax.ResolvesAt(m.pass.Types, info, r, m.insertPos()); id != "" {
			return "the make cannot be written where it would go: " + id + " means something else there"
		}
	}
	if m.form != inPlace && m.form != firstGrow && m.gotoInto() {
		return "a goto can run the loop again without the declaration of " + seed.obj.Name()
	}
	return ""
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

// chooseForm picks the form: nil must stay nil exactly when code can tell nil from empty.
func (m *growMatch) chooseForm() string {
	seed, name := m.seed, m.seed.obj.Name()
	obs := nilUses{}
	if seed.isNil() {
		obs = nilObservable(m.pass, m.fd, m.loop, seed)
	}
	exactNil := m.upper == "" && obs.inLoop == "" && obs.recovers == ""
	if exactNil && m.count.isConst {
		// The loop runs, and grows the seed, at least once: it is not nil after the loop either way.
		obs = nilUses{}
	}
	inPlaceOK := func() string {
		if seed.kind == seedResult {
			return "a named result has no declaration to rewrite"
		}
		return unsafeBetween(m.pass.Info, m.list[m.i+1:m.k], seed.decl, m.count.refs)
	}
	switch {
	case obs.why == "":
		if why := inPlaceOK(); why == "" {
			m.form = inPlace
			return ""
		} else if !seed.isNil() {
			return why // a non-nil seed stays as it is: the make goes in its place or nowhere
		}
		m.form = beforeLoop
		return ""
	case exactNil:
		m.form = ifRuns
		return ""
	}
	// The growth is conditional, or nil-ness shows in the loop: make the slice where it first grows.
	why := obs.why
	if obs.inLoop != "" {
		why = obs.inLoop
	}
	if obs.recovers != "" && m.upper == "" && obs.inLoop == "" {
		why = obs.recovers
	}
	switch {
	case obs.recovers != "":
		// A panic in the growth's own operands would leave the slice made, where it stayed nil.
		return obs.recovers
	case len(m.grows) > 1:
		return fmt.Sprintf("%s, and %d places grow %s: nil would not stay nil", why, len(m.grows), name)
	case m.grows[0].list == nil:
		return why + ", and the growth is not a statement of a block"
	case syntax.Mentions(m.pass.Info, m.grows[0].stmt.Rhs[0].(*ast.CallExpr).Args[1], seed.obj):
		return why + ", and the growth's element reads " + name
	}
	if unstable := m.unstableCount(); unstable != "" {
		return why + ", and " + unstable
	}
	m.form = firstGrow
	return ""
}

// resetEachIteration reports whether a statement of the loop body itself sets s anew (s = s[:0],
// s = slices.Grow(s[:0], n), s = nil): s is then a buffer of the iteration, not what the loop fills.
func resetEachIteration(info *types.Info, body *ast.BlockStmt, seed *growSeed, grows []growth) bool {
	for _, st := range body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || as.Tok != token.ASSIGN || !syntax.IsObj(info, as.Lhs[0], seed.obj) {
			continue
		}
		if slices.ContainsFunc(grows, func(g growth) bool { return g.stmt == as }) {
			continue
		}
		rhs := ast.Unparen(as.Rhs[0])
		if call, ok := rhs.(*ast.CallExpr); ok && len(call.Args) > 0 {
			rhs = ast.Unparen(call.Args[0])
		}
		if info.Types[rhs].IsNil() {
			return true
		}
		if sl, ok := rhs.(*ast.SliceExpr); ok && syntax.IsObj(info, sl.X, seed.obj) && sl.High != nil && syntax.IsConstInt(info, sl.High, 0) {
			return true
		}
	}
	return false
}

// madeAtFirstGrowth reports whether the one growth of a slice is already preceded by
// `if s == nil { s = make(…) }`, the form the rule writes.
func madeAtFirstGrowth(info *types.Info, seed *growSeed, grows []growth) bool {
	if seed.isMap || len(grows) != 1 || grows[0].list == nil {
		return false
	}
	list, _ := stmtsOf(grows[0].list)
	for i, st := range list {
		if st != grows[0].stmt || i == 0 {
			continue
		}
		ifs, ok := list[i-1].(*ast.IfStmt)
		if !ok || ifs.Init != nil || ifs.Else != nil || len(ifs.Body.List) != 1 {
			return false
		}
		cond, ok := ifs.Cond.(*ast.BinaryExpr)
		if !ok || cond.Op != token.EQL || !syntax.IsObj(info, cond.X, seed.obj) || !info.Types[cond.Y].IsNil() {
			return false
		}
		as, ok := ifs.Body.List[0].(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || !syntax.IsObj(info, as.Lhs[0], seed.obj) {
			return false
		}
		call, ok := as.Rhs[0].(*ast.CallExpr)
		return ok && syntax.IsBuiltin(info, call.Fun, "make") && len(call.Args) == 3
	}
	return false
}

// insertPos is where the make is written.
func (m *growMatch) insertPos() token.Pos {
	switch m.form {
	case inPlace:
		return m.seed.decl.Pos()
	case firstGrow:
		return m.grows[0].stmt.Pos()
	}
	return m.list[m.k].Pos()
}

// builtins are the predeclared names that the rewrite writes.
func (m *growMatch) builtins() []string {
	out := []string{"make"}
	if m.count.lenOf != nil {
		out = append(out, "len")
	}
	if m.form == inPlace || m.form == beforeLoop {
		if !m.count.nonNeg {
			out = append(out, "max")
		}
	}
	if m.form == firstGrow {
		out = append(out, "nil")
	}
	return out
}

// gotoInto reports whether a goto of the function targets a label between the seed and the loop,
// which would run the loop again with the slice already grown and the make before it again.
func (m *growMatch) gotoInto() bool {
	labels := map[string]bool{}
	for _, st := range m.list[m.i+1 : m.k] {
		for {
			l, ok := st.(*ast.LabeledStmt)
			if !ok {
				break
			}
			labels[l.Label.Name] = true
			st = l.Stmt
		}
	}
	if len(labels) == 0 {
		return false
	}
	found := false
	ast.Inspect(m.fd.Body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO && b.Label != nil && labels[b.Label.Name] {
			found = true
		}
		return !found
	})
	return found
}

// describe says the rewrite in a few words.
func (m *growMatch) describe() string {
	mk := makeText(m.seed, m.count.text)
	switch m.form {
	case ifRuns:
		return "when the loop runs, " + mk
	case firstGrow:
		return "at the first growth, " + mk
	}
	if !m.count.nonNeg {
		mk = makeText(m.seed, "max("+m.count.text+", 0)")
	}
	return mk
}

func siteEvidence(pass *rule.Pass, site ast.Expr) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range pass.DiagsAtExpr(site, diag.Other) {
		if d.Kind == diag.Escapes || d.Kind == diag.NoEscape {
			out = append(out, d)
		}
	}
	return out
}

func makeText(seed *growSeed, capText string) string {
	if seed.isMap {
		return "make(" + types.ExprString(seed.typ) + ", " + capText + ")"
	}
	return "make(" + types.ExprString(seed.typ) + ", 0, " + capText + ")"
}

// growth is one statement that grows the seed, with the statements between the loop body and it.
type growth struct {
	stmt *ast.AssignStmt
	path []ast.Node // from the loop body (exclusive) to stmt (exclusive)
	list ast.Node   // the block or clause whose statement it is; nil if it is not one (an if's init)
}

// growthStmts finds `s = append(s, …)` or `m[k] = v` (any assignment operator) in body, closures too.
func growthStmts(info *types.Info, body *ast.BlockStmt, seed *growSeed) []growth {
	var out []growth
	syntax.WalkStack(body, func(stack []ast.Node) bool {
		as, ok := stack[len(stack)-1].(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return true
		}
		if seed.isMap {
			ix, ok := as.Lhs[0].(*ast.IndexExpr)
			if !ok || !syntax.IsObj(info, ix.X, seed.obj) {
				return true
			}
		} else {
			call, ok := as.Rhs[0].(*ast.CallExpr)
			if as.Tok != token.ASSIGN || !syntax.IsObj(info, as.Lhs[0], seed.obj) || !ok ||
				!syntax.IsBuiltin(info, call.Fun, "append") || len(call.Args) == 0 || !syntax.IsObj(info, call.Args[0], seed.obj) {
				return true
			}
		}
		g := growth{stmt: as, path: append([]ast.Node(nil), stack[1:len(stack)-1]...)}
		parent := stack[len(stack)-2]
		switch p := parent.(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			if list, _ := stmtsOf(p); containsStmt(list, as) {
				g.list = p
			}
		}
		out = append(out, g)
		return true
	})
	return out
}

func stmtsOf(n ast.Node) ([]ast.Stmt, bool) {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List, true
	case *ast.CaseClause:
		return n.Body, true
	case *ast.CommClause:
		return n.Body, true
	}
	return nil, false
}

func containsStmt(list []ast.Stmt, s ast.Stmt) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// growthDecline says why a growth is not exactly one element, or why something else in the loop
// could change s.
func growthDecline(info *types.Info, body *ast.BlockStmt, seed *growSeed, grows []growth) string {
	name := seed.obj.Name()
	sites := map[*ast.AssignStmt]bool{}
	for _, g := range grows {
		sites[g.stmt] = true
		if seed.isMap {
			if g.stmt.Tok != token.ASSIGN {
				return "not a plain " + name + "[k] = v"
			}
			continue
		}
		call := g.stmt.Rhs[0].(*ast.CallExpr)
		if call.Ellipsis.IsValid() {
			return fmt.Sprintf("%s adds a varying number of elements", types.ExprString(call))
		}
		if n := len(call.Args) - 1; n != 1 {
			return fmt.Sprintf("the append adds %d elements per iteration", n)
		}
	}
	why := ""
	ast.Inspect(body, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if sites[n] {
				// the growth's own value must not read s's identity in odd ways; reads are fine
				for _, r := range n.Rhs {
					ast.Inspect(r, func(m ast.Node) bool {
						if call, ok := m.(*ast.CallExpr); ok && call != r && syntax.IsBuiltin(info, call.Fun, "append") &&
							len(call.Args) > 0 && syntax.IsObj(info, call.Args[0], seed.obj) {
							why = name + " is appended to elsewhere in the loop"
						}
						return why == ""
					})
				}
				return false
			}
			for _, l := range n.Lhs {
				if syntax.IsObj(info, l, seed.obj) {
					why = name + " is assigned elsewhere in the loop"
				}
			}
		case *ast.CallExpr:
			if len(n.Args) > 0 && syntax.IsObj(info, n.Args[0], seed.obj) {
				for _, b := range []string{"append", "delete", "clear"} {
					if syntax.IsBuiltin(info, n.Fun, b) {
						why = name + " is changed elsewhere in the loop (" + b + ")"
					}
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && syntax.IsObj(info, n.X, seed.obj) {
				why = "the address of " + name + " is taken in the loop"
			}
		case *ast.FuncLit:
			if syntax.Mentions(info, n, seed.obj) {
				why = name + " is used by a closure in the loop"
			}
		}
		return why == ""
	})
	return why
}

// unsafeBetween says why the length expressions could differ between the declaration and the loop.
func unsafeBetween(info *types.Info, between []ast.Stmt, decl ast.Stmt, refs []ast.Expr) string {
	objs := map[types.Object]bool{}
	selector, why := false, ""
	for _, r := range refs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr, *ast.StarExpr, *ast.IndexExpr:
				selector = true
			case *ast.Ident:
				v, ok := info.Uses[n].(*types.Var)
				if !ok {
					break
				}
				objs[v] = true
				if v.Pkg() != nil && v.Parent() != v.Pkg().Scope() && v.Pos() >= decl.Pos() && why == "" {
					why = v.Name() + " is declared after the declaration that would use it"
				}
			}
			return true
		})
	}
	if why != "" {
		return why
	}
	for _, st := range between {
		if assignsAny(info, st, objs) {
			return "the length expression may change before the loop"
		}
		if selector && hasCall(info, st) {
			return "a call before the loop may change the length expression"
		}
	}
	return ""
}

// countSizedMakes counts the make diagnostics whose call has at least commas top-level commas.
func countSizedMakes(ds []diag.Diagnostic, commas int) int {
	n := 0
	for _, d := range ds {
		if (d.Kind != diag.Escapes && d.Kind != diag.NoEscape) || !strings.HasPrefix(d.Subject, "make(") {
			continue
		}
		depth, c := 0, 0
		for _, r := range d.Subject {
			switch r {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth--
			case ',':
				if depth == 1 {
					c++
				}
			}
		}
		if c >= commas {
			n++
		}
	}
	return n
}

// assignsAny reports whether n assigns, increments or takes the address of one of objs (as the root
// of the left-hand side), or ranges into it.
func assignsAny(info *types.Info, n ast.Node, objs map[types.Object]bool) bool {
	root := func(e ast.Expr) bool {
		for {
			switch x := ast.Unparen(e).(type) {
			case *ast.Ident:
				o := info.Uses[x]
				if o == nil {
					o = info.Defs[x]
				}
				return objs[o]
			case *ast.SelectorExpr:
				e = x.X
			case *ast.IndexExpr:
				e = x.X
			case *ast.StarExpr:
				e = x.X
			default:
				return false
			}
		}
	}
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.AssignStmt:
			for _, l := range m.Lhs {
				if m.Tok != token.DEFINE && root(l) {
					found = true
				}
			}
		case *ast.IncDecStmt:
			found = found || root(m.X)
		case *ast.UnaryExpr:
			found = found || (m.Op == token.AND && root(m.X))
		case *ast.RangeStmt:
			if m.Tok == token.ASSIGN {
				found = found || (m.Key != nil && root(m.Key)) || (m.Value != nil && root(m.Value))
			}
		}
		return !found
	})
	return found
}

// hasCall reports whether n calls anything but a conversion or a builtin without side effects.
func hasCall(info *types.Info, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		call, ok := m.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return true
		}
		for _, b := range []string{"len", "cap", "min", "max", "make", "new"} {
			if syntax.IsBuiltin(info, call.Fun, b) {
				return true
			}
		}
		found = true
		return false
	})
	return found
}
