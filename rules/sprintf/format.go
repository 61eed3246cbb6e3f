package sprintf

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gcfix/gcfix/rewrite/diag"
)

// This file turns a fmt call into the pieces of its output, or says why that cannot be done exactly.

// argKind is what an argument is to fmt, once the rule has ruled out methods and interfaces.
type argKind int

const (
	kindInt    argKind = iota + 1 // every signed integer kind
	kindUint                      // every unsigned integer kind, uintptr included
	kindBool                      // bool kinds
	kindString                    // string kinds
	kindBytes                     // slices of byte
)

// A piece is one part of the output: literal text, or one argument formatted with one verb.
type piece struct {
	text string   // literal output, when arg is nil
	arg  ast.Expr // the argument; nil for literal text
	verb byte     // 'd', 'x', 't', 's', 'q' or 'X' ('v' already resolved for the argument's kind)
	kind argKind
	typ  types.Type
}

// directive is one %-directive of a format, or literal text.
type directive struct {
	text string // literal text (with %% resolved), when verb is 0
	verb byte
}

// parseFormat splits a constant format into literal text and verbs. It declines anything but a
// plain verb from the supported set: flags, width, precision, argument indexes, other verbs.
func parseFormat(format string) ([]directive, string) {
	var out []directive
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, directive{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			return nil, fmt.Sprintf("format %q ends in an incomplete directive", format)
		}
		verb, size := utf8.DecodeRuneInString(format[j:])
		spec := format[i : j+size]
		if j > i+1 {
			return nil, fmt.Sprintf("flags, width, precision or argument index: %s", spec)
		}
		switch verb {
		case '%':
			lit.WriteByte('%')
		case 'd', 'v', 's', 't', 'q', 'x', 'X':
			flush()
			out = append(out, directive{verb: byte(verb)})
		default:
			return nil, fmt.Sprintf("verb %s is not supported", spec)
		}
		i = j + size - 1
	}
	flush()
	return out, ""
}

// classify says what fmt does with an argument, or why the rule cannot predict it exactly.
func classify(info *types.Info, arg ast.Expr) (argKind, types.Type, string) {
	t := info.TypeOf(arg)
	if t == nil {
		return 0, nil, "argument " + types.ExprString(arg) + " has no type"
	}
	if _, ok := types.Unalias(t).(*types.TypeParam); ok {
		return 0, nil, fmt.Sprintf("argument %s has a type parameter type %s: its type argument decides the output", types.ExprString(arg), t)
	}
	if types.IsInterface(t) {
		if types.Identical(t, types.Universe.Lookup("error").Type()) {
			return 0, nil, fmt.Sprintf("argument %s is an error: fmt prints <nil> for a nil error and calls Error() otherwise", types.ExprString(arg))
		}
		return 0, nil, fmt.Sprintf("argument %s is an interface (%s): its dynamic type decides the output", types.ExprString(arg), t)
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch info := u.Info(); {
		case info&types.IsInteger != 0 && info&types.IsUnsigned != 0:
			return kindUint, t, ""
		case info&types.IsInteger != 0:
			return kindInt, t, ""
		case info&types.IsBoolean != 0:
			return kindBool, t, ""
		case info&types.IsString != 0:
			return kindString, t, ""
		case info&types.IsFloat != 0:
			return 0, nil, fmt.Sprintf("argument %s is a float (%s)", types.ExprString(arg), t)
		case info&types.IsComplex != 0:
			return 0, nil, fmt.Sprintf("argument %s is a complex number (%s)", types.ExprString(arg), t)
		}
	case *types.Slice:
		if types.Identical(u.Elem(), types.Typ[types.Byte]) {
			return kindBytes, t, ""
		}
	case *types.Pointer:
		return 0, nil, fmt.Sprintf("argument %s is a pointer (%s)", types.ExprString(arg), t)
	}
	return 0, nil, fmt.Sprintf("argument %s of type %s is not supported", types.ExprString(arg), t)
}

