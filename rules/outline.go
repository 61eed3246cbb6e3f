// The outline rule: a function that just misses the inlining budget gets its cold branch moved into
// a separate //go:noinline function, so that the rest fits and inlines at every call.
//
//	func (c *Cache) Get(key string) []byte {  =>  func (c *Cache) Get(key string) []byte {
//		v := c.items[key]                             v := c.items[key]
//		if v == nil {                                 if v == nil {
//			b, err := c.load(key)                         return c.getSlow(key)
//			if err != nil {                           }
//				c.Err = fmt.Errorf(...)               return v
//				return nil                        }
//			}
//			c.items[key] = b                      // getSlow is the cold path of Get, kept out of line ...
//			return b                              //go:noinline
//		}                                         func (c *Cache) getSlow(key string) []byte {
//		return v                                      b, err := c.load(key)
//	}                                                 ... the branch, as it was ...
//	                                              }
//
// The evidence is the compiler's `cannot inline F: function too complex: cost N exceeds budget 80`
// at F, in a file that is not a _test.go file.
//
// Cold regions, found by their shape (the statements that move, which must end in a return, a
// panic(...) or a call that never returns: os.Exit, runtime.Goexit, log.Fatal*, log.Panic* and the
// *log.Logger methods of those names):
//   - the body of an if statement;
//   - the else block of `if err == nil {…} else {…}` (err of type error): the error arm;
//   - a case or default clause of a switch or type switch other than the first one.
//
// For a generic function the compiler judges each shaped instance (At[go.shape.int]): the worst one
// is the evidence, and the one the confirm step reads.
//
// Each region's share of the cost is estimated like the inliner counts it (olCoster, olWalk): one
// per node of the compiler's representation, which is not go/ast's (no node for a type, a block or
// a parenthesis; one literal for a constant expression; a declaration node for each variable :=
// declares; one for each implicit conversion to an interface; ...), 15 for a function literal (its
// body is a function of its own, which the inliner does not count), plus 57 for a call that the
// compiler does not inline (17 for a call of a parameter of the function), or the callee's cost
// for a call that it inlines (printed for callees of the package, closures included; for others,
// what the function's printed cost leaves after the rest, shared among them). The estimate of a
// whole function is the compiler's printed cost for 90% of x/tools' functions whose calls it can
// price, and for every function of fixtures/outline/costs (TestOutlineCostMatchesCompiler). A
// region is skipped silently, without a candidate, when the function's cost without it plus the
// call that replaces it (olPlan.callCost: 57, the call's node, the callee's name, an argument each, a
// return, and 4 per result and 1 more when it returns several, for the temporaries the compiler
// makes) would still exceed the budget: a function at cost 85 whose cold branch is `return
// errClosed` gets none (fixtures/outline/no_too_light), nor one whose two results make the call
// cost more than its branch (no_return_temps), nor a clause of a constant switch, which the
// compiler drops before it counts (no_dead_clause). The remaining regions are ranked
// (rankOutlineRegions: with -profile the coldest first, the fewest samples on its statements'
// lines; else, and among equally cold ones, the heaviest first) and each becomes one candidate;
// the engine keeps the first one that the compiler confirms and then matches again, when the
// function inlines and has no more candidates.
//
// Variants of the rewrite:
//   - a method's slow path is a method with the same receiver: `return c.getSlow(key)`;
//   - a generic function's slow path has the same type parameters and is called instantiated:
//     `return indexSlow[T](s, x)`;
//   - the parameters are the function's variables that the region uses (read or assigned), in the order
//     of their declarations, with their go/types types written out (imported types package-qualified);
//   - a function with results: `return fSlow(args)`, and the slow function has the same results; a
//     function without results: `fSlow(args)`, then `return` if the region returns;
//   - a region that ends in os.Exit or log.Fatal and holds no return: `fSlow(args)`, with no results;
//   - the name is <f>Slow (unexported: getSlow for Get), else <f>SlowPath, <f>Slow2, …, when the name is
//     taken by a package-level name, a field or method of the receiver, or a name declared in f.
//
// It declines (the report says which), for a region heavy enough to matter:
//   - the function carries a //go: directive (nosplit, norace, linkname, …) that the slow function
//     would not carry;
//   - a method whose receiver has no name (the call needs one);
//   - the region contains a defer, a call of recover, a goto, a label, or a break or continue that
//     leaves it (a labeled one included). (go1.26 never inlines a function with a defer, `unhandled
//     op DEFER`, so that decline only guards a later compiler);
//   - the region takes the address of a variable of the function (&x, &x.f, x[:] of an array, or a
//     call of a pointer method on a variable that is not a pointer): the slow function gets a copy;
//   - a closure in the region captures a variable of the function;
//   - a bare return of named results in the region;
//   - the region assigns a named result and does not end in a return with values (a deferred call
//     could read it);
//   - the region assigns a variable that later code can read: one that a closure of the function
//     captures or whose address the function takes (nothing else runs after the region, which ends
//     in a return or a panic);
//   - the region uses a type or constant declared inside the function, or a variable whose type
//     cannot be written outside it (a local type, an interface literal with methods);
//   - the region ends in os.Exit or log.Fatal and also returns, or ends so in an else block or a
//     case clause (the call that replaces it would not be a terminating statement).
//
// Confirm: the compiler now says `can inline F`; otherwise `still too complex (cost M)`.

