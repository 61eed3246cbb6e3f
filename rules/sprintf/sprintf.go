package sprintf

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "sprintf")

// New returns the sprintf rule, which rewrites fmt.Sprintf, fmt.Sprint and fmt.Fprintf calls whose
// operands escape into strconv appends that do not box them.
func New() *rule.Rule {
	return &rule.Rule{Name: "sprintf", Doc: ruleDoc, Match: match}
}

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	names := namesUsed{}
	for cur := range inspector.New(syntax.NonTestFiles(pass)).Root().Preorder((*ast.CallExpr)(nil)) {
		if c := matchCall(pass, syntax.Stack(cur), names); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// matchCall makes a candidate of the call at the top of stack, if it is a fmt call with evidence.
func matchCall(pass *rule.Pass, stack []ast.Node, names namesUsed) *rule.Candidate {
	call := stack[len(stack)-1].(*ast.CallExpr)
	fn, _ := typeutil.Callee(pass.Info, call).(*types.Func)
	if fn == nil {
		return nil
	}
	fc := &fmtCall{call: call, name: fn.FullName()}
	switch {
	case fc.name == "fmt.Sprint":
		fc.args = call.Args
	case fc.name == "fmt.Sprintf" && len(call.Args) >= 1:
		fc.args = call.Args[1:]
	case fc.name == "fmt.Fprintf" && len(call.Args) >= 2:
		fc.writer, fc.args = call.Args[0], call.Args[2:]
	default:
		return nil
	}
	if call.Ellipsis.IsValid() {
		fc.args = nil // one slice operand: fmt's evidence is elsewhere
	}
	for _, arg := range fc.args {
		fc.evidence = append(fc.evidence, pass.DiagsAtExpr(arg, diag.Escapes)...)
	}
	if len(fc.evidence) == 0 {
		return nil
	}
	c := &rule.Candidate{
		Pos:      call.Pos(),
		Func:     enclosingFunc(stack),
		Evidence: fc.evidence,
		Summary:  types.ExprString(call),
	}
	if why := failureArgument(pass.Info, stack); why != "" {
		c.Decline = why
		return c
	}
	if why := fc.resolvePieces(pass.Info); why != "" {
		c.Decline = why
		return c
	}
	if fc.effect != nil {
		alone := false
		if len(stack) >= 2 {
			_, alone = stack[len(stack)-2].(*ast.ExprStmt)
		}
		if why := effectsKeepOrder(pass.Info, fc, syntax.OutermostFunc(stack), alone); why != "" {
			c.Decline = "argument has side effects: " + types.ExprString(fc.effect) + why
			return c
		}
	}
	m := &matcher{pass: pass, fc: fc, stack: stack, names: newNamer(pass.Types, syntax.OutermostFunc(stack), call.Pos(), names)}
	if fc.name == "fmt.Fprintf" && fc.effect != nil {
		m.hoist()
	}
	if why := m.shadowed(fc.pieces); why != "" {
		c.Decline = why
		return c
	}
	fix, summary, why := m.form()
	if why != "" {
		c.Decline = why
		return c
	}
	c.Summary = types.ExprString(call) + " => " + summary
	subjects := map[string]bool{}
	for _, d := range fc.evidence {
		subjects[d.Subject] = true
	}
	confirm := func(mustStay string) func(cf *rule.Confirm) error {
		return func(cf *rule.Confirm) error {
			if err := confirmUnboxed(cf, subjects); err != nil {
				return err
			}
			return confirmOnStack(cf, mustStay)
		}
	}
	if len(m.variants) == 0 {
		c.Fix, c.Confirm = fix, confirm(m.mustStay)
		return c
	}
	for _, v := range m.variants {
		c.Variants = append(c.Variants, rule.Variant{
			Name:    v.name,
			Summary: types.ExprString(call) + " => " + v.summary,
			Fix:     v.fix,
			Confirm: confirm(v.mustStay),
		})
	}
	c.Default = m.def
	return c
}

// failureArgument says why the call at the top of stack is not worth rewriting when it is an
// argument of panic or of a call that never returns (os.Exit, log.Fatalf, ...): its string is made
// once, when the program fails, and the rewrite would only add code to the function.
func failureArgument(info *types.Info, stack []ast.Node) string {
	i := len(stack) - 2
	for i >= 0 {
		if _, ok := stack[i].(*ast.ParenExpr); !ok {
			break
		}
		i--
	}
	if i < 0 {
		return ""
	}
	parent, ok := stack[i].(*ast.CallExpr)
	if !ok || ast.Unparen(parent.Fun) == stack[i+1] {
		return ""
	}
	if syntax.IsBuiltin(info, parent.Fun, "panic") {
		return "the string is panic's argument: it is made once, when the program fails"
	}
	if fn, ok := typeutil.Callee(info, parent).(*types.Func); ok && syntax.NeverReturns(fn) {
		return "the string is an argument of " + fn.Name() + ", which does not return: it is made once, when the program stops"
	}
	return ""
}

// confirmUnboxed checks that fewer of the operands escape in the function than before.
func confirmUnboxed(cf *rule.Confirm, subjects map[string]bool) error {
	count := func(ds []diag.Diagnostic) (int, []string) {
		n := 0
		var list []string
		for _, d := range ds {
			if d.Kind == diag.Escapes && subjects[d.Subject] {
				n++
				list = append(list, d.String())
			}
		}
		return n, list
	}
	before, _ := count(cf.Before)
	after, still := count(cf.After)
	if after >= before {
		return fmt.Errorf("arguments still escape: %s", strings.Join(still, "; "))
	}
	return nil
}

// confirmOnStack checks that the stack buffer buf ("" for none) did not move to the heap.
func confirmOnStack(cf *rule.Confirm, buf string) error {
	if buf == "" {
		return nil
	}
	for _, d := range cf.After {
		if d.Kind == diag.MovedToHeap && d.Subject == buf {
			return fmt.Errorf("the stack buffer moves to the heap (%s): the writer's Write keeps its argument", d.String())
		}
	}
	return nil
}

func enclosingFunc(stack []ast.Node) *ast.FuncDecl {
	for i := len(stack) - 1; i >= 0; i-- {
		if fd, ok := stack[i].(*ast.FuncDecl); ok {
			return fd
		}
	}
	return nil
}

// matcher chooses the form of one candidate.
type matcher struct {
	pass  *rule.Pass
	fc    *fmtCall
	stack []ast.Node
	names *namer
	// mustStay names the stack buffer that must stay on the stack: the Write of a writer other
	// than the standard buffers may keep its argument, and the compiler says so after the rewrite.
	mustStay string
	// variants, when the call has several forms (writerForm), are all of them, simplest first,
	// and def the index of the default, whose fix and summary form returns.
	variants []variantForm
	def      int
	// piecesScratch is the stack array of the numbers written piece by piece into a
	// strings.Builder ("" for none): it must stay on the stack.
	piecesScratch string
}

// variantForm is one variant of a call's rewrite (rule.Variant): its name, fix and summary, and
// the stack array that must stay on the stack ("" for none).
type variantForm struct {
	name     string
	fix      func(*rule.Fix) error
	summary  string
	mustStay string
}

// shadowed says why the rewrite cannot name what it needs at the call.
func (m *matcher) shadowed(ps []piece) string {
	for _, name := range []string{"append", "string", "byte", "int", "int64", "uint64", "bool"} {
		if !syntax.IsUniversal(m.pass.Types, name, m.fc.call.Pos()) {
			return "the predeclared " + name + " is shadowed at the call"
		}
	}
	var usesStrconv, usesHex bool
	for _, p := range ps {
		switch {
		case (p.kind == kindBytes || p.kind == kindString) && p.verb == 'x':
			usesHex = true
		case p.kind == kindInt || p.kind == kindUint || p.kind == kindBool || p.verb == 'q':
			usesStrconv = true
		}
	}
	if usesStrconv && !m.names.importable("strconv", "strconv") {
		return "strconv names something else at the call"
	}
	if usesHex && !m.names.importable("hex", "encoding/hex") {
		return "hex names something else at the call"
	}
	return ""
}

// form picks the rewrite for the call and returns its Fix and summary, or why it declines.
func (m *matcher) form() (func(*rule.Fix) error, string, string) {
	fc := m.fc
	if fc.name == "fmt.Fprintf" {
		return m.writerForm(fc.writer, m.stack)
	}
	if len(m.stack) >= 3 && fc.effect == nil {
		// b.WriteString(fmt.Sprintf(…)) and x = append(x, fmt.Sprintf(…)...) write as they format:
		// an operand's call could read or write b or x meanwhile.
		if fix, summary, why := m.writeStringForm(); fix != nil || why != "" {
			return fix, summary, why
		}
		if fix, summary := m.appendForm(); fix != nil {
			return fix, summary, ""
		}
	}
	return m.exprForm()
}

// exprForm rewrites a Sprintf or Sprint call where it stands, hoisting into a stack array if needed.
func (m *matcher) exprForm() (func(*rule.Fix) error, string, string) {
	fc, info := m.fc, m.pass.Info
	parent := m.stack[len(m.stack)-2]
	switch parent.(type) {
	case *ast.ExprStmt, *ast.DeferStmt, *ast.GoStmt:
		return nil, "", "the result of " + fc.name + " is not used"
	}
	inPlace := func(build func(e *emitter) dst.Expr) func(*rule.Fix) error {
		return func(fix *rule.Fix) error {
			e := &emitter{fix: fix, info: info}
			return replaceExpr(fix.Dst(parent), fix.Dst(fc.call), build(e), needsParens(parent))
		}
	}
	ps := fc.pieces
	switch {
	case len(ps) == 1 && ps[0].arg == nil:
		return inPlace(func(*emitter) dst.Expr { return strLit(ps[0].text) }), "a string literal", ""
	case len(ps) == 1 && hasSingle(ps[0]):
		var summary string
		fix := inPlace(func(e *emitter) dst.Expr { return e.single(ps[0]) })
		switch {
		case ps[0].kind == kindString && ps[0].verb == 's':
			summary = "the operand"
		case ps[0].kind == kindBytes && ps[0].verb == 's':
			summary = "a string conversion"
		default:
			summary = singleName(ps[0])
		}
		return fix, summary, ""
	case onlyStrings(ps):
		return inPlace(func(e *emitter) dst.Expr { return e.concat(ps) }), "string concatenation", ""
	}
	pl := place(info, m.stack)
	if pl.hoist != "" {
		return nil, "", "needs a buffer, but " + pl.hoist
	}
	buf, out := m.names.fresh("buf"), m.names.fresh("out")
	loop := m.loopName(ps)
	size := bufferSize(ps, m.pass.Sizes)
	fix := func(fix *rule.Fix) error {
		e := &emitter{fix: fix, info: info, loop: loop}
		stmts := e.stackBuffer(ps, buf, out, size)
		if err := replaceExpr(fix.Dst(parent), fix.Dst(fc.call), call(ident("string"), ident(out)), false); err != nil {
			return err
		}
		return splice(fix.Dst(pl.container), fix.Dst(pl.stmt).(dst.Stmt), stmts, true)
	}
	return fix, mainAppend(ps) + " into a stack buffer", ""
}

func (m *matcher) loopName(ps []piece) string {
	for _, p := range ps {
		if p.arg != nil && !hasSingle(p) {
			return m.names.fresh("c")
		}
	}
	return ""
}

// singleName names the function of the one-call form, for the summary.
func singleName(p piece) string {
	switch {
	case p.kind == kindInt && p.verb == 'd' && types.Identical(p.typ.Underlying(), types.Typ[types.Int]):
		return "strconv.Itoa"
	case p.kind == kindInt:
		return "strconv.FormatInt"
	case p.kind == kindUint:
		return "strconv.FormatUint"
	case p.kind == kindBool:
		return "strconv.FormatBool"
	case p.verb == 'q':
		return "strconv.Quote"
	}
	return "hex.EncodeToString"
}

// mainAppend names the most telling append of the pieces, for the summary.
func mainAppend(ps []piece) string {
	for _, p := range ps {
		switch {
		case p.kind == kindInt:
			return "strconv.AppendInt"
		case p.kind == kindUint:
			return "strconv.AppendUint"
		}
	}
	for _, p := range ps {
		switch {
		case p.kind == kindBool:
			return "strconv.AppendBool"
		case p.verb == 'q':
			return "strconv.AppendQuote"
		case p.verb == 'x' || p.verb == 'X':
			return "hex digits"
		}
	}
	return "append"
}

// writerKind is what Fprintf writes to, as far as the forms of the rewrite differ.
type writerKind int

const (
	writerConcrete writerKind = iota // any other type with a Write method: an *os.File, ...
	writerBytesBuffer
	writerBuilder
	writerBufio
	writerEmbedsBufio // a type whose Write and AvailableBuffer are a *bufio.Writer's, embedded (bufio.ReadWriter)
	writerInterface   // an io.Writer or another interface
)

// classifyWriter says what t is as a writer.
func classifyWriter(t types.Type) writerKind {
	if types.IsInterface(t) {
		return writerInterface
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return writerConcrete
	}
	switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
	case "bytes.Buffer":
		return writerBytesBuffer
	case "strings.Builder":
		return writerBuilder
	case "bufio.Writer":
		return writerBufio
	}
	promoted := func(name string) bool {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
		fn, ok := obj.(*types.Func)
		return ok && fn.FullName() == "(*bufio.Writer)."+name
	}
	if promoted("Write") && promoted("AvailableBuffer") {
		return writerEmbedsBufio
	}
	return writerConcrete
}

