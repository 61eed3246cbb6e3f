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
// Each is chosen only where it is exact; the first that applies is used:
//
//	fmt.Sprintf("%d", n)                  =>  strconv.Itoa(n)     (FormatInt/FormatUint for other integer
//	                                          kinds, base 16 for %x; FormatBool for %t; Quote for %q; the
//	                                          operand itself for %s; string(b) for %s of []byte;
//	                                          hex.EncodeToString(b) for %x of []byte, and
//	                                          hex.EncodeToString([]byte(s)) of a string, whose
//	                                          conversion the compiler makes without a copy)
//	fmt.Sprint(n)                         =>  strconv.Itoa(n)
//	fmt.Sprintf("user %s", name)          =>  "user " + name      (every operand a string printed as is)
//	x = append(x, fmt.Sprintf(...)...)    =>  x = append(x, "lit"...); x = strconv.AppendInt(x, ...)
//	return append(x, fmt.Sprintf(...)...) =>  the same appends onto x, then return x (x a variable of
//	                                          the function whose address is not taken and that no
//	                                          closure captures; no other result reads it)
//	                                          (only when no operand can panic, reads bytes through a
//	                                          slice or pointer, or mentions x: the appends write into
//	                                          x's spare capacity as they go; otherwise the stack array
//	                                          form below)
//	s := fmt.Sprintf("id=%d", id)         =>  a stack array, then s := string(out); for any statement
//	                                          directly in a block where formatting can move before it,
//	                                          and the init statement of an if or switch (the
//	                                          formatting goes before the if or switch)
//	fmt.Fprintf(b, "%s=%d\n", k, v)       =>  b.WriteString(k); b.WriteByte('=')
//	                                          b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(v), 10))
//	                                          b.WriteByte('\n')
//	                                          (b a *bytes.Buffer, the results unused; with one Write,
//	                                          below, as a variant that the bench gate measures; see
//	                                          Buffers)
//	fmt.Fprintf(w, "k=%d ", v)            =>  out := w.AvailableBuffer(); out = append(out, "k="...)
//	                                          out = strconv.AppendInt(out, int64(v), 10); ...; w.Write(out)
//	                                          (w a *bufio.Writer, or a *bytes.Buffer other than a local
//	                                          variable, which is likely empty)
//	fmt.Fprintf(f, "k=%d ", v)            =>  a stack array, then f.Write(out): for an *os.File, any
//	                                          other type with a Write method, a *strings.Builder
//	                                          (with one write per piece as a variant; see Buffers),
//	                                          a local bytes.Buffer, and a bytes.Buffer where the
//	                                          forms above are not exact
//	n, err := fmt.Fprintf(w, ...)         =>  the formatting, then n, err := w.Write(out): wherever
//	                                          formatting can move before the statement (return
//	                                          fmt.Fprintf(...), if _, err := fmt.Fprintf(...); ...)
//	b.WriteString(fmt.Sprintf(...))       =>  the same as fmt.Fprintf(b, ...) (b a *bytes.Buffer or
//	                                          *strings.Builder; a *bufio.Writer's WriteString passes a
//	                                          large string on otherwise than its Write)
//
// # Writers
//
// fmt.Fprintf formats into a buffer of its own, then calls w.Write exactly once with all the bytes
// (even none) and returns what that Write returned. Every Fprintf form keeps exactly that: it
// formats, then makes that one Write call, whose results are the call's results.
//   - *bufio.Writer, and a type whose Write and AvailableBuffer are those of an embedded
//     *bufio.Writer (*bufio.ReadWriter; the embedded writer may be nil): its AvailableBuffer is
//     the free end of its buffer; appends that fit stay there, one that does not fit moves the
//     bytes to a new array, and then one Write of all the bytes follows, as from fmt. What the underlying writer sees depends only on the bytes of that
//     Write, so it sees the same calls, and an error already stored is returned as before.
//     Several WriteString calls would not be exact: they flush at other points, and pass a large
//     string to the underlying writer's WriteString where Write passes it whole. A stack array is
//     not used either: bufio passes the bytes on to an io.Writer, so it would move to the heap.
//   - *bytes.Buffer: Write appends to the buffer, always returns len(p), nil; formatting in its
//     AvailableBuffer is exact when no operand reads bytes that the appends could overwrite.
//   - *os.File and any other concrete type: the stack array is written by one Write, one write
//     system call for a file as before. Its Write may keep its argument (it passes it to an
//     io.Writer): then the compiler moves the array to the heap, and the rewrite is not confirmed.
//   - an interface (io.Writer, http.ResponseWriter, fmt.State, ...): declined. The bytes passed to
//     an interface's Write escape, so the array would be a heap allocation of its own where fmt
//     formats into a pooled buffer: as many allocations as fmt's boxing of one operand, more bytes
//     (measured on go1.26: 1 alloc, 8 B/op with fmt against 1 alloc, 24-128 B/op rewritten).
//
// # Buffers
//
// Into a *bytes.Buffer or a *strings.Builder, Fprintf can be written piece by piece, as a Go expert
// writes it by hand: constant text and strings through WriteString and WriteByte, []byte through
// Write, bools through WriteString(strconv.FormatBool(…)), and numbers, %q and %x through
// b.Write(strconv.AppendInt(b.AvailableBuffer(), …)) (AppendQuote, hex.AppendEncode). A
// strings.Builder has no AvailableBuffer: its numbers are appended to a stack array as long as
// the longest of them (var buf [20]byte), which b.Write copies, and a %q or %x, unbounded, is not
// written piece by piece. Fprintf writes all the bytes at once, after it has evaluated every
// operand; the writes put some bytes in before the next operand is evaluated. The two are the same
// when
//   - no operand can panic (else a panic would leave part of the output in the buffer) and no
//     operand reads bytes that a write could overwrite (a Write may move the buffer's bytes under
//     a slice of them); or
//   - the buffer is private to the function: a variable declared in its body (without a value,
//     with bytes.Buffer{}, new(bytes.Buffer) or &bytes.Buffer{}, never assigned again) that no
//     function literal, defer or go statement mentions, and whose every other use is a method
//     call (Bytes, AvailableBuffer and Next only returned, converted to a string or passed to a
//     Write method) or the writer of fmt.Fprint, Fprintf or Fprintln. Then no slice of its bytes
//     lives while an operand is evaluated, and after a panic nothing can see what it held.
//
// Writing piece by piece reads best; formatting first and writing once (into the buffer's
// AvailableBuffer, or a stack array: the forms above) is often faster, and only measurement can
// tell whether that matters where the call runs. Where both are exact, the call has both as
// variants (rule.Candidate.Variants), "pieces" first and "one-write", and the bench gate keeps the
// simplest that is not significantly worse than the best; the report says which and why. The build
// and test gates apply the default, the variant that the fixtures' benchmarks favour:
//   - pieces into a *bytes.Buffer: allocations are the same as with one Write (a bytes.Buffer's
//     first growth takes 64 bytes), the time a few nanoseconds more per piece (its write methods
//     do not inline): measured on go1.26, a 13-piece log line 200 ns/op in one Write, 245 ns/op
//     piece by piece, 650 ns/op with fmt;
//   - one-write into a *strings.Builder: it grows by appending, so writing piece by piece into an
//     empty one takes a growth, an allocation, at each size class the output crosses (measured on
//     go1.26: 3 allocs, 56 B/op piece by piece against 1 alloc, 24 B/op). Into a builder that
//     already has the room, pieces allocate no more: only the benchmarks know which it is.
//     fixtures/sprintf/variants is the first case: the bench gate keeps one-write, as pieces
//     allocate 3 times where one-write allocates once.
//
// A call where only one form is exact gets that form alone; a strings.Builder is written piece by
// piece only as a variant beside one Write. %X goes through the forms above (hex has no upper case).
//
// Fprintf evaluates w, then the operands, then calls w.Write; the rewrite calls AvailableBuffer
// first, or evaluates w last. Both are the same when no operand can panic, when w is a local
// variable (or &local), or when both can panic only by dereferencing nil, which panics with the
// same runtime error wherever it happens. A writer whose evaluation has calls is declined.
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
//   - a float, complex, pointer, interface, type parameter or other operand that is not an integer,
//     bool, string or []byte. An error too, even one known not to be nil: fmt calls Format when
//     its dynamic type has one (errors packages that print stacks do), and recovers a panic in
//     Error, printing "<nil>" for a nil pointer inside the interface; err.Error() would print
//     otherwise, or panic;
//   - an operand whose type has a Format method (fmt.Formatter, called for every verb), or a String
//     or Error method with %v, %s, %x, %X or %q;
//   - a verb that does not suit the operand (%s on an int, %v on []byte, ...);
//   - operands with calls or receives (other than conversions and len, cap, min, max, real, imag,
//     complex), unless the order of evaluation cannot show: fmt evaluates every operand before it
//     formats any, the rewrite formats each as it evaluates it; both keep the calls in their order,
//     and the output is the same when nothing else read can change meanwhile (effectsKeepOrder: a
//     Sprintf or Sprint, no []byte operand, only locals that no call can reach, no pointer, slice
//     or map read outside the calls; fixtures/sprintf/no_call_order); with such calls, the
//     forms that write into a builder or append to x as they format are not used. A Fprintf that
//     is a statement of its own evaluates its operands with calls into variables first, in their
//     order (n := lookup(buf, m, key)), then writes; a lone call in the first piece, and every
//     call into a buffer private to the function, are written where they stand
//     (fixtures/sprintf/callfirst). There the writer and the other operands must
//     not panic either (their order against the calls is the language's to choose), and a
//     Fprintf whose results are used is declined;
//   - Fprintf to an interface (see Writers); to a *bufio.Writer where its AvailableBuffer is not
//     exact (an operand reads bytes that the appends could overwrite, or the writer may be nil
//     while an operand may panic otherwise); a writer whose evaluation may panic while an operand
//     may panic otherwise; a Sprintf or Sprint whose result is unused (an expression statement,
//     defer, go);
//   - a call that needs a buffer but whose formatting cannot move before its statement: the
//     statement is not directly in a block (a for header, an else if, a case of select, a labeled
//     statement), the call is the deferred or go'd call, is on the right of && or ||, or the
//     statement evaluates another call or receive;
//   - a predeclared name (string, append, int64, ...) or strconv/hex shadowed at the call;
//   - the argument of panic or of a call that never returns (os.Exit, log.Fatal*, log.Panic*):
//     made once, when the program fails.
//
// # Confirm
//
// Fewer of the call's operands escape to the heap after the rewrite than before, and the stack
// array written to a writer other than the standard buffers, or holding the numbers written piece
// by piece into a strings.Builder, does not move to the heap. Each variant is confirmed on its own.
//
// The output is byte-identical to fmt's: rules/sprintfdiff formats random values through both, and
// through the variants that the build gate does not apply (go test ./rules/sprintfdiff -fuzz
// FuzzSprintf).
package sprintf
