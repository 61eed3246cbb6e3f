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
//   - rewrite: a candidate's Fix edits copies of the declarations of the decorated (dst) syntax
//     that it reaches, and the files are printed as gofmt would (decorate.go): a file whose fix
//     reached one declaration by that declaration alone, spliced into the file (splice.go).
//   - confirm: the rewritten packages are compiled again with -m=2 through an overlay, and the
//     candidate's Confirm judges the compiler's new verdict. The build gate confirms the
//     candidates of all packages together, in rounds that compile a round's rewrites at once
//     (batch.go; which lines a rewrite changes, and whether rewrites made together compose:
//     compose.go, rewrite/linediff), each changed package compiled alone by the compiler against
//     the export data of the kept state (compile.go), not by the go command.
//     The test and bench gates try one candidate at a time (candidate.go).
//   - test: the packages' tests, once before any rewrite and then with each rewrite (candidate.go).
//   - bench: the test binaries of the kept and of the rewritten code, run alternately on the
//     benchmarks that execute the functions the rewrite changes (bench.go; which benchmarks execute
//     what: benchmap.go); rewrite/benchstat decides whether the difference is significant. The
//     bench gate is described below.
//   - keep: a kept rewrite becomes the code that later candidates are matched on: the packages it
//     changed are type-checked again against the confirming compile (engine.go, keep).
//   - report: rewrite/report holds the report and its forms (JSON, the unified diff, Markdown,
//     SARIF, the allocation tests of -emit-tests) and Apply, which writes the kept rewrites.
//
// # The build gate
//
// `-gate=build` is the static part of gcfix, the one that scales to whole repositories:
//   - one compile loads and diagnoses: a single `go list -export -deps -gcflags=<patterns>=-m=2` lists
//     the packages, compiles them without linking (no `main` package is linked) and prints the `-m=2`
//     text; the packages are then type-checked from source in parallel (`-p`) against the export data of
//     that same compile, so loading costs no second build, cold or warm;
//   - candidates are confirmed together: in each round every package is matched, each candidate's
//     rewrite is made alone to see which lines it changes, the candidates that change disjoint lines are
//     made together (several in one function too; sprintf hands out distinct names, `buf`, `buf1`, … in
//     one function), and one compile of the packages they change confirms all of them. Each candidate's
//     promise is judged on its own view of the `-m=2` text: the lines the others changed left out, the
//     rest numbered as in its rewrite alone. Rewrites that interfere when made together (the combined
//     file is not each one's changes side by side) are made one declaration at a time, the others in
//     the next round. A rewrite judged on its whole function (outline, noinline: does it inline now?)
//     has its function to itself in a round;
//   - one compile per changed package: the compiler is run as the go command runs it (same flags,
//     importcfg, embedcfg), on each package a round changes, against the export data of its imports
//     as they stand (the first compile's, or a kept rewrite's); a package that imports another of
//     the round's packages is compiled after it, against its new export data. The go command would
//     also rebuild every package between a changed one and those asked for. The compiles are cached
//     in `$GCFIXCACHE`, so a rerun after a change compiles only what the change reaches; with
//     `GCFIXCACHE=off` the go command compiles, as its build cache keeps what it compiled. A round
//     whose rewrites reach into several packages (ptrvalue with -allow-api-change), a package with
//     cgo, assembly, syso or SWIG files, and GOFLAGS that change compiles go through the go command,
//     and so does a package that the direct compile cannot build (its build error is the go
//     command's);
//   - a refusal does not recompile the round: when the compiler refuses a candidate, the confirmed
//     candidates in packages that neither hold it nor import its package were compiled exactly as they
//     are kept, and are kept; the others are matched again in the next round, on the kept code, and
//     compiled once more. Refusals are rare: outline, the rule whose promise is a count (does the
//     function fit the budget of 80 now?), counts the cost node by node as the inliner does, so it
//     proposes only the regions the compiler will accept (on x/tools it proposes 11 and the compiler
//     accepts all 11; on x/net, x/perf, x/telemetry, x/sys and go-internal, 10 of 10). A candidate that breaks the build is found by compiling the candidates of the
//     broken packages alone;
//   - own work kept small: each file is decorated once and a candidate's fix works on copies of
//     the declarations it reaches, printed alone where that prints what the whole file would (on
//     x/tools the rewrites' CPU went from 8.9 to 3.5 s); a
//     rewritten file whose imports are already sorted is printed once (go/format prints, parses and
//     prints again every file with an import block); gcfix collects garbage at 200% heap growth (its
//     heap is mostly syntax that lives for the whole run) unless `GOGC` is set, and sooner near a
//     soft limit of 768 MiB unless `GOMEMLIMIT` is set (x/tools: 768 MiB peak, not 1.1 GiB); `-v`
//     says how long listing, type-checking, matching, the rewrites and each confirming compile
//     took, in wall time and in CPU time of gcfix and of the go command, and how many candidates
//     wait for a next round and why;
//   - a result cache: a rerun over code the go command has compiled before (same build IDs, same test
//     files, same options, same gcfix) is answered from `$GCFIXCACHE` (default: `gcfix` in the user cache
//     directory, e.g. `~/.cache/gcfix`; `GCFIXCACHE=off` turns it off), the way the go command replays a
//     cached build. Only the build gate is cached: the test and bench gates run code and measure it
//     (`-state` resumes those). In CI, keep `$GCFIXCACHE` with your CI's cache like the build cache. The
//     key covers the whole run: a change anywhere in the matched packages misses it. An entry keeps each
//     rewrite as the bytes it changes (4 MB for x/tools); entries unused for five days are removed, at
//     most once a day, as the go command trims its build cache.
//
// # The bench gate
//
// The default gate measures each candidate that the compiler confirmed and whose tests pass, and
// keeps it only when a benchmark that executes it improves significantly. What it costs beyond the
// benchmarks' own time, and why:
//   - which benchmarks execute which functions is found once per package and run (benchmap.go): the
//     package's test binary is built with coverage (-covermode=count, of the package and of the
//     module's packages it imports) and each benchmark that matches -bench runs alone for 100
//     iterations with -test.coverprofile; a block it ran more often than the binary's start-up
//     (package initialisation, TestMain) belongs to a function it executes. The go command builds
//     coverage from the files on disk whatever -overlay says (golang.org/issue/73802), so the map is
//     of the code before any rewrite; kept rewrites do not change what the program does, so it
//     stays true, and a function a kept rewrite adds (an outlined slow path) is executed by the
//     benchmarks that measured that rewrite. The map is not made again after a keep.
//   - a candidate's changed functions are the declarations its line hunks touch (the doc comment
//     with its directives included; a function it adds is not among them). It is measured on the
//     benchmarks that execute any of them (a benchmark whose body it changes, too), and on none:
//     it is no-benchmark at once, before its tests run ("no benchmark executes Banner"). What the
//     map cannot place (no function changed outside tests, a function it never saw, a package it
//     does not cover, a failed coverage build) is measured on every benchmark, as without a map.
//   - the family that the Holm correction counts is the selected benchmarks' metrics (3 per result
//     line), known before measuring: when -count is too low for it to show any difference
//     (rewrite/benchstat.Decidable) the candidate is undecided at once, with the count that would
//     decide it. The count is not raised: it is the user's budget of time.
//   - a candidate with variants (rule.Candidate.Variants: ways to rewrite one site, simplest first;
//     the build and test gates apply the rule's default) has every variant made, confirmed and
//     tested, and one test binary built per variant that passes; the benchmarks that execute any
//     of them are selected once, and each round runs the old binary and every variant's in turn,
//     so that the variants are compared with each other on samples of the same rounds, without
//     another build or run. Each is judged against the old code as a candidate is; of those that
//     improve, the best is the one that is significantly better than the best so far and worse on
//     no metric, and the simplest variant that is not significantly worse than the best is kept
//     (variants.go). The report names it and says why; -state keys cover every variant.
//   - each round runs each selected benchmark in its own process, old then new; a benchmark without
//     sub-benchmarks runs from the second round on the iterations its first round's old side ran
//     per -benchtime (-test.benchtime=Nx), so the testing package ramps b.N up once, not in every
//     process. The old test binary is built once per kept state: the binary that measured a kept
//     rewrite is the next old one.
//
// -v ends with where the bench gate's time went (mapping, builds, runs) and the selected
// benchmarks' own time, -count × -benchtime per side and result; .ci/benchgate measures it on a
// package of 8 benchmarks against the gcfix of main.
//
// Around the loop: the build gate's result cache (resultcache.go), the bench gate's recorded
// verdicts (state.go, gcfix -state), which packages a run processes (shard.go), and the progress
// line and the -v log (progress.go, follow.go, timer.go).
//
// Imports run one way: cmd/gcfix → rules → rewrite/rule; cmd/gcfix → rewrite/check and
// rewrite/explain → rewrite → its parts (rewrite/rule, diag, profile, report, benchstat,
// linediff). The engine never imports a rule, and its parts never import the engine.
package rewrite
