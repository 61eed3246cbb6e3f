package hoist

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "hoist")

// New returns the hoist rule, which allocates a per-iteration buffer once before the loop and
// reuses it.
func New() *rule.Rule {
	return &rule.Rule{Name: "hoist", Doc: ruleDoc, Match: match}
}

// bufferKind is how a buffer is declared.
type bufferKind int

const (
	makeLen        bufferKind = iota // make([]T, n)
	makeCap                          // make([]T, 0, n)
	bytesBuffer                      // bytes.Buffer
	stringsBuilder                   // strings.Builder: always declined
)

// buffer is the declaration of a buffer directly in a loop body, the seed of a candidate.
type buffer struct {
	kind     bufferKind
	obj      *types.Var
	decl     ast.Stmt
	call     *ast.CallExpr // the make or new call, if any
	size     ast.Expr      // the make's length (makeLen) or capacity (makeCap)
	constant bool          // size is a constant
	subject  string        // the evidence's subject
	grow     bool          // makeCap with a size that is not a constant: reused by slices.Grow
}

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	syntax.EachStmtList(pass, func(fd *ast.FuncDecl, block ast.Node, list []ast.Stmt) {
		for i, st := range list {
			loop := st
			for {
				l, ok := loop.(*ast.LabeledStmt)
				if !ok {
					break
				}
				loop = l.Stmt
			}
			var body *ast.BlockStmt
			switch l := loop.(type) {
			case *ast.ForStmt:
				body = l.Body
			case *ast.RangeStmt:
				body = l.Body
			default:
				continue
			}
			for _, bst := range body.List {
				if c := matchDecl(pass, fd, block, list, i, loop, body, bst); c != nil {
					out = append(out, c)
				}
			}
		}
	})
	return out
}

// seedOf recognises the buffer declarations and their evidence.
func seedOf(pass *rule.Pass, st ast.Stmt) (*buffer, []diag.Diagnostic) {
	id, rhs := singleDecl(st)
	if id == nil {
		return nil, nil
	}
	obj, _ := pass.Info.Defs[id].(*types.Var)
	if obj == nil {
		return nil, nil
	}
	typ := obj.Type()
	seed := &buffer{obj: obj, decl: st}
	named := namedPath(typ)
	if p, ok := typ.(*types.Pointer); ok {
		named = "*" + namedPath(p.Elem())
	}
	var evidence []diag.Diagnostic
	switch {
	case named == "bytes.Buffer" || named == "strings.Builder":
		evidence = seed.bufferValue(pass, id, rhs, named)
	case named == "*bytes.Buffer" || named == "*strings.Builder":
		evidence = seed.bufferPointer(pass, rhs, named)
	default:
		evidence = seed.sliceMake(pass, rhs, typ)
	}
	if len(evidence) == 0 {
		return nil, nil
	}
	seed.subject = evidence[0].Subject
	return seed, evidence
}

// singleDecl returns the one variable that st declares, `var id T` (rhs nil) or `id := rhs`; a nil
// id for any other statement.
func singleDecl(st ast.Stmt) (id *ast.Ident, rhs ast.Expr) {
	switch st := st.(type) {
	case *ast.DeclStmt:
		gd, ok := st.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR || len(gd.Specs) != 1 {
			return nil, nil
		}
		vs := gd.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || len(vs.Values) != 0 || vs.Type == nil {
			return nil, nil
		}
		return vs.Names[0], nil
	case *ast.AssignStmt:
		if st.Tok != token.DEFINE || len(st.Lhs) != 1 || len(st.Rhs) != 1 {
			return nil, nil
		}
		id, _ = st.Lhs[0].(*ast.Ident)
		return id, st.Rhs[0]
	}
	return nil, nil
}

