package outline

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "outline")

// New returns the outline rule, which moves a cold branch or the slow tail of a function that
// just misses the inlining budget into a //go:noinline function.
func New() *rule.Rule {
	return &rule.Rule{Name: "outline", Doc: ruleDoc, WholeFunction: true, Match: match}
}

// uninlinedCallCost is what the inliner charges for a call that it does not inline.
const uninlinedCallCost = 57

// region is one cold region of a function (the statements of an if branch or a case clause, or
// the tail after the leading guards, which move) with its estimated share of the function's
// inline cost.
type region struct {
	*syntax.ColdRegion
	tail *syntax.Tail // the tail after the leading guards; nil for a branch or clause
	cost int
}

// rankRegions orders the regions to try, best first. With a profile (-profile), the coldest
// first: the fewest samples on the lines of the statements that move (not the if or case line,
// whose condition runs either way), as a region that runs often costs a call each time once it is
// out of line. Among equally cold regions, and without a profile, a branch or clause before a
// tail (a branch is cold by its shape; a tail runs whenever no guard returns); branches by
// estimated cost, heaviest first; tails shortest first, which leaves the most guards inline (a
// shorter tail is a part of a longer one, so a profile ranks them so too).
func rankRegions(pass *rule.Pass, rs []*region) {
	samples := map[*region]int64{}
	for _, r := range rs {
		if len(r.Stmts) > 0 {
			samples[r] = pass.SamplesBetween(r.Stmts[0].Pos(), r.Stmts[len(r.Stmts)-1].End())
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if si, sj := samples[rs[i]], samples[rs[j]]; si != sj {
			return si < sj
		}
		if ti, tj := rs[i].tail != nil, rs[j].tail != nil; ti != tj {
			return tj
		} else if ti {
			return len(rs[i].Stmts) < len(rs[j].Stmts)
		}
		return rs[i].cost > rs[j].cost
	})
}

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		file := pass.Fset.File(f.Pos()).Name()
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			// For a generic function the worst shaped instance answers (At[go.shape.int]).
			verdict, ok := pass.Diags.Inline(file, diag.FuncName(fd))
			if !ok || verdict.Kind != diag.CannotInline || verdict.Budget == 0 || verdict.Cost <= verdict.Budget {
				continue
			}
			out = append(out, matchFunc(pass, f, fd, verdict)...)
		}
	}
	return out
}

// matchFunc returns the candidates of one function that is too complex to inline.
func matchFunc(pass *rule.Pass, f *ast.File, fd *ast.FuncDecl, verdict diag.Diagnostic) []*rule.Candidate {
	need := uninlinedCallCost + verdict.Cost - verdict.Budget
	var heavy []*region
	costs := newCoster(pass, fd, verdict.Cost)
	for _, cold := range syntax.ColdRegions(pass.Info, fd.Body) {
		r := &region{ColdRegion: cold, cost: costs.cost(cold.Stmts)}
		if r.cost >= need {
			heavy = append(heavy, r)
		}
	}
	for _, tail := range syntax.TailRegions(pass.Info, fd) {
		r := &region{ColdRegion: tail.Region, tail: tail, cost: costs.cost(tail.Region.Stmts)}
		if r.cost >= need {
			heavy = append(heavy, r)
		}
	}
	if len(heavy) == 0 {
		return nil // nothing cold is heavy enough to bring fd under budget
	}
	rankRegions(pass, heavy)
	name := diag.FuncName(fd)
	candidate := func(r *region) *rule.Candidate {
		return &rule.Candidate{
			Pos:      r.Stmt.Pos(),
			Func:     fd,
			Evidence: []diag.Diagnostic{verdict},
			Summary:  fmt.Sprintf("move `%s` of %s out of line", r.Label, name),
		}
	}
	if why := funcDecline(fd); why != "" {
		c := candidate(heavy[0])
		c.Decline = why
		return []*rule.Candidate{c}
	}
	var out []*rule.Candidate
	for _, r := range heavy {
		c := candidate(r)
		var p *plan
		why := ""
		if r.tail != nil {
			why = hotTail(pass, costs, fd, r)
		}
		if why == "" {
			p, why = newPlan(pass, fd, r)
		}
		if why != "" {
			c.Decline = why
			out = append(out, c)
			continue
		}
		if verdict.Cost-r.cost+p.callCost() > verdict.Budget {
			continue // the call that replaces the region costs more than it saves
		}
		c.Summary += " into " + p.name
		c.Fix = func(fix *rule.Fix) error { return p.apply(fix, f, fd, r) }
		c.Confirm = (*rule.Confirm).Inlines
		out = append(out, c)
	}
	return out
}

