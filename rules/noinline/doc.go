// Package noinline removes a leftover //go:noinline so that a small function inlines.
//
//	//go:noinline
//	func clamp(x, lo, hi int) int {
//		return max(lo, min(x, hi))
//	}
//
// becomes
//
//	func clamp(x, lo, hi int) int {
//		return max(lo, min(x, hi))
//	}
//
// Such a directive is often left on production code after a benchmark. The evidence is the compiler's `cannot
// inline F: marked go:noinline` at F, in a file that is not a _test.go file. The rewrite removes the
// directive line and nothing else; the rest of the doc comment stays. The engine's bench gate keeps
// the removal only when a benchmark improves.
//
// # Declines
//
// It leaves alone, without a candidate:
//   - any //go:noinline in a _test.go file (benchmarks and tests use it on purpose);
//   - an outlined slow path: a function whose name ends in Slow (or SlowPath, Slow2, …, as the outline
//     rule names them) and whose doc comment says it is kept "out of line".
//
// It declines (the report says which):
//   - a function whose doc comment explains the directive: a sentence, other than the directive
//     itself, that mentions "inline", "noinline" or "out of line" (case-insensitive; "inlined",
//     "inlining" included). A heuristic: the doc is where Go code says why a directive must stay;
//   - a function called, in the package's non-test files, only from cold branches (the regions that
//     the outline rule calls cold: an if branch or a later switch case ending in a return, a panic or a
//     call that never returns): it is a slow path by its use, kept small at the call sites on purpose;
//   - a function that calls runtime.Callers, runtime.Caller or runtime.FuncForPC, whose results
//     depend on the frames that inlining removes.
//
// # Confirm
//
// The compiler now says `can inline F` (rule.Confirm.Inlines); otherwise `still too complex (cost
// M)` or `still cannot inline F: reason` (a function too complex to inline gains nothing from losing
// the directive).
package noinline