// bufferValue recognises `var b bytes.Buffer` and `b := bytes.Buffer{}` (or strings.Builder) and
// returns its evidence, `moved to heap: b`; nil if it is not such a declaration.
func (seed *buffer) bufferValue(pass *rule.Pass, id *ast.Ident, rhs ast.Expr, named string) []diag.Diagnostic {
	if rhs != nil {
		lit, ok := rhs.(*ast.CompositeLit)
		if !ok || len(lit.Elts) != 0 {
			return nil
		}
	}
	seed.kind = bytesBuffer
	if named == "strings.Builder" {
		seed.kind = stringsBuilder
	}
	return ofKind(pass.DiagsAt(id.Pos(), diag.MovedToHeap), diag.MovedToHeap)
}

// bufferPointer recognises `b := new(bytes.Buffer)` (or strings.Builder) and returns its evidence,
// `new(bytes.Buffer) escapes to heap`; nil if it is not such a declaration.
func (seed *buffer) bufferPointer(pass *rule.Pass, rhs ast.Expr, named string) []diag.Diagnostic {
	call, ok := rhs.(*ast.CallExpr)
	if !ok || !syntax.IsBuiltin(pass.Info, call.Fun, "new") {
		return nil
	}
	seed.kind, seed.call = bytesBuffer, call
	if named == "*strings.Builder" {
		seed.kind = stringsBuilder
	}
	return ofKind(pass.DiagsAtExpr(call, diag.Escapes), diag.Escapes)
}

// sliceMake recognises `buf := make([]T, n)` and `buf := make([]T, 0, n)` and returns its evidence:
// `make(...) escapes to heap`, or for a size that is not a constant `make(...) does not escape`
// too; nil if it is not such a declaration.
func (seed *buffer) sliceMake(pass *rule.Pass, rhs ast.Expr, typ types.Type) []diag.Diagnostic {
	info := pass.Info
	call, ok := rhs.(*ast.CallExpr)
	if !ok || !syntax.IsBuiltin(info, call.Fun, "make") || call.Ellipsis.IsValid() {
		return nil
	}
	if _, ok := typ.Underlying().(*types.Slice); !ok {
		return nil
	}
	seed.call = call
	switch {
	case len(call.Args) == 2:
		seed.kind, seed.size = makeLen, call.Args[1]
	case len(call.Args) == 3 && syntax.IsConstInt(info, call.Args[1], 0):
		seed.kind, seed.size = makeCap, call.Args[2]
	default:
		return nil
	}
	seed.constant = info.Types[seed.size].Value != nil
	evidence := ofKind(pass.DiagsAtExpr(call, diag.Other), diag.Escapes)
	if !seed.constant {
		evidence = append(evidence, ofKind(pass.DiagsAtExpr(call, diag.Other), diag.NoEscape)...)
	}
	return evidence
}

