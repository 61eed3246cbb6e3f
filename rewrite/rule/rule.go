// Package rule is the API between gcfix's engine and its rules, like golang.org/x/tools/go/analysis
// is for analyzers: a Rule is a value with a name, documentation, settings (Flags) and a Match that
// returns Candidates for one package (a Pass: typed syntax, the compiler's -m=2 diagnostics, an
// optional profile). A candidate carries the compiler's evidence, a Fix that edits the decorated
// (dst) syntax, and a Confirm that judges the compiler's verdict after the rewrite; or, where a
// readable form and a faster one differ by what only measurement can judge, Variants, simplest
// first, each with its own Fix and Confirm, of which the bench gate keeps the simplest that is not
// significantly worse than the best (Candidate.Variants). Rules import this package and
// rewrite/diag, nothing else of the engine.
package rule

import (
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/profile"
)

// A Rule is one rewrite that gcfix knows, a value like analysis.Analyzer: the engine loads, diagnoses,
// confirms, tests, measures and writes; the rule only finds candidates and edits the tree.
type Rule struct {
	Name string // lowercase, one word that says the rewrite: "sprintf"
	Doc  Doc
	// Match returns the candidates in one package. A candidate needs the compiler's evidence at its
	// position (pass.Diags); a near miss that the rule cannot rewrite exactly is returned with Decline
	// set, so the report can say why. Match never runs the go command and never writes files.
	Match func(pass *Pass) []*Candidate
	// WholeFunction says that a candidate's promise is a verdict on its whole function (it now
	// inlines): the build gate confirms it with no other rewrite in that function.
	WholeFunction bool
	// Flags are the rule's settings, like analysis.Analyzer.Flags: the CLI exposes them, and every
	// key of a remembered result (the result cache, -state) includes their values.
	Flags flag.FlagSet
}

// Doc is a rule's documentation, shown by `gcfix -list` and in reports.
type Doc struct {
	Title  string // one line
	Text   string // what it does and when it declines
	Before string // a small example of the code it matches
	After  string // the same example after the rewrite
}

// A Pass is one package as a rule sees it: typed syntax and the compiler's diagnostics.
type Pass struct {
	Fset  *token.FileSet
	Files []*ast.File // the package's files that gcfix may rewrite (generated files left out); tests included
	Info  *types.Info
	Types *types.Package
	Sizes types.Sizes
	Diags *diag.Diagnostics
	// Module holds every loaded package of the module that gcfix may rewrite, this one included, for
	// rules whose rewrite reaches call sites in other packages. Their types come from separate loads:
	// compare objects across packages by package path and name, not by identity.
	Module []*Pass
	// Profile is the run's -profile, nil without one: how often code runs, for rules that choose
	// between places to rewrite (Samples).
	Profile *profile.Profile
}

// Samples returns the profile's samples on the lines that n spans (each line's samples with that
// line anywhere on their stack, summed): 0 without a profile or when none is there.
func (p *Pass) Samples(n ast.Node) int64 {
	if n == nil {
		return 0
	}
	return p.SamplesBetween(n.Pos(), n.End())
}

// SamplesBetween is Samples for the lines from from's to to's.
func (p *Pass) SamplesBetween(from, to token.Pos) int64 {
	if p.Profile == nil {
		return 0
	}
	path := ""
	if p.Types != nil {
		path = p.Types.Path()
	}
	start, end := p.Fset.Position(from), p.Fset.Position(to)
	var sum int64
	for line := start.Line; line <= end.Line; line++ {
		sum += p.Profile.Samples(path, start.Filename, line)
	}
	return sum
}

// IsTestFile reports whether f is a _test.go file.
func (p *Pass) IsTestFile(f *ast.File) bool {
	return isTestFile(p.Fset.File(f.Pos()).Name())
}

// Position returns the position of pos.
func (p *Pass) Position(pos token.Pos) token.Position { return p.Fset.Position(pos) }

// DiagsAt returns the compiler's diagnostics of kind k that start at pos (Other: any kind).
func (p *Pass) DiagsAt(pos token.Pos, k diag.Kind) []diag.Diagnostic {
	at := p.Fset.Position(pos)
	return p.Diags.At(at.Filename, at.Line, at.Column, k)
}

// DiagsAtExpr returns the compiler's diagnostics of kind k about expression e. The compiler places
// an expression where its syntax tree does: a selector at its dot, an index or slice at its bracket,
// a call or conversion at its parenthesis, a binary expression at its operator, a composite literal
// at its brace; e.Pos() is tried too.
func (p *Pass) DiagsAtExpr(e ast.Expr, k diag.Kind) []diag.Diagnostic {
	pos := e.Pos()
	switch e := e.(type) {
	case *ast.SelectorExpr:
		pos = e.X.End()
	case *ast.IndexExpr:
		pos = e.Lbrack
	case *ast.IndexListExpr:
		pos = e.Lbrack
	case *ast.SliceExpr:
		pos = e.Lbrack
	case *ast.CallExpr:
		pos = e.Lparen
	case *ast.BinaryExpr:
		pos = e.OpPos
	case *ast.TypeAssertExpr:
		pos = e.Lparen - 1
	case *ast.CompositeLit:
		pos = e.Lbrace
	}
	ds := p.DiagsAt(pos, k)
	if pos != e.Pos() {
		ds = append(ds, p.DiagsAt(e.Pos(), k)...)
	}
	return ds
}