package rules

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// Outline moves a cold branch of a function that just misses the inlining budget into a
// //go:noinline function.
var Outline = &rule.Rule{
	Name: "outline",
	Doc: rule.Doc{
		Title: "move a cold branch out of line so that a function just over the inlining budget inlines",
		Text: "When the compiler says `cannot inline F: function too complex: cost N exceeds budget 80`, the rule " +
			"looks for cold regions by their shape: an if branch, the error arm of an if/else, or a switch case " +
			"other than the first, ending in a return, a panic or a call that never returns. A region heavy " +
			"enough to bring F under budget (its cost estimated node by node as the inliner counts them, against " +
			"N − 80 plus the call that replaces it, 57 and its arguments) " +
			"moves into a new //go:noinline function <f>Slow, a method with the same receiver for a method, " +
			"whose parameters are the variables it uses. The compiler must then say `can inline F`. It declines " +
			"regions with defer, recover, goto, labels, break or continue leaving the region, the address of a " +
			"variable of F, closures capturing F's variables, bare returns of named results, assignments that " +
			"later code can read, and functions with //go: directives.",
		Before: "func (c *Cache) Get(key string) []byte {\n\tv := c.items[key]\n\tif v == nil {\n\t\tb, err := c.load(key)\n" +
			"\t\tif err != nil {\n\t\t\tc.Err = fmt.Errorf(\"cache: loading %q: %w\", key, err)\n\t\t\treturn nil\n\t\t}\n" +
			"\t\tc.items[key] = b\n\t\treturn b\n\t}\n\treturn v\n}",
		After: "func (c *Cache) Get(key string) []byte {\n\tv := c.items[key]\n\tif v == nil {\n\t\treturn c.getSlow(key)\n\t}\n\treturn v\n}\n\n" +
			"// getSlow is the cold path of Get, kept out of line so that Get fits the inlining budget.\n//\n//go:noinline\n" +
			"func (c *Cache) getSlow(key string) []byte {\n\tb, err := c.load(key)\n\t...\n}",
	},
	WholeFunction: true,
	Match:         matchOutline,
}

// outlineCallCost is what the inliner charges for a call that it does not inline.
const outlineCallCost = 57

// olRegion is one cold region of a function (the statements of an if branch or a case clause,
// which move) with its estimated share of the function's inline cost.
type olRegion struct {
	*syntax.ColdRegion
	cost int
}

// rankOutlineRegions orders the regions to try, best first. With a profile (-profile), the coldest
// first: the fewest samples on the lines of the statements that move (not the if or case line,
// whose condition runs either way), as a region that runs often costs a call each time once it is
// out of line; among equally cold regions, and without a profile, by estimated cost, heaviest
// first.
func rankOutlineRegions(pass *rule.Pass, rs []*olRegion) {
	samples := map[*olRegion]int64{}
	for _, r := range rs {
		if len(r.Stmts) > 0 {
			samples[r] = pass.SamplesBetween(r.Stmts[0].Pos(), r.Stmts[len(r.Stmts)-1].End())
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if si, sj := samples[rs[i]], samples[rs[j]]; si != sj {
			return si < sj
		}
		return rs[i].cost > rs[j].cost
	})
}

func matchOutline(pass *rule.Pass) []*rule.Candidate {
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
			out = append(out, outlineFunc(pass, f, fd, verdict)...)
		}
	}
	return out
}

