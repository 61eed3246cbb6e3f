// Package hoist allocates a per-iteration buffer once before the loop and reuses it.
//
//	for _, m := range msgs {
//		buf := make([]byte, len(m))
//		copy(buf, m)
//		sum += check(buf)
//	}
//
// becomes
//
//	var buf []byte
//	for _, m := range msgs {
//		if cap(buf) < len(m) {
//			buf = make([]byte, len(m))
//		} else {
//			buf = buf[:len(m)]
//			clear(buf)
//		}
//		copy(buf, m)
//		sum += check(buf)
//	}
//
// A buffer allocated in every iteration of a loop, that never outlives the iteration, is allocated
// once before the loop and reused. Evidence, at the declaration directly in the loop body:
// `make(...) escapes to heap` (for example a constant size over the 64 KiB the compiler puts on the
// stack); or `make(...) does not escape` for a size that is not a constant (the compiler keeps at
// most a small stack buffer for those, and larger ones come from the heap every iteration); `moved
// to heap: b` for `var b bytes.Buffer` or `b := bytes.Buffer{}`; `new(bytes.Buffer) escapes to
// heap`. A constant-size make that does not escape lives on the stack: there is nothing to win and
// no candidate.
//
// # Variants
//
// Each is exact (every iteration still sees a zeroed buffer of the same length, or an empty
// buffer):
//
//	buf := make([]T, 64)      =>  buf := make([]T, 64) before the loop; clear(buf) in its place
//	buf := make([]T, 0, 64)   =>  buf := make([]T, 0, 64) before the loop; buf = buf[:0] in its place
//	                              (buf used only through buf = append(buf, …) and reads)
//	buf := make([]T, n)       =>  var buf []T before; in its place:
//	                              if cap(buf) < n { buf = make([]T, n) } else { buf = buf[:n]; clear(buf) }
//	buf := make([]T, 0, n)    =>  var buf []T before; in its place:
//	                              buf = slices.Grow(buf[:0], n)
//	                              (cap ≥ n as before; a new array only when a longer one is needed;
//	                              n is evaluated once, where it was; a negative n still panics, with
//	                              slices.Grow's message instead of makeslice's)
//	                              Before go1.21, or where slices names something else:
//	                              if cap(buf) < n { buf = make([]T, 0, n) } else { buf = buf[:0] }
//	                              (n < 0 || … first when n may be negative, so that make still panics)
//	var b bytes.Buffer / b := bytes.Buffer{} / b := new(bytes.Buffer)
//	                          =>  the same declaration before the loop; b.Reset() in its place
//
// A constant size is hoisted as is; any other size stays in the loop: a size that only looks
// invariant could be negative on a loop that runs zero times. The if forms evaluate it twice, so
// there it must be a constant, variable, field, len or cap of those, or + - * of them;
// slices.Grow evaluates it once, and any size will do.
//
// The append form is the scratch buffer: made empty with a capacity, then only grown by
// `buf = append(buf, …)` or by an appender whose result goes back into buf: `buf =
// strconv.AppendInt(buf, …)` (strconv.Append…, utf8.AppendRune, fmt.Append…, the AppendEncode and
// AppendDecode of hex, base64 and base32, binary.Append…varint and the byte orders'
// AppendUint…, time.Time.AppendFormat), or a function of the package whose first parameter the
// compiler reports as `leaking param: dst to result ~r0 level=0` (it reaches only the result).
//
// The buffer may be used only in ways that cannot keep it past the iteration: indexing (not &buf[i]),
// len, copy, range, string(buf) (a copy), slices of it used the same ways (in the append form only
// buf[i:] and buf[i:len(buf)]: past its length a fresh buffer holds zeros, a reused one what the
// last iteration wrote; in the make([]T, n) forms a slice past n panics in a fresh buffer, whose
// capacity is n, and may not in a reused one: only code that panics there sees a difference),
// `buf = append(buf, …)` and the appenders above in the append form, append(x, buf...) (copies), cap in the constant form, a few std functions that
// do not keep their slices (bytes.Equal, bytes.Compare, …), and functions of the package whose
// parameter the compiler reports as `p does not escape`. A bytes.Buffer may call its methods that
// neither hand out its array nor see its capacity (Write*, Read*, String, Len, Reset, Truncate,
// Grow, Next excluded), and go to fmt.Fprint, Fprintf, Fprintln as the writer (fmt keeps no writer).
//
// # Declines
//
// It declines (the report says which):
//   - the buffer, a slice of it or a pointer into it stored, returned, sent, assigned, appended as
//     an element, converted to another slice type or passed to any other function (it may keep it:
//     unsafe.String, a leaking parameter, an io.Writer);
//   - the buffer used by a closure, a go or a defer statement in the loop;
//   - its address taken; buf reassigned other than by the append form; in the append form, a
//     slice of it that could reach past its length (buf[:n], buf[i:j:k]); cap(buf) or append in the
//     make([]T, n) forms (the reused capacity would show); Bytes, Cap, Available, AvailableBuffer of a
//     bytes.Buffer;
//   - strings.Builder: Reset drops its array, so reusing it gains nothing;
//   - a size that is not a constant nor pure enough to evaluate twice;
//   - the name already declared in the block of the loop, or the name used in the loop or after it
//     for something else (the hoisted variable would shadow it); the element type declared in the loop;
//   - clear, cap or make shadowed.
//
// # Confirm
//
// The compiler's diagnostic for the allocation is gone from the loop body: the make (new,
// moved-to-heap) is now reported at the line where the loop started, and nowhere in the loop; for
// the if forms with a variable size, the make is reported only in the branch that runs when the
// buffer is too small; for slices.Grow, the make is reported nowhere in the loop.
package hoist