// writeStringForm handles b.WriteString(fmt.Sprintf(...)) as a statement. It returns nothing (and
// no reason) when the call is not in that form, so that the other forms get their turn.
func (m *matcher) writeStringForm() (func(*rule.Fix) error, string, string) {
	parent, ok := m.stack[len(m.stack)-2].(*ast.CallExpr)
	if !ok || len(parent.Args) != 1 || parent.Args[0] != m.fc.call {
		return nil, "", ""
	}
	sel, ok := ast.Unparen(parent.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, "", ""
	}
	fn, _ := typeutil.Callee(m.pass.Info, parent).(*types.Func)
	if fn == nil || (fn.FullName() != "(*bytes.Buffer).WriteString" && fn.FullName() != "(*strings.Builder).WriteString") {
		return nil, "", ""
	}
	if _, isStmt := m.stack[len(m.stack)-3].(*ast.ExprStmt); !isStmt {
		return nil, "", ""
	}
	fix, summary, why := m.writerForm(sel.X, m.stack[:len(m.stack)-1])
	if why != "" {
		return nil, "", "" // the expression form may still apply
	}
	return fix, summary, ""
}

// hoist names the variables of Fprintf's operands with calls, which the rewrite evaluates first,
// after what they hold: s for text, n for a number, ok for a bool.
// A buffer private to the function (privateBuffer) needs none: no call can write into it, and
// after a panic nothing can see what it held.
func (m *matcher) hoist() {
	fc := m.fc
	recv := fc.writer
	if u, ok := ast.Unparen(recv).(*ast.UnaryExpr); ok && u.Op == token.AND {
		recv = u.X
	}
	if m.privateBuffer(recv) {
		return
	}
	for _, p := range fc.pieces {
		if p.arg == nil || sideEffect(m.pass.Info, p.arg) == nil {
			continue
		}
		base := "v"
		switch p.kind {
		case kindString, kindBytes:
			base = "s"
		case kindInt, kindUint:
			base = "n"
		case kindBool:
			base = "ok"
		}
		fc.hoisted = append(fc.hoisted, hoist{p.arg, m.names.fresh(base)})
	}
}

