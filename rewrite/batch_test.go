package rewrite

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dave/dst"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/report"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// markRule renames each function named Mark<X> to Done<X> (no call sites) and promises that the
// compiler then reports `can inline Done<X>`. MarkBroken's rewrite breaks the build (a call site is
// left behind); MarkHeavy's promise fails (go:noinline).
var markRule = &rule.Rule{
	Name: "mark",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !strings.HasPrefix(fd.Name.Name, "Mark") {
					continue
				}
				at := pass.Position(fd.Name.Pos())
				ev, ok := pass.Diags.Inline(at.Filename, fd.Name.Name)
				if !ok {
					continue
				}
				newName := "Done" + strings.TrimPrefix(fd.Name.Name, "Mark")
				out = append(out, &rule.Candidate{
					Pos: fd.Pos(), Func: fd, Evidence: []diag.Diagnostic{ev}, Summary: "mark " + fd.Name.Name,
					Fix: func(fix *rule.Fix) error {
						fix.Dst(fd.Name).(*dst.Ident).Name = newName
						return nil
					},
					Confirm: func(c *rule.Confirm) error {
						for _, d := range c.AllAfter.All() {
							if d.Kind == diag.CanInline && d.Subject == newName {
								return nil
							}
						}
						return fmt.Errorf("no can inline %s", newName)
					},
				})
			}
		}
		return out
	},
}

const heavy = `
//go:noinline
func MarkHeavy(n int) int { return n + 1 }
`

// The build gate confirms candidates together: overlapping ones wait for the next round, one that
// breaks the build is found and reported alone, one whose promise fails is dropped, and what is
// kept is exactly the confirmed rewrites.
func TestBuildGateRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.26\n",
		"a/a.go":      "package a\n\n// OldOne is one.\nfunc OldOne() int { return 1 }\n\nfunc OldTwo() int { return OldOne() + 1 }\n\nfunc MarkA() int { return 1 }\n",
		"a/h.go":      "package a\n" + heavy + "\nfunc MarkBroken() int { return 2 }\n\nfunc useBroken() int { return MarkBroken() }\n",
		"b/b.go":      "package b\n\nimport \"example.com/m/a\"\n\nfunc Three() int { return a.OldOne() + a.OldTwo() }\n\nfunc MarkB() int { return 2 }\n",
		"c/c.go":      "package c\n\nfunc MarkC() int { return 3 }\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestTwo(t *testing.T) {\n\tif OldTwo() != 2 {\n\t\tt.Fatal(OldTwo())\n\t}\n}\n",
	})
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{renameRule, markRule}, Gate: GateBuild})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Fatalf("packages failed: %+v", rep.Packages)
	}
	verdicts := map[string]report.Verdict{}
	for _, c := range rep.Candidates {
		verdicts[c.Summary] = c.Verdict
		t.Logf("%s: %s %s", c.Summary, c.Verdict, c.Reason)
	}
	want := map[string]report.Verdict{
		"rename OldOne": report.Kept, "rename OldTwo": report.Kept,
		"mark MarkA": report.Kept, "mark MarkB": report.Kept, "mark MarkC": report.Kept,
		"mark MarkBroken": report.BuildFailed, "mark MarkHeavy": report.Unconfirmed,
	}
	for s, v := range want {
		if verdicts[s] != v {
			t.Errorf("%s: %q, want %q", s, verdicts[s], v)
		}
	}
	if len(rep.Candidates) != len(want) {
		t.Errorf("%d candidates, want %d", len(rep.Candidates), len(want))
	}
	got := rep.Rewritten()
	for name, wantText := range map[string][]string{
		"a/a.go": {"func NewOne() int { return 1 }", "func NewTwo() int { return NewOne() + 1 }", "func DoneA() int"},
		"b/b.go": {"a.NewOne() + a.NewTwo()", "func DoneB() int"},
		"c/c.go": {"func DoneC() int"},
	} {
		for _, w := range wantText {
			if !strings.Contains(string(got[name]), w) {
				t.Errorf("%s lacks %q:\n%s", name, w, got[name])
			}
		}
	}
	if b, ok := got["a/h.go"]; ok {
		t.Errorf("a/h.go has neither a kept nor a confirmed rewrite, but changed:\n%s", b)
	}
	// The rewrites in disjoint declarations went together, in 4 rounds for 7 candidates. Two
	// compiles load (the packages with -m=2, and what only their tests import); the first round's
	// compile of 6 candidates does not build, and each of the 5 that change package a is compiled
	// alone to find the one that breaks it; 3 more rounds confirm the rest.
	if want := 2 + 1 + 5 + 3; rep.Compiles != want {
		t.Errorf("%d compiles, want %d", rep.Compiles, want)
	}
	if err := rep.Apply(); err != nil {
		t.Fatal(err)
	}
	if _, broken, err := Diagnose(t.Context(), dir, []string{"./..."}, ""); err != nil || len(broken) > 0 {
		t.Fatalf("the applied module does not build: %v %v", err, broken)
	}
}