// outlineFunc returns the candidates of one function that is too complex to inline.
func outlineFunc(pass *rule.Pass, f *ast.File, fd *ast.FuncDecl, verdict diag.Diagnostic) []*rule.Candidate {
	need := outlineCallCost + verdict.Cost - verdict.Budget
	var heavy []*olRegion
	coster := newOlCoster(pass, fd, verdict.Cost)
	for _, cold := range syntax.ColdRegions(pass.Info, fd.Body) {
		r := &olRegion{ColdRegion: cold, cost: coster.cost(cold.Stmts)}
		if r.cost >= need {
			heavy = append(heavy, r)
		}
	}
	if len(heavy) == 0 {
		return nil // nothing cold is heavy enough to bring fd under budget
	}
	rankOutlineRegions(pass, heavy)
	name := diag.FuncName(fd)
	candidate := func(r *olRegion) *rule.Candidate {
		return &rule.Candidate{
			Pos:      r.Stmt.Pos(),
			Func:     fd,
			Evidence: []diag.Diagnostic{verdict},
			Summary:  fmt.Sprintf("move `%s` of %s out of line", r.Label, name),
		}
	}
	if why := outlineFuncDecline(fd); why != "" {
		c := candidate(heavy[0])
		c.Decline = why
		return []*rule.Candidate{c}
	}
	var out []*rule.Candidate
	for _, r := range heavy {
		c := candidate(r)
		p, why := planOutline(pass, fd, r)
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

// outlineFuncDecline says why no region of fd can move, whatever the region.
func outlineFuncDecline(fd *ast.FuncDecl) string {
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

// olCoster estimates what statements add to their function's inline cost: one per node of the
// compiler's representation, like the inliner (olWalk), and for each call what the inliner charges
// for it: 57 for a call that it does not inline (17 for a call of a parameter), the callee's cost
// for one that it inlines when the callee is in this package; a function literal costs 15 and its
// body nothing. The cost of an inlined callee from another package is not printed; the function's
// total cost calibrates it: what the total leaves after the rest is shared evenly among those
// calls (at most 80 each, the budget).
type olCoster struct {
	pass    *rule.Pass
	unknown float64             // the estimate for an inlined call of another package
	params  map[*types.Var]bool // the function's parameters: a call of one costs olParamCallCost
	results *types.Tuple        // the function's results, for the conversions that return adds
	dead    []ast.Node          // branches and clauses the compiler drops (olWalk.markDead)
}

// olClosureCost is what the inliner charges for a function literal, whatever its body: the body is
// a function of its own, which the cost of the enclosing function leaves out. olParamCallCost is
// its charge for calling a parameter of the function (perhaps a constant function that inlines).
const (
	olClosureCost   = 15
	olParamCallCost = 17
)

func newOlCoster(pass *rule.Pass, fd *ast.FuncDecl, total int) *olCoster {
	c := &olCoster{pass: pass, params: map[*types.Var]bool{}}
	if fn, ok := pass.Info.Defs[fd.Name].(*types.Func); ok {
		c.results = fn.Type().(*types.Signature).Results()
	}
	// The parameters, and the receiver: one of function type is called like a parameter.
	for _, fl := range []*ast.FieldList{fd.Recv, fd.Type.Params} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			for _, id := range f.Names {
				if v, ok := pass.Info.Defs[id].(*types.Var); ok {
					c.params[v] = true
				}
			}
		}
	}
	// The whole body's walk also finds the code that the compiler drops.
	w := &olWalk{c: c}
	w.stmts(fd.Body.List)
	known, calls := w.known, w.calls
	c.dead = w.dead
	if calls > 0 && total > known {
		c.unknown = min(float64(total-known)/float64(calls), 80)
	}
	return c
}

func (c *olCoster) cost(stmts []ast.Stmt) int {
	if len(stmts) > 0 && c.isDead(stmts[0].Pos()) {
		return 0
	}
	known, calls := c.count(stmts)
	return known + int(math.Round(float64(calls)*c.unknown))
}

// count returns the estimate without the inlined calls of other packages, and how many those are.
func (c *olCoster) count(stmts []ast.Stmt) (known, calls int) {
	w := &olWalk{c: c}
	w.stmts(stmts)
	return w.known, w.calls
}

// implicit counts the nodes that a call adds without syntax: a conversion to an interface for each
// argument that is not one, and the slice of a variadic call's arguments.
func (c *olCoster) implicit(call *ast.CallExpr) int {
	tv, ok := c.pass.Info.Types[call.Fun]
	if !ok {
		return 0
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok {
		return 0
	}
	n := 0
	if sig.Variadic() && !call.Ellipsis.IsValid() {
		n += 2 // a slice literal, which the inliner charges twice
	}
	for i, arg := range call.Args {
		var pt types.Type
		switch {
		case i < sig.Params().Len()-1 || !sig.Variadic() && i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		case sig.Variadic() && !call.Ellipsis.IsValid():
			pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
		default:
			continue
		}
		n += c.convert(arg, pt)
	}
	return n
}

// callCost returns what the inliner charges for call, or false for an inlined call of another package.
func (c *olCoster) callCost(call *ast.CallExpr) (int, bool) {
	pass := c.pass
	if tv, ok := pass.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return 0, true
	}
	inlined := pass.DiagsAtExpr(call, diag.InliningCall)
	if len(inlined) == 0 {
		if fn, ok := typeutil.Callee(pass.Info, call).(*types.Func); ok && olIntrinsic(fn) {
			return 0, true
		}
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
			if v, ok := pass.Info.Uses[id].(*types.Var); ok && c.params[v] {
				return olParamCallCost, true
			}
		}
		return outlineCallCost, true
	}
	// A callee in the same file (a closure too: "F.func1") has its cost printed there.
	if d, ok := pass.Diags.Inline(inlined[0].File, inlined[0].Subject); ok && d.Kind == diag.CanInline {
		return d.Cost, true
	}
	fn, ok := typeutil.Callee(pass.Info, call).(*types.Func)
	if !ok || fn.Pkg() != pass.Types {
		return 0, false
	}
	if d, ok := pass.Diags.Inline(pass.Fset.Position(fn.Pos()).Filename, olTypesFuncName(fn)); ok && d.Kind == diag.CanInline {
		return d.Cost, true
	}
	return 0, false
}

