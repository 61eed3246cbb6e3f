// The noinline rule: a //go:noinline directive left on production code after a benchmark.
//
//	//go:noinline                          =>  func clamp(x, lo, hi int) int {
//	func clamp(x, lo, hi int) int {                ...
//		...                                    }
//	}
//
// The evidence is the compiler's `cannot inline F: marked go:noinline` at F, in a file that is not a
// _test.go file. The rewrite removes the directive line and nothing else; the rest of the doc comment
// stays. The engine's bench gate keeps the removal only when a benchmark improves.
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
// Confirm (rewrite.Confirm.Inlines): the compiler now says `can inline F`; otherwise `still too
// complex (cost M)` or `still cannot inline F: reason` (a function too complex to inline gains
// nothing from losing the directive).

package rules

import (
	"fmt"
	"go/ast"
	"go/types"
	"regexp"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

// Noinline removes a //go:noinline directive that the compiler obeys on a small production function.
var Noinline = &rule.Rule{
	Name: "noinline",
	Doc: rule.Doc{
		Title: "remove a leftover //go:noinline so that a small function inlines",
		Text: "When the compiler says `cannot inline F: marked go:noinline` at a function of a non-test file, the " +
			"rule removes the directive; the compiler must then say `can inline F`, and the bench gate keeps the " +
			"removal only when a benchmark improves. It never touches _test.go files or outlined slow paths " +
			"(<f>Slow functions documented as out of line), and declines functions whose doc comment mentions " +
			"inlining or being out of line, functions called only from cold branches, and functions that call " +
			"runtime.Callers, runtime.Caller or runtime.FuncForPC.",
		Before: "//go:noinline\nfunc clamp(x, lo, hi int) int {\n\treturn max(lo, min(x, hi))\n}",
		After:  "func clamp(x, lo, hi int) int {\n\treturn max(lo, min(x, hi))\n}",
	},
	WholeFunction: true,
	Match:         matchNoinline,
}

const noinlineDirective = "//go:noinline"

var (
	// noinlineWhy matches a doc sentence that explains inlining: inline, inlined, noinline, out of line.
	noinlineWhy      = regexp.MustCompile(`(?i)(inlin|out of line|out-of-line)`)
	noinlineSlowName = regexp.MustCompile(`Slow(Path)?\d*$`)
)

func matchNoinline(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	var cold []*syntax.ColdRegion // computed on first need
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		file := pass.Fset.File(f.Pos()).Name()
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !noinlineHasDirective(fd) {
				continue
			}
			name := diag.FuncName(fd)
			verdict, ok := pass.Diags.Inline(file, name)
			if !ok || verdict.Kind != diag.CannotInline || !strings.Contains(verdict.Reason, "marked go:noinline") {
				continue
			}
			doc := noinlineDoc(fd)
			if noinlineSlowName.MatchString(fd.Name.Name) && strings.Contains(strings.ToLower(doc), "out of line") {
				continue // an outlined slow path
			}
			c := &rule.Candidate{
				Pos:      fd.Pos(),
				Func:     fd,
				Evidence: []diag.Diagnostic{verdict},
				Summary:  "remove //go:noinline from " + name,
			}
			out = append(out, c)
			if s := noinlineExplained(doc); s != "" {
				c.Decline = fmt.Sprintf("its doc comment says why it stays out of line: %q", s)
				continue
			}
			if why := noinlineCallsCallers(pass.Info, fd); why != "" {
				c.Decline = why
				continue
			}
			if cold == nil {
				cold = noinlineColdRegions(pass)
			}
			if fn, ok := pass.Info.Defs[fd.Name].(*types.Func); ok {
				if n := noinlineOnlyCold(pass, fn, cold); n > 0 {
					calls := "its one call is"
					if n > 1 {
						calls = fmt.Sprintf("all %d calls are", n)
					}
					c.Decline = fmt.Sprintf("called only from cold branches (%s in an if or case that ends in a return or panic): a slow path by its use", calls)
					continue
				}
			}
			c.Fix = func(fix *rule.Fix) error { return noinlineRemove(fix.Dst(fd).(*dst.FuncDecl)) }
			c.Confirm = (*rule.Confirm).Inlines
		}
	}
	return out
}

func noinlineHasDirective(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if strings.TrimSpace(c.Text) == noinlineDirective {
			return true
		}
	}
	return false
}

// noinlineDoc returns the doc comment's text without its directives.
func noinlineDoc(fd *ast.FuncDecl) string {
	if fd.Doc == nil {
		return ""
	}
	return fd.Doc.Text() // Text drops //go: directive lines
}

// noinlineExplained returns the first sentence of doc that mentions inlining, or "".
func noinlineExplained(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for _, s := range strings.SplitAfter(doc, ". ") {
		if noinlineWhy.MatchString(s) {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// noinlineCallsCallers says why fd's frames matter to it, if it asks the runtime for its callers.
func noinlineCallsCallers(info *types.Info, fd *ast.FuncDecl) string {
	why := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || why != "" {
			return why == ""
		}
		if fn, ok := typeutil.Callee(info, call).(*types.Func); ok {
			switch fn.FullName() {
			case "runtime.Callers", "runtime.Caller", "runtime.FuncForPC":
				why = "calls " + fn.FullName() + ", whose result depends on the frames that inlining removes"
			}
		}
		return true
	})
	return why
}

// noinlineColdRegions returns the cold regions of every function of the package's non-test files.
func noinlineColdRegions(pass *rule.Pass) []*syntax.ColdRegion {
	cold := []*syntax.ColdRegion{}
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
				cold = append(cold, syntax.ColdRegions(pass.Info, fd.Body)...)
			}
		}
	}
	return cold
}

// noinlineOnlyCold returns how many calls of fn the package's non-test files make, if every one is in
// a cold region; 0 otherwise.
func noinlineOnlyCold(pass *rule.Pass, fn *types.Func, cold []*syntax.ColdRegion) int {
	n := 0
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		hot := false
		ast.Inspect(f, func(x ast.Node) bool {
			call, ok := x.(*ast.CallExpr)
			if !ok || hot || typeutil.Callee(pass.Info, call) != fn {
				return !hot
			}
			inCold := false
			for _, r := range cold {
				if r.Stmts[0].Pos() <= call.Pos() && call.End() <= r.Stmts[len(r.Stmts)-1].End() {
					inCold = true
					break
				}
			}
			if !inCold {
				hot = true
			}
			n++
			return true
		})
		if hot {
			return 0
		}
	}
	return n
}

// noinlineRemove deletes the directive line from the decorated function's doc comment.
func noinlineRemove(fd *dst.FuncDecl) error {
	var kept []string
	removed := false
	for _, line := range fd.Decs.Start {
		if strings.TrimSpace(line) == noinlineDirective {
			removed = true
			continue
		}
		kept = append(kept, line)
	}
	if !removed {
		return fmt.Errorf("no %s line in the decorated doc comment of %s", noinlineDirective, fd.Name.Name)
	}
	// A doc comment that ended in "//" before the directive (the gofmt form) loses that line too.
	if n := len(kept); n > 0 && strings.TrimSpace(kept[n-1]) == "//" {
		kept = kept[:n-1]
	}
	fd.Decs.Start.Replace(kept...)
	return nil
}