// ofKind returns the diagnostics of ds that are of kind k.
func ofKind(ds []diag.Diagnostic, k diag.Kind) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range ds {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

func namedPath(t types.Type) string {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

func matchDecl(pass *rule.Pass, fd *ast.FuncDecl, owner ast.Node, list []ast.Stmt, i int, loop ast.Stmt, body *ast.BlockStmt, st ast.Stmt) *rule.Candidate {
	seed, evidence := seedOf(pass, st)
	if seed == nil {
		return nil
	}
	name := seed.obj.Name()
	c := &rule.Candidate{Pos: st.Pos(), Func: fd, Evidence: evidence, Summary: "hoist " + name + " out of the loop"}
	why := ""
	if seed.kind == stringsBuilder {
		why = "strings.Builder: Reset drops its array, so reusing it gains nothing"
	}
	if seed.kind == makeCap && !seed.constant && syntax.GoVersionAtLeast(pass, st.Pos(), "go1.21") &&
		syntax.Importable(pass.Types, "slices", "slices", st.Pos()) && syntax.Importable(pass.Types, "slices", "slices", list[i].Pos()) {
		seed.grow = true
	}
	if why == "" {
		why = uses(pass, body, seed)
	}
	if why == "" && seed.call != nil {
		why = movable(pass.Info, loop, seed)
	}
	if why == "" {
		why = collision(pass, list, i, loop, seed)
	}
	if why == "" {
		for _, b := range []string{"clear", "cap", "make", "new"} {
			if !syntax.IsUniversal(pass.Types, b, list[i].Pos()) || !syntax.IsUniversal(pass.Types, b, st.Pos()) {
				why = "the predeclared " + b + " is shadowed"
				break
			}
		}
	}
	if why != "" {
		c.Decline = why
		return c
	}
	form := form(seed)
	c.Summary = "hoist " + name + " out of the loop: " + form
	c.Fix = func(fix *rule.Fix) error { return fixHoist(fix, pass.Info, owner, list[i], body, seed) }
	loopLine := pass.Position(list[i].Pos()).Line
	declLine := pass.Position(st.Pos()).Line
	// every line after the one inserted before the loop moves down by one
	endLine := pass.Position(loop.End()).Line + 1
	c.Confirm = func(cf *rule.Confirm) error {
		return confirmHoisted(cf, seed, loopLine, declLine+1, endLine+linesAdded(seed))
	}
	return c
}

func form(seed *buffer) string {
	switch {
	case seed.kind == bytesBuffer:
		return "Reset"
	case seed.constant && seed.kind == makeLen:
		return "clear"
	case seed.constant:
		return "reslice to [:0]"
	case seed.grow:
		return "slices.Grow"
	}
	return "reuse when the capacity suffices"
}

// linesAdded is how many lines the replacement in the loop adds.
func linesAdded(seed *buffer) int {
	switch {
	case seed.kind == bytesBuffer || seed.constant || seed.grow:
		return 0
	case seed.kind == makeLen:
		return 5 // if … {, make, } else {, reslice, clear, }
	}
	return 4
}

// confirmHoisted checks where the compiler now reports the allocation.
func confirmHoisted(cf *rule.Confirm, seed *buffer, loopLine, declLine, endLine int) error {
	var at []int
	for _, d := range cf.After {
		if d.Subject == seed.subject && (d.Kind == diag.Escapes || d.Kind == diag.NoEscape || d.Kind == diag.MovedToHeap) {
			at = append(at, d.Line)
		}
	}
	inLoop := func(l int) bool { return l > loopLine && l <= endLine }
	if seed.grow {
		// slices.Grow allocates only when it needs a longer array: the make is gone.
		for _, l := range at {
			if inLoop(l) {
				return fmt.Errorf("%s is still reported in the loop body (line %d)", seed.subject, l)
			}
		}
		return nil
	}
	if seed.constant || seed.kind == bytesBuffer {
		for _, l := range at {
			if inLoop(l) {
				return fmt.Errorf("%s is still reported in the loop body (line %d)", seed.subject, l)
			}
		}
		if seed.call != nil {
			for _, l := range at {
				if l == loopLine {
					return nil
				}
			}
			return fmt.Errorf("%s is not reported before the loop (line %d); reported at %v", seed.subject, loopLine, at)
		}
		return nil
	}
	branch := declLine + 1 // the make inside `if cap(buf) < n {`
	ok := false
	for _, l := range at {
		switch {
		case l == branch:
			ok = true
		case inLoop(l):
			return fmt.Errorf("%s is reported in the loop outside the capacity branch (line %d)", seed.subject, l)
		}
	}
	if !ok {
		return fmt.Errorf("%s is not reported in the capacity branch (line %d); reported at %v", seed.subject, branch, at)
	}
	return nil
}

// noRetainStd are std functions that read their slice arguments and keep none of them.
var noRetainStd = map[string]bool{
	"bytes.Equal": true, "bytes.Compare": true, "bytes.Count": true, "bytes.Contains": true,
	"bytes.HasPrefix": true, "bytes.HasSuffix": true, "bytes.Index": true, "bytes.IndexByte": true,
	"bytes.LastIndex": true, "bytes.LastIndexByte": true, "unicode/utf8.Valid": true,
	"hash/crc32.ChecksumIEEE": true, "hash/crc32.Update": true,
}

// stdAppenders are std functions and methods that append to their first argument and return the
// result, keeping nothing: `buf = strconv.AppendInt(buf, …)` is the append form.
var stdAppenders = map[string]bool{
	"strconv.AppendBool": true, "strconv.AppendFloat": true, "strconv.AppendInt": true, "strconv.AppendUint": true,
	"strconv.AppendQuote": true, "strconv.AppendQuoteRune": true, "strconv.AppendQuoteRuneToASCII": true,
	"strconv.AppendQuoteRuneToGraphic": true, "strconv.AppendQuoteToASCII": true, "strconv.AppendQuoteToGraphic": true,
	"unicode/utf8.AppendRune": true, "fmt.Append": true, "fmt.Appendf": true, "fmt.Appendln": true,
	"encoding/hex.AppendEncode": true, "encoding/hex.AppendDecode": true,
	"(*encoding/base64.Encoding).AppendEncode": true, "(*encoding/base64.Encoding).AppendDecode": true,
	"(*encoding/base32.Encoding).AppendEncode": true, "(*encoding/base32.Encoding).AppendDecode": true,
	"encoding/binary.AppendUvarint": true, "encoding/binary.AppendVarint": true,
	"(encoding/binary.bigEndian).AppendUint16": true, "(encoding/binary.bigEndian).AppendUint32": true,
	"(encoding/binary.bigEndian).AppendUint64": true, "(encoding/binary.littleEndian).AppendUint16": true,
	"(encoding/binary.littleEndian).AppendUint32": true, "(encoding/binary.littleEndian).AppendUint64": true,
	"(time.Time).AppendFormat": true,
}

// appender reports whether call appends to its first argument and returns the result, keeping
// nothing: a std appender, or a function of the package whose first parameter the compiler reports
// as leaking only to its one result (`leaking param: dst to result ~r0 level=0`).
func appender(pass *rule.Pass, call *ast.CallExpr) bool {
	fn := calleeFunc(pass.Info, call)
	if fn == nil {
		return false
	}
	if stdAppenders[fn.FullName()] {
		return true
	}
	sig := fn.Type().(*types.Signature)
	if fn.Pkg() != pass.Types || sig.Recv() != nil || sig.Params().Len() == 0 || sig.Results().Len() != 1 || sig.Variadic() && sig.Params().Len() == 1 {
		return false
	}
	p := sig.Params().At(0)
	leaks := pass.DiagsAt(p.Pos(), diag.LeakingParam)
	if len(leaks) == 0 {
		return false
	}
	for _, d := range leaks {
		if d.Subject != p.Name() || !strings.HasSuffix(d.Message, " to result ~r0 level=0") {
			return false
		}
	}
	return true
}

// isLenOf reports whether e is len(obj).
func isLenOf(info *types.Info, e ast.Expr, obj types.Object) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && syntax.IsBuiltin(info, call.Fun, "len") && len(call.Args) == 1 && syntax.IsObj(info, call.Args[0], obj)
}

// bufferMethods are the bytes.Buffer methods that neither hand out its array nor show its capacity.
var bufferMethods = map[string]bool{
	"Write": true, "WriteString": true, "WriteByte": true, "WriteRune": true, "String": true, "Len": true,
	"Reset": true, "Truncate": true, "Grow": true, "Read": true, "ReadByte": true, "ReadRune": true,
	"ReadString": true, "UnreadByte": true, "UnreadRune": true,
}

// uses says why a use of the buffer in the loop body could keep it past the iteration, or see
// the difference between a fresh buffer and a reused one.
func uses(pass *rule.Pass, body *ast.BlockStmt, seed *buffer) string {
	name := seed.obj.Name()
	return syntax.FirstObjection(pass.Info, body, seed.obj, func(id *ast.Ident, stack []ast.Node) string {
		why := ""
		for _, a := range stack {
			switch a.(type) {
			case *ast.FuncLit:
				why = name + " is used by a closure in the loop"
			case *ast.GoStmt:
				why = name + " is used by a go statement in the loop"
			case *ast.DeferStmt:
				why = name + " is used by a defer statement in the loop"
			}
		}
		if why == "" {
			why = use(pass, seed, stack[:len(stack)-1], id)
		}
		return why
	})
}

// use judges one use x (the identifier, or a slice of it) under the ancestors in stack.
func use(pass *rule.Pass, seed *buffer, stack []ast.Node, x ast.Expr) string {
	info := pass.Info
	name := seed.obj.Name()
	parent := stack[len(stack)-1]
	isIdent := false
	if id, ok := x.(*ast.Ident); ok && info.Uses[id] == seed.obj {
		isIdent = true
	}
	if p, ok := parent.(*ast.ParenExpr); ok {
		return use(pass, seed, stack[:len(stack)-1], p)
	}
	if seed.kind == bytesBuffer {
		return bufferUse(pass, seed, stack, x)
	}
	switch p := parent.(type) {
	case *ast.IndexExpr:
		if p.X == x {
			if u, ok := stack[len(stack)-2].(*ast.UnaryExpr); ok && u.Op == token.AND {
				return "the address of an element of " + name + " is taken"
			}
			return ""
		}
		return "" // used as an index? a slice cannot be; keys of maps are not slices
	case *ast.SliceExpr:
		if p.X == x {
			if seed.kind == makeCap && (p.Slice3 || p.High != nil && !isLenOf(info, p.High, seed.obj)) {
				// Past its length a fresh buffer holds zeros, a reused one what the last iteration left.
				return types.ExprString(p) + " could see past the length of " + name
			}
			return use(pass, seed, stack[:len(stack)-1], p)
		}
	case *ast.RangeStmt:
		if p.X == x {
			return ""
		}
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l != x {
				continue
			}
			if isIdent && seed.kind == makeCap && len(p.Lhs) == 1 && p.Tok == token.ASSIGN {
				if call, ok := p.Rhs[0].(*ast.CallExpr); ok && len(call.Args) > 0 && syntax.IsObj(info, call.Args[0], seed.obj) {
					if syntax.IsBuiltin(info, call.Fun, "append") || appender(pass, call) {
						return ""
					}
					return name + " is passed to " + types.ExprString(call.Fun) + ", which may keep it"
				}
			}
			return name + " is reassigned"
		}
		return name + " outlives the iteration: assigned to " + types.ExprString(p.Lhs[0])
	case *ast.CallExpr:
		if tv, ok := info.Types[p.Fun]; ok && tv.IsType() {
			if b, ok := tv.Type.Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
				return "" // string(buf) copies
			}
			return name + " is converted to " + types.ExprString(p.Fun)
		}
		switch {
		case syntax.IsBuiltin(info, p.Fun, "len"), syntax.IsBuiltin(info, p.Fun, "copy"):
			return ""
		case syntax.IsBuiltin(info, p.Fun, "cap"):
			if seed.constant && seed.kind == makeLen {
				return ""
			}
			return "cap(" + name + ") would see the reused capacity"
		case syntax.IsBuiltin(info, p.Fun, "append"):
			if p.Ellipsis.IsValid() && len(p.Args) == 2 && p.Args[1] == x {
				return "" // its elements are copied
			}
			if len(p.Args) > 0 && p.Args[0] == x && isIdent && seed.kind == makeCap {
				if as, ok := stack[len(stack)-2].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && syntax.IsObj(info, as.Lhs[0], seed.obj) {
					return ""
				}
			}
			if len(p.Args) > 0 && p.Args[0] == x {
				return name + " is appended to outside the form " + name + " = append(" + name + ", …)"
			}
			return name + " outlives the iteration: appended as an element"
		}
		if len(p.Args) > 0 && p.Args[0] == x && isIdent && seed.kind == makeCap && appender(pass, p) {
			if as, ok := stack[len(stack)-2].(*ast.AssignStmt); ok && len(as.Lhs) == 1 && as.Tok == token.ASSIGN && syntax.IsObj(info, as.Lhs[0], seed.obj) {
				return "" // buf = strconv.AppendInt(buf, …): the append form
			}
		}
		if fn := calleeFunc(info, p); fn != nil {
			if noRetainStd[fn.Pkg().Path()+"."+fn.Name()] && fn.Type().(*types.Signature).Recv() == nil {
				return ""
			}
			if k := argIndex(p, x); k >= 0 && paramNoEscape(pass, fn, k) {
				return ""
			}
			return name + " is passed to " + types.ExprString(p.Fun) + ", which may keep it"
		}
		return name + " is passed to " + types.ExprString(p.Fun) + ", which may keep it"
	case *ast.ReturnStmt:
		return name + " outlives the iteration: returned"
	case *ast.SendStmt:
		return name + " outlives the iteration: sent on a channel"
	case *ast.CompositeLit, *ast.KeyValueExpr:
		return name + " outlives the iteration: stored in a composite literal"
	case *ast.UnaryExpr:
		if p.Op == token.AND {
			return "the address of " + name + " is taken"
		}
	}
	return fmt.Sprintf("%s is used in a way the rule does not follow (%s)", name, types.ExprString(exprOf(parent, x)))
}