// methodDecline says why fmt would call a method of t for verb instead of formatting the value.
// Any method of that name counts, whatever its signature: the rule does not argue with near misses.
func methodDecline(t types.Type, verb byte, arg ast.Expr) string {
	ms := types.NewMethodSet(t)
	has := func(name string) bool {
		for i := 0; i < ms.Len(); i++ {
			if ms.At(i).Obj().Name() == name {
				return true
			}
		}
		return false
	}
	if has("Format") {
		return fmt.Sprintf("argument %s: %s has a Format method (fmt.Formatter), which fmt calls for every verb", types.ExprString(arg), t)
	}
	if strings.IndexByte("vsxXq", verb) >= 0 {
		for _, m := range []string{"Error", "String"} {
			if has(m) {
				return fmt.Sprintf("argument %s: %s has a method %s, which fmt calls for %%%c", types.ExprString(arg), t, m, verb)
			}
		}
	}
	return ""
}

// resolveVerb checks that verb suits kind and resolves %v to the verb fmt uses for that kind.
func resolveVerb(verb byte, kind argKind, t types.Type, arg ast.Expr) (byte, string) {
	bad := fmt.Sprintf("%%%c on argument %s of type %s is not supported", verb, types.ExprString(arg), t)
	switch kind {
	case kindInt, kindUint:
		switch verb {
		case 'd', 'v':
			return 'd', ""
		case 'x':
			return 'x', ""
		case 'X':
			return 0, fmt.Sprintf("%%X on integer %s: strconv has no upper-case hex", types.ExprString(arg))
		}
	case kindBool:
		switch verb {
		case 't', 'v':
			return 't', ""
		}
	case kindString:
		switch verb {
		case 's', 'v':
			return 's', ""
		case 'q', 'x', 'X':
			return verb, ""
		}
	case kindBytes:
		switch verb {
		case 's', 'x', 'X':
			return verb, ""
		}
	}
	return 0, bad
}

// fmtCall is a supported call, resolved into pieces.
type fmtCall struct {
	call     *ast.CallExpr
	name     string     // "fmt.Sprintf", "fmt.Sprint", "fmt.Fprintf"
	writer   ast.Expr   // Fprintf's first argument
	args     []ast.Expr // the operands that fmt formats
	evidence []diag.Diagnostic
	pieces   []piece
	effect   ast.Expr // the first call or receive among the operands, if any
	// hoisted are Fprintf's operands with calls, evaluated into variables before its writes
	// (effectsKeepOrder), in their order.
	hoisted hoists
}

// hoist is an operand evaluated into a variable of its own before the writes.
type hoist struct {
	arg  ast.Expr
	name string
}

// hoists are operands evaluated into variables before the writes, in order.
type hoists []hoist

// name returns the variable that holds operand arg, or "".
func (hs hoists) name(arg ast.Expr) string {
	for _, h := range hs {
		if h.arg == arg {
			return h.name
		}
	}
	return ""
}