// A second build-gate run over unchanged code is answered from the result cache with the same
// report; a changed file misses it.
func TestResultCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"c/c.go": "package c\n\nfunc MarkC() int { return 3 }\n",
	})
	cache := t.TempDir()
	run := func() (*report.Report, bool) {
		hit := false
		rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule}, Gate: GateBuild, Cache: cache,
			Log: func(format string, args ...any) { hit = hit || strings.Contains(format, "result cache") }})
		if err != nil {
			t.Fatal(err)
		}
		return rep, hit
	}
	first, hit := run()
	if hit || first.Kept() != 1 {
		t.Fatalf("first run: hit %v, %d kept", hit, first.Kept())
	}
	second, hit := run()
	if !hit {
		t.Fatal("second run over unchanged code missed the cache")
	}
	if second.Compiles != 1 {
		t.Errorf("a hit made %d compiles, want 1: the listing whose build IDs are the key", second.Compiles)
	}
	second.Compiles = first.Compiles // the rest is as the first run reported it
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Errorf("cached report differs:\n%s\n%s", a, b)
	}
	if string(second.Rewritten()["c/c.go"]) != string(first.Rewritten()["c/c.go"]) {
		t.Errorf("cached rewrite differs")
	}
	for i, res := range second.Candidates {
		if got, want := res.Changes(), first.Candidates[i].Changes(); !reflect.DeepEqual(got, want) {
			t.Errorf("candidate %d: cached changes %v, want %v", i, got, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "c/c.go"), []byte("package c\n\nfunc MarkC() int { return 4 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, hit := run()
	if hit {
		t.Error("a changed file hit the cache")
	}
	if !strings.Contains(string(third.Rewritten()["c/c.go"]), "return 4") {
		t.Errorf("third run rewrote stale code:\n%s", third.Rewritten()["c/c.go"])
	}
}

// Run in a directory below the module root (gcfix -C dir), where the go command names files
// relative to the module root, finds the compiler's evidence as from the root.
func TestBuildGateFromSubdirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":    "module example.com/m\n\ngo 1.26\n",
		"c/d/d.go":  "package d\n\nfunc MarkD() int { return 4 }\n",
		"c/d/d2.go": "package d\n\nfunc other() int { return MarkD() }\n",
	})
	rep, err := Run(t.Context(), Options{Dir: filepath.Join(dir, "c"), Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule}, Gate: GateBuild})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 1 || rep.Candidates[0].Verdict != report.BuildFailed {
		for _, c := range rep.Candidates {
			t.Logf("%s: %s %s", c.Summary, c.Verdict, c.Reason)
		}
		t.Fatalf("%d candidates; want MarkD, found by its evidence and failing to build (a call site is left)", len(rep.Candidates))
	}
}

// tailRule rebuilds Sum's body from copies of its statements with `_ = x` before the return; bumpRule
// changes the constant in `y := x + 1`. Their lines differ, but made together in that order the
// bump is lost (it edits a statement that the rebuilt body no longer holds).
var tailRule = &rule.Rule{
	Name: "tail",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		return sumCandidates(pass, "append to Sum", func(fix *rule.Fix, fd *ast.FuncDecl) error {
			body := fix.Dst(fd.Body).(*dst.BlockStmt)
			var list []dst.Stmt
			for _, s := range body.List {
				list = append(list, dst.Clone(s).(dst.Stmt))
			}
			use := &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("_")}, Tok: token.ASSIGN, Rhs: []dst.Expr{dst.NewIdent("x")}}
			body.List = append(list[:len(list)-1:len(list)-1], use, list[len(list)-1])
			return nil
		})
	},
}