func exprOf(n ast.Node, x ast.Expr) ast.Expr {
	if e, ok := n.(ast.Expr); ok {
		return e
	}
	return x
}

// bufferUse judges one use of a bytes.Buffer variable.
func bufferUse(pass *rule.Pass, seed *buffer, stack []ast.Node, x ast.Expr) string {
	info := pass.Info
	name := seed.obj.Name()
	parent := stack[len(stack)-1]
	_, isPtr := seed.obj.Type().(*types.Pointer)
	switch p := parent.(type) {
	case *ast.SelectorExpr:
		if p.X != x {
			break
		}
		sel := info.Selections[p]
		if sel == nil || sel.Kind() != types.MethodVal {
			return "a field of " + name + " is used"
		}
		if call, ok := stack[len(stack)-2].(*ast.CallExpr); !ok || call.Fun != p {
			return "the method value " + types.ExprString(p) + " may keep " + name
		}
		if !bufferMethods[p.Sel.Name] {
			return name + "." + p.Sel.Name + " hands out its array or shows its capacity"
		}
		return ""
	case *ast.UnaryExpr:
		if p.Op == token.AND && !isPtr {
			if call, ok := stack[len(stack)-2].(*ast.CallExpr); ok && isFmtWriter(info, call, p) {
				return ""
			}
			return "the address of " + name + " is taken"
		}
	case *ast.CallExpr:
		if isPtr && isFmtWriter(info, p, x) {
			return ""
		}
		return name + " is passed to " + types.ExprString(p.Fun) + ", which may keep it"
	case *ast.AssignStmt:
		return name + " is reassigned or stored"
	case *ast.ReturnStmt:
		return name + " outlives the iteration: returned"
	}
	return fmt.Sprintf("%s is used in a way the rule does not follow (%s)", name, types.ExprString(exprOf(parent, x)))
}

