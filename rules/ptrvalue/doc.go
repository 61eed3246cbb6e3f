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
// lives in the caller's frame. The compiler's `&Vec3{...} escapes to heap` (or `moved to heap: v`
// for `return &v`) in the constructor is the evidence, together with a call site where the
// allocation still happens: one where the constructor is not inlined (no `inlining call to
// newVec3` at the call), or where its inlined copy escapes (`&Vec3{...} escapes to heap` at the
// call).
//
// # Variants
//
// Each is exact:
//
//	return &T{...}                  =>  return T{...}
//	var v T; ...; return &v         =>  var v T; ...; return v     (v used only through its fields
//	                                    and assignments, never captured or address-taken)
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
//     object, a call; `return &v` where v is captured by a closure or its address (or a part's) is
//     taken elsewhere;
//   - T larger than -ptrvalue-max-size bytes, or holding something that must not be copied:
//     sync.Mutex, RWMutex, WaitGroup, Once, Cond, Map, Pool, any sync/atomic type, any type with a
//     Lock method or a noCopy field, arrays and structs of them;
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
// After the rewrite, the constructor has no `&T{...} escapes to heap` and no `moved to heap: v`,
// and no variable that now holds a T is `moved to heap` at its call site.
package ptrvalue