// funcDecline says why no region of fd can move, whatever the region.
func funcDecline(fd *ast.FuncDecl) string {
	if fd.Doc != nil {
		for _, c := range fd.Doc.List {
			if strings.HasPrefix(c.Text, "//go:") {
				return "the function has the directive " + strings.Fields(c.Text)[0] + ", which its slow path would not carry"
			}
		}
	}
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		if names := fd.Recv.List[0].Names; len(names) == 0 || names[0].Name == "_" {
			return "the receiver has no name to call the slow path on"
		}
	}
	return ""
}

// plan is how one region moves.
type plan struct {
	pkg        *types.Package
	name       string       // the slow function
	recv       string       // the receiver's name, for a method
	params     []*types.Var // the function's variables that the region uses, in the order of their declarations
	paramTypes []types.Type
	results    *types.Tuple // the slow function's results; nil for none
	named      bool         // the slow function declares the function's named results as its own
	typeParams []string     // a generic function's type parameters, to instantiate the call
	generic    bool         // a generic function or a method of a generic type: the call passes a dictionary
	returnCall bool         // the call site is `return fSlow(args)`
	thenReturn bool         // the call site is `fSlow(args); return`
	dropReturn bool         // the region's last statement is a bare return that the slow function drops
}

// newPlan checks that region r of fd can move exactly, and says how; or why not.
func newPlan(pass *rule.Pass, fd *ast.FuncDecl, r *region) (*plan, string) {
	info := pass.Info
	fn, _ := info.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return nil, "no type information for the function"
	}
	sig := fn.Type().(*types.Signature)
	sc := &scan{info: info, fd: fd, lo: r.Block.Pos(), hi: r.Block.End(), sig: sig, tail: r.tail != nil}
	if r.Block == r.Stmt || r.tail != nil {
		sc.lo = r.Stmts[0].Pos() // a case clause: its case expressions stay; the tail: the guards stay
	}
	if sig.Recv() != nil {
		sc.recv = sig.Recv()
	}
	for _, s := range r.Stmts {
		sc.walk(s)
		if sc.why != "" {
			return nil, sc.why
		}
	}
	last := r.Stmts[len(r.Stmts)-1]
	named := false
	if r.tail != nil {
		var why string
		if named, why = sc.ownResults(r.tail); why != "" {
			return nil, why
		}
	}
	if why := sc.checkShared(last); why != "" {
		return nil, why
	}
	// The function's parameters first, then its variables in the order they were declared.
	sort.SliceStable(sc.used, func(i, j int) bool { return sc.used[i].Pos() < sc.used[j].Pos() })
	p := &plan{pkg: pass.Types, params: sc.used}
	for _, v := range sc.used {
		if _, err := typeExpr(v.Type(), pass.Types); err != nil {
			return nil, fmt.Sprintf("uses %s, whose type %s: %v", v.Name(), v.Type(), err)
		}
		p.paramTypes = append(p.paramTypes, v.Type())
	}
	hasResults := sig.Results().Len() > 0
	switch {
	case r.tail != nil && !hasResults:
		// fSlow(args) ends the function: the slow function drops a final bare return.
		if ret, ok := last.(*ast.ReturnStmt); ok && len(ret.Results) == 0 {
			p.dropReturn = true
		}
	case r.Ends == "exit" && sc.hasReturn:
		return nil, "ends in a call that never returns, which is not a terminating statement, and also returns"
	case r.Ends == "exit" && r.Arm && hasResults:
		return nil, "ends in a call that never returns in an else block or case: the call that replaces it would not terminate its statement"
	case r.Ends == "exit":
		// fSlow(args), no results.
	case hasResults:
		p.results, p.returnCall, p.named = sig.Results(), true, named
		for i := 0; i < sig.Results().Len(); i++ {
			if _, err := typeExpr(sig.Results().At(i).Type(), pass.Types); err != nil {
				return nil, fmt.Sprintf("its result type %s: %v", sig.Results().At(i).Type(), err)
			}
		}
	default:
		p.thenReturn = sc.hasReturn
		if ret, ok := last.(*ast.ReturnStmt); ok && len(ret.Results) == 0 {
			p.dropReturn = true
		}
	}
	if sc.recv != nil {
		p.recv = sc.recv.Name()
	}
	p.generic = sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0
	if tps := sig.TypeParams(); tps != nil {
		for i := 0; i < tps.Len(); i++ {
			p.typeParams = append(p.typeParams, tps.At(i).Obj().Name())
		}
	}
	p.name = slowName(pass, fd, fn)
	return p, ""
}