// DiagsIn returns the compiler's diagnostics on the lines that n spans.
func (p *Pass) DiagsIn(n ast.Node) []diag.Diagnostic {
	from, to := p.Fset.Position(n.Pos()), p.Fset.Position(n.End())
	return p.Diags.InLines(from.Filename, from.Line, to.Line)
}

// A Candidate is one place where a rule can rewrite, with the compiler's evidence for it.
type Candidate struct {
	Pos      token.Pos
	Func     *ast.FuncDecl     // the enclosing function, if any
	Evidence []diag.Diagnostic // the -m lines that make this a candidate
	Summary  string            // what the rewrite does, in a few words
	// Decline, when set, says why the rule leaves this candidate alone although the compiler's
	// evidence is there. Fix is not called.
	Decline string
	// Trade, when set, says what the rewrite trades ("memory for allocations: the capacity is an
	// upper bound"): it is not better on every input, and only measurement can judge it. The engine
	// keeps such a candidate only under the bench gate, where no metric (B/op included) may rise
	// significantly; the build and test gates confirm and test it as usual, then report it with the
	// verdict needs-bench and keep it out.
	Trade string
	// Fix applies the rewrite to the decorated tree. It may edit any file of the loaded packages.
	Fix func(fix *Fix) error
	// Confirm checks the rule's promise on the compiler's verdict for the rewritten code (for example:
	// the escape is gone, or the function now inlines). nil: compiling is the only promise.
	Confirm func(c *Confirm) error
	// Variants, when set, are the ways to rewrite this one site, simplest first (the one a reviewer
	// reads most easily), where they differ in a way that only measurement can judge (a readable
	// form and a faster one). They take the place of Fix and Confirm, which stay nil. The build
	// and test gates apply Variants[Default] alone: the variant that the rule's fixtures'
	// benchmarks favour. The bench gate tries each: every variant that compiles, is confirmed and
	// passes the tests is measured against the kept code, in the same rounds; among those that
	// improve significantly it finds the best, and keeps the simplest variant that is not
	// significantly worse than the best. The report names the variant applied and why.
	Variants []Variant
	Default  int // the index in Variants of the variant that the build and test gates apply
}

// A Variant is one way to rewrite a candidate's site (Candidate.Variants).
type Variant struct {
	Name string // short and lowercase, unique among the candidate's variants: "pieces", "one-write"
	// Summary is what the variant's rewrite does, as Candidate.Summary says it; the report gives
	// the summary of the variant applied. Candidate.Summary identifies the candidate (in -state
	// and across reloads) whichever variant is applied: the default's summary is a good one.
	Summary string
	Fix     func(fix *Fix) error   // as Candidate.Fix
	Confirm func(c *Confirm) error // as Candidate.Confirm
}

// NewFix is the engine's: node returns the decorated node of a loaded one.
func NewFix(node func(ast.Node) (dst.Node, error)) *Fix { return &Fix{node: node} }

// Fix gives a rule the decorated (dst) form of the package's files, freshly decorated for each
// candidate so that a rejected rewrite leaves nothing behind.
type Fix struct {
	node func(ast.Node) (dst.Node, error)
}

// Dst returns the decorated node for n, a node of the loaded syntax. It panics if n is not part of a
// loaded file: that is a bug in the rule.
func (f *Fix) Dst(n ast.Node) dst.Node {
	d, err := f.node(n)
	if err != nil {
		panic(fmt.Sprintf("gcfix: no decorated node for %T: %v", n, err))
	}
	return d
}

// Confirm holds the compiler's diagnostics for a candidate's function before and after its rewrite.
type Confirm struct {
	Func      string            // the compiler's name of the candidate's function ("Key", "(*T).String")
	Before    []diag.Diagnostic // within the function, before the rewrite
	After     []diag.Diagnostic // within the function (found by name), after the rewrite
	InlineWas *diag.Diagnostic  // CanInline or CannotInline before; nil if the compiler said nothing
	InlineNow *diag.Diagnostic  // the same, after
	AllAfter  *diag.Diagnostics // every diagnostic of the package after the rewrite
}

// Inlines is the promise of rules that make a function inlinable: the compiler now says `can inline
// F`. Otherwise the error says why not, with the cost when the function is still too complex.
func (c *Confirm) Inlines() error {
	now := c.InlineNow
	switch {
	case now == nil:
		return fmt.Errorf("the compiler said nothing about inlining %s", c.Func)
	case now.Kind == diag.CanInline:
		return nil
	case now.Cost > 0:
		return fmt.Errorf("still too complex (cost %d)", now.Cost)
	}
	return fmt.Errorf("still cannot inline %s: %s", c.Func, now.Reason)
}

func isTestFile(name string) bool { return len(name) > 8 && name[len(name)-8:] == "_test.go" }