var bumpRule = &rule.Rule{
	Name: "bump",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		return sumCandidates(pass, "bump Sum", func(fix *rule.Fix, fd *ast.FuncDecl) error {
			as := fd.Body.List[0].(*ast.AssignStmt)
			fix.Dst(as.Rhs[0].(*ast.BinaryExpr).Y).(*dst.BasicLit).Value = "2"
			return nil
		})
	},
}

func sumCandidates(pass *rule.Pass, summary string, fix func(*rule.Fix, *ast.FuncDecl) error) []*rule.Candidate {
	var out []*rule.Candidate
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "Sum" && len(fd.Body.List) >= 3 {
				if lit, ok := fd.Body.List[0].(*ast.AssignStmt).Rhs[0].(*ast.BinaryExpr).Y.(*ast.BasicLit); summary == "bump Sum" && lit.Value != "1" || !ok {
					continue
				}
				out = append(out, &rule.Candidate{Pos: fd.Pos(), Func: fd, Summary: summary, Fix: func(f *rule.Fix) error { return fix(f, fd) }})
			}
		}
	}
	return out
}

// Two rewrites of one function on different lines that interfere when made together are not
// confirmed together: the second waits for the next round and is made on the kept code, so both
// changes are in the result.
func TestBuildGateInterference(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc Sum(x int) int {\n\ty := x + 1\n\tz := y * 2\n\treturn z\n}\n",
	})
	var log []string
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{tailRule, bumpRule}, Gate: GateBuild,
		Log: func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Candidates {
		t.Logf("%s: %s %s", c.Summary, c.Verdict, c.Reason)
	}
	if rep.Kept() != 2 || len(rep.Candidates) != 2 {
		t.Fatalf("%d of %d kept, want 2 of 2; log:\n%s", rep.Kept(), len(rep.Candidates), strings.Join(log, "\n"))
	}
	const want = "package a\n\nfunc Sum(x int) int {\n\ty := x + 2\n\tz := y * 2\n\t_ = x\n\treturn z\n}\n"
	if got := string(rep.Rewritten()["a/a.go"]); got != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	if !slices.ContainsFunc(log, func(l string) bool { return strings.Contains(l, "interfere") }) {
		t.Errorf("no interference logged:\n%s", strings.Join(log, "\n"))
	}
}

// A pick that breaks a package it does not change (markRule renames MarkA, which b calls) while each
// pick builds alone: the round goes on with the one that built alone, the others wait, and the run
// ends. It used to compile the same round again and again.
func TestBuildGateBreakOutsideItsPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc MarkA(s []int) []int { return append(s, 1) }\n",
		"b/b.go": "package b\n\nimport \"example.com/m/a\"\n\nfunc MarkB() []int { return a.MarkA(nil) }\n",
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule}, Gate: GateBuild})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 2 {
		t.Fatalf("%d candidates, want MarkA and MarkB", len(rep.Candidates))
	}
	for _, c := range rep.Candidates {
		if c.Verdict == "" {
			t.Errorf("%s: no verdict", c.Summary)
		}
	}
}

// bloatRule makes Bloat* functions too big to inline: a rewrite whose note is "no longer inlines".
var bloatRule = &rule.Rule{
	Name: "bloat",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !strings.HasPrefix(fd.Name.Name, "Bloat") {
					continue
				}
				out = append(out, &rule.Candidate{Pos: fd.Pos(), Func: fd, Summary: "bloat " + fd.Name.Name, Fix: func(fix *rule.Fix) error {
					body := fix.Dst(fd.Body).(*dst.BlockStmt)
					var more []dst.Stmt
					for range 20 {
						more = append(more, &dst.AssignStmt{Lhs: []dst.Expr{dst.NewIdent("x")}, Tok: token.ASSIGN,
							Rhs: []dst.Expr{&dst.BinaryExpr{X: &dst.BinaryExpr{X: dst.NewIdent("x"), Op: token.MUL, Y: &dst.BasicLit{Kind: token.INT, Value: "3"}}, Op: token.ADD, Y: &dst.BasicLit{Kind: token.INT, Value: "1"}}}})
					}
					body.List = append(more, body.List...)
					return nil
				}})
			}
		}
		return out
	},
}