// evaluatedFirst is the summary's note of the operands evaluated into variables before the writes.
func evaluatedFirst(hs hoists) string {
	if len(hs) == 0 {
		return ""
	}
	var first []string
	for _, h := range hs {
		first = append(first, h.name+" := "+types.ExprString(h.arg))
	}
	return ", after " + strings.Join(first, "; ")
}

// writerForm writes the pieces to w in one Write, as Fprintf does: the call at the top of stack (a
// Fprintf whose results may be used, or b.WriteString(fmt.Sprintf(…)) as a statement) becomes
// w.Write(out), and the formatting moves before its statement.
func (m *matcher) writerForm(w ast.Expr, stack []ast.Node) (func(*rule.Fix) error, string, string) {
	fc, info := m.fc, m.pass.Info
	top := stack[len(stack)-1]
	kind := classifyWriter(info.TypeOf(w))
	if kind == writerInterface {
		return nil, "", fmt.Sprintf("%s writes to an interface (%s): the bytes passed to its Write escape, so a buffer would be a heap allocation of its own, where fmt formats into a pooled one", fc.name, info.TypeOf(w))
	}
	pl := place(info, stack)
	if pl.hoist != "" {
		return nil, "", "needs a buffer, but " + pl.hoist
	}
	if bad := sideEffect(info, w); bad != nil {
		return nil, "", "the writer has side effects: " + types.ExprString(bad)
	}
	// Fprintf evaluates w, then every operand, then calls w.Write. The rewrite calls a method of
	// the writer first (AvailableBuffer), or evaluates w last (the stack buffer's Write): either is
	// the same when the operands cannot panic, or when both can panic only by a nil dereference,
	// which panics with the same runtime error wherever it happens.
	recv, addressed := w, !syntax.IsPointer(info.TypeOf(w))
	if u, ok := ast.Unparen(w).(*ast.UnaryExpr); ok && u.Op == token.AND {
		recv, addressed = u.X, true
	}
	safeArgs, nilArgs, aliasFree := true, true, true
	var panicky ast.Expr
	for _, p := range fc.pieces {
		if p.arg == nil || fc.hoisted.name(p.arg) != "" {
			continue // a variable evaluated before the writes: it neither panics nor reads bytes
		}
		if !cannotPanic(info, p.arg) {
			safeArgs = false
			if panicky == nil {
				panicky = p.arg
			}
		}
		if !panicsOnlyByNil(info, p.arg) {
			nilArgs = false
		}
		if !readsNoBytes(info, p.arg) {
			aliasFree = false
		}
	}
	piecewise := false
	if es, ok := pl.stmt.(*ast.ExprStmt); ok && es.X == top && (kind == writerBytesBuffer || kind == writerBuilder) && writesFit(kind, fc.pieces) {
		piecewise = (safeArgs && aliasFree) || m.privateBuffer(recv)
	}
	anyOrder := safeArgs || (nilArgs && panicsOnlyByNil(info, w))
	// A *bufio.Writer embedded in another type may be nil whatever holds it.
	nonNil := addressed && cannotPanic(info, recv) && kind != writerEmbedsBufio
	available := aliasFree && (nonNil || anyOrder) // AvailableBuffer first, one Write last
	stackable := cannotPanic(info, w) || anyOrder  // w evaluated last, for its one Write
	viaBufio := kind == writerBufio || kind == writerEmbedsBufio
	oneWrite := func() (func(*rule.Fix) error, string, string) {
		switch {
		case viaBufio && available:
			return m.availableForm(pl, recv, top, stack[len(stack)-2])
		case viaBufio && !aliasFree:
			return nil, "", "a *bufio.Writer passes the bytes on to its writer, so a stack buffer would move to the heap, and formatting into its AvailableBuffer is not exact: an operand reads bytes that the appends could overwrite"
		case viaBufio:
			return nil, "", "a *bufio.Writer passes the bytes on to its writer, so a stack buffer would move to the heap, and formatting into its AvailableBuffer first is not exact: the writer may be nil, and operand " + types.ExprString(panicky) + " may panic otherwise"
		case kind == writerBytesBuffer && available && !m.declaredInFunc(recv):
			// A buffer declared in the function is likely empty: appending to its AvailableBuffer would
			// grow a slice from nothing, so it gets a stack array like a strings.Builder.
			return m.availableForm(pl, recv, top, stack[len(stack)-2])
		case !stackable:
			return nil, "", "the rewrite evaluates the writer " + types.ExprString(w) + " after the operands, and both may panic: operand " + types.ExprString(panicky)
		}
		buf, out := m.names.fresh("buf"), m.names.fresh("out")
		if kind == writerConcrete {
			m.mustStay = buf // the Write of another type may keep its argument: the compiler tells
		}
		ps := fc.pieces
		loop := m.loopName(ps)
		size := bufferSize(ps, m.pass.Sizes)
		parent := stack[len(stack)-2]
		fix := func(fix *rule.Fix) error {
			e := &emitter{fix: fix, info: info, loop: loop, hoisted: fc.hoisted}
			stmts := append(e.prelude(), e.stackBuffer(ps, buf, out, size)...)
			return writeOnce(fix, e, pl, recv, out, top, parent, stmts)
		}
		return fix, mainAppend(ps) + " into a stack buffer, then one Write" + evaluatedFirst(fc.hoisted), ""
	}
	if !piecewise {
		return oneWrite()
	}
	// Both forms are exact: they are the call's variants, piece by piece first, the readable one.
	// The default is what the fixtures' benchmarks favour (writes.go): pieces into a bytes.Buffer,
	// one Write into a strings.Builder. Only the default's names are handed out for good: the
	// other variant is never made together with the function's other rewrites.
	others := m.names.fork()
	alternative := func(f func() (func(*rule.Fix) error, string, string)) (func(*rule.Fix) error, string, string) {
		names := m.names
		m.names = others
		defer func() { m.names = names }()
		return f()
	}
	pieces := func() (func(*rule.Fix) error, string, string) {
		fix, summary, scratch := m.writesForm(pl, recv, kind)
		m.piecesScratch = scratch
		return fix, summary, ""
	}
	if kind == writerBytesBuffer {
		fix, summary, _ := pieces()
		oneFix, oneSummary, why := alternative(oneWrite)
		if why == "" {
			m.variants = []variantForm{{"pieces", fix, summary, m.piecesScratch}, {"one-write", oneFix, oneSummary, ""}}
			m.def = 0
		}
		return fix, summary, ""
	}
	fix, summary, why := oneWrite() // a strings.Builder
	if why != "" {
		return nil, "", why
	}
	pFix, pSummary, _ := alternative(pieces)
	m.variants = []variantForm{{"pieces", pFix, pSummary, m.piecesScratch}, {"one-write", fix, summary, ""}}
	m.def = 1
	return fix, summary, ""
}

