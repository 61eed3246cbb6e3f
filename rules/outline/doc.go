// Package outline moves a cold branch or a slow tail out of line so that a function just over the
// inlining budget inlines.
//
//	func (c *Cache) Get(key string) []byte {
//		v := c.items[key]
//		if v == nil {
//			b, err := c.load(key)
//			if err != nil {
//				c.Err = fmt.Errorf("cache: loading %q: %w", key, err)
//				return nil
//			}
//			c.items[key] = b
//			return b
//		}
//		return v
//	}
//
// becomes
//
//	func (c *Cache) Get(key string) []byte {
//		v := c.items[key]
//		if v == nil {
//			return c.getSlow(key)
//		}
//		return v
//	}
//
//	// getSlow is the cold path of Get, kept out of line so that Get fits the inlining budget.
//	//
//	//go:noinline
//	func (c *Cache) getSlow(key string) []byte {
//		b, err := c.load(key)
//		... the branch, as it was ...
//	}
//
// A function that just misses the inlining budget gets its cold branch, or the slow path after its
// fast path (see The tail), moved into a separate //go:noinline function, so that the rest fits and
// inlines at every call. The evidence is the
// compiler's `cannot inline F: function too complex: cost N exceeds budget 80` at F, in a file that
// is not a _test.go file.
//
// # Cold regions
//
// Cold regions are found by their shape (the statements that move, which must end in a return, a
// panic(...) or a call that never returns: os.Exit, runtime.Goexit, log.Fatal*, log.Panic* and the
// *log.Logger methods of those names):
//   - the body of an if statement;
//   - the else block of `if err == nil {…} else {…}` (err of type error): the error arm;
//   - a case or default clause of a switch or type switch other than the first one.
//
// For a generic function the compiler judges each shaped instance (At[go.shape.int]): the worst one
// is the evidence, and the one the confirm step reads.
//
// # The tail
//
// The other common shape is a fast path that returns early, with the slow path as the rest of the
// function:
//
//	func (t *Symtab) Name(i int) string {            // cost 208
//		if i < len(t.names) && t.names[i] != "" {
//			return t.names[i]
//		}
//		t.misses++
//		s, err := t.resolve(i)
//		... the slow path, to the end of the body ...
//	}
//
// becomes
//
//	func (t *Symtab) Name(i int) string {            // can inline, cost 79
//		if i < len(t.names) && t.names[i] != "" {
//			return t.names[i]
//		}
//		return t.nameSlow(i)
//	}
//
//	// nameSlow is the slow path of Name, kept out of line so that Name fits the inlining budget.
//	//
//	//go:noinline
//	func (t *Symtab) nameSlow(i int) string {
//		t.misses++
//		... the tail, as it was ...
//	}
//
// The body must open with guards, top-level if statements without else whose bodies end in a
// return (or a panic, or a call that never returns), among which simple statements may run
// (assignments, := and var declarations, calls, x++): `v := c.m[k]; if v != nil { return v }`.
// A tail is the statements after one of those guards, to the end of the body; with results it
// must end in a return or a panic. Each guard starts a tail, from the first guard that is a fast
// path rather than an edge case (syntax.Answers): a guard that returns a value it found, at least
// one result that is an element (x[i], m[k]), a field (x.f) or a variable of the function that is
// not a parameter (the v of `if v, ok := m[k]; ok`), and not of type error: `return t.names[i]`,
// not `return 0, errClosed`, `return nil, d.err`, `return nil`, `return s` (a parameter
// unchanged), `return x == y` or `return types.Unsafe`; with a bare return, a guard that assigns a named result such a value (`c =
// r.buf[r.i]; r.i++; return`, not `err = io.EOF; return`); without results, a guard that does its
// work in place before it returns, with assignments and increments and no call (`l.buf[l.n] = e;
// l.n++; return`). After edge-case guards alone (a nil check, a closed flag, a short or empty
// input, an identity shortcut) the tail is the function's main path, and no tail is offered:
// moving the main path out of line only renames it. Nor is one after a guard whose condition is
// a constant (`runtime.GOOS == "linux"`), a build switch of which the compiler drops one side.
//
// A tail is the slow path only when the guards are the hot path, which the rule cannot always
// tell; it declines when it cannot:
//   - with a profile that has samples on the function's lines, the profile tells: a tail whose lines
//     hold more samples than the guards' lines is the hot path, and declined (a slow path that
//     takes most of the function's time leaves little for inlining the guards to win either);
//   - without one, the shape tells: a guard that loops may be the slow part (a byte at a time
//     for short inputs), and a tail that loops but calls nothing out of line is the function's own
//     work, a hot loop, rather than a miss that loads, formats or grows elsewhere
//     (fixtures/outline/no_hot_tail). Both are declined.
//
// The call that replaces a tail is `return fSlow(args)`, or `fSlow(args)` in a function without
// results, where it ends the body. Its parameters are the variables declared before the tail (the
// function's parameters, the simple statements' variables) that the tail uses; the variables the
// tail declares stay in it. A tail that uses the function's named results, or returns them bare,
// gets a slow function that declares the same named results: its bare returns return them.
//
// # Cost estimate
//
// Each region's share of the cost is estimated like the inliner counts it (coster, costWalk): one
// per node of the compiler's representation, which is not go/ast's (no node for a type, a block or
// a parenthesis; one literal for a constant expression; a declaration node for each variable :=
// declares; one for each implicit conversion to an interface; ...), 15 for a function literal (its
// body is a function of its own, which the inliner does not count), plus 57 for a call that the
// compiler does not inline (17 for a call of a parameter of the function), or the callee's cost
// for a call that it inlines (printed for callees of the package, closures included; for others,
// what the function's printed cost leaves after the rest, shared among them). The estimate of a
// whole function is the compiler's printed cost for 90% of x/tools' functions whose calls it can
// price, and for every function of fixtures/outline/costs (TestCostMatchesCompiler). A region is
// skipped silently, without a candidate, when the function's cost without it plus the call that
// replaces it (plan.callCost: 57, the call's node, the callee's name, an argument each, a return,
// and 4 per result and 1 more when it returns several, for the temporaries the compiler makes)
// would still exceed the budget: a function at cost 85 whose cold branch is `return errClosed` gets
// none (fixtures/outline/no_too_light), nor one whose two results make the call cost more than its
// branch (no_return_temps), nor a clause of a constant switch, which the compiler drops before it
// counts (no_dead_clause), nor a tail whose guards leave too little of the budget for the call
// (no_tail_over_budget). A generic function's call also passes the callee its dictionary, 4 more.
// The remaining regions are ranked (rankRegions: with -profile the coldest first, the fewest
// samples on its statements' lines; else, and among equally cold ones, branches and clauses
// before tails, as a branch is cold by its shape and a tail runs whenever no guard returns;
// branches heaviest first, tails shortest first, which keeps the most guards inline) and each
// becomes one candidate; the engine keeps the first one that the compiler confirms and then
// matches again, when the function inlines and has no more candidates.
//
// # Variants
//
//   - a method's slow path is a method with the same receiver: `return c.getSlow(key)`;
//   - a generic function's slow path has the same type parameters and is called instantiated:
//     `return indexSlow[T](s, x)`;
//   - the parameters are the function's variables that the region uses (read or assigned), in the order
//     of their declarations, with their go/types types written out (imported types package-qualified);
//   - a function with results: `return fSlow(args)`, and the slow function has the same results; a
//     function without results: `fSlow(args)`, then `return` if the region returns (a tail: none,
//     the call ends the body);
//   - a tail that uses the named results: the slow function declares them (`(addr string)`), so
//     that its bare returns stay (fixtures/outline/tail_named);
//   - a region that ends in os.Exit or log.Fatal and holds no return: `fSlow(args)`, with no results;
//   - the name is <f>Slow (unexported: getSlow for Get), else <f>SlowPath, <f>Slow2, …, when the name is
//     taken by a package-level name, a field or method of the receiver, or a name declared in f.
//
// # Declines
//
// It declines (the report says which), for a region heavy enough to matter:
//   - the function carries a //go: directive (nosplit, norace, linkname, …) that the slow function
//     would not carry;
//   - a method whose receiver has no name (the call needs one);
//   - the region contains a defer, a call of recover, a goto, a label, or a break or continue that
//     leaves it (a labeled one included). (go1.26 never inlines a function with a defer, `unhandled
//     op DEFER`, so that decline only guards a later compiler);
//   - the region takes the address of a variable of the function (&x, &x.f, x[:] of an array, or a
//     call of a pointer method on a variable that is not a pointer): the slow function gets a copy;
//   - a closure in the region captures a variable of the function;
//   - a bare return of named results in a branch or clause (a tail keeps it: see The tail);
//   - the region assigns a named result and does not end in a return with values (a deferred call
//     could read it);
//   - the region assigns a variable that later code can read: one that a closure of the function
//     captures or whose address the function takes (nothing else runs after the region, which ends
//     in a return or a panic);
//   - the region uses a variable that a closure of the function assigns or whose address the
//     function takes: a call of the closure or a write through the pointer would change the
//     variable, not the slow path's copy of it;
//   - the region uses a type or constant declared inside the function, or a variable whose type
//     cannot be written outside it (a local type, an interface literal with methods);
//   - the region ends in os.Exit or log.Fatal and also returns, or ends so in an else block or a
//     case clause (the call that replaces it would not be a terminating statement);
//   - a tail that may be the hot path (see The tail): the profile puts more samples on it than on
//     the guards; or, without samples, a guard loops, or the tail loops and calls nothing out of
//     line;
//   - a tail that uses the named results when the statements before it assign one (the slow
//     function's own results start at zero), or when a closure captures one or its address is
//     taken.
//
// # Confirm
//
// The compiler now says `can inline F`; otherwise `still too complex (cost M)`.
package outline