// isFmtWriter reports whether w is the writer argument of fmt.Fprint, Fprintf or Fprintln.
func isFmtWriter(info *types.Info, call *ast.CallExpr, w ast.Expr) bool {
	fn := calleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "fmt" || len(call.Args) == 0 || call.Args[0] != w {
		return false
	}
	switch fn.Name() {
	case "Fprint", "Fprintf", "Fprintln":
		return true
	}
	return false
}

func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	return fn
}

func argIndex(call *ast.CallExpr, x ast.Expr) int {
	for i, a := range call.Args {
		if a == x {
			return i
		}
	}
	return -1
}

// paramNoEscape reports whether fn is a function of this package whose parameter k the compiler
// reports as `p does not escape`.
func paramNoEscape(pass *rule.Pass, fn *types.Func, k int) bool {
	if fn.Pkg() != pass.Types {
		return false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Variadic() && k >= sig.Params().Len()-1 {
		return false
	}
	if k >= sig.Params().Len() {
		return false
	}
	p := sig.Params().At(k)
	for _, d := range pass.DiagsAt(p.Pos(), diag.NoEscape) {
		if d.Subject == p.Name() {
			return true
		}
	}
	return false
}

// movable says why the make or new cannot move before the loop (or its size be evaluated
// twice in the loop).
func movable(info *types.Info, loop ast.Stmt, seed *buffer) string {
	inLoop := func(o types.Object) bool { return o.Pos() >= loop.Pos() && o.Pos() < loop.End() }
	why := ""
	ast.Inspect(seed.call.Args[0], func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if o := info.Uses[id]; o != nil && inLoop(o) {
				why = "the type " + types.ExprString(seed.call.Args[0]) + " is declared in the loop"
			}
		}
		return why == ""
	})
	if why != "" || seed.size == nil || seed.constant || seed.grow {
		return why
	}
	if !sizeExpr(info, seed.size) {
		return "the size " + types.ExprString(seed.size) + " would be evaluated twice: it must be a constant, variable, field, len or cap"
	}
	return ""
}

