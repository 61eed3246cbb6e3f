// Package report holds the outcome of a gcfix run and writes it out: the Report with a Result per
// candidate (the JSON report), its unified diff, a pull-request description (Markdown), a SARIF log,
// the allocation tests of -emit-tests, and Apply, which writes the kept rewrites. Combine and Merge
// join the reports of the modules of gcfix -r and of the shards of gcfix -shard.
package report

import (
	"github.com/gcfix/gcfix/rewrite/benchstat"
)

// Verdict is what became of one candidate.
type Verdict string

const (
	Kept        Verdict = "kept"         // all steps passed; the rewrite is in the diff
	Rejected    Verdict = "rejected"     // the rule declined, or the benchmarks showed no significant improvement
	Unconfirmed Verdict = "unconfirmed"  // the compiler did not confirm the rule's promise
	NoBenchmark Verdict = "no-benchmark" // the bench gate had no benchmark to measure with
	BuildFailed Verdict = "build-failed" // the rewritten package did not compile
	TestsFailed Verdict = "tests-failed" // a test, or a benchmark, failed, panicked or hung
	Regressed   Verdict = "regressed"    // a benchmark metric got significantly worse
	Skipped     Verdict = "skipped"      // not tried: its function is cold in the profile (-profile, -hot)
	NeedsBench  Verdict = "needs-bench"  // confirmed, but a trade (rule.Candidate.Trade) that only the bench gate may keep
	// Undecided: the bench gate could not decide at the -count given: with that many samples no
	// difference among the metrics it would compare can be significant. Not measured.
	Undecided Verdict = "undecided"
)

// Result is the report of one candidate.
type Result struct {
	Rule     string             `json:"rule"`
	Package  string             `json:"package"`
	File     string             `json:"file"` // relative to the module root
	Line     int                `json:"line"`
	Col      int                `json:"col"`
	Func     string             `json:"func"`
	Summary  string             `json:"summary"`
	Evidence []string           `json:"evidence"` // the compiler's -m lines that made it a candidate
	Verdict  Verdict            `json:"verdict"`
	Reason   string             `json:"reason"`
	Notes    []string           `json:"notes,omitempty"` // collateral effects seen by the compiler, e.g. a function that no longer inlines
	Metrics  []benchstat.Metric `json:"metrics"`
	Diff     string             `json:"diff,omitempty"` // this candidate's own change

	// Variant names the variant applied when the rule offered several for the site
	// (rule.Candidate.Variants): the rule's default under the build and test gates; under the
	// bench gate the one kept, or, when none was, the one whose verdict this is. VariantReason
	// says why that one, and Variants what became of each under the bench gate, simplest first.
	Variant       string          `json:"variant,omitempty"`
	VariantReason string          `json:"variant_reason,omitempty"`
	Variants      []VariantResult `json:"variants,omitempty"`

	changes []*FileChange // this candidate's own change, file by file, for the SARIF fixes; not in JSON
}

// VariantResult is what became of one variant of a candidate under the bench gate: its verdict
// against the kept code, as a candidate's would be, and the metrics it was measured with.
type VariantResult struct {
	Name    string             `json:"name"`
	Summary string             `json:"summary"`
	Verdict Verdict            `json:"verdict"`
	Reason  string             `json:"reason"`
	Metrics []benchstat.Metric `json:"metrics,omitempty"`
}

// PackageReport says how one package went.
type PackageReport struct {
	Path  string `json:"path"`
	Dir   string `json:"dir"` // relative to the module root
	Error string `json:"error,omitempty"`
	// Unresolved counts the package's -m=2 lines that name files gcfix cannot find (the first few
	// names in UnresolvedFiles): their diagnostics were not used.
	Unresolved      int      `json:"unresolved_diagnostics,omitempty"`
	UnresolvedFiles []string `json:"unresolved_files,omitempty"`
}

// Report is the outcome of a run.
type Report struct {
	Module     string          `json:"module"`
	Modules    []ModuleReport  `json:"modules,omitempty"` // a run over many modules (gcfix -r): every module; Module is then empty
	Packages   []PackageReport `json:"packages"`
	Candidates []*Result       `json:"candidates"`
	Diff       string          `json:"diff"` // the unified diff of every kept rewrite
	// PGO is the profile the compiler's diagnostics, the tests and the benchmarks were taken with
	// (go build -pgo), relative to the module root; PGONote says why none was used when that was
	// ambiguous.
	PGO     string `json:"pgo,omitempty"`
	PGONote string `json:"pgo_note,omitempty"`
	// Unresolved is the number of -m=2 lines of all packages whose files gcfix could not find.
	Unresolved int `json:"unresolved_diagnostics,omitempty"`
	// Compiles counts the go commands that the run started to compile packages (go list -export,
	// go test, go test -c), whether or not the build cache held them: the cost of the run's proof.
	Compiles int `json:"compiles"`
	// Incomplete: the run was interrupted. Candidates holds those decided before it stopped, the
	// diff their kept rewrites; the candidate being tried then, and those after it, are not in it.
	Incomplete bool `json:"incomplete,omitempty"`

	root  string        // the directory that file names are relative to
	files []*FileChange // the kept rewrites, file by file, and the test files of EmitAllocTests
}

// New starts the report of a run over the module modPath, whose root directory is root.
func New(modPath, root string) *Report {
	return &Report{Module: modPath, Packages: []PackageReport{}, Candidates: []*Result{}, root: root}
}

// Root returns the directory that the report's file names are relative to.
func (r *Report) Root() string { return r.root }

// SetRoot sets Root, for a report read back from a form that does not keep it.
func (r *Report) SetRoot(root string) { r.root = root }

// Files returns the files that the kept rewrites change, with their contents before and after,
// which are not in the JSON report.
func (r *Report) Files() []*FileChange { return r.files }

// SetFiles sets the files that the kept rewrites change; Diff is left as it is.
func (r *Report) SetFiles(files []*FileChange) { r.files = files }

// Changes returns the candidate's own change, file by file, which is not in the JSON report.
func (r *Result) Changes() []*FileChange { return r.changes }

// SetChanges sets the candidate's own change; Diff is left as it is.
func (r *Result) SetChanges(changes []*FileChange) { r.changes = changes }

// PGOSummary says which PGO profile the diagnostics were taken with, or why none was used; "" when
// there was no profile to use.
func (r *Report) PGOSummary() string {
	if r.PGO != "" {
		return "diagnostics taken with PGO profile " + r.PGO
	}
	return r.PGONote
}

// Failed reports whether some module or package could not be processed.
func (r *Report) Failed() bool {
	for _, m := range r.Modules {
		if m.Error != "" {
			return true
		}
	}
	for _, p := range r.Packages {
		if p.Error != "" {
			return true
		}
	}
	return false
}

// Kept returns the number of kept candidates.
func (r *Report) Kept() int {
	n := 0
	for _, c := range r.Candidates {
		if c.Verdict == Kept {
			n++
		}
	}
	return n
}

// Skipped returns the number of candidates skipped as cold.
func (r *Report) Skipped() int {
	n := 0
	for _, c := range r.Candidates {
		if c.Verdict == Skipped {
			n++
		}
	}
	return n
}