// callCost is what the inliner charges for the statements that replace the region: the call (57
// and its node), the function's name (a method's: its receiver only), an argument each, and a
// return; a return of several results is compiled with a temporary for each (4 each, and 1). A
// shaped instance of a generic function passes the callee its dictionary, (*[N]uintptr)(.dict[i]):
// 4 more.
func (p *plan) callCost() int {
	n := uninlinedCallCost + 1 + 1 + len(p.params)
	if p.generic {
		n += 4
	}
	switch {
	case p.returnCall:
		n++
		if p.results.Len() > 1 {
			n += 4*p.results.Len() + 1
		}
	case p.thenReturn:
		n++
	}
	return n
}

// slowName picks the slow function's name: <f>Slow, unexported, or another clear one if that is taken.
func slowName(pass *rule.Pass, fd *ast.FuncDecl, fn *types.Func) string {
	base := unexported(fd.Name.Name) + "Slow"
	local := map[string]bool{}
	for id, obj := range pass.Info.Defs {
		if obj != nil && id.Pos() >= fd.Pos() && id.Pos() < fd.End() {
			local[id.Name] = true
		}
	}
	var recv types.Type
	if r := fn.Type().(*types.Signature).Recv(); r != nil {
		recv = r.Type()
	}
	taken := func(name string) bool {
		if local[name] || pass.Types.Scope().Lookup(name) != nil {
			return true
		}
		if recv != nil {
			if obj, _, _ := types.LookupFieldOrMethod(recv, true, pass.Types, name); obj != nil {
				return true
			}
		}
		return false
	}
	for i, name := 1, base; ; i++ {
		if !taken(name) {
			return name
		}
		if i == 1 {
			name = base + "Path"
		} else {
			name = base + strconv.Itoa(i)
		}
	}
}

// unexported lowercases the leading capitals of an exported name: Get → get, HTTPGet → httpGet.
func unexported(name string) string {
	rs := []rune(name)
	for i := range rs {
		if !unicode.IsUpper(rs[i]) {
			break
		}
		if i > 0 && i+1 < len(rs) && !unicode.IsUpper(rs[i+1]) {
			break // the capital that starts the next word
		}
		rs[i] = unicode.ToLower(rs[i])
	}
	return string(rs)
}