// sizeExpr: pure enough to evaluate twice in a row: constants, variables, fields, len and cap of
// those, and + - * of them.
func sizeExpr(info *types.Info, e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL:
			return sizeExpr(info, x.X) && sizeExpr(info, x.Y)
		}
		return false
	case *ast.CallExpr:
		if (syntax.IsBuiltin(info, x.Fun, "len") || syntax.IsBuiltin(info, x.Fun, "cap")) && len(x.Args) == 1 {
			return syntax.PureExpr(info, x.Args[0])
		}
		return false
	}
	return syntax.PureExpr(info, e)
}

// collision says why the name cannot be declared before the loop.
func collision(pass *rule.Pass, list []ast.Stmt, i int, loop ast.Stmt, seed *buffer) string {
	name := seed.obj.Name()
	scope := pass.Types.Scope().Innermost(list[i].Pos() - 1)
	if scope != nil && scope.Lookup(name) != nil {
		return name + " is already declared in the block of the loop"
	}
	why := ""
	for _, st := range list[i:] {
		ast.Inspect(st, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == name {
				o := pass.Info.Uses[id]
				if o == nil {
					o = pass.Info.Defs[id]
				}
				if v, isVar := o.(*types.Var); isVar && v.IsField() {
					return true // a field name does not live in the block's scope
				}
				if fn, isFunc := o.(*types.Func); isFunc && fn.Type().(*types.Signature).Recv() != nil {
					return true // nor does a method name
				}
				if o != nil && o != types.Object(seed.obj) {
					why = "the name " + name + " means something else in the loop or after it"
				}
			}
			return why == ""
		})
		if why != "" {
			return why
		}
	}
	return ""
}

