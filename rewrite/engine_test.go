package rewrite

import (
	"fmt"
	"go/ast"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/dst"
	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// renameRule renames every function whose name starts with "old" (and that the compiler can
// inline: its evidence) to "new…", with its call sites in every package of the module. It is the
// smallest rule that edits several packages, as a rule changing a signature must.
var renameRule = &rule.Rule{
	Name: "rename",
	Match: func(pass *rule.Pass) []*rule.Candidate {
		var out []*rule.Candidate
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !strings.HasPrefix(fd.Name.Name, "Old") {
					continue
				}
				at := pass.Position(fd.Name.Pos())
				ev, ok := pass.Diags.Inline(at.Filename, fd.Name.Name)
				if !ok || ev.Kind != diag.CanInline {
					continue
				}
				obj := pass.Info.Defs[fd.Name]
				out = append(out, &rule.Candidate{
					Pos: fd.Pos(), Func: fd, Evidence: []diag.Diagnostic{ev}, Summary: "rename " + fd.Name.Name,
					Fix: func(fix *rule.Fix) error {
						newName := "New" + strings.TrimPrefix(fd.Name.Name, "Old")
						fix.Dst(fd.Name).(*dst.Ident).Name = newName
						for _, p := range pass.Module {
							for id, o := range p.Info.Uses {
								if o.Pkg() != nil && o.Pkg().Path() == obj.Pkg().Path() && o.Name() == obj.Name() {
									fix.Dst(id).(*dst.Ident).Name = newName
								}
							}
						}
						return nil
					},
					Confirm: func(c *rule.Confirm) error {
						newName := "New" + strings.TrimPrefix(fd.Name.Name, "Old")
						for _, d := range c.AllAfter.All() {
							if d.Kind == diag.CanInline && d.Subject == newName {
								return nil
							}
						}
						return fmt.Errorf("no can inline %s after the rewrite", newName)
					},
				})
			}
		}
		return out
	},
}

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A rewrite that reaches into another package is confirmed, tested and kept as one; candidates of
// one package are tried each on top of those already kept; later packages see the kept code.
func TestRunAcrossPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a module")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/m\n\ngo 1.26\n",
		"a/a.go":      "package a\n\n// OldOne is one.\nfunc OldOne() int { return 1 }\n\nfunc OldTwo() int { return OldOne() + 1 }\n",
		"a/a_test.go": "package a\n\nimport \"testing\"\n\nfunc TestTwo(t *testing.T) {\n\tif OldTwo() != 2 {\n\t\tt.Fatal(OldTwo())\n\t}\n}\n",
		"b/b.go":      "package b\n\nimport \"example.com/m/a\"\n\nfunc Three() int { return a.OldOne() + a.OldTwo() }\n",
		"b/b_test.go": "package b\n\nimport \"testing\"\n\nfunc TestThree(t *testing.T) {\n\tif Three() != 3 {\n\t\tt.Fatal(Three())\n\t}\n}\n",
	})
	rep, err := Run(t.Context(), Options{Dir: dir, Patterns: []string{"./..."}, Rules: []*rule.Rule{renameRule}, Gate: GateTest})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Fatalf("packages failed: %+v", rep.Packages)
	}
	if len(rep.Candidates) != 2 || rep.Kept() != 2 {
		for _, c := range rep.Candidates {
			t.Logf("%s %s: %s %s", c.Func, c.Summary, c.Verdict, c.Reason)
		}
		t.Fatalf("got %d candidates, %d kept; want both kept", len(rep.Candidates), rep.Kept())
	}
	got := rep.Rewritten()
	wantA := "package a\n\n// NewOne is one.\nfunc NewOne() int { return 1 }\n\nfunc NewTwo() int { return NewOne() + 1 }\n"
	if got["a/a.go"] == nil || !strings.Contains(string(got["a/a.go"]), "func NewOne() int { return 1 }") ||
		!strings.Contains(string(got["a/a.go"]), "func NewTwo() int { return NewOne() + 1 }") {
		t.Errorf("a/a.go =\n%s\nwant\n%s", got["a/a.go"], wantA)
	}
	if !strings.Contains(string(got["a/a_test.go"]), "NewTwo() != 2") {
		t.Errorf("a/a_test.go =\n%s", got["a/a_test.go"])
	}
	if want := "func Three() int { return a.NewOne() + a.NewTwo() }"; !strings.Contains(string(got["b/b.go"]), want) {
		t.Errorf("b/b.go =\n%s\nwant %s", got["b/b.go"], want)
	}
	if !strings.Contains(rep.Diff, "+++ b/b/b.go") || !strings.Contains(rep.Diff, "+++ b/a/a.go") {
		t.Errorf("diff lacks a file:\n%s", rep.Diff)
	}
	// Nothing is written before Apply.
	if b, _ := os.ReadFile(filepath.Join(dir, "b/b.go")); strings.Contains(string(b), "NewOne") {
		t.Errorf("b/b.go written before Apply")
	}
	if err := rep.Apply(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b/b.go")); !strings.Contains(string(b), "a.NewOne()") {
		t.Errorf("b/b.go after Apply =\n%s", b)
	}
}