// Two rewrites confirmed together in one file: the function that one of them made too big to
// inline is that one's note, not the other's.
func TestBuildGateLostInliningNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.26\n",
		"a/a.go": "package a\n\nfunc BloatF(x int) int {\n\treturn x + 1\n}\n\nfunc MarkA() int { return 1 }\n",
	})
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{markRule, bloatRule}, Gate: GateBuild})
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string][]string{}
	for _, c := range rep.Candidates {
		if c.Verdict != report.Kept {
			t.Errorf("%s: %s %s", c.Summary, c.Verdict, c.Reason)
		}
		notes[c.Summary] = c.Notes
	}
	if rep.Compiles != 2 {
		t.Errorf("%d compiles, want one to load and the two rewrites confirmed in one", rep.Compiles)
	}
	if n := notes["bloat BloatF"]; len(n) != 1 || !strings.Contains(n[0], "BloatF no longer inlines") {
		t.Errorf("bloat's notes %q, want BloatF no longer inlines", n)
	}
	if n := notes["mark MarkA"]; len(n) != 0 {
		t.Errorf("mark's notes %q, want none: BloatF is bloat's", n)
	}
}

// eachCall calls f with each call in the bodies of the package's functions, and its function.
func eachCall(pass *rule.Pass, f func(fd *ast.FuncDecl, call *ast.CallExpr)) {
	for _, file := range pass.Files {
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok {
						f(fd, call)
					}
					return true
				})
			}
		}
	}
}

// twinRule renames each call Twin() to Done(), every candidate with the same summary, and judges
// its whole function: the candidates of one function are confirmed a round each.
var twinRule = &rule.Rule{
	Name:          "twin",
	WholeFunction: true,
	Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		eachCall(pass, func(fd *ast.FuncDecl, call *ast.CallExpr) {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Twin" {
				out = append(out, &rule.Candidate{
					Pos: call.Pos(), Func: fd, Summary: "Twin() => Done()",
					Fix: func(fix *rule.Fix) error {
						fix.Dst(id).(*dst.Ident).Name = "Done"
						return nil
					},
				})
			}
		})
		return out
	},
}

// shoutRule declines every call in a function, each with the same summary.
var shoutRule = &rule.Rule{
	Name: "shout",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		eachCall(pass, func(fd *ast.FuncDecl, call *ast.CallExpr) {
			out = append(out, &rule.Candidate{Pos: call.Pos(), Func: fd, Summary: "shout", Decline: "a call"})
		})
		return out
	},
}

// Candidates alike in one function (same rule and summary) stay apart across rounds: the second
// Twin(), matched again after the first was kept, is neither taken for the first nor dropped; and
// a declined candidate on a line that a kept rewrite changed is not reported again.
func TestAlikeCandidatesAcrossRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a module")
	}
	for _, gate := range []Gate{GateBuild, GateTest} {
		t.Run(string(gate), func(t *testing.T) {
			dir := writeModule(t, map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.26\n",
				"a/a.go": "package a\n\nfunc F() {\n\tTwin()\n\tTwin()\n\tTwin()\n}\n\nfunc Twin() {}\n\nfunc Done() {}\n",
			})
			rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{twinRule, shoutRule}, Gate: gate})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for _, c := range rep.Candidates {
				t.Logf("%s:%d %s %s: %s %s", c.File, c.Line, c.Rule, c.Summary, c.Verdict, c.Reason)
				got[c.Rule+" "+string(c.Verdict)] = append(got[c.Rule+" "+string(c.Verdict)], c.Line)
			}
			want := map[string][]int{"twin kept": {4, 5, 6}, "shout rejected": {4, 5, 6}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("candidates by rule and verdict: %v, want %v", got, want)
			}
			wantF := "func F() {\n\tDone()\n\tDone()\n\tDone()\n}\n"
			if f := string(rep.Rewritten()["a/a.go"]); !strings.Contains(f, wantF) {
				t.Errorf("a/a.go after the run:\n%s\nwant it to hold\n%s", f, wantF)
			}
		})
	}
}
