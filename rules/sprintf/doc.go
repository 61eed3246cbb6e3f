// Package sprintf formats with strconv appends instead of fmt when fmt's operands escape.
//
//	func Key(a, b int) string {
//		return fmt.Sprintf("%d:%d", a, b)
//	}
//
// becomes
//
//	func Key(a, b int) string {
//		var buf [41]byte
//		out := strconv.AppendInt(buf[:0], int64(a), 10)
//		out = append(out, ':')
//		out = strconv.AppendInt(out, int64(b), 10)
//		return string(out)
//	}
//
// fmt boxes every operand into an interface, and the compiler reports `a escapes to heap` at each
// one: that report is the evidence. The rewrite formats the same bytes without boxing.
//
// # Variants
//
// Each is chosen only where it is exact:
//
//	fmt.Sprintf("%d", n)                  =>  strconv.Itoa(n)     (FormatInt/FormatUint for other integer
//	                                          kinds, base 16 for %x; FormatBool for %t; Quote for %q; the
//	                                          operand itself for %s; string(b) and hex.EncodeToString(b) for []byte)
//	fmt.Sprint(n)                         =>  strconv.Itoa(n)
//	fmt.Sprintf("user %s", name)          =>  "user " + name      (every operand a string printed as is)
//	s := fmt.Sprintf("id=%d", id)         =>  a stack array, then s := string(out); for any statement
//	                                          directly in a block where formatting can move before it
//	fmt.Fprintf(&l.buf, "k=%d ", v)       =>  out := l.buf.AvailableBuffer(); out = append(out, "k="...)
//	                                          out = strconv.AppendInt(out, int64(v), 10); ...; l.buf.Write(out)
//	                                          (a *bytes.Buffer other than a local variable, which is likely
//	                                          empty; one Write after every operand, as Fprintf does)
//	fmt.Fprintf(&sb, "k=%d ", v)          =>  a stack array, then sb.Write(out): for a *strings.Builder, a
//	                                          local bytes.Buffer, a bytes.Buffer that may be nil while an
//	                                          operand may panic, and operands that read through a slice or
//	                                          pointer (string(b), b[i], *p: the appends could overwrite them)
//	b.WriteString(fmt.Sprintf(...))       =>  the same as fmt.Fprintf(b, ...)
//	x = append(x, fmt.Sprintf(...)...)    =>  x = append(x, "lit"...); x = strconv.AppendInt(x, ...)
//	                                          (only when no operand can panic, reads through a slice or
//	                                          pointer, or mentions x; otherwise the stack array form)
//
// Verbs: %d on integers; %s and %v on strings; %s on []byte; %v on integers and bools; %t on bools;
// %q on strings; %x on integers, strings and []byte; %X on strings and []byte; %%. Constant operands
// are formatted at rewrite time. Sprint puts a space between operands when neither is a string.
// Every operand is evaluated once, in the original order.
//
// # Declines
//
// It declines (the report says which):
//   - a format that is not a constant (operands passed as a slice, args..., have no evidence);
//   - flags, width, precision or an argument index (%05d, %-10s, %+d, %#v, %[1]d, %5%);
//   - any other verb (%T, %p, %c, %b, %o, %e, %f, %g, %U, %w, ...), and %X on an integer (strconv
//     has no upper-case hex);
//   - more or fewer operands than verbs (fmt prints %!d(MISSING) or %!(EXTRA ...));
//   - a float, complex, pointer, interface (an error too: it may be nil), type parameter or other
//     operand that is not an integer, bool, string or []byte;
//   - an operand whose type has a Format method (fmt.Formatter, called for every verb), or a String
//     or Error method with %v, %s, %x, %X or %q;
//   - a verb that does not suit the operand (%s on an int, %v on []byte, ...);
//   - operands with calls or receives (other than conversions and len, cap, min, max, real, imag,
//     complex), unless the order of evaluation cannot show: fmt evaluates every operand before it
//     formats any, the rewrite formats each as it evaluates it; both keep the calls in their order,
//     and the output is the same when nothing else read can change meanwhile (effectsKeepOrder: a
//     Sprintf or Sprint, no []byte operand, only locals that no call can reach, no pointer, slice
//     or map read outside the calls; fixtures/sprintf/no_call_order); with such calls, the
//     forms that write into a builder or append to x as they format are not used;
//   - Fprintf to anything but a *bytes.Buffer or *strings.Builder, or whose result is used; a
//     Sprintf or Sprint whose result is unused (an expression statement, defer, go);
//   - a call that needs a buffer but whose formatting cannot move before its statement: the
//     statement is not directly in a block (if/for/switch headers, labeled statements), the call
//     is the deferred or go'd call, is on the right of && or ||, or the statement evaluates another
//     call or receive;
//   - a predeclared name (string, append, int64, ...) or strconv/hex shadowed at the call;
//   - the argument of panic or of a call that never returns (os.Exit, log.Fatal*, log.Panic*):
//     made once, when the program fails.
//
// # Confirm
//
// Fewer of the call's operands escape to the heap after the rewrite than before.
//
// The output is byte-identical to fmt's: rules/sprintfdiff formats random values through both
// (go test ./rules/sprintfdiff -fuzz FuzzSprintf).
package sprintf