// apply moves r's statements into the slow function, inserted after fd, and calls it in their place.
func (p *plan) apply(fix *rule.Fix, f *ast.File, fd *ast.FuncDecl, r *region) error {
	df, ok := fix.Dst(f).(*dst.File)
	if !ok {
		return fmt.Errorf("no decorated file for %s", fd.Name.Name)
	}
	dfd := fix.Dst(fd).(*dst.FuncDecl)
	list, err := syntax.StmtList(fix.Dst(r.Block))
	if err != nil {
		return err
	}
	keep := len(*list) - len(r.Stmts) // the guards before the tail stay; a branch moves whole
	body := (*list)[keep:]
	if p.dropReturn {
		body = body[:len(body)-1]
	}
	if len(body) > 0 && body[0].Decorations().Before == dst.EmptyLine {
		body[0].Decorations().Before = dst.NewLine // no blank line to open the slow function
	}
	if keep > 0 && (*list)[keep-1].Decorations().After == dst.EmptyLine {
		(*list)[keep-1].Decorations().After = dst.NewLine // nor between the last guard and the call
	}
	slow := &dst.FuncDecl{
		Name: dst.NewIdent(p.name),
		Type: &dst.FuncType{Func: true, Params: &dst.FieldList{}},
		Body: &dst.BlockStmt{List: body},
	}
	if dfd.Recv != nil {
		slow.Recv = dst.Clone(dfd.Recv).(*dst.FieldList)
	}
	if dfd.Type.TypeParams != nil {
		slow.Type.TypeParams = dst.Clone(dfd.Type.TypeParams).(*dst.FieldList)
	}
	var args []dst.Expr
	for i, v := range p.params {
		t, err := typeExpr(p.paramTypes[i], p.pkg)
		if err != nil {
			return err
		}
		slow.Type.Params.List = append(slow.Type.Params.List, &dst.Field{Names: []*dst.Ident{dst.NewIdent(v.Name())}, Type: t})
		args = append(args, dst.NewIdent(v.Name()))
	}
	if p.results != nil {
		slow.Type.Results = &dst.FieldList{}
		for i := 0; i < p.results.Len(); i++ {
			t, err := typeExpr(p.results.At(i).Type(), p.pkg)
			if err != nil {
				return err
			}
			field := &dst.Field{Type: t}
			if p.named {
				field.Names = []*dst.Ident{dst.NewIdent(p.results.At(i).Name())}
			}
			slow.Type.Results.List = append(slow.Type.Results.List, field)
		}
	}
	slow.Decs.Before = dst.EmptyLine
	slow.Decs.After = dst.EmptyLine
	path := "cold"
	if r.tail != nil {
		path = "slow"
	}
	slow.Decs.Start.Append(
		fmt.Sprintf("// %s is the %s path of %s, kept out of line so that %s fits the inlining budget.", p.name, path, fd.Name.Name, fd.Name.Name),
		"//",
		"//go:noinline",
	)

	var fun dst.Expr = dst.NewIdent(p.name)
	switch {
	case p.recv != "":
		fun = &dst.SelectorExpr{X: dst.NewIdent(p.recv), Sel: dst.NewIdent(p.name)}
	case len(p.typeParams) == 1:
		fun = &dst.IndexExpr{X: fun, Index: dst.NewIdent(p.typeParams[0])}
	case len(p.typeParams) > 1:
		var idx []dst.Expr
		for _, tp := range p.typeParams {
			idx = append(idx, dst.NewIdent(tp))
		}
		fun = &dst.IndexListExpr{X: fun, Indices: idx}
	}
	call := &dst.CallExpr{Fun: fun, Args: args}
	var stmts []dst.Stmt
	if p.returnCall {
		stmts = append(stmts, &dst.ReturnStmt{Results: []dst.Expr{call}})
	} else {
		stmts = append(stmts, &dst.ExprStmt{X: call})
		if p.thenReturn {
			stmts = append(stmts, &dst.ReturnStmt{})
		}
	}
	for _, s := range stmts {
		s.Decorations().Before = dst.NewLine
		s.Decorations().After = dst.NewLine
	}
	*list = append((*list)[:keep:keep], stmts...)

	for i, d := range df.Decls {
		if d == dfd {
			df.Decls = append(df.Decls[:i+1], append([]dst.Decl{slow}, df.Decls[i+1:]...)...)
			return nil
		}
	}
	return fmt.Errorf("%s is not a top-level declaration of its file", fd.Name.Name)
}
