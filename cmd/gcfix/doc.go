// Gcfix makes Go programs allocate less, and proves it: it asks the compiler where code escapes to the
// heap or misses inlining (-gcflags=-m=2), rewrites the patterns that cause it, confirms each rewrite
// with the compiler, runs the package's tests, benchmarks the old and the new code alternately, and
// keeps a rewrite only when the statistics show a real improvement.
//
// Usage:
//
//	gcfix [flags] [packages]        packages as go list patterns; default ./...
//	gcfix -r [flags] [dir]          every module below dir (default .); flags come before dir
//	gcfix check [flags] [packages]  a CI gate on the compiler's inlining and escape verdicts
//	gcfix explain file.go:line | [pkgpath.]Func
//	gcfix merge r1.json r2.json ... combine the -json reports of shards
//
// gcfix -h lists the flags; the README has them with their meaning. What follows is the rest of the
// manual.
//
// # Output, progress, exit status, files
//
// Output: the dry run prints the unified diff of the kept rewrites on stdout (`a/` and `b/` paths
// relative to the module root, or to the directory of `-r`, so `git apply` takes it) and a verdict table on stderr. With `-apply`
// the kept rewrites are written and named on stderr.
//
// Progress: while it runs, gcfix shows on stderr the module (`-r`), the package (`package 3/12`), the
// phase (loading, diagnosing, matching, confirming, testing, benchmarking), the candidates kept and
// rejected so far, the time elapsed and an estimate of the time left (from the share of packages
// done, once 5% are). While loading, the package count is that of the compile: each package whose
// `-m=2` text the go command has printed so far, of those the patterns match (`package 178/216
// golang.org/x/tools/internal/typeparams/genericfeatures  loading`; a cold build cache compiles the
// standard library first, before the count moves). A build-gate round's confirming compile is shown
// the same way (`package 40/117 … confirming`); the estimate from a compile's packages is of that
// step (`~9s left in this step`). While the bench gate measures, the line names the candidate (its
// place among its package's candidates, its function) and the benchmark, side and round:
// `package 1/1  benchmarking 7/16 (*Symtab).Name: BenchmarkLookup old 4/10`; once per package,
// `coverage of BenchmarkLookup 3/8` while it finds which benchmarks execute what. On a terminal this is one line redrawn in place; when stderr is not a terminal (a CI log, a
// file) it is a plain line at most every 10 seconds, so a run shorter than that prints none. `-q`
// turns it off; the line is erased before the verdict table.
//
// Exit status: 0 when gcfix ran, whether or not it kept anything; 1 when something failed (a module
// (`-r`) or a package that does not load or does not build before any rewrite, tests that fail before
// any rewrite, a file that changed on disk since gcfix read it) or the run was interrupted; 2 on bad
// usage. One broken package or
// module is reported and the others are still processed.
//
// Files: gcfix writes only with `-apply`, each file atomically (a temporary file in the same directory
// renamed over it, mode kept), and only if the file is unchanged since gcfix read it. Generated files
// (`// Code generated ... DO NOT EDIT.`) and files outside the main module are never rewritten. Until
// `-apply`, every build, test and benchmark sees the rewrite through `go build -overlay`; the build
// gate's confirming compile runs the compiler itself, as the go command would, on a copy of each
// rewritten file (`go doc ./rewrite`), and keeps those compiles in `$GCFIXCACHE` (with
// `GCFIXCACHE=off`, the go command compiles, through `-overlay`).
//
// Interrupted: an interrupt (Ctrl-C, or SIGTERM, as a CI job's time limit sends) stops the go commands
// and test binaries gcfix started, removes its temporary directories and writes nothing, with
// `-apply` or not. Once the packages are loaded, it still prints the verdicts decided so far on stderr
// and the report in the format asked for, marked incomplete (`"incomplete": true` in JSON, a line in
// Markdown, a property of the SARIF run), then `gcfix: interrupted: the report is incomplete, of the 9
// candidates decided before the run stopped; no file was written`. The candidate being measured when
// it stopped, and those after it, are not in it; the diff is that of the kept rewrites decided.
//
// Subcommands: `gcfix explain` and `gcfix check` (below), and `gcfix merge r1.json r2.json …`, which
// combines the `-json` reports of shards into one.
//
// # Many modules: -r
//
//	gcfix -r [flags] [dir]
//
// runs gcfix on every module below `dir` (default `.`, relative to `-C`), one after another, each as
// its own run: in the module's directory, on its `./...`, with its own `go.mod` and the `-tags` given.
// Which modules:
//
//   - when `dir` has a `go.work`, the modules its `use` directives name. The go command then builds them
//     as the workspace, as it does for you there: a module that requires another one of the workspace
//     gets the local copy. `GOWORK` is left as you set it.
//   - otherwise every directory below `dir` (`dir` included) that holds a `go.mod`, skipping `vendor`,
//     `testdata`, hidden (`.x`) and `_x` directories, as the go command's `./...` does. Each of these runs
//     with `GOWORK=off`: it is built on its own `go.mod` (and its `replace` directives), so that a
//     `go.work` in a parent directory cannot pull it into a workspace that does not list it.
//
// A module that cannot be loaded (a `go.mod` that does not parse, say) is reported on stderr as
// `gcfix: module <dir>: <cause>`, and a package that does not load or build as
// `gcfix: <import path> (in <dir>): <cause>`; the other modules still run, and the exit status is 1.
// The reports are combined into one: file names, package directories, evidence and diffs are relative
// to `dir`, so the diff applies from there (`git apply`, `patch -p1`), `-format` works as for one
// module, and `-apply` writes the kept rewrites of every module. The `-json` report has an extra
// `modules` list, each with its `path`, `dir` and, when it failed, `error`; its top-level `module` is
// empty. With `-shard i/n`, the packages of all modules are split together, sorted by import path,
// so that shards stay even when most modules are small; `gcfix merge` combines such shards too.
//
// # Reports
//
// `-format` chooses what gcfix prints on stdout; the verdict table always goes to stderr.
//   - `diff` (default): the unified diff of the kept rewrites; nothing with `-apply`.
//   - `json`: the report described below.
//   - `markdown`: a pull-request description: the counts, the kept rewrites by rule and package with the
//     numbers that justify them (`allocs/op 2 → 1 (-50.00%, p=0.002)`), then the rejected and declined
//     candidates and the diff folded in `<details>` blocks.
//   - `sarif`: a SARIF 2.1.0 log for code-scanning UIs: one rule per gcfix rule (from its documentation),
//     one result per candidate; a kept rewrite is a `warning` with a fix (replacements of whole lines),
//     every other candidate a `note` with its reason. Paths are relative to the module root (`%SRCROOT%`;
//     with `-r`, the directory it ran on).
//
// # The bench gate
//
// With the default `-gate=bench`, a candidate that the compiler confirmed and whose package's tests
// pass is measured: the test binaries of the code before and after it run alternately, `-count` rounds
// of `-benchtime` per side (default 10 and 100ms), and it is kept when some metric (sec/op, B/op,
// allocs/op) of a benchmark that executes the rewritten code is significantly lower and none is
// significantly higher (rewrite/benchstat has the decision rule).
//
// Only the benchmarks that execute a function the rewrite changes measure it. Once per package, gcfix
// runs each benchmark that matches `-bench` for 100 iterations in a test binary built with coverage,
// and notes which functions of the package (and of the module's packages it imports) each executes,
// start-up aside. A rewrite changes the functions whose lines it changes (their doc comment and
// directives included; for a rule that also changes call sites, any of them): it is measured on the
// benchmarks that execute any of them. `-bench` still narrows the benchmarks by name. When none
// executes them, the candidate is `no-benchmark` at once, before its tests run, and the reason names
// the function: `no benchmark executes (*Symtab).Upper: add one that calls it` (`no benchmark matching
// -bench=Lookup executes …` with `-bench`). So a benchmark that never calls the rewritten function
// cannot keep the rewrite (moving code shifts an unrelated nanosecond benchmark by a few percent,
// significantly), and adding benchmarks elsewhere in the package does not weaken the decision. Where
// gcfix cannot tell (the rewrite changes no function outside the tests, the coverage build fails), the
// candidate is measured on every benchmark, as without this.
//
// Whether the measurement can decide at all is known before it runs. With n rounds per side the U
// test's smallest p-value is 2/C(2n, n), and the Holm correction over m metrics (3 per benchmark, or
// per sub-benchmark) needs the smallest at or below 0.05/m: `-count` 4 decides one metric only, 5 up to
// 6 metrics (2 benchmarks), 6 up to 23, 7 up to 85, the default 10 up to 4618. A candidate whose
// benchmarks the count cannot decide is `undecided`, not measured, with the count that would decide
// it: `-count 6 cannot show a difference across 24 metrics: use -count ≥ 7`; the summary on stderr
// repeats it (`gcfix: 3 undecided: …`). gcfix does not raise `-count` itself: the count is your budget
// of time, and the default decides any realistic family.
//
// The cost: one coverage build and one short run per benchmark per package; one test binary per
// candidate measured (the binary of a kept rewrite is the next candidates' old one); each selected
// benchmark in its own process, where from the second round a benchmark without sub-benchmarks runs
// the iterations its first round ran per `-benchtime`, so b.N is not ramped up again in every process.
// `-v` ends with where the time went: `bench gate: 20.8s (CPU 14.1s) for 9 candidates measured:
// mapping the benchmarks 1.2s (CPU 1.0s), 10 test binaries built in 10.6s (CPU 6.1s), 200 benchmark
// runs in 9.0s (CPU 7.0s); the selected benchmarks' own time 6.0s`. `.ci/benchgate` measures this on a
// package of 8 benchmarks and 14 candidates against the gcfix of main.
//
// Where a rule has several ways to rewrite one site (variants, simplest first: sprintf writes into a
// `bytes.Buffer` or `strings.Builder` piece by piece, or formats first and writes once), the build
// and test gates apply the rule's default, and the bench gate measures every variant that compiles,
// is confirmed and passes the tests: one test binary each, all in the same rounds against the code
// before. Among those that improve significantly, it keeps the simplest that is not significantly
// worse than the best, and says so under the candidate's line in the verdict table (with `-v`, the
// default that the other gates apply too) and in the Markdown: `variant one-write: the best: pieces
// is significantly worse: BenchmarkPair-2 allocs/op 1 → 3 (+200.00%, p=0.000)`, or `variant pieces:
// the simplest of the variants that improve; one-write is not significantly better`.
//
// # Resuming: -state
//
// `-state file` appends one JSON line per measured candidate to `file` and syncs it to disk at once,
// so a run that is killed loses only the candidate it was measuring. A rerun with the same file
// reuses every recorded verdict whose key matches instead of benchmarking again, and says how many
// on stderr (`gcfix: 12 reused from -state`; `-v` names each one). The key is a hash of:
//
//   - the rule, the package, and the candidate's function: its source text, doc comment included;
//   - the rule's summary and the change itself: for each file it touches, the lines it removes and
//     adds with their diff context, without line numbers (an edit elsewhere in the file does not
//     matter, an edit of the function or next to the change does); for a candidate with variants,
//     each variant's name and change;
//   - the go version (it decides inlining and escapes), `-tags`, and the gate's settings: `-gate`,
//     `-bench`, `-count`, `-benchtime`.
//
// Only the verdicts of the bench gate that come from the measurement are recorded: `kept`,
// `rejected` and `regressed`. The others (`build-failed`, `tests-failed`, `no-benchmark`,
// `unconfirmed`, and `needs-bench` of the other gates) depend on code outside the key, such as a benchmark you add after gcfix asked for
// it, and are decided again. A reused `kept` still goes through every step but the benchmarks: its
// rewrite is applied to the code as it is now, compiled, confirmed by the compiler and tested, so
// what `-apply` writes is always proved against the current code; the recorded numbers are reported.
// The key does not see edits outside the function and the change (a callee, a benchmark): delete
// the file to measure everything again.
//
// # Sharding across CI machines
//
// `-shard i/n` splits the matched packages (sorted by import path, every n-th) into n shards. In any CI
// job matrix, job i runs `gcfix -shard $i/$n -json > r$i.json` and a last job runs
// `gcfix merge r*.json > report.json`: the packages, candidates and diff of one unsharded run, sorted.
// Every shard compiles the whole module for the compiler's diagnostics (so rules that reach into other
// packages still see them), which a shared build cache through `GOCACHEPROG` makes cheap: what one
// machine compiled, the others reuse. With `-r`, the packages of all modules are sharded together.
//
// # Monorepos
//
// A repository with many modules, in a go.work or not:
//
//		gcfix -r -gate=test .                      # every module below .: see "Many modules" above
//		gcfix -r -json -shard 3/8 . > r3.json      # shard 3 of 8 of all their packages
//		gcfix merge r*.json > report.json          # one report, paths relative to the repository root
//
//	  - Which modules. With a `go.work` at the root, its `use` directives, built as the workspace
//	    (modules that require each other get the local copies, as in your builds). Without one, every
//	    `go.mod` below the root, each built on its own `go.mod` (`GOWORK=off`), skipping `vendor`,
//	    `testdata`, `.x` and `_x` directories. A module that does not load is reported; the rest run.
//	  - A CI job matrix. Job `i` of `n` runs `gcfix -r -json -shard $i/$n . > r$i.json` and keeps the
//	    report as an artifact; a last job downloads them and runs `gcfix merge r*.json > report.json`.
//	    `gcfix merge` prints JSON; the report's `diff` field is the combined diff, which applies from
//	    the root with `git apply`.
//	  - Resuming. Give each shard its own `-state r$i.state` file and keep it between CI runs with
//	    your CI's cache: a rerun measures only the candidates whose code changed.
//	  - Sharing compiled code. Every shard compiles the packages of its modules, and every candidate
//	    recompiles a package through `-overlay`. `GOCACHEPROG` lets the go command use a build cache
//	    outside the file system: set it to a program that speaks the go command's cache protocol (JSON
//	    messages over stdin and stdout, described by `go doc cmd/go/internal/cacheprog`) and stores the
//	    objects somewhere all CI machines reach, such as object storage. gcfix runs the go command with
//	    your environment, so every `go list`, `go build` and `go test` it starts uses that cache: what one
//	    shard compiled, the others and the next run fetch instead of compiling. The build gate's
//	    confirming compiles do not go through the go command: they are kept in `$GCFIXCACHE`, with
//	    the results, so keep that directory with your CI's cache too.
//
// # Profiles: -profile and -hot
//
// On a large code base most candidates are in code that barely runs. `gcfix -profile cpu.pprof ./...`
// reads a pprof profile (`go test -cpuprofile`, `-memprofile`, or `/debug/pprof/profile` and `/heap`
// of a running server; gzipped or not) and gives each function its cumulative share of the samples:
// the samples with the function anywhere on their stack, inlined frames and its closures included.
// Candidates are tried hottest function first; those in functions with less than `-hot` percent
// (default 0.5) are not tried at all and get the verdict `skipped`, reason
// `skipped: cold (0.1% of samples < -hot 0.5%)`; the summary line counts them and `-v` lists them.
// Declined candidates keep their reason. The sample type used is `alloc_objects` when the profile
// has it (a heap profile: allocations are what gcfix removes), else `alloc_space`, else the first
// (`samples` of a CPU profile). Functions are matched by package path and name (`pkg.F`,
// `pkg.T.M`, `pkg.(*T).M`, generic `pkg.F[...]`), never by the paths of the binary or of the source
// files, so a profile taken on another machine or from a deployed binary applies. A relative `-profile`
// is relative to `-C`. `fixtures/hotcold` holds an example: a CPU profile of a benchmark that calls
// one of two functions with the same candidate. Rules that choose between places see the profile
// too: `outline` tries the coldest region of a function first (the fewest samples on the lines of the
// statements that move; without a profile, or among equally cold regions, the heaviest first).
//
// # Profile-guided optimization: -pgo
//
// With a PGO profile the compiler inlines more at hot call sites, so what allocates differs from a
// build without it. When a main package among the packages gcfix diagnoses has a `default.pgo` (what
// `go build -pgo=auto`, the default, uses), or `-pgo file` names a profile, every go command gcfix
// runs gets it: `go test` and `go test -c` with `-pgo=file`, and the `-m=2` diagnostics with
// `-pgoprofile=file` for every package of the module. The report says so: stderr has
// `gcfix: diagnostics taken with PGO profile app/default.pgo` above the summary line, the JSON report has
// `"pgo": "app/default.pgo"`, the markdown report a sentence, the SARIF run a `pgo` property.
//
// What the go command does by itself, measured with go1.26: `go list -export` (gcfix's cheap
// compile for `-m`) applies no profile at all, neither with `-pgo=auto` nor with `-pgo=file`; `go
// build` and `go test` with `-pgo=auto` give a main package's `default.pgo` to that main package and
// the packages it imports when they are built for it, never to a library package built or tested on
// its own. gcfix names the profile explicitly so that the library packages of the program are
// diagnosed, tested and measured with it as well. The standard library and other modules are compiled
// without it for the diagnostics (the profile's path is part of each compile's cache key), but with it
// for the tests and benchmarks. The compiler gets a copy of the profile named by its content
// (`$GCFIXCACHE/pgo/<sha256>.pprof`): the go command does not hash a file named inside `-gcflags`, so
// with the profile's own path a `default.pgo` rewritten in place would leave the old compiles as build
// cache hits. When several main packages have a `default.pgo`, gcfix cannot tell
// which applies to a shared package: it uses none (`-pgo=off` for the go commands too), says so in the
// report, and `-pgo file` chooses. `-pgo=off` takes everything without a profile. `gcfix check` and
// `gcfix explain` take their `-m=2` diagnostics with the same profile (and take `-pgo` too), and say
// so on stderr (`gcfix check: diagnostics taken with PGO profile app/default.pgo`): a baseline
// records what the compiler does in the build that ships.
//
// # Keeping the gains in go test: -emit-tests
//
// `gcfix -apply -emit-tests` writes, with the kept rewrites, one file `gcfix_allocs_test.go` per
// package where a kept rewrite lowered a benchmark's allocs/op. It holds one test per such benchmark:
//
//	func TestGcfixAllocsKey(t *testing.T) {
//		gcfixAllocBudget(t, "BenchmarkKey", BenchmarkKey, 1)
//	}
//
// `gcfixAllocBudget` (in the same file) runs the benchmark with `testing.Benchmark` in a plain
// `go test` and fails when its allocs/op exceeds the budget, the allocs/op the bench gate measured
// after the rewrites (rounded up):
// `BenchmarkKey: 2 allocs/op, budget 1 (set by gcfix; a change made it allocate again)`. Each such
// test takes about a second (`testing.Benchmark` runs for the default benchtime). Sub-benchmarks
// (`BenchmarkX/case`) get no budget. The file is in the package of the benchmarks, or in the external
// `_test` package, which imports the package under test, when one of them is declared there. The dry
// run shows the file in its diff (`--- /dev/null`, so `git apply` creates it); `-apply` writes it like
// the rewrites, atomically, after them and only when every rewrite was written (the budgets hold
// only for the rewritten code), and only if no file of that name appeared meanwhile. A later
// `-emit-tests` run merges: budgets measured again replace the old ones, the others stay, and the
// budgets of benchmarks that no longer exist go; gcfix leaves the file alone (and says so) if it
// holds code that gcfix did not write. The budgets hold for a plain `go test`; `-race` or
// `-gcflags=-N` change what allocates.
//
// # CI gate: gcfix check
//
// Keep the gains: record what the compiler decides about every function, commit it, and fail CI when a
// function stops inlining or starts allocating.
//
//	gcfix check -update ./...   # writes gcfix.baseline (commit it)
//	gcfix check ./...           # compares; exit 1 on a regression
//
// `gcfix.baseline` has one sorted line per fact: a function's inlining verdict and cost, and each heap
// allocation in it, keyed by package, function and expression (`&Vec3{...}`, `buf`), not by line
// number, so edits elsewhere in a file don't disturb it. `gcfix check` fails when a function that
// inlined no longer does (with the compiler's reason) or when a function of the baseline gets a new heap
// allocation; it lists improvements too (an allocation gone, a function that now inlines) and suggests
// `gcfix check -update`. New functions are not compared. `-baseline file` picks another file.
//
// The baseline names the compiler that wrote it, as `go env GOVERSION GOOS GOARCH` says in the module
// (GOTOOLCHAIN and go.mod's `toolchain` apply), and the PGO profile by its content:
// `# compiler: go1.26.8 linux/amd64 pgo sha256:…`. A check with another one, after a Go upgrade or
// with another profile, says so first, and the differences are the compiler's, not the code's: they
// are listed under `changed by the compiler (go1.26.8 → go1.27.3):`, counted on stderr, and do not
// fail; `gcfix check -update` records the new verdicts. From `cmd/gcfix/testdata/script/check_toolchain.txtar`:
//
//	gcfix check: the baseline was written by go1.26.8 linux/amd64, this check compiles with go1.27.3 linux/amd64: the differences are the compiler's, not the code's
//	gcfix check: go1.26.8 → go1.27.3: 2 functions no longer inline, 1 new heap allocation, 1 function now inlines, 3 heap allocations gone (4 functions)
//	gcfix check: ok (6 functions): run 'gcfix check -update' to record the new compiler's verdicts (-strict-toolchain fails on its differences)
//
// `-strict-toolchain` fails on them as on regressions, for teams that review what an upgrade changes.
// Directive violations and packages that do not build fail whatever the compiler. A baseline without
// the line (an older gcfix wrote none) is compared as before, every difference the code's, and
// `-update` adds it.
//
// Two directives in a function's doc comment are enforced with or without a baseline:
//
//	//gcfix:inline
//	func (v Vec3) Add(w Vec3) Vec3 { … }   // must stay inlinable
//
//	//gcfix:noescape
//	func Sum(vs []Vec3) Vec3 { … }         // nothing in it may allocate on the heap
//
// Exit status: 0 clean, 1 a regression, a violated directive or a build failure, 2 usage.
// A ready-to-copy GitHub Actions step:
//
//   - uses: actions/setup-go@v5
//     with:
//     go-version-file: go.mod
//   - name: gcfix check (inlining and allocations)
//     run: |
//     go install github.com/gcfix/gcfix/cmd/gcfix@latest
//     gcfix check ./...
//
// # Why does this allocate? gcfix explain
//
//	gcfix explain file.go:line          (a line inside the function)
//	gcfix explain [pkgpath.]Func        (F, T.M or (*T).M, as the compiler names them)
//
// prints the function's inlining verdict (cost against the budget of 80) and every heap allocation in
// it, each with the compiler's `-m=2` flow in plain words, in the compiler's order, with positions
// (`cache.go:12:20: &it has its address taken`), and the gcfix rule that would address it, or why that
// rule declines. `-json` prints the same facts.
//
// # Report (-json)
//
// `gcfix -json` prints one object:
//
//		{
//		  "module": "example.com/m",
//		  "packages": [{"path": "example.com/m/ids", "dir": "ids", "error": "…only when it failed"}],
//		  "candidates": [{
//		    "rule": "sprintf",
//		    "package": "example.com/m/ids",
//		    "file": "ids/key.go", "line": 8, "col": 9,
//		    "func": "Key",
//		    "summary": "fmt.Sprintf(\"%d:%d\", a, b) => strconv.AppendInt into a stack buffer",
//		    "evidence": ["ids/key.go:8:30: a escapes to heap", "ids/key.go:8:33: b escapes to heap"],
//		    "verdict": "kept",
//		    "reason": "BenchmarkKey-2 allocs/op 2 → 1 (-50.00%, p=0.000)",
//		    "variant": "one-write (only when the rule offered variants)",
//		    "variant_reason": "the best: pieces is significantly worse: …",
//		    "variants": [{"name": "pieces", "summary": "…", "verdict": "kept", "reason": "…", "metrics": […]}],
//		    "notes": ["Key no longer inlines (cost 157, was 67): …"],
//		    "metrics": [{"bench": "BenchmarkKey-2", "unit": "allocs/op", "old": 2, "new": 1,
//		                 "delta_pct": -50, "p": 0.0000108, "significant": true}],
//		    "diff": "the candidate's own unified diff"
//		  }],
//		  "diff": "the unified diff of every kept rewrite",
//		  "pgo": "app/default.pgo (only when a PGO profile was used)"
//		}
//
//	  - `file` is relative to the module root (with `-r`, to the directory it ran on); `line`/`col` is
//	    where the rule matched.
//	  - `modules` (only with `-r`): `[{"path": "example.com/m", "dir": "m", "error": "…only when it failed"}]`.
//	  - `evidence`: the compiler's `-m=2` lines that made it a candidate.
//	  - `verdict`: `kept`, `skipped` (`-profile`: its function is cold; not tried), `rejected` (the rule declined, its reason starts with `declined:`, or the
//	    benchmarks showed no significant change: the reason says the family and its threshold, `no
//	    significant improvement (3 metrics; the smallest p must be ≤ 0.017)`), `undecided` (`-count` is too
//	    low for the benchmarks that execute it: not measured), `unconfirmed` (the compiler did not confirm the rule's
//	    promise), `no-benchmark` (no benchmark, or none that executes the rewritten code), `build-failed`, `tests-failed` (a test or benchmark failed, panicked or hung),
//	    `regressed`, `needs-bench` (a trade, such as makecap's capacity that is only an upper bound:
//	    confirmed, and tested under `-gate=test`, but only the bench gate may keep it).
//	  - `variant`, `variant_reason`: where the rule offered several variants for the site, the one
//	    applied and why: the rule's default under `-gate=build` and `-gate=test`, the one kept under
//	    the bench gate (or, when none was kept, the one whose verdict this is). `variants` (bench gate
//	    only): what became of each, simplest first, its verdict and metrics against the code before.
//	  - `metrics`: one per benchmark and unit (`sec/op`, `B/op`, `allocs/op`), medians of the samples,
//	    `p` before correction and `significant` after it (and after the sec/op floor), of the
//	    benchmarks that execute the rewritten code. Empty when no benchmark ran.
//	  - `incomplete` (only when true): the run was interrupted; the candidates are those decided before.
package main