// resolvePieces turns the call's format and operands into pieces, or says why it declines.
func (fc *fmtCall) resolvePieces(info *types.Info) string {
	var dirs []directive
	if fc.name == "fmt.Sprint" {
		prevString := false
		for i, arg := range fc.args {
			isString := false
			if t := info.TypeOf(arg); t != nil && !types.IsInterface(t) {
				if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
					isString = true
				}
			}
			if i > 0 && !isString && !prevString {
				dirs = append(dirs, directive{text: " "})
			}
			dirs = append(dirs, directive{verb: 'v'})
			prevString = isString
		}
	} else {
		formatArg := fc.call.Args[0]
		if fc.name == "fmt.Fprintf" {
			formatArg = fc.call.Args[1]
		}
		tv := info.Types[formatArg]
		if tv.Value == nil || tv.Value.Kind() != constant.String {
			return "the format is not a constant"
		}
		var why string
		dirs, why = parseFormat(constant.StringVal(tv.Value))
		if why != "" {
			return why
		}
		verbs := 0
		for _, d := range dirs {
			if d.verb != 0 {
				verbs++
			}
		}
		if verbs != len(fc.args) {
			return fmt.Sprintf("the format's verbs (%d) and arguments (%d) differ in number: fmt prints %%!verb(MISSING) or %%!(EXTRA ...)", verbs, len(fc.args))
		}
	}
	for _, arg := range fc.args {
		if bad := sideEffect(info, arg); bad != nil && fc.effect == nil {
			fc.effect = bad // ordered: see effectsKeepOrder
		}
	}
	next := 0
	for _, d := range dirs {
		if d.verb == 0 {
			fc.addText(d.text)
			continue
		}
		arg := fc.args[next]
		next++
		if t := info.TypeOf(arg); t != nil && !types.IsInterface(t) {
			if why := methodDecline(t, d.verb, arg); why != "" {
				return why
			}
		}
		kind, t, why := classify(info, arg)
		if why != "" {
			return why
		}
		verb, why := resolveVerb(d.verb, kind, t, arg)
		if why != "" {
			return why
		}
		if tv := info.Types[arg]; tv.Value != nil {
			fc.addText(formatConstant(tv.Value, kind, verb))
			continue
		}
		fc.pieces = append(fc.pieces, piece{arg: arg, verb: verb, kind: kind, typ: t})
	}
	return ""
}

func (fc *fmtCall) addText(s string) {
	if s == "" {
		return
	}
	if n := len(fc.pieces); n > 0 && fc.pieces[n-1].arg == nil {
		fc.pieces[n-1].text += s
		return
	}
	fc.pieces = append(fc.pieces, piece{text: s})
}

// formatConstant formats a constant operand as fmt would at run time: fmt's output for these kinds
// and verbs depends only on the value, so fmt itself computes it now.
func formatConstant(v constant.Value, kind argKind, verb byte) string {
	f := "%" + string(rune(verb))
	switch kind {
	case kindInt:
		i, _ := constant.Int64Val(v)
		return fmt.Sprintf(f, i)
	case kindUint:
		u, _ := constant.Uint64Val(v)
		return fmt.Sprintf(f, u)
	case kindBool:
		return fmt.Sprintf(f, constant.BoolVal(v))
	default:
		return fmt.Sprintf(f, constant.StringVal(v))
	}
}

// onlyStrings reports whether every piece is literal text or a string operand printed as is.
func onlyStrings(ps []piece) bool {
	for _, p := range ps {
		if p.arg != nil && !(p.kind == kindString && p.verb == 's') {
			return false
		}
	}
	return true
}

// maxLen returns the most bytes the pieces can print, or false when some piece is unbounded.
func maxLen(ps []piece, sizes types.Sizes) (int, bool) {
	n := 0
	for _, p := range ps {
		switch {
		case p.arg == nil:
			n += len(p.text)
		case p.kind == kindBool:
			n += len("false")
		case p.kind == kindInt || p.kind == kindUint:
			bits := 64
			if sizes != nil {
				bits = int(sizes.Sizeof(p.typ)) * 8
			}
			n += intWidth(bits, p.kind == kindInt, p.verb)
		default:
			return 0, false
		}
	}
	return n, true
}

// intWidth is the length of the longest text of a bits-wide integer in decimal or hex, sign included.
func intWidth(bits int, signed bool, verb byte) int {
	base := 10
	if verb == 'x' {
		base = 16
	}
	if signed {
		return len("-" + strconv.FormatUint(uint64(1)<<(bits-1), base))
	}
	return len(strconv.FormatUint(^uint64(0)>>(64-bits), base))
}

// bufferSize is the stack array's length: the exact maximum when every piece is bounded, else the
// literal text plus room for the operands, as a power of two up to 256.
func bufferSize(ps []piece, sizes types.Sizes) int {
	if n, ok := maxLen(ps, sizes); ok && n <= 256 {
		return n
	}
	lit := 0
	for _, p := range ps {
		if p.arg == nil {
			lit += len(p.text)
		}
	}
	n := 64
	for n < lit+64 && n < 256 {
		n *= 2
	}
	return n
}