// availableForm appends the pieces to the writer's AvailableBuffer and writes them in one Write.
func (m *matcher) availableForm(pl placement, recv ast.Expr, top, parent ast.Node) (func(*rule.Fix) error, string, string) {
	fc, info := m.fc, m.pass.Info
	ps := fc.pieces
	loop := m.loopName(ps)
	out := m.names.fresh("out")
	fix := func(fix *rule.Fix) error {
		e := &emitter{fix: fix, info: info, loop: loop, hoisted: fc.hoisted}
		avail := call(&dst.SelectorExpr{X: dst.Clone(e.expr(recv)).(dst.Expr), Sel: ident("AvailableBuffer")})
		stmts := append(e.prelude(), &dst.AssignStmt{Lhs: []dst.Expr{ident(out)}, Tok: token.DEFINE, Rhs: []dst.Expr{avail}})
		stmts = append(stmts, accumulate(e.steps(ps), out, nil, func() dst.Expr { return ident(out) })...)
		return writeOnce(fix, e, pl, recv, out, top, parent, stmts)
	}
	return fix, mainAppend(ps) + " into the writer's AvailableBuffer, then one Write" + evaluatedFirst(fc.hoisted), ""
}

// writeOnce puts stmts before the call's statement and the call (top, a child of parent) becomes
// recv.Write(out), where its results go.
func writeOnce(fix *rule.Fix, e *emitter, pl placement, recv ast.Expr, out string, top, parent ast.Node, stmts []dst.Stmt) error {
	write := call(&dst.SelectorExpr{X: dst.Clone(e.expr(recv)).(dst.Expr), Sel: ident("Write")}, ident(out))
	if err := replaceExpr(fix.Dst(parent), fix.Dst(top), write, false); err != nil {
		return err
	}
	return splice(fix.Dst(pl.container), fix.Dst(pl.stmt).(dst.Stmt), stmts, true)
}

