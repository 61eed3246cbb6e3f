package outline

import (
	"go/ast"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rewritetest"
)

// TestFixtures runs every case under fixtures/outline through the harness. The rule wins on
// time: a kept case must not add allocations, but need not remove any.
func TestFixtures(t *testing.T) {
	rewritetest.RunAll(t, filepath.Join("..", "..", "fixtures"), "outline", New(), rewritetest.Options{TimeOnly: true, Skip: []string{"costs"}})
}

func TestUnexported(t *testing.T) {
	for in, want := range map[string]string{"Get": "get", "HTTPGet": "httpGet", "ID": "id", "parse": "parse", "X": "x"} {
		if got := unexported(in); got != want {
			t.Errorf("unexported(%q) = %q, want %q", in, got, want)
		}
	}
}

// runTimeOnlyFixtures runs every case of fixtures/<dir> with rule, allocs/op free to stay.

// The cost estimate leaves out regions that cannot bring their function under budget, so that the
// compiler is not asked: a cold branch that costs less than the call replacing it (no_too_light),
// one whose weight is a closure's body, which the inliner does not charge (no_closure_body), one
// whose call costs more for the temporaries of its two results (no_return_temps), and a clause of
// a constant switch that the compiler drops before counting (no_dead_clause), and a tail whose
// guards cost more than the budget leaves beside the call that would replace it
// (no_tail_over_budget).
func TestEstimateLeavesLightRegions(t *testing.T) {
	for _, dir := range []string{"outline/no_too_light", "outline/no_closure_body", "outline/no_return_temps", "outline/no_dead_clause", "outline/no_tail_over_budget"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rewritetest.Declines(t, filepath.Join("..", "..", "fixtures"), dir, New())
		})
	}
}

// TestCostMatchesCompiler checks the outline rule's cost estimate against the costs that the
// compiler prints (`can inline F with cost N`) for a corpus of every shape the estimate knows:
// each function's body must be estimated at exactly the compiler's cost. A new Go version that
// charges a shape differently fails here, by function.
func TestCostMatchesCompiler(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("the estimate's intrinsics are amd64's; this is %s", runtime.GOARCH)
	}
	pass := rewritetest.Load(t, filepath.Join("..", "..", "fixtures"), "outline/costs")
	checked := 0
	for _, f := range pass.Files {
		file := pass.Fset.File(f.Pos()).Name()
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := diag.FuncName(fd)
			verdict, ok := pass.Diags.Inline(file, name)
			if !ok || verdict.Kind != diag.CanInline {
				continue // the //go:noinline callees
			}
			known, calls := newCoster(pass, fd, verdict.Cost).count(fd.Body.List)
			if calls > 0 {
				t.Errorf("%s: %d calls of unknown cost", name, calls)
				continue
			}
			if known != verdict.Cost {
				t.Errorf("%s: estimated %d, the compiler says %d", name, known, verdict.Cost)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("checked %d functions of the corpus, want at least 100", checked)
	}
}
