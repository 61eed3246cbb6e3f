// Package makecap preallocates a slice or map that a loop with a known trip count fills.
//
//	var out []int
//	for _, x := range xs {
//		out = append(out, 2*x)
//	}
//
// becomes
//
//	out := make([]int, 0, len(xs))
//	for _, x := range xs {
//		out = append(out, 2*x)
//	}
//
// A slice or map that starts empty and grows once per iteration of a loop whose trip count is known
// gets its capacity up front. Every append that outgrows the backing array calls growslice, which
// allocates a bigger array and copies; a map that outgrows its table rehashes. The compiler reports
// `append escapes to heap` or `append does not escape` at the append's parenthesis (for a map,
// `make(map[K]V) escapes to heap`, `make(map[K]V) does not escape` or `map[K]V{} ...` at the make or
// the literal): that report is the evidence. With no such report there is no candidate.
//
// # Variants
//
// Each is chosen only where it is exact:
//
//	var s []T / s := []T{} / s := make([]T, 0)       =>  s := make([]T, 0, CAP)
//	m := make(map[K]V) / m := map[K]V{}              =>  m := make(map[K]V, CAP)
//
//	for … range xs    (slice, array, pointer to array, map; xs a variable or a field chain)  CAP = len(xs)
//	for … range n     (integer)                                    CAP = n if a constant ≥ 0, else max(n, 0)
//	for i := 0; i < n; i++                                         CAP = n if unsigned, len(…) or a
//	                                                                     constant ≥ 0, else max(n, 0)
//	for i := a; i < b; i++  (a ≠ 0, signed)                        CAP = max(b-a, 0)
//
// The loop is the first statement after the declaration that mentions s, in the same block, and its
// body grows s exactly once per iteration, unconditionally: `s = append(s, x)` (one element) or
// `m[k] = v` directly in the body. Duplicate map keys only make the hint too big.
// max(…, 0) keeps make from panicking where the loop would simply not run.
//
// # Declines
//
// It declines (the report says which):
//   - range over a string (the loop runs once per rune, len counts bytes: only an upper bound, and
//     declining is the simple exact choice), a channel, or a function (the trip count is unknown);
//   - range over a call result (its length cannot be taken without calling it twice) or over an
//     expression that is not a variable or a chain of fields;
//   - a for loop that is not `for i := a; i < b; i++` over a variable i, with i or the bound assigned
//     in the body, a bound that is not a constant, a variable or len of a variable, or an unsigned
//     counter starting elsewhere than 0 (b-a could wrap);
//   - a body that can leave early or skip the append: break, continue, goto, return, a labeled
//     branch, a call to panic;
//   - the append inside if, switch, select, an inner loop or a nested block; more than one growth
//     per iteration; append(s, xs...) or an append of several elements (a varying or multiple amount);
//     s assigned, appended to, cleared, deleted from or address-taken elsewhere in the loop; s used by
//     a closure in the loop;
//   - a length expression that is declared after s, or may change between the declaration and the
//     loop (assigned, address-taken, or a field while calls run in between);
//   - nil vs empty observable: `var s []T` is nil when the loop runs zero times, make(...) is not;
//     the rule declines when s is compared to nil, returned, assigned or sent anywhere, passed to any
//     function (reflect.DeepEqual, json.Marshal, …), sliced, or used by a closure. Only len, cap,
//     indexing, range, copy and `s = append(s, …)` are allowed. `[]T{}` and make([]T, 0) are never nil;
//   - make, len or max shadowed at the declaration.
//
// # Confirm
//
// The compiler now reports a make with a capacity (for a map, a size) in the function: such make
// diagnostics are more than before. The growslice calls that go away are not in -m's output; the
// bench gate measures them.
package makecap