// appendForm handles x = append(x, fmt.Sprintf(...)...) by appending straight onto x. It returns
// nothing when the call is not in that form or the form is not exact; the expression form follows.
func (m *matcher) appendForm() (func(*rule.Fix) error, string) {
	fc, info := m.fc, m.pass.Info
	app, ok := m.stack[len(m.stack)-2].(*ast.CallExpr)
	if !ok || len(app.Args) != 2 || app.Args[1] != fc.call || !app.Ellipsis.IsValid() {
		return nil, ""
	}
	if !syntax.IsBuiltin(info, app.Fun, "append") {
		return nil, ""
	}
	x := app.Args[0]
	var stmt ast.Stmt // the statement to replace: x = append(x, …) or return append(x, …)
	switch s := m.stack[len(m.stack)-3].(type) {
	case *ast.AssignStmt:
		if s.Tok != token.ASSIGN || len(s.Lhs) != 1 || len(s.Rhs) != 1 || s.Rhs[0] != app || types.ExprString(s.Lhs[0]) != types.ExprString(x) {
			return nil, ""
		}
		stmt = s
	case *ast.ReturnStmt:
		// return append(x, …): appending onto x, then return x, when x is a local variable that
		// only this function's statements change, and no other result reads it.
		if !m.assignableLocal(x) {
			return nil, ""
		}
		xObjs := objectsOf(info, x)
		for _, r := range s.Results {
			if r != ast.Expr(app) && (sideEffect(info, r) != nil || syntax.MentionsAny(info, r, xObjs)) {
				return nil, ""
			}
		}
		stmt = s
	default:
		return nil, ""
	}
	if sideEffect(info, x) != nil {
		return nil, ""
	}
	pl := place(info, m.stack[:len(m.stack)-1])
	if pl.hoist != "" {
		return nil, ""
	}
	xObjs := objectsOf(info, x)
	for _, p := range fc.pieces {
		if p.arg == nil {
			continue
		}
		if p.kind == kindBytes || !cannotPanic(info, p.arg) || !readsNoBytes(info, p.arg) || syntax.MentionsAny(info, p.arg, xObjs) {
			return nil, ""
		}
	}
	ps := fc.pieces
	loop := m.loopName(ps)
	fix := func(fix *rule.Fix) error {
		e := &emitter{fix: fix, info: info, loop: loop}
		dx := e.expr(x)
		acc := func() dst.Expr { return dst.Clone(dx).(dst.Expr) }
		stmts := accumulate(e.steps(ps), "", nil, acc)
		if ret, ok := stmt.(*ast.ReturnStmt); ok {
			if err := replaceExpr(fix.Dst(ret), fix.Dst(app), acc(), false); err != nil {
				return err
			}
			return splice(fix.Dst(pl.container), fix.Dst(ret).(dst.Stmt), stmts, true)
		}
		return splice(fix.Dst(pl.container), fix.Dst(stmt).(dst.Stmt), stmts, false)
	}
	return fix, mainAppend(ps) + " onto " + types.ExprString(x)
}

