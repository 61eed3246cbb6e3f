// Package ptrvalue returns small structs by value from constructors whose result escapes.
//
//	func newVec3(x, y, z float64) *Vec3 {
//		return &Vec3{x, y, z}
//	}
//
//	v := newVec3(a, b, c)
//	v.Scale(2); e += v.Dot(*v)
//	advance(v, dt)
//
// becomes
//
//	func newVec3(x, y, z float64) Vec3 {
//		return Vec3{x, y, z}
//	}
//
//	v := newVec3(a, b, c) // v is now a Vec3
//	v.Scale(2); e += v.Dot(v)
//	advance(&v, dt)
//
// A constructor that is not inlined, or whose inlined copy escapes, heap-allocates its result at
// every call even when the caller only keeps it in a local variable; returned by value, the struct
// lives in the caller's frame. The compiler's `&Vec3{...} escapes to heap` (`new(Vec3) escapes to
// heap`, or `moved to heap: v` for `return &v`) in the constructor is the evidence, together with
// a call site where the allocation still happens: one where the constructor is not inlined (no
// `inlining call to newVec3` at the call), or where its inlined copy escapes (`&Vec3{...} escapes
// to heap` at the call).
//
// The most common constructor builds the pointer first and fills it in:
//
//	func newBody(id int, pos [3]float64, mass float64) *body {
//		b := &body{id: id, mass: mass}
//		for i := range pos {
//			b.pos[i] = pos[i] * 0.5
//		}
//		b.scale(2)     // func (b *body) scale(f float64): b does not escape
//		clamp(b)       // func clamp(b *body): b does not escape
//		return b
//	}
//
// b is as fresh as `return &v`: it is assigned once, from &T{...} or new(T), and only its fields,
// its methods and helpers that the compiler says do not keep it see it before it is returned. As
// a T, b keeps b.f and b.m() (Go takes the address of an addressable value for a pointer method),
// clamp(b) becomes clamp(&b), and `return b` returns the value. The helpers' and methods' `b does
// not escape` (or `leaking param content: b`) is cited as evidence with the allocation: a helper
// or method that kept the pointer would keep it to the constructor's copy, not to the caller's
// value.
//
// # Variants
//
// Each is exact:
//
//	return &T{...}                  =>  return T{...}
//	var v T; ...; return &v         =>  var v T; ...; return v     (v used only through its fields
//	                                    and assignments, never captured or address-taken)
//	b := &T{...}; ...; return b     =>  b := T{...}; ...; return b
//	var b = &T{...}                 =>  var b = T{...}
//	var b *T = &T{...}              =>  var b T = T{...}
//	b := new(T), var b = new(T),    =>  var b T
//	var b *T = new(T)
//	  then, in the constructor:
//	b.f, b.m() (either receiver)    =>  b.f, b.m()                 (a pointer method of the
//	                                    package whose receiver does not escape)
//	b.f.m(), b.m() promoted from    =>  unchanged                  (the same, for the field's
//	  a field embedded by value                                     pointer method)
//	*b, (*b).f                      =>  b, b.f
//	f(b), g(&b.f)                   =>  f(&b), g(&b.f)             (the parameter does not escape)
//	add := func() { b.n++ }         =>  unchanged                  (a closure that does not escape,
//	                                    or is only called: it dies with the constructor)
//	p := newT(...)                  =>  p := newT(...)             then, in p's uses:
//	var p = newT(...)               =>  var p = newT(...)
//	var p *T = newT(...)            =>  var p T = newT(...)
//	p.f, p.M() (either receiver)    =>  p.f, p.M()                 (p is addressable)
//	*p, (*p).f                      =>  p, p.f
//	f(p), q := p, x = p, return p   =>  f(&p), q := &p, x = &p, return &p
//	                                    (a *T is required there; p is never reassigned, so &p is
//	                                    the one address of the one object, as p was)
//	newT(...).f, newT(...).M()      =>  unchanged text (a field read, a value-receiver method)
//	*newT(...)                      =>  newT(...)
//	newT(...) as a statement        =>  unchanged
//
// Call sites in every loaded package of the module are rewritten, test files included; the engine
// confirms and tests every package whose files change.
//
// # Declines
//
// It declines (the report says which):
//   - a constructor that is inlined and whose allocation stays on the stack at every call site
//     ("already on the stack at every call site"), or one with no call site;
//   - an exported constructor: its signature is API, and callers in other modules would break.
//     The setting -allow-api-change lifts this; an exported constructor used by an external test
//     package (package x_test, which gcfix does not load) is declined even then;
//   - a method (this first version rewrites functions only), a generic function, named results;
//   - a return of anything but a fresh T: nil, a global, a parameter, a field, a cached or shared
//     object, a call, a variable not declared from &T{...} or new(T) (or declared with new(T) in
//     an if, for or switch statement's init); `return &v` where v is captured by a closure or its
//     address (or a part's) is taken elsewhere;
//   - returns of different values: `return b` at one return and `return &T{...}`, `return &v` or
//     another variable at another;
//   - for `b := &T{...}` or `b := new(T)`, a use of b other than its fields, its methods, its
//     helpers and the return, each of which would keep a pointer to the constructor's copy or let
//     the caller's value and that pointer part: b reassigned; stored (in a field, a map, a slice, a
//     global, another variable, a composite literal) or sent on a channel; compared with nil or
//     another pointer; converted to an interface; its address taken, or a field's anywhere but in
//     the calls below (stored, `b.arr[:]`); a method value;
//   - b (or &b.f) passed to a function whose parameter leaks (`leaking param: x`, to the heap or
//     to a result), or that the compiler gives no verdict on here (another package, an interface
//     method, a function value); a pointer method called on b or on a field of it that leaks its
//     receiver, or is of another package (`b.buf.WriteString(s)` for a bytes.Buffer field);
//   - b captured by a closure that escapes, or that the compiler gives no `func literal does not
//     escape` for and that is not only called (in place, or through a local variable); captured
//     by any closure of a constructor that defers calls; b used by a go or defer statement (a
//     deferred call runs after the copy is returned);
//   - T larger than -ptrvalue-max-size bytes, or holding something that must not be copied:
//     sync.Mutex, RWMutex, WaitGroup, Once, Cond, Map, Pool, any sync/atomic type, any type with a
//     Lock method or a noCopy field, arrays and structs of them;
//   - a deferred call that may recover from a panic: a function literal or a function of the
//     package that calls recover, or a callee gcfix cannot see (a function value, an interface
//     method, a function outside the standard library). The constructor would then return a zero
//     T where it returned nil;
//   - the function used as a value anywhere (assigned, passed, stored);
//   - a call site whose result is used as a pointer in a way that cannot keep its meaning: compared
//     with nil, converted to an interface, stored in a composite literal, sent on a channel, passed
//     to a builtin or a conversion, assigned to an existing variable or field, a multi-value
//     assignment, a package-level variable, a for statement's init (each iteration copies it), a
//     variable that is reassigned or whose address is taken;
//   - a call whose result is not addressable where the code needs it to be: a pointer-receiver
//     method, an assignment to or the address of a field of newT(...) directly;
//   - a pointer-receiver method called on the variable that leaks its receiver (`leaking param:
//     v`): the value would escape anyway;
//   - the variable passed where a *T is needed (f(p) => f(&p)) to a parameter that the compiler
//     says leaks (`leaking param: x` of a function of the package, or of a closure assigned once
//     to a local variable): &p would move to the heap;
//   - the variable captured by a closure that escapes (`func literal escapes to heap`) while a
//     pointer-receiver method or a &p takes its address: a closure captures such a variable by
//     reference, and it would move to the heap.
//
// # Settings
//
// The rule's flags, which gcfix takes on its command line:
//
//	-allow-api-change      rewrite exported constructors too (default false)
//	-ptrvalue-max-size N   the largest struct, in bytes, returned by value (default 128): above
//	                       it, the copies of a value return can cost more than the allocation saves
//
// # Confirm
//
// After the rewrite, the constructor has no `&T{...} escapes to heap` (nor `new(T)`) and no
// `moved to heap: v` (nor `moved to heap: b`), and no variable that now holds a T is `moved to
// heap` at its call site.
package ptrvalue
