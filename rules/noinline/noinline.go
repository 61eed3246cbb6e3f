package noinline

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/types"
	"regexp"
	"strings"

	"github.com/dave/dst"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
	"github.com/gcfix/gcfix/rules/internal/ruledoc"
	"github.com/gcfix/gcfix/rules/internal/syntax"
)

//go:embed doc.go
var doc string

var ruleDoc = ruledoc.MustParse(doc, "noinline")

// New returns the noinline rule, which removes a //go:noinline directive that the compiler obeys on
// a small production function.
func New() *rule.Rule {
	return &rule.Rule{Name: "noinline", Doc: ruleDoc, WholeFunction: true, Match: match}
}

const directive = "//go:noinline"

var (
	// explainsInlining matches a doc sentence that explains inlining: inline, inlined, noinline,
	// out of line.
	explainsInlining = regexp.MustCompile(`(?i)(inlin|out of line|out-of-line)`)
	// slowName matches the names that the outline rule gives its slow paths.
	slowName = regexp.MustCompile(`Slow(Path)?\d*$`)
)

func match(pass *rule.Pass) []*rule.Candidate {
	var out []*rule.Candidate
	var cold []*syntax.ColdRegion // computed on first need
	for _, f := range pass.Files {
		if pass.IsTestFile(f) {
			continue
		}
		file := pass.Fset.File(f.Pos()).Name()
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !hasDirective(fd) {
				continue
			}
			name := diag.FuncName(fd)
			verdict, ok := pass.Diags.Inline(file, name)
			if !ok || verdict.Kind != diag.CannotInline || !strings.Contains(verdict.Reason, "marked go:noinline") {
				continue
			}
			doc := docText(fd)
			if slowName.MatchString(fd.Name.Name) && strings.Contains(strings.ToLower(doc), "out of line") {
				continue // an outlined slow path
			}
			c := &rule.Candidate{
				Pos:      fd.Pos(),
				Func:     fd,
				Evidence: []diag.Diagnostic{verdict},
				Summary:  "remove //go:noinline from " + name,
			}
			out = append(out, c)
			if s := explained(doc); s != "" {
				c.Decline = fmt.Sprintf("its doc comment says why it stays out of line: %q", s)
				continue
			}
			if why := callsCallers(pass.Info, fd); why != "" {
				c.Decline = why
				continue
			}
			if cold == nil {
				cold = coldRegions(pass)
			}
			if fn, ok := pass.Info.Defs[fd.Name].(*types.Func); ok {
				if n := onlyCold(pass, fn, cold); n > 0 {
					calls := "its one call is"
					if n > 1 {
						calls = fmt.Sprintf("all %d calls are", n)
					}
					c.Decline = fmt.Sprintf("called only from cold branches (%s in an if or case that ends in a return or panic): a slow path by its use", calls)
					continue
				}
			}
			c.Fix = func(fix *rule.Fix) error { return removeDirective(fix.Dst(fd).(*dst.FuncDecl)) }
			c.Confirm = (*rule.Confirm).Inlines
		}
	}
	return out
}

func hasDirective(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if strings.TrimSpace(c.Text) == directive {
			return true
		}
	}
	return false
}

// docText returns the doc comment's text without its directives.
func docText(fd *ast.FuncDecl) string {
	if fd.Doc == nil {
		return ""
	}
	return fd.Doc.Text() // Text drops //go: directive lines
}

// explained returns the first sentence of doc that mentions inlining, or "".
func explained(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for _, s := range strings.SplitAfter(doc, ". ") {
		if explainsInlining.MatchString(s) {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// callsCallers says why fd's frames matter to it, if it asks the runtime for its callers.
func callsCallers(info *types.Info, fd *ast.FuncDecl) string {
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

// coldRegions returns the cold regions of every function of the package's non-test files.
func coldRegions(pass *rule.Pass) []*syntax.ColdRegion {
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

// onlyCold returns how many calls of fn the package's non-test files make, if every one is in
// a cold region; 0 otherwise.
func onlyCold(pass *rule.Pass, fn *types.Func, cold []*syntax.ColdRegion) int {
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

// removeDirective deletes the directive line from the decorated function's doc comment.
func removeDirective(fd *dst.FuncDecl) error {
	var kept []string
	removed := false
	for _, line := range fd.Decs.Start {
		if strings.TrimSpace(line) == directive {
			removed = true
			continue
		}
		kept = append(kept, line)
	}
	if !removed {
		return fmt.Errorf("no %s line in the decorated doc comment of %s", directive, fd.Name.Name)
	}
	// A doc comment that ended in "//" before the directive (the gofmt form) loses that line too.
	if n := len(kept); n > 0 && strings.TrimSpace(kept[n-1]) == "//" {
		kept = kept[:n-1]
	}
	fd.Decs.Start.Replace(kept...)
	return nil
}