// assignableLocal reports whether x names a variable of the innermost function around the call
// (a parameter or result too) whose address is never taken and that no function literal captures:
// assigning it before a return changes nothing anyone else sees.
func (m *matcher) assignableLocal(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := m.pass.Info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	for i := len(m.stack) - 1; i >= 0; i-- {
		var typ *ast.FuncType
		var body *ast.BlockStmt
		switch f := m.stack[i].(type) {
		case *ast.FuncDecl:
			typ, body = f.Type, f.Body
		case *ast.FuncLit:
			typ, body = f.Type, f.Body
		default:
			continue
		}
		if body == nil || v.Pos() < typ.Pos() || v.Pos() >= body.End() {
			return false
		}
		return !unstableLocals(m.pass.Info, m.stack[i])[v]
	}
	return false
}

// declaredInFunc reports whether x is a variable declared in the body of the enclosing function.
func (m *matcher) declaredInFunc(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	obj, ok := m.pass.Info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	for i := len(m.stack) - 1; i >= 0; i-- {
		var body *ast.BlockStmt
		switch f := m.stack[i].(type) {
		case *ast.FuncDecl:
			body = f.Body
		case *ast.FuncLit:
			body = f.Body
		default:
			continue
		}
		return body != nil && body.Pos() <= obj.Pos() && obj.Pos() < body.End()
	}
	return false
}
