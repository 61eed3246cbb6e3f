package rewrite

import (
	"go/ast"
	"strings"
	"testing"

	"github.com/gcfix/gcfix/rewrite/rule"
)

// A rule that panics in Match or in Fix fails the run with the rule's name, the panic and the stack
// down to the rule's code.
func TestRulePanicHasStack(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc Sum(n int) int { return n + 1 }\n",
	})
	inMatch := &rule.Rule{Name: "boom", Match: func(*rule.Pass) []*rule.Candidate { panic("boom in Match") }}
	inFix := &rule.Rule{Name: "boom", Match: func(pass *rule.Pass) []*rule.Candidate {
		fd := pass.Files[0].Decls[0].(*ast.FuncDecl)
		return []*rule.Candidate{{Pos: fd.Pos(), Func: fd, Summary: "boom", Fix: func(*rule.Fix) error { panic("boom in Fix") }}}
	}}
	for _, r := range []*rule.Rule{inMatch, inFix} {
		rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{r}, Gate: GateBuild})
		msg := ""
		if err != nil {
			msg = err.Error()
		} else {
			for _, p := range rep.Packages {
				msg += p.Error
			}
		}
		if !strings.Contains(msg, "rule boom: boom in") || !strings.Contains(msg, "TestRulePanicHasStack") {
			t.Errorf("the error of a rule's panic lacks the rule, the panic or its stack:\n%s", msg)
		}
	}
}
