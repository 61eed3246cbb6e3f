// Package rewrite is gcfix's engine. Run takes the packages that go list patterns match through the
// loop below and returns a report of what became of every candidate; it never writes the user's
// files (report.Report.Apply does).
//
//	load → diagnose → match → rewrite → confirm → test → bench → report
//
// Where each step lives:
//
//   - load and diagnose: one go list -export lists the packages and compiles them with -m=2; the
//     export data of that compile type-checks them (loader.go, the go command in gocmd.go, the
//     PGO profile in pgo.go). rewrite/diag reads the -m=2 text. Load is this step alone, for the
//     commands that only read the compiler's verdicts: rewrite/check (gcfix check) and
//     rewrite/explain (gcfix explain).
//   - match: each rule (a rewrite/rule.Rule; the rules are in rules/) finds candidates in a
//     package, with the compiler's evidence (candidate.go); with a profile, the hottest first and
//     the cold ones skipped (hot.go, rewrite/profile).
//   - rewrite: a candidate's Fix edits a copy of the decorated (dst) syntax of the files it
//     touches, and the files are printed as gofmt would (decorate.go).
//   - confirm: the rewritten packages are compiled again with -m=2 through an overlay, and the
//     candidate's Confirm judges the compiler's new verdict. The build gate confirms the
//     candidates of all packages together, in rounds that compile a round's rewrites at once
//     (batch.go; which lines a rewrite changes, and whether rewrites made together compose:
//     compose.go, rewrite/linediff).
//     The test and bench gates try one candidate at a time (candidate.go).
//   - test: the packages' tests, once before any rewrite and then with each rewrite (candidate.go).
//   - bench: the test binaries of the kept and of the rewritten code, run alternately (bench.go);
//     rewrite/benchstat decides whether the difference is significant.
//   - keep: a kept rewrite becomes the code that later candidates are matched on: the packages it
//     changed are type-checked again against the confirming compile (engine.go, keep).
//   - report: rewrite/report holds the report and its forms (JSON, the unified diff, Markdown,
//     SARIF, the allocation tests of -emit-tests) and Apply, which writes the kept rewrites.
//
// Around the loop: the build gate's result cache (resultcache.go), the bench gate's recorded
// verdicts (state.go, gcfix -state), which packages a run processes (shard.go), and the progress
// line and the -v log (progress.go, follow.go, timer.go).
//
// Imports run one way: cmd/gcfix → rules → rewrite/rule; cmd/gcfix → rewrite/check and
// rewrite/explain → rewrite → its parts (rewrite/rule, diag, profile, report, benchstat,
// linediff). The engine never imports a rule, and its parts never import the engine.
package rewrite
