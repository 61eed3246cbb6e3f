// Package makecap preallocates a slice or map that a loop with a known trip count fills.
//
//	var keys []string
//	for _, r := range rs {
//		keys = append(keys, r.Key)
//	}
//	return keys
//
// becomes
//
//	var keys []string
//	if len(rs) > 0 {
//		keys = make([]string, 0, len(rs))
//	}
//	for _, r := range rs {
//		keys = append(keys, r.Key)
//	}
//	return keys
//
// A slice or map that starts empty and grows once per iteration of a loop whose trip count is known
// gets its capacity up front. Every append that outgrows the backing array calls growslice, which
// allocates a bigger array and copies; a map that outgrows its table rehashes. The compiler reports
// `append escapes to heap` or `append does not escape` at the append's parenthesis (for a map,
// `make(map[K]V) escapes to heap`, `make(map[K]V) does not escape` or `map[K]V{} ...` at the make or
// the literal): that report is the evidence. With no such report there is no candidate.
//
// # Where the slice starts
//
//	var s []T                      (alone or in a var block: nil)
//	a named result s []T           (nil when the function starts, set nowhere before the loop)
//	s := []T{} / s := make([]T, 0) (never nil; the same with = to a variable declared before,
//	                                a named result or a variable of a var block)
//	m := make(map[K]V) / m := map[K]V{}  (and with =)
//
// The loop is the first statement after it that mentions s, in the same block (for a named result:
// the first of the function's body).
//
// # Trip counts
//
//	for … range xs    (slice, array, pointer to array, map; xs a variable or a field chain)  len(xs)
//	for … range s     (string: an upper bound, see below)                                    len(s)
//	for … range n     (integer)                                                              n
//	for i := 0; i < n; i++                                                                   n
//	for i := a; i < b; i++  (a ≠ 0, signed)                                                  b-a
//
// where n and b are constants, variables, fields or len of those, and the body assigns neither the
// counter nor the bound.
//
// # Nil stays nil
//
// `var s []T` and a named result are nil when the loop runs zero times, and make(...) is not. Where
// nothing can tell nil from empty (only len, cap, indexing, range, copy and `s = append(s, …)` use s:
// no comparison with nil, no return, no call that gets it, such as json.Marshal or
// reflect.DeepEqual, no closure), the make is unconditional:
//
//	var s []T   =>  s := make([]T, 0, CAP)          (s = make(...) in a var block)
//
// where CAP is max(n, 0) (b-a: max(b-a, 0)) unless the count cannot be negative (len, an unsigned or
// non-negative constant count), so that make does not panic where the loop would simply not run.
// A non-nil start becomes the make in its place: `s := []T{}` => `s := make([]T, 0, CAP)`.
//
// Where nil-ness can be seen, the make runs exactly when the loop does, just before it, and s is nil
// exactly when it was:
//
//	if len(xs) > 0 { s = make([]T, 0, len(xs)) }        (range n: if n > 0; a counted loop: if b > a)
//	if n := len(t.items); n > 0 { s = make([]T, 0, n) } (a count that is not a plain variable,
//	                                                      taken once; n a name free there)
//
// This needs every iteration to grow s (below), nothing in the loop to look at s's nil-ness before it
// grows, and, for a named result, no deferred call that could recover a panic and return it (a
// function literal or a function of the package that calls recover, or a callee gcfix cannot see:
// a function value, an interface method, a function outside the standard library). Where
// the growth is conditional, or the loop looks at nil-ness, the make goes where s first grows:
//
//	if s == nil { s = make([]T, 0, len(xs)) }
//	s = append(s, x)
//
// which needs one growth statement (in a block), an element that does not read s, no such
// deferred recover, and a count that cannot change in the loop before the first growth: a constant
// or local variables that nothing in the loop assigns, whose address is never taken and that no
// closure assigns (not the length of a map).
//
// # How the loop grows s
//
// The rule follows the paths through one iteration: s = append(s, x) (one element) or m[k] = v in
// if/else branches, switch and select cases (fallthrough too), labeled statements; an inner loop or
// a closure that grows s is declined. A path that leaves the function abandons s and does not count:
// a return that neither mentions s nor, for a named result, is bare; a call to panic, os.Exit,
// log.Fatal and the like. So the error return of a parse loop does not stop the rewrite: the
// capacity is only unused on that path.
//
// Exactly once on every path through an iteration: the trip count is exact, and the rewrite is kept
// like any other. At most once, but not on every path (inside an if, a switch without default, after
// a continue), or a loop that can end early (break, a branch to an outer loop), or a string range:
// the trip count is only an upper bound. That trades memory for allocations, which only measurement
// can judge: the candidate is a trade (rule.Candidate.Trade), reported as needs-bench and kept out by
// the build and test gates, and kept by the bench gate only when a benchmark improves and none gets
// worse, B/op included.
//
// # Declines
//
// It declines (the report says which):
//   - range over a channel or a function (the trip count is unknown), over a call result (its length
//     cannot be taken without calling it twice) or over an expression that is not a variable or a
//     chain of fields; a loop that never runs (a constant count ≤ 0);
//   - a for loop that is not `for i := a; i < b; i++` over a variable i, with the counter, the start
//     or the bound assigned in the body, a bound that is not a constant, a variable or len of a
//     variable, or an unsigned counter starting elsewhere than 0 (b-a could wrap);
//   - a goto in the loop body; a goto to a label between the start of s and the loop (it would run
//     the make again);
//   - s returned from inside the loop: the capacity of every iteration would go to the caller with
//     an early result;
//   - more than one growth on one path through an iteration; the growth in an inner loop or a
//     closure; append(s, xs...) or an append of several elements (a varying or multiple amount); s
//     assigned, appended to, cleared, deleted from or address-taken elsewhere in the loop; s used by
//     a closure in the loop;
//   - nil vs empty observable, where neither form above keeps nil nil: several growth statements, a
//     count that may change in the loop, a deferred recover for a named result;
//   - a count that means something else, or is not declared yet, where the make goes; a count that
//     may change between the start of s and the loop (assigned, address-taken, or a field while
//     calls run in between) when the make replaces the start;
//   - make, len, max or nil shadowed where the make goes; max(n, 0) in a file older than go1.21.
//
// # Confirm
//
// The compiler now reports a make with a capacity (for a map, a size) in the function: such make
// diagnostics are more than before. The growslice calls that go away are not in -m's output; the
// bench gate measures them.
package makecap