// olPlan is how one region moves.
type olPlan struct {
	pkg        *types.Package
	name       string       // the slow function
	recv       string       // the receiver's name, for a method
	params     []*types.Var // the function's variables that the region uses, in the order of their declarations
	paramTypes []types.Type
	results    *types.Tuple // the slow function's results; nil for none
	typeParams []string     // a generic function's type parameters, to instantiate the call
	returnCall bool         // the call site is `return fSlow(args)`
	thenReturn bool         // the call site is `fSlow(args); return`
	dropReturn bool         // the region's last statement is a bare return that the slow function drops
}

// planOutline checks that region r of fd can move exactly, and says how; or why not.
func planOutline(pass *rule.Pass, fd *ast.FuncDecl, r *olRegion) (*olPlan, string) {
	info := pass.Info
	fn, _ := info.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return nil, "no type information for the function"
	}
	sig := fn.Type().(*types.Signature)
	sc := &olScan{info: info, fd: fd, lo: r.Block.Pos(), hi: r.Block.End(), sig: sig}
	if r.Block == r.Stmt {
		sc.lo = r.Stmts[0].Pos() // a case clause: its case expressions stay
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
	if why := sc.checkAssigned(last); why != "" {
		return nil, why
	}
	// The function's parameters first, then its variables in the order they were declared.
	sort.SliceStable(sc.used, func(i, j int) bool { return sc.used[i].Pos() < sc.used[j].Pos() })
	p := &olPlan{pkg: pass.Types, params: sc.used}
	for _, v := range sc.used {
		if _, err := olTypeExpr(v.Type(), pass.Types); err != nil {
			return nil, fmt.Sprintf("uses %s, whose type %s: %v", v.Name(), v.Type(), err)
		}
		p.paramTypes = append(p.paramTypes, v.Type())
	}
	hasResults := sig.Results().Len() > 0
	switch {
	case r.Ends == "exit" && sc.hasReturn:
		return nil, "ends in a call that never returns, which is not a terminating statement, and also returns"
	case r.Ends == "exit" && r.Arm && hasResults:
		return nil, "ends in a call that never returns in an else block or case: the call that replaces it would not terminate its statement"
	case r.Ends == "exit":
		// fSlow(args), no results.
	case hasResults:
		p.results, p.returnCall = sig.Results(), true
		for i := 0; i < sig.Results().Len(); i++ {
			if _, err := olTypeExpr(sig.Results().At(i).Type(), pass.Types); err != nil {
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
	if tps := sig.TypeParams(); tps != nil {
		for i := 0; i < tps.Len(); i++ {
			p.typeParams = append(p.typeParams, tps.At(i).Obj().Name())
		}
	}
	p.name = olSlowName(pass, fd, fn)
	return p, ""
}

// callCost is what the inliner charges for the statements that replace the region: the call (57
// and its node), the function's name (a method's: its receiver only), an argument each, and a
// return; a return of several results is compiled with a temporary for each (4 each, and 1).
func (p *olPlan) callCost() int {
	n := outlineCallCost + 1 + 1 + len(p.params)
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

// olSlowName picks the slow function's name: <f>Slow, unexported, or another clear one if that is taken.
func olSlowName(pass *rule.Pass, fd *ast.FuncDecl, fn *types.Func) string {
	base := olUnexported(fd.Name.Name) + "Slow"
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
func olUnexported(name string) string {
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
func (p *olPlan) apply(fix *rule.Fix, f *ast.File, fd *ast.FuncDecl, r *olRegion) error {
	df, ok := fix.Dst(f).(*dst.File)
	if !ok {
		return fmt.Errorf("no decorated file for %s", fd.Name.Name)
	}
	dfd := fix.Dst(fd).(*dst.FuncDecl)
	var list *[]dst.Stmt
	switch b := fix.Dst(r.Block).(type) {
	case *dst.BlockStmt:
		list = &b.List
	case *dst.CaseClause:
		list = &b.Body
	default:
		return fmt.Errorf("region is a %T", b)
	}
	body := *list
	if p.dropReturn {
		body = body[:len(body)-1]
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
		t, err := olTypeExpr(p.paramTypes[i], p.pkg)
		if err != nil {
			return err
		}
		slow.Type.Params.List = append(slow.Type.Params.List, &dst.Field{Names: []*dst.Ident{dst.NewIdent(v.Name())}, Type: t})
		args = append(args, dst.NewIdent(v.Name()))
	}
	if p.results != nil {
		slow.Type.Results = &dst.FieldList{}
		for i := 0; i < p.results.Len(); i++ {
			t, err := olTypeExpr(p.results.At(i).Type(), p.pkg)
			if err != nil {
				return err
			}
			slow.Type.Results.List = append(slow.Type.Results.List, &dst.Field{Type: t})
		}
	}
	slow.Decs.Before = dst.EmptyLine
	slow.Decs.After = dst.EmptyLine
	slow.Decs.Start.Append(
		fmt.Sprintf("// %s is the cold path of %s, kept out of line so that %s fits the inlining budget.", p.name, fd.Name.Name, fd.Name.Name),
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
	*list = stmts

	for i, d := range df.Decls {
		if d == dfd {
			df.Decls = append(df.Decls[:i+1], append([]dst.Decl{slow}, df.Decls[i+1:]...)...)
			return nil
		}
	}
	return fmt.Errorf("%s is not a top-level declaration of its file", fd.Name.Name)
}

// olScan walks a region and collects what planOutline needs to know, or why it declines.
type olScan struct {
	info      *types.Info
	fd        *ast.FuncDecl
	lo, hi    token.Pos // the region
	sig       *types.Signature
	recv      *types.Var
	used      []*types.Var // variables of the function used in the region, receiver left out
	seen      map[*types.Var]bool
	assigned  []*types.Var
	hasReturn bool
	why       string
}

// outer reports whether v is a variable of the function declared outside the region.
func (sc *olScan) outer(v *types.Var) bool {
	if v.IsField() || v.Pos() < sc.fd.Pos() || v.Pos() >= sc.fd.End() {
		return false
	}
	return v.Pos() < sc.lo || v.Pos() >= sc.hi
}

func (sc *olScan) declinef(format string, args ...any) {
	if sc.why == "" {
		sc.why = fmt.Sprintf(format, args...)
	}
}

// walk scans one statement of the region with the stack of nodes above each node.
func (sc *olScan) walk(root ast.Node) {
	syntax.WalkStack(root, func(path []ast.Node) bool {
		if sc.why != "" {
			return false
		}
		stack := path[:len(path)-1]
		sc.node(path[len(path)-1], stack, olInLit(stack))
		return true
	})
}

// olInLit reports whether a function literal is on stack.
func olInLit(stack []ast.Node) bool {
	for _, n := range stack {
		if _, ok := n.(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

func (sc *olScan) node(n ast.Node, stack []ast.Node, lit bool) {
	info := sc.info
	switch n := n.(type) {
	case *ast.DeferStmt:
		if !lit {
			sc.declinef("contains a defer statement, which would run when the slow path returns")
		}
	case *ast.LabeledStmt:
		if !lit {
			sc.declinef("contains the label %s", n.Label.Name)
		}
	case *ast.BranchStmt:
		if lit {
			return
		}
		switch {
		case n.Tok == token.GOTO:
			sc.declinef("contains goto %s", n.Label.Name)
		case n.Label != nil:
			sc.declinef("contains %s %s, a branch to a label", n.Tok, n.Label.Name)
		case n.Tok == token.BREAK && !olEncloses(stack, true):
			sc.declinef("break leaves the region")
		case n.Tok == token.CONTINUE && !olEncloses(stack, false):
			sc.declinef("continue leaves the region")
		}
	case *ast.ReturnStmt:
		if lit {
			return
		}
		sc.hasReturn = true
		if len(n.Results) == 0 && sc.sig.Results().Len() > 0 {
			sc.declinef("contains a bare return of named results")
		}
	case *ast.CallExpr:
		if !lit && syntax.IsBuiltin(info, n.Fun, "recover") {
			sc.declinef("calls recover, which only works in the function that a deferred call runs in")
		}
	case *ast.Ident:
		sc.ident(n, lit)
	case *ast.UnaryExpr:
		if n.Op == token.AND {
			if v := sc.root(n.X); v != nil {
				sc.declinef("takes the address of %s", v.Name())
			}
		}
	case *ast.SliceExpr:
		if tv, ok := info.Types[n.X]; ok {
			if _, isArray := tv.Type.Underlying().(*types.Array); isArray {
				if v := sc.root(n.X); v != nil {
					sc.declinef("slices the array %s, which takes its address", v.Name())
				}
			}
		}
	case *ast.SelectorExpr:
		sel := info.Selections[n]
		if sel == nil || sel.Kind() != types.MethodVal {
			return
		}
		if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); !ptrRecv {
			return
		}
		if tv, ok := info.Types[n.X]; ok && !syntax.IsPointer(tv.Type) {
			if v := sc.root(n.X); v != nil {
				sc.declinef("calls the pointer method %s on %s, which takes its address", n.Sel.Name, v.Name())
			}
		}
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if id, ok := lhs.(*ast.Ident); ok && n.Tok == token.DEFINE && info.Defs[id] != nil {
				continue // a new variable
			}
			sc.assign(lhs)
		}
	case *ast.IncDecStmt:
		sc.assign(n.X)
	case *ast.RangeStmt:
		if n.Tok == token.ASSIGN {
			if n.Key != nil {
				sc.assign(n.Key)
			}
			if n.Value != nil {
				sc.assign(n.Value)
			}
		}
	}
}

func (sc *olScan) ident(id *ast.Ident, lit bool) {
	switch obj := sc.info.Uses[id].(type) {
	case *types.Var:
		if !sc.outer(obj) {
			return
		}
		if lit {
			sc.declinef("a closure captures %s", obj.Name())
			return
		}
		if obj == sc.recv {
			return
		}
		if sc.seen == nil {
			sc.seen = map[*types.Var]bool{}
		}
		if !sc.seen[obj] {
			sc.seen[obj] = true
			sc.used = append(sc.used, obj)
		}
	case *types.TypeName:
		if _, isTP := obj.Type().(*types.TypeParam); !isTP && olDeclaredIn(obj, sc.fd) && (obj.Pos() < sc.lo || obj.Pos() >= sc.hi) {
			sc.declinef("uses the type %s declared in the function", obj.Name())
		}
	case *types.Const:
		if olDeclaredIn(obj, sc.fd) && (obj.Pos() < sc.lo || obj.Pos() >= sc.hi) {
			sc.declinef("uses the constant %s declared in the function", obj.Name())
		}
	}
}

func olDeclaredIn(obj types.Object, fd *ast.FuncDecl) bool {
	return obj.Pos() >= fd.Pos() && obj.Pos() < fd.End()
}

// root returns the variable of the function (outside the region) whose storage e is part of: x
// for x, x.f (x not a pointer) and x[i] (x an array); nil otherwise.
func (sc *olScan) root(e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if v, ok := sc.info.Uses[x].(*types.Var); ok && sc.outer(v) {
				return v
			}
			return nil
		case *ast.SelectorExpr:
			sel := sc.info.Selections[x]
			if sel == nil || sel.Kind() != types.FieldVal || sel.Indirect() {
				return nil
			}
			if tv, ok := sc.info.Types[x.X]; !ok || syntax.IsPointer(tv.Type) {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			tv, ok := sc.info.Types[x.X]
			if !ok {
				return nil
			}
			if _, isArray := tv.Type.Underlying().(*types.Array); !isArray {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

func (sc *olScan) assign(lhs ast.Expr) {
	if v := sc.root(lhs); v != nil {
		for _, a := range sc.assigned {
			if a == v {
				return
			}
		}
		sc.assigned = append(sc.assigned, v)
	}
}

// olEncloses reports whether the innermost loop (or, for a break, switch or select) above a branch
// statement is inside the region, that is on the stack before any function literal.
func olEncloses(stack []ast.Node, isBreak bool) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if isBreak {
				return true
			}
		}
	}
	return false
}

// checkAssigned says why an assignment of the region to a variable of the function would be lost:
// the region ends the function, so only a closure, a pointer or a deferred call can read it later.
func (sc *olScan) checkAssigned(last ast.Stmt) string {
	if len(sc.assigned) == 0 {
		return ""
	}
	results := map[*types.Var]bool{}
	for i := 0; i < sc.sig.Results().Len(); i++ {
		results[sc.sig.Results().At(i)] = true
	}
	captured, addressed := sc.readLater()
	for _, v := range sc.assigned {
		switch {
		case results[v]:
			if ret, ok := last.(*ast.ReturnStmt); !ok || len(ret.Results) == 0 {
				return fmt.Sprintf("assigns to the named result %s and does not end in a return with values", v.Name())
			}
		case captured[v]:
			return fmt.Sprintf("assigns to %s, which later code reads (a closure captures it)", v.Name())
		case addressed[v]:
			return fmt.Sprintf("assigns to %s, which later code reads (its address is taken)", v.Name())
		}
	}
	return ""
}

// readLater finds the variables of the function that a closure captures and those whose address it
// takes, anywhere in the function.
func (sc *olScan) readLater() (captured, addressed map[*types.Var]bool) {
	captured, addressed = map[*types.Var]bool{}, map[*types.Var]bool{}
	whole := &olScan{info: sc.info, fd: sc.fd, lo: sc.fd.Pos(), hi: sc.fd.Pos()} // every variable is outer
	depth := 0
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			depth++
			ast.Inspect(n.Body, visit)
			depth--
			return false
		case *ast.Ident:
			if v, ok := sc.info.Uses[n].(*types.Var); ok && depth > 0 && whole.outer(v) {
				captured[v] = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if v := whole.root(n.X); v != nil {
					addressed[v] = true
				}
			}
		case *ast.SelectorExpr:
			if sel := sc.info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptr := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptr {
					if tv, ok := sc.info.Types[n.X]; ok && !syntax.IsPointer(tv.Type) {
						if v := whole.root(n.X); v != nil {
							addressed[v] = true
						}
					}
				}
			}
		}
		return true
	}
	ast.Inspect(sc.fd.Body, visit)
	return captured, addressed
}

// olTypeExpr writes t as a type expression of package pkg; imported names carry their path for the
// restorer, which qualifies them and adds the import.
func olTypeExpr(t types.Type, pkg *types.Package) (dst.Expr, error) {
	switch t := t.(type) {
	case *types.Basic:
		switch {
		case t.Kind() == types.UnsafePointer:
			return &dst.Ident{Name: "Pointer", Path: "unsafe"}, nil
		case t.Info()&types.IsUntyped != 0:
			return nil, fmt.Errorf("is untyped")
		}
		return dst.NewIdent(t.Name()), nil
	case *types.Alias:
		return olNamed(t.Obj(), t.TypeArgs(), pkg)
	case *types.Named:
		return olNamed(t.Obj(), t.TypeArgs(), pkg)
	case *types.TypeParam:
		return dst.NewIdent(t.Obj().Name()), nil
	case *types.Pointer:
		x, err := olTypeExpr(t.Elem(), pkg)
		return &dst.StarExpr{X: x}, err
	case *types.Slice:
		x, err := olTypeExpr(t.Elem(), pkg)
		return &dst.ArrayType{Elt: x}, err
	case *types.Array:
		x, err := olTypeExpr(t.Elem(), pkg)
		return &dst.ArrayType{Len: &dst.BasicLit{Kind: token.INT, Value: strconv.FormatInt(t.Len(), 10)}, Elt: x}, err
	case *types.Map:
		k, err := olTypeExpr(t.Key(), pkg)
		if err != nil {
			return nil, err
		}
		v, err := olTypeExpr(t.Elem(), pkg)
		return &dst.MapType{Key: k, Value: v}, err
	case *types.Chan:
		x, err := olTypeExpr(t.Elem(), pkg)
		dir := dst.SEND | dst.RECV
		switch t.Dir() {
		case types.SendOnly:
			dir = dst.SEND
		case types.RecvOnly:
			dir = dst.RECV
		}
		return &dst.ChanType{Dir: dir, Value: x}, err
	case *types.Signature:
		if t.TypeParams() != nil {
			return nil, fmt.Errorf("is generic")
		}
		params, err := olFields(t.Params(), t.Variadic(), pkg)
		if err != nil {
			return nil, err
		}
		results, err := olFields(t.Results(), false, pkg)
		if err != nil {
			return nil, err
		}
		ft := &dst.FuncType{Func: true, Params: params}
		if results != nil && len(results.List) > 0 {
			ft.Results = results
		}
		return ft, nil
	case *types.Struct:
		st := &dst.StructType{Fields: &dst.FieldList{}}
		for i := 0; i < t.NumFields(); i++ {
			fv := t.Field(i)
			x, err := olTypeExpr(fv.Type(), pkg)
			if err != nil {
				return nil, err
			}
			field := &dst.Field{Type: x}
			if !fv.Embedded() {
				field.Names = []*dst.Ident{dst.NewIdent(fv.Name())}
			}
			if tag := t.Tag(i); tag != "" {
				field.Tag = &dst.BasicLit{Kind: token.STRING, Value: strconv.Quote(tag)}
			}
			st.Fields.List = append(st.Fields.List, field)
		}
		return st, nil
	case *types.Interface:
		if t.NumMethods() == 0 && t.NumEmbeddeds() == 0 {
			return &dst.InterfaceType{Methods: &dst.FieldList{}}, nil
		}
	}
	return nil, fmt.Errorf("cannot be written outside the function")
}

func olNamed(obj *types.TypeName, targs *types.TypeList, pkg *types.Package) (dst.Expr, error) {
	var x dst.Expr
	switch {
	case obj.Pkg() == nil:
		x = dst.NewIdent(obj.Name()) // error, any, comparable
	case obj.Parent() != obj.Pkg().Scope():
		return nil, fmt.Errorf("is declared inside a function")
	case obj.Pkg() == pkg:
		x = dst.NewIdent(obj.Name())
	case !obj.Exported():
		return nil, fmt.Errorf("is unexported in %s", obj.Pkg().Path())
	default:
		x = &dst.Ident{Name: obj.Name(), Path: obj.Pkg().Path()}
	}
	if targs == nil || targs.Len() == 0 {
		return x, nil
	}
	var idx []dst.Expr
	for i := 0; i < targs.Len(); i++ {
		a, err := olTypeExpr(targs.At(i), pkg)
		if err != nil {
			return nil, err
		}
		idx = append(idx, a)
	}
	if len(idx) == 1 {
		return &dst.IndexExpr{X: x, Index: idx[0]}, nil
	}
	return &dst.IndexListExpr{X: x, Indices: idx}, nil
}

func olFields(tup *types.Tuple, variadic bool, pkg *types.Package) (*dst.FieldList, error) {
	fl := &dst.FieldList{}
	for i := 0; i < tup.Len(); i++ {
		t := tup.At(i).Type()
		var x dst.Expr
		var err error
		if variadic && i == tup.Len()-1 {
			var elt dst.Expr
			elt, err = olTypeExpr(t.(*types.Slice).Elem(), pkg)
			x = &dst.Ellipsis{Elt: elt}
		} else {
			x, err = olTypeExpr(t, pkg)
		}
		if err != nil {
			return nil, err
		}
		fl.List = append(fl.List, &dst.Field{Type: x})
	}
	return fl, nil
}

// olTypesFuncName is olFuncName for a function known by its type.
func olTypesFuncName(fn *types.Func) string {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return fn.Name()
	}
	t, star := recv.Type(), false
	if p, ok := t.(*types.Pointer); ok {
		t, star = p.Elem(), true
	}
	name := ""
	if n, ok := t.(*types.Named); ok {
		name = n.Obj().Name()
		if n.TypeParams() != nil || n.TypeArgs() != nil {
			name += "[...]"
		}
	}
	if star {
		return "(*" + name + ")." + fn.Name()
	}
	return name + "." + fn.Name()
}