// fixHoist declares the buffer before the loop and resets it where it was declared.
func fixHoist(fix *rule.Fix, info *types.Info, owner ast.Node, at ast.Stmt, body *ast.BlockStmt, seed *buffer) error {
	name := seed.obj.Name()
	old := fix.Dst(seed.decl).(dst.Stmt)
	var hoisted dst.Stmt
	var repl dst.Stmt
	id := func() *dst.Ident { return dst.NewIdent(name) }
	switch {
	case seed.kind == bytesBuffer:
		hoisted = dst.Clone(old).(dst.Stmt)
		repl = &dst.ExprStmt{X: &dst.CallExpr{Fun: &dst.SelectorExpr{X: id(), Sel: dst.NewIdent("Reset")}}}
	case seed.constant:
		hoisted = dst.Clone(old).(dst.Stmt)
		if seed.kind == makeLen {
			repl = &dst.ExprStmt{X: syntax.Call("clear", id())}
		} else {
			repl = &dst.AssignStmt{Lhs: []dst.Expr{id()}, Tok: token.ASSIGN, Rhs: []dst.Expr{&dst.SliceExpr{X: id(), High: &dst.BasicLit{Kind: token.INT, Value: "0"}}}}
		}
	case seed.grow:
		typ := syntax.CloneExpr(fix, seed.call.Args[0])
		hoisted = &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{&dst.ValueSpec{Names: []*dst.Ident{id()}, Type: typ}}}}
		grow := &dst.CallExpr{
			Fun:  &dst.Ident{Name: "Grow", Path: "slices"},
			Args: []dst.Expr{&dst.SliceExpr{X: id(), High: &dst.BasicLit{Kind: token.INT, Value: "0"}}, syntax.CloneExpr(fix, seed.size)},
		}
		repl = &dst.AssignStmt{Lhs: []dst.Expr{id()}, Tok: token.ASSIGN, Rhs: []dst.Expr{grow}}
	default:
		typ := syntax.CloneExpr(fix, seed.call.Args[0])
		hoisted = &dst.DeclStmt{Decl: &dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{&dst.ValueSpec{Names: []*dst.Ident{id()}, Type: typ}}}}
		size := func() dst.Expr { return syntax.CloneExpr(fix, seed.size) }
		var cond dst.Expr = &dst.BinaryExpr{X: syntax.Call("cap", id()), Op: token.LSS, Y: size()}
		if !nonNegativeSize(info, seed.size) {
			cond = &dst.BinaryExpr{X: &dst.BinaryExpr{X: size(), Op: token.LSS, Y: &dst.BasicLit{Kind: token.INT, Value: "0"}}, Op: token.LOR, Y: cond}
		}
		mk := dst.Clone(fix.Dst(seed.call)).(*dst.CallExpr)
		mk.Decs.Start.Clear()
		mk.Decs.End.Clear()
		assign := func(x dst.Expr) dst.Stmt {
			s := &dst.AssignStmt{Lhs: []dst.Expr{id()}, Tok: token.ASSIGN, Rhs: []dst.Expr{x}}
			s.Decs.Before = dst.NewLine
			s.Decs.After = dst.NewLine
			return s
		}
		var els []dst.Stmt
		if seed.kind == makeLen {
			els = []dst.Stmt{assign(&dst.SliceExpr{X: id(), High: size()}), &dst.ExprStmt{X: syntax.Call("clear", id())}}
		} else {
			els = []dst.Stmt{assign(&dst.SliceExpr{X: id(), High: &dst.BasicLit{Kind: token.INT, Value: "0"}})}
		}
		for _, s := range els {
			s.Decorations().Before = dst.NewLine
			s.Decorations().After = dst.NewLine
		}
		repl = &dst.IfStmt{Cond: cond, Body: &dst.BlockStmt{List: []dst.Stmt{assign(mk)}}, Else: &dst.BlockStmt{List: els}}
	}
	hd := hoisted.Decorations()
	hd.Start.Clear()
	hd.End.Clear()
	rd := repl.Decorations()
	od := old.Decorations()
	rd.Before, rd.After, rd.Start, rd.End = od.Before, od.After, od.Start, od.End
	if err := syntax.ReplaceStmt(fix.Dst(body), old, repl); err != nil {
		return err
	}
	return syntax.InsertBefore(fix.Dst(owner), fix.Dst(at).(dst.Stmt), hoisted, true)
}

// nonNegativeSize reports whether a size cannot be negative: len, cap, an unsigned type.
func nonNegativeSize(info *types.Info, n ast.Expr) bool {
	if call, ok := ast.Unparen(n).(*ast.CallExpr); ok && (syntax.IsBuiltin(info, call.Fun, "len") || syntax.IsBuiltin(info, call.Fun, "cap")) {
		return true
	}
	b, ok := info.TypeOf(n).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsUnsigned != 0
}
